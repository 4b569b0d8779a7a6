// util/hash: the plain-code SHA-256 that answers when libcrypto cannot agrees with it.
#include <catch2/catch.hpp>

#include <string>

#include "util/hash.hpp"

using namespace nhi::util;

TEST_CASE("the plain-code SHA-256 fallback matches libcrypto at every padding boundary", "[util][hash]") {
    CHECK(detail::sha256_portable_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(detail::sha256_portable_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    for (size_t n : {0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 1000}) {
        std::string s(n, '\0');
        for (size_t i = 0; i < n; ++i) s[i] = char(i * 37 + 11);
        INFO(n);
        CHECK(detail::sha256_portable_hex(s) == sha256_hex(s));
    }
}
