// `nhi rules check`: every rule must find each of its examples and none of its negative
// examples, through the same Hyperscan + PCRE2 path a scan uses.
#pragma once
#include <string>
#include <vector>

#include "rules/engine.hpp"

namespace nhi::rules {

struct CheckFailure {
    std::string rule_id;
    std::string message;  // says which example and why, without printing it whole
};

/// Runs every rule's examples and negative examples; returns the failures (empty = pass).
std::vector<CheckFailure> check_rules(const Engine& engine);

}  // namespace nhi::rules
