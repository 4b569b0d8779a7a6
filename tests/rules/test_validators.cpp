#include <catch2/catch.hpp>

#include "rules/validators.hpp"

using namespace nhi::rules;

TEST_CASE("github-crc32 accepts a correct checksum and rejects a changed one", "[rules][validators]") {
    CHECK(validate("github-crc32", "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").valid);
    auto bad = validate("github-crc32", "ghp_qBhy02hoi8ucTVyAmSRnraF4pk0bZu3i8raH");
    CHECK_FALSE(bad.valid);
    CHECK(bad.reason == "checksum mismatch");
    CHECK(bad.checksum_only);  // token-shaped: the engine keeps it at severity info
    auto short_ = validate("github-crc32", "ghp_short");
    CHECK_FALSE(short_.valid);
    CHECK_FALSE(short_.checksum_only);  // not a GitHub token at all
    CHECK_FALSE(validate("github-crc32", "ghp_qBhy02hoi8ucTVyAmSRnraF4pk0bZu3i8r!G").checksum_only);
}

TEST_CASE("npm-crc32 checks npm_ tokens", "[rules][validators]") {
    CHECK(validate("npm-crc32", "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").valid);
    auto bad = validate("npm-crc32", "npm_pPEkyDTnxHDNvNH1Mq0hVLaOgg1lu81trcLP");
    CHECK_FALSE(bad.valid);
    CHECK(bad.checksum_only);
}

TEST_CASE("only a checksum failure is checksum_only; other validators decide what a value is", "[rules][validators]") {
    CHECK_FALSE(validate("jwt", "eyJhbGciOi.eyJzdWIi.c2ln").checksum_only);
    CHECK_FALSE(validate("aws-key-id", "AKIA0000000000000000").checksum_only);
    CHECK_FALSE(validate("stripe", "sk_live_short").checksum_only);
    CHECK_FALSE(validate("basic-auth", "bm90IGEgdXNlcg==").checksum_only);
}

TEST_CASE("jwt decodes header and payload and returns hints", "[rules][validators]") {
    // {"alg":"HS256","typ":"JWT"} . {"sub":"svc","iss":"https://auth.acme.test","exp":1767225600}
    std::string tok =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
        "eyJzdWIiOiJzdmMiLCJpc3MiOiJodHRwczovL2F1dGguYWNtZS50ZXN0IiwiZXhwIjoxNzY3MjI1NjAwfQ."
        "c2lnbmF0dXJlLWJ5dGVzLWhlcmU";
    auto v = validate("jwt", tok);
    REQUIRE(v.valid);
    CHECK(v.hints["exp"] == 1767225600);
    CHECK(v.hints["sub"] == "svc");
    CHECK(v.hints["iss"] == "https://auth.acme.test");
    CHECK_FALSE(validate("jwt", "eyJub3QganNvbg.eyJzdWIiOiJzdmMifQ.sig").valid);
    CHECK_FALSE(validate("jwt", "a.b").valid);
}

TEST_CASE("aws-key-id decodes the account id from the key id", "[rules][validators]") {
    // Built for this test by encoding account 123456789012 as the format describes.
    CHECK(aws_account_from_key_id("AKIABZPUZDIKEWNDYUPH") == "123456789012");
    auto v = validate("aws-key-id", "AKIABZPUZDIKEWNDYUPH");
    REQUIRE(v.valid);
    CHECK(v.hints["aws_account_id"] == "123456789012");
    CHECK(v.hints["temporary"] == false);
    CHECK_FALSE(validate("aws-key-id", "AKIA1234567890123456").valid);  // 0, 1, 8, 9 are not base32
    CHECK_FALSE(validate("aws-key-id", "ZZZZABCDEFGHIJKLMNOP").valid);
}

TEST_CASE("pem checks labels and body, and marks encrypted keys", "[rules][validators]") {
    std::string body(80, 'Q');
    auto ok = validate("pem", "-----BEGIN RSA PRIVATE KEY-----\n" + body + "\n-----END RSA PRIVATE KEY-----");
    CHECK(ok.valid);
    CHECK(ok.hints["encrypted"] == false);
    auto enc = validate("pem", "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n" +
                                   body + "\n-----END RSA PRIVATE KEY-----");
    CHECK(enc.valid);
    CHECK(enc.hints["encrypted"] == true);
    CHECK_FALSE(validate("pem", "-----BEGIN RSA PRIVATE KEY-----\n" + body + "\n-----END EC PRIVATE KEY-----").valid);
    CHECK_FALSE(validate("pem", "-----BEGIN RSA PRIVATE KEY-----\nshort\n-----END RSA PRIVATE KEY-----").valid);
}

TEST_CASE("slack and stripe validators check token structure", "[rules][validators]") {
    CHECK(validate("slack", "xoxb-504652269263-4592963232588-NuU0tia2A8DvFM6LceD67pv8").valid);
    CHECK_FALSE(validate("slack", "xoxb-abc-def").valid);
    auto s = validate("stripe", "sk_live_t87XdHQN0UgdueCkrke0gegV");
    CHECK(s.valid);
    CHECK(s.hints["live"] == true);
    CHECK_FALSE(validate("stripe", "sk_prod_t87XdHQN0UgdueCkrke0gegV").valid);
}

TEST_CASE("unknown validators fail closed", "[rules][validators]") {
    CHECK_FALSE(validator_exists("nope"));
    CHECK_FALSE(validate("nope", "anything").valid);
}

TEST_CASE("basic-auth decodes user:password and hints only the user", "[rules][validators]") {
    auto v = validate("basic-auth", "ZGVwbG95OnMzY3IzdC1wYXNzd29yZC0xMjM=");  // deploy:s3cr3t-password-123
    REQUIRE(v.valid);
    CHECK(v.hints["user"] == "deploy");
    CHECK(v.hints.dump().find("s3cr3t") == std::string::npos);
    CHECK_FALSE(validate("basic-auth", "bm90LWEtcGFpcg==").valid);  // not-a-pair
    // user:password is a working login with a weak password: valid, and marked weak.
    auto weak = validate("basic-auth", "dXNlcjpwYXNzd29yZA==");
    CHECK(weak.valid);
    CHECK(weak.hints.value("weak_value", false));
    CHECK_FALSE(v.hints.contains("weak_value"));
    CHECK_FALSE(validate("basic-auth", "dXNlcjp7e3Bhc3N9fQ==").valid);  // user:{{pass}}
    CHECK_FALSE(validate("basic-auth", "%%%").valid);
}
