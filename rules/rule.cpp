#include "rules/rule.hpp"

namespace nhi::rules {

const char* to_string(Severity s) {
    switch (s) {
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
    if (s == "low") out = Severity::Low;
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

}  // namespace nhi::rules
