// Reads rule files (YAML) into Rule records.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "rules/rule.hpp"
#include "util/expected.hpp"

namespace nhi::rules {

struct RuleSet {
    std::vector<Rule> rules;
    std::string hash;  // SHA-256 over every file's name and content: the cache and rescan key
};

/// Parses one YAML rule file; fails on malformed YAML, a missing field or a bad value,
/// naming the file and rule.
util::Expected<std::vector<Rule>> parse_rule_file(std::string_view name, std::string_view content);

/// Loads the built-in rules plus user rule files or directories (`*.yml`, `*.yaml`).
/// Fails on unreadable or invalid files and on duplicate rule ids.
util::Expected<RuleSet> load_rules(const std::vector<std::string>& extra_paths, bool builtin = true);

}  // namespace nhi::rules
