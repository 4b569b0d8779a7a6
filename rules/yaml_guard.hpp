// Limits checked on YAML text before yaml-cpp sees it. yaml-cpp builds (and frees) nodes by
// recursion, so `[[[[...` or a staircase of indentation 60,000 deep overflows the stack
// before any exception can be caught; this scan is iterative and rejects such input first.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

#include "util/expected.hpp"

namespace nhi::rules {

/// How deep YAML collections may nest (flow brackets plus block indentation levels).
inline constexpr size_t kMaxYamlDepth = 64;

/// Succeeds when `text` nests at most `max_depth` collections deep; fails naming `name` and
/// the line where the limit is passed. Quoted scalars and comments do not count.
util::Status check_yaml_nesting(std::string_view name, std::string_view text, size_t max_depth = kMaxYamlDepth);

}  // namespace nhi::rules
