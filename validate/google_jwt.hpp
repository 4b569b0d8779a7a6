// Google service-account keys: an RS256 JWT signed with the key (RFC 7523) that the token
// endpoint exchanges for an access token. A working exchange is the proof that the key is live.
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include "util/expected.hpp"

namespace nhi::validate {

struct GoogleKey {
    std::string private_key_pem, client_email, key_id;
};

/// The key from the found values: `secret` is a whole key file (JSON with private_key and
/// client_email), a PEM (with the `client_email` companion) or the private_key_id (with the
/// `private_key` and `client_email` companions). Fails naming the missing part.
util::Expected<GoogleKey> google_key(const std::map<std::string, std::string>& values);

/// The signed assertion: iss = client_email, scope cloud-platform, aud = `token_url`, iat =
/// `now`, exp = now + 1 h. Fails when the PEM is not an unencrypted RSA private key.
util::Expected<std::string> google_jwt(const GoogleKey& key, const std::string& token_url, int64_t now);

/// base64url without padding (JWT's encoding).
std::string base64url(std::string_view bytes);

}  // namespace nhi::validate
