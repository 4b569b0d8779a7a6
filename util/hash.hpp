// Small hashing helpers that know nothing of nhi.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace nhi::util {

/// Lower-case hex SHA-256 of the bytes (OpenSSL's libcrypto, else plain code); never fails.
std::string sha256_hex(std::string_view data);

/// Lower-case hex SHA-1 of the bytes, or "" when libcrypto cannot give one. Only for matching
/// other tools' baselines (detect-secrets stores the SHA-1 of each secret), never for integrity.
std::string sha1_hex(std::string_view data);

namespace detail {
/// The plain-code SHA-256 sha256_hex falls back on; public only for its known-answer test.
std::string sha256_portable_hex(std::string_view data);
}

/// CRC-32 (IEEE, zlib's) of the bytes.
uint32_t crc32(std::string_view data);

/// Base62 with the alphabet 0-9A-Za-z, left-padded with '0' to `width` characters.
/// This is the encoding GitHub and npm use for their token checksums.
std::string base62(uint64_t value, size_t width);

/// Lower-case hex of the bytes.
std::string to_hex(std::string_view bytes);

}  // namespace nhi::util
