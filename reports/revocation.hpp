// A finding's revocation step with its rule's template filled in from what the scan knows:
// the key id it matched, the user and account the validation answer or the key id name.
#pragma once
#include <string>

#include "db/model.hpp"

namespace nhi::reports {

/// The rule's template (rules/revocation.hpp) filled for `f`. `{match}` is the plaintext
/// only with `show_secrets` and a plaintext in memory; otherwise the redacted preview, so the
/// reader can tell which key to revoke without the output disclosing it. Values from a
/// provider's answer are shell-quoted where the template is a command line.
std::string filled_revocation(const db::Finding& f, bool show_secrets);

}  // namespace nhi::reports
