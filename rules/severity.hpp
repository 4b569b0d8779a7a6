// The severity policy: how serious a finding is, from its rule and what its validator decoded.
// Lives with the rules, not the datastore: the datastore records a severity, it does not
// decide one.
#pragma once
#include <nlohmann/json.hpp>

#include "rules/rule.hpp"

namespace nhi::rules {

struct Rating {
    Severity severity = Severity::High;
    Confidence confidence = Confidence::Medium;
};

/// The severity and confidence a finding of `rule` reports given its validator's `hints`:
/// the rule's own, except info/low for a weak (default or documentation) value. Cannot fail.
Rating rate(const Rule& rule, const nlohmann::json& hints);

}  // namespace nhi::rules
