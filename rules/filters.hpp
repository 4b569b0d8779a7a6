// Cheap checks that throw away candidates which match a pattern but are not secrets.
#pragma once
#include <string_view>

namespace nhi::rules {

/// True when the candidate is a placeholder, documentation example, template variable or
/// a reference to an environment variable or secret store rather than a literal secret.
/// With `weak_is_secret`, filler words (password, admin, test) count as real values: in a
/// credential file such as .netrc or .pgpass a weak password is still a working one.
/// `context`: a user name or host, where example.com and `root` are real values and only
/// template syntax, references and the documentation marker EXAMPLE mean "placeholder".
bool is_placeholder(std::string_view secret, bool weak_is_secret = false, bool context = false);

/// True when the line holding a match carries an inline `nhi:allow` marker.
bool line_allows(std::string_view line);

}  // namespace nhi::rules
