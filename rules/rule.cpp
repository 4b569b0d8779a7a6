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

namespace {

// A pattern without a slash names a file anywhere in the tree, as in .gitignore.
bool any_glob(const std::vector<std::string>& globs, std::string_view path) {
    auto slash = path.rfind('/');
    std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
    for (const auto& g : globs) {
        const bool anchored = g.find('/') != std::string::npos;
        if (util::glob_match(g, anchored ? path : base)) return true;
    }
    return false;
}

}  // namespace

bool Rule::applies_to(std::string_view path) const {
    if (!skip_paths.empty() && any_glob(skip_paths, path)) return false;
    return paths.empty() || any_glob(paths, path);
}

}  // namespace nhi::rules
