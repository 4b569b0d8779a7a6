#include "rules/validators.hpp"

#include "rules/filters.hpp"

#include <array>
#include <cctype>
#include <cstdint>

#include "util/hash.hpp"
#include "util/text.hpp"

namespace nhi::rules {
namespace {

using util::base62;
using util::crc32;

bool is_base62(std::string_view s) {
    for (char c : s)
        if (!std::isalnum(static_cast<unsigned char>(c))) return false;
    return true;
}

// GitHub (ghp_, gho_, ghu_, ghs_, ghr_) and npm (npm_) tokens: a prefix, 30 random base62
// characters, then the CRC-32 of those 30 characters in 6 base62 characters. A wrong length
// or alphabet is not such a token at all; a right shape with a wrong checksum is one that no
// provider issued (a made-up test value, or a token edited by hand), so only that failure is
// `checksum_only` and is reported at severity info rather than dropped.
Validation prefixed_crc32(std::string_view secret, size_t prefix_len) {
    Validation v;
    if (secret.size() != prefix_len + 36) {
        v.reason = "length is not prefix + 36";
        return v;
    }
    std::string_view body = secret.substr(prefix_len, 30);
    std::string_view check = secret.substr(prefix_len + 30, 6);
    if (!is_base62(body) || !is_base62(check)) {
        v.reason = "not base62";
        return v;
    }
    if (base62(crc32(body), 6) != check) {
        v.reason = "checksum mismatch";
        v.checksum_only = true;
        return v;
    }
    v.valid = true;
    return v;
}

Validation github(std::string_view s) {
    if (s.size() > 4 && s[3] == '_') return prefixed_crc32(s, 4);
    Validation v;
    v.reason = "unknown GitHub token form";
    return v;
}

Validation npm(std::string_view s) { return prefixed_crc32(s, 4); }

std::optional<nlohmann::json> decode_json_segment(std::string_view seg) {
    auto raw = util::base64_decode(seg);
    if (!raw) return std::nullopt;
    auto j = nlohmann::json::parse(*raw, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    return j;
}

// A JWT is header.payload.signature, each base64url; header and payload are JSON objects
// and the header names an algorithm.
Validation jwt(std::string_view s) {
    Validation v;
    auto parts = util::split(s, '.');
    if (parts.size() != 3) {
        v.reason = "not three dot-separated parts";
        return v;
    }
    auto header = decode_json_segment(parts[0]);
    if (!header || !header->contains("alg")) {
        v.reason = "header is not a JSON object with `alg`";
        return v;
    }
    auto payload = decode_json_segment(parts[1]);
    if (!payload) {
        v.reason = "payload is not a JSON object";
        return v;
    }
    for (const char* k : {"exp", "iat", "nbf"})
        if (payload->contains(k) && (*payload)[k].is_number()) v.hints[k] = (*payload)[k];
    for (const char* k : {"iss", "sub", "aud"})
        if (payload->contains(k)) v.hints[k] = (*payload)[k];
    v.hints["alg"] = (*header)["alg"];
    v.valid = true;
    return v;
}

// PEM private keys: matching BEGIN/END labels and a base64 body long enough to hold a key.
Validation pem(std::string_view s) {
    Validation v;
    auto begin = s.find("-----BEGIN ");
    auto end = s.find("-----END ");
    if (begin == std::string_view::npos || end == std::string_view::npos || end < begin) {
        v.reason = "no BEGIN/END lines";
        return v;
    }
    auto label_end = s.find("-----", begin + 11);
    std::string_view label = s.substr(begin + 11, label_end - (begin + 11));
    auto end_label_end = s.find("-----", end + 9);
    if (end_label_end == std::string_view::npos || s.substr(end + 9, end_label_end - (end + 9)) != label) {
        v.reason = "END label does not match BEGIN";
        return v;
    }
    std::string_view body = s.substr(label_end + 5, end - (label_end + 5));
    std::string b64;
    bool encrypted = label.find("ENCRYPTED") != std::string_view::npos;
    // Skip RFC 1421 headers (Proc-Type, DEK-Info) that old encrypted keys carry.
    for (auto line : util::split(body, '\n')) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
        if (line.find(':') != std::string_view::npos) {
            if (line.find("ENCRYPTED") != std::string_view::npos) encrypted = true;
            continue;
        }
        // A key pasted into source code as concatenated literals: `"MIIE..." +` per line.
        // Only after a closing quote: a base64 line may itself end in '+'.
        if (line.size() >= 2 && line.back() == '+') {
            std::string_view rest = line.substr(0, line.size() - 1);
            while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
            if (!rest.empty() && (rest.back() == '"' || rest.back() == '\'')) line = rest;
        }
        // Keys inside string literals carry escaped newlines.
        std::string cleaned;
        for (size_t i = 0; i < line.size(); ++i) {
            if (line[i] == '\\' && i + 1 < line.size() && (line[i + 1] == 'n' || line[i + 1] == 'r')) { ++i; continue; }
            if (line[i] == '"' || line[i] == '\'' || line[i] == ',') continue;
            cleaned.push_back(line[i]);
        }
        b64 += cleaned;
    }
    if (b64.size() < 64) {
        v.reason = "body too short to be a key";
        return v;
    }
    auto raw = util::base64_decode(b64);
    if (!raw) {
        v.reason = "body is not base64";
        return v;
    }
    if (label.find("OPENSSH") != std::string_view::npos && raw->rfind("openssh-key-v1", 0) == 0) {
        // The cipher name follows the magic; "none" means an unencrypted key.
        if (raw->size() > 19) {
            uint32_t n = (uint8_t((*raw)[15]) << 24) | (uint8_t((*raw)[16]) << 16) | (uint8_t((*raw)[17]) << 8) |
                         uint8_t((*raw)[18]);
            if (n < 64 && raw->size() >= 19 + n && raw->substr(19, n) != "none") encrypted = true;
        }
    }
    v.hints["encrypted"] = encrypted;
    v.hints["label"] = std::string(label);
    v.valid = true;
    return v;
}

int base32_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= '2' && c <= '7') return c - '2' + 26;
    return -1;
}

