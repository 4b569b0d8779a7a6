// Offline structure checks. A validator never talks to the network: it proves that a
// candidate has the shape (checksum, encoding, header) that a real token must have.
#pragma once
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace nhi::rules {

struct Validation {
    bool valid = false;
    std::string reason;      // why it failed, for `rules check` and debugging
    nlohmann::json hints;    // facts decoded from the secret (expiry, account id, ...)
    // Rejected only for its checksum: the candidate has the token's full shape (prefix,
    // length, alphabet) but fails the integrity check the provider builds into every token it
    // issues. The engine keeps it at severity info with kInvalidHint instead of dropping it:
    // not a live token, but a reviewer sees a token-shaped string (a test value, or a real
    // token altered by hand). Every other failure means "not this kind of thing" and drops it.
    bool checksum_only = false;
};

/// The hint that marks a weak or documentation value (`secret`, `admin`, an RFC's example
/// token): hard-coded, but reported at severity info rather than as a leaked secret.
inline constexpr const char* kWeakHint = "weak_value";
inline bool is_weak(const nlohmann::json& hints) { return hints.is_object() && hints.value(kWeakHint, false); }

/// The hint that marks a token whose checksum fails (Validation::checksum_only); its value
/// says why, for the reviewer. Reported at severity info like a weak value.
inline constexpr const char* kInvalidHint = "invalid";
inline constexpr const char* kChecksumFails = "checksum fails: not a live token; a test value or a token altered by hand";
inline bool is_invalid(const nlohmann::json& hints) { return hints.is_object() && hints.contains(kInvalidHint); }
/// Weak or invalid: reported at severity info, never a secret that hides another or that
/// makes context worth keeping.
inline bool is_quiet(const nlohmann::json& hints) { return is_weak(hints) || is_invalid(hints); }

/// True when `name` is a known validator.
bool validator_exists(std::string_view name);

/// Runs validator `name` on the extracted secret; unknown names fail closed. `weak_is_secret`
/// is the rule's: weak passwords inside credential files still count.
Validation validate(std::string_view name, std::string_view secret, bool weak_is_secret = false);

/// AWS account id (12 digits) encoded in a 20-character access key id such as AKIA...,
/// or empty when the id is not of the 2019+ encoded form.
std::string aws_account_from_key_id(std::string_view key_id);

}  // namespace nhi::rules
