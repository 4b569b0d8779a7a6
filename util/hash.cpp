#include "util/hash.hpp"

#include <openssl/evp.h>
#include <zlib.h>

#include <memory>
#include <stdexcept>

namespace nhi::util {

std::string to_hex(std::string_view bytes) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 15]);
    }
    return out;
}

std::string sha256_hex(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    // EVP_Digest is one call with no handle to leak; it fails only on allocation failure.
    if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("sha256 failed");
    return to_hex(std::string_view(reinterpret_cast<const char*>(md), len));
}

uint32_t crc32(std::string_view data) {
    uLong c = ::crc32(0L, Z_NULL, 0);
    // zlib takes uInt lengths; feed large inputs in slices.
    size_t off = 0;
    while (off < data.size()) {
        size_t n = std::min<size_t>(data.size() - off, 1u << 30);
        c = ::crc32(c, reinterpret_cast<const Bytef*>(data.data() + off), static_cast<uInt>(n));
        off += n;
    }
    return static_cast<uint32_t>(c);
}

std::string base62(uint64_t value, size_t width) {
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    std::string out;
    do {
        out.insert(out.begin(), alphabet[value % 62]);
        value /= 62;
    } while (value > 0);
    while (out.size() < width) out.insert(out.begin(), '0');
    return out;
}

}  // namespace nhi::util