Validation aws_key_id(std::string_view s) {
    Validation v;
    static const std::array<std::string_view, 11> prefixes = {"AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA",
                                                              "AROA", "AIPA", "ANPA", "ANVA", "APKA"};
    bool known = false;
    for (auto p : prefixes) known |= s.substr(0, 4) == p;
    if (!known || s.size() != 20) {
        v.reason = "not a 20-character AWS key id with a known prefix";
        return v;
    }
    for (char c : s.substr(4))
        if (base32_value(c) < 0) {
            v.reason = "not base32";
            return v;
        }
    auto account = aws_account_from_key_id(s);
    if (!account.empty()) v.hints["aws_account_id"] = account;
    v.hints["temporary"] = s.substr(0, 4) == "ASIA";
    v.valid = true;
    return v;
}

// Slack tokens: xox[abposr]-digits-digits-...-alnum; the numeric parts are workspace and
// user/bot ids.
Validation slack(std::string_view s) {
    Validation v;
    auto parts = util::split(s, '-');
    if (parts.size() < 3 || parts[0].size() != 4 || parts[0].substr(0, 3) != "xox") {
        v.reason = "not xox?-...";
        return v;
    }
    size_t digit_parts = 0;
    for (size_t i = 1; i < parts.size(); ++i) {
        bool digits = !parts[i].empty();
        for (char c : parts[i]) digits &= std::isdigit(static_cast<unsigned char>(c)) != 0;
        digit_parts += digits;
        if (!is_base62(parts[i])) {
            v.reason = "a part is not alphanumeric";
            return v;
        }
    }
    if (digit_parts < 1 || !is_base62(parts.back()) || parts.back().size() < 16) {
        v.reason = "missing numeric ids or random tail";
        return v;
    }
    v.valid = true;
    return v;
}

