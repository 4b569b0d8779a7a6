// The built-in rules in a parsed, serialised form made at build time (rules/hsdb_gen.cpp),
// so a start reads them without parsing YAML.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/rule.hpp"

namespace nhi::rules {

/// `rules` as bytes that decode_rules turns back into the same records.
std::string encode_rules(const std::vector<Rule>& rules);
/// The records in `bytes`, or nullopt when they are truncated or malformed.
std::optional<std::vector<Rule>> decode_rules(std::string_view bytes);
/// The built-in rules encoded at build time; empty in a build without them.
std::string_view embedded_parsed_rules();

}  // namespace nhi::rules
