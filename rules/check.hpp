// `nhi rules check`: every rule must find each of its examples and none of its negative
// examples, through the same Hyperscan + PCRE2 path a scan uses, and at least one negative
// must be a near miss that the rule itself rejects (not the shared placeholder filter).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "rules/engine.hpp"

namespace nhi::rules {

/// What a check failure is about, so tests can tell a detected negative from a missed example.
enum class CheckKind { Engine, Example, Negative, NoNearMiss };

struct CheckFailure {
    std::string rule_id;
    std::string message;  // says which example and why, without printing it whole
    CheckKind kind = CheckKind::Example;
};

/// True when `text` carries a literal the shared placeholder filter passes as a secret for
/// rule `r`: a word of at least 8 characters with a digit in it, or with three upper- and three
/// lower-case letters. A negative without one
/// (`${TOKEN}`, `ghp_xxxx…`, prose) says nothing about the rule's own pattern or validator.
bool has_literal_word(std::string_view text, const Rule& r);

/// Runs every rule's examples and negative examples; returns the failures (empty = pass).
/// A rule also fails when none of its negatives reaches its own pattern: each is a
/// placeholder, or is stopped by the shared filter, unless the rule has `negative_exempt`.
std::vector<CheckFailure> check_rules(const Engine& engine);

}  // namespace nhi::rules
