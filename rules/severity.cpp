#include "rules/severity.hpp"

#include "rules/validators.hpp"

namespace nhi::rules {

Rating rate(const Rule& rule, const nlohmann::json& hints) {
    // A default or documentation password is a hard-coded login, not a leaked secret: a quiet
    // line that fails no pipeline unless --fail-on info. So is a token whose checksum fails:
    // no provider issued it, but a reviewer should see it.
    if (is_quiet(hints)) return {Severity::Info, Confidence::Low};
    return {rule.severity, rule.confidence};
}

}  // namespace nhi::rules
