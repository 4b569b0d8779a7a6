// Git-style wildcard matching: `*` and `?` stop at '/', `**` crosses directories,
// `[...]` classes with `!`/`^` negation and ranges.
#pragma once
#include <string_view>

namespace nhi::util {

/// True when `path` (with '/' separators) matches `pattern` in full.
bool glob_match(std::string_view pattern, std::string_view path);

}  // namespace nhi::util
