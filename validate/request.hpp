// From a rule's validate block and the values found (the secret, its companions) to the HTTPS
// request: templates filled, values encoded for where they go, the request signed when the
// block says so. Only the block decides where the request goes.
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include "rules/validate_spec.hpp"
#include "util/expected.hpp"
#include "validate/http.hpp"

namespace nhi::validate {

/// Placeholder name -> value: "secret" and each companion from `needs`.
using Values = std::map<std::string, std::string>;

/// How a value is written where it is substituted.
enum class Encoding { None, Url, Json };

/// `templ` with each {name} replaced by values[name], encoded with `e`; a name without a value
/// is left as it is (the loader refused unknown names already).
std::string substitute(const std::string& templ, const Values& values, Encoding e);

/// The request `spec` describes for `values` at time `now` (for signatures). It goes to the
/// block's URL or, when `test_base_url` is given, to <test_base_url>/<host><path>. Fails, with
/// a reason that never holds a value, when a value cannot be placed (a line break in a
/// header) or the request cannot be signed.
util::Expected<HttpRequest> build_request(const rules::ValidateSpec& spec, const Values& values,
                                          const std::string& test_base_url, int64_t now);

}  // namespace nhi::validate
