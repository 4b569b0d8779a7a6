// Revocation templates: the command or console path a rule gives for revoking what it found,
// with `{field}` slots the finding fills in (the key id it matched, the user the validation
// answer named). A slot the finding cannot fill prints as an upper-case marker (`USER`), so a
// reader sees at once what to look up; an unknown slot name fails the rule's load, so no
// template ever prints a bare `{id}`.
#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "util/expected.hpp"

namespace nhi::rules {

struct RevocationField {
    std::string_view name;    // as written in a template: {match}
    std::string_view marker;  // printed when the finding has no value for it
    std::string_view filled_from;  // for docs and `nhi rules list`
};

/// The slots a template may name. `match` is the matched value itself (an access key id, a
/// key SID): redacted unless the user asked for plaintext with --show-secrets.
const std::vector<RevocationField>& revocation_fields();

/// An error naming the first `{slot}` that is not a known field, or an unbalanced brace.
util::Status check_revocation_template(std::string_view tmpl);

/// `tmpl` with each known slot replaced by lookup(name), or by its marker when lookup
/// returns an empty string. Text outside slots is copied as is.
std::string fill_revocation(std::string_view tmpl, const std::function<std::string(std::string_view)>& lookup);

}  // namespace nhi::rules