// Stripe keys: (sk|rk|pk)_(live|test)_ then 24+ base62 characters.
Validation stripe(std::string_view s) {
    Validation v;
    auto parts = util::split(s, '_');
    if (parts.size() != 3 || (parts[0] != "sk" && parts[0] != "rk" && parts[0] != "pk") ||
        (parts[1] != "live" && parts[1] != "test") || parts[2].size() < 24 || !is_base62(parts[2])) {
        v.reason = "not (sk|rk|pk)_(live|test)_<24+ base62>";
        return v;
    }
    v.hints["live"] = parts[1] == "live";
    v.valid = true;
    return v;
}

// Docker `auth`, .npmrc `_auth` and HTTP Basic: base64 of `user:password`, printable text.
// The user name becomes a hint (it names the identity); the password never leaves here.
Validation basic_auth_checked(std::string_view s, bool weak_is_secret) {
    Validation v;
    auto decoded = util::base64_decode(s);
    if (!decoded) {
        v.reason = "not base64";
        return v;
    }
    auto colon = decoded->find(':');
    if (colon == std::string::npos || colon + 1 >= decoded->size()) {
        v.reason = "does not decode to user:password";
        return v;
    }
    for (unsigned char c : *decoded)
        if (c < 0x20 || c == 0x7f) {
            v.reason = "decodes to binary, not user:password";
            return v;
        }
    std::string_view password = std::string_view(*decoded).substr(colon + 1);
    const ValueClass value = classify_value(password, weak_is_secret);
    if (value == ValueClass::Placeholder) {
        v.reason = "the password is a placeholder";
        return v;
    }
    // A default password (RFC 7617's Aladdin:open sesame) is a working login all the same:
    // reported, at severity info.
    if (value == ValueClass::Weak) v.hints[kWeakHint] = true;
    v.hints["user"] = decoded->substr(0, colon);
    v.valid = true;
    return v;
}

Validation basic_auth(std::string_view s) { return basic_auth_checked(s, false); }

// Which failures are `checksum_only` (kept at severity info) and which drop the candidate:
// only the CRC-32 of GitHub and npm tokens is an integrity check on a string whose shape is
// otherwise complete. The others decide what the candidate is: a PEM block without a key
// body, an AWS id with an unknown prefix or outside base32, a Slack or Stripe string without
// the parts, a JWT whose segments are not JSON, base64 that is not user:password. Those are
// "not this kind of thing at all", and reporting them would report prose, hashes and ids.
using Fn = Validation (*)(std::string_view);
struct Entry {
    std::string_view name;
    Fn fn;
};
const std::array<Entry, 8> table = {{{"github-crc32", github},
                                     {"basic-auth", basic_auth},
                                     {"npm-crc32", npm},
                                     {"jwt", jwt},
                                     {"pem", pem},
                                     {"aws-key-id", aws_key_id},
                                     {"slack", slack},
                                     {"stripe", stripe}}};

}  // namespace

bool validator_exists(std::string_view name) {
    for (const auto& e : table)
        if (e.name == name) return true;
    return false;
}

Validation validate(std::string_view name, std::string_view secret, bool weak_is_secret) {
    // In credential files (.npmrc, docker auths) admin:admin is a working login, not filler.
    if (name == "basic-auth") return basic_auth_checked(secret, weak_is_secret);
    for (const auto& e : table)
        if (e.name == name) return e.fn(secret);
    Validation v;
    v.reason = "unknown validator";
    return v;
}

std::string aws_account_from_key_id(std::string_view key_id) {
    // Since 2019 the 16 base32 characters after the prefix encode the account id: decode
    // the first 10 characters (50 bits), keep the first 48 bits, mask with 0x7fffffffff80
    // and shift right by 7. A published property of the format, not an AWS API.
    if (key_id.size() != 20) return "";
    uint64_t bits = 0;
    for (char c : key_id.substr(4, 10)) {
        int d = base32_value(c);
        if (d < 0) return "";
        bits = (bits << 5) | static_cast<uint64_t>(d);
    }
    uint64_t id = ((bits >> 2) & 0x7FFFFFFFFF80ULL) >> 7;
    std::string out = std::to_string(id);
    if (out.size() > 12) return "";
    return std::string(12 - out.size(), '0') + out;
}

}  // namespace nhi::rules
