#include "rules/rule.hpp"

#include "util/glob.hpp"

namespace nhi::rules {

const char* to_string(Severity s) {
    switch (s) {
        case Severity::Info: return "info";
        case Severity::Low: return "low";
        case Severity::Medium: return "medium";
        case Severity::High: return "high";
        case Severity::Critical: return "critical";
    }
    return "high";
}

const char* to_string(Confidence c) {
    switch (c) {
        case Confidence::Low: return "low";
        case Confidence::Medium: return "medium";
        case Confidence::High: return "high";
    }
    return "medium";
}

bool parse_severity(const std::string& s, Severity& out) {
    if (s == "info") out = Severity::Info;
    else if (s == "low") out = Severity::Low;
    else if (s == "medium") out = Severity::Medium;
    else if (s == "high") out = Severity::High;
    else if (s == "critical") out = Severity::Critical;
    else return false;
    return true;
}

bool parse_confidence(const std::string& s, Confidence& out) {
    if (s == "low") out = Confidence::Low;
    else if (s == "medium") out = Confidence::Medium;
    else if (s == "high") out = Confidence::High;
    else return false;
    return true;
}

bool Rule::applies_to(std::string_view path) const {
    if (!skip_paths.empty() && util::any_glob(skip_paths, path)) return false;
    return paths.empty() || util::any_glob(paths, path);
}

bool Rule::applies_to(const util::GlobSet& skip, const util::GlobSet& only, std::string_view path) {
    if (!skip.empty() && skip.any(path)) return false;
    return only.empty() || only.any(path);
}

}  // namespace nhi::rules
