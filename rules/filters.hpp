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

/// What a candidate value is: a literal secret, a placeholder (template, reference, filler,
/// documentation marker: never reported), or a weak literal: a default or documentation
/// password (`secret`, `admin`, `myPassword`, MongoDB's `D1fficultP@ssw0rd`) that is
/// hard-coded all the same. Weak values are reported at severity info, so a scan says a
/// literal login is there without failing a pipeline on a copied example.
enum class ValueClass { Secret, Placeholder, Weak };
ValueClass classify_value(std::string_view secret, bool weak_is_secret = false, bool context = false);

}  // namespace nhi::rules
