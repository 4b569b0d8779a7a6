#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>

#include "db/model.hpp"
#include "support/mock_server.hpp"
#include "validate/google_jwt.hpp"
#include "validate/validate.hpp"

using namespace nhi;
using nlohmann::json;

namespace {

using Key = std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)>;

Key rsa() { return Key(EVP_RSA_gen(2048), EVP_PKEY_free); }

std::string pem(EVP_PKEY* k) {
    std::unique_ptr<BIO, int (*)(BIO*)> bio(BIO_new(BIO_s_mem()), BIO_free);
    REQUIRE(PEM_write_bio_PrivateKey(bio.get(), k, nullptr, nullptr, 0, nullptr, nullptr) == 1);
    char* data = nullptr;
    long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, size_t(n));
}

std::string unbase64url(std::string s) {
    for (char& c : s) c = c == '-' ? '+' : c == '_' ? '/' : c;
    while (s.size() % 4) s += '=';
    std::string out(s.size(), '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(s.data()),
                            int(s.size()));
    REQUIRE(n >= 0);
    out.resize(size_t(n) - (s.size() - s.find_last_not_of('=') - 1));
    return out;
}

// The JWT's claims after checking its RS256 signature with `k`'s public half.
json verified_claims(const std::string& jwt, EVP_PKEY* k, json* header = nullptr) {
    auto dot1 = jwt.find('.'), dot2 = jwt.rfind('.');
    REQUIRE(dot1 != dot2);
    std::string input = jwt.substr(0, dot2), sig = unbase64url(jwt.substr(dot2 + 1));
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    REQUIRE(EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, k) == 1);
    CHECK(EVP_DigestVerify(md.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                           reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1);
    if (header) *header = json::parse(unbase64url(jwt.substr(0, dot1)));
    return json::parse(unbase64url(jwt.substr(dot1 + 1, dot2 - dot1 - 1)));
}

}  // namespace

TEST_CASE("google-jwt: an RS256 assertion from a key file, a PEM or the key id with companions", "[validate][jwt]") {
    auto k = rsa();
    REQUIRE(k);
    const std::string p = pem(k.get());
    std::map<std::string, std::string> values;
    SECTION("key file") {
        // As in the file: the PEM inside a JSON string, with \n escapes.
        json file = {{"type", "service_account"}, {"private_key_id", "bf5e3e821eaefa8115c8c0de3b8999a99f104d0e"},
                     {"private_key", p}, {"client_email", "ci@acme-demo.iam.gserviceaccount.com"}};
        values["secret"] = file.dump();
    }
    SECTION("key id with companions, PEM escaped as in JSON") {
        values["secret"] = "bf5e3e821eaefa8115c8c0de3b8999a99f104d0e";
        std::string escaped;
        for (char c : p) escaped += c == '\n' ? std::string("\\n") : std::string(1, c);
        values["private_key"] = escaped;
        values["client_email"] = "ci@acme-demo.iam.gserviceaccount.com";
    }
    auto key = validate::google_key(values);
    REQUIRE(key.ok());
    CHECK(key->key_id == "bf5e3e821eaefa8115c8c0de3b8999a99f104d0e");
    auto jwt = validate::google_jwt(key.value(), "https://oauth2.googleapis.com/token", 1700000000);
    REQUIRE(jwt.ok());
    json header;
    auto claims = verified_claims(jwt.value(), k.get(), &header);
    CHECK(header["alg"] == "RS256");
    CHECK(header["kid"] == "bf5e3e821eaefa8115c8c0de3b8999a99f104d0e");
    CHECK(claims["iss"] == "ci@acme-demo.iam.gserviceaccount.com");
    CHECK(claims["aud"] == "https://oauth2.googleapis.com/token");
    CHECK(claims["scope"] == "https://www.googleapis.com/auth/cloud-platform");
    CHECK(claims["iat"] == 1700000000);
    CHECK(claims["exp"] == 1700003600);
}

TEST_CASE("google-jwt: missing or unusable key material is a reason, not a request", "[validate][jwt]") {
    CHECK(validate::google_key({{"secret", "bf5e3e821eaefa8115c8c0de3b8999a99f104d0e"}}).error().why ==
          "no private key to sign with");
    CHECK(validate::google_key({{"secret", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"}}).error().why ==
          "no client_email to sign with");
    validate::GoogleKey junk{"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "a@b.c", ""};
    CHECK(validate::google_jwt(junk, "https://oauth2.googleapis.com/token", 0).error().why ==
          "the private key is not an unencrypted rsa key");
    CHECK(validate::base64url("\xfb\xff") == "-_8");
}

TEST_CASE("google-jwt: the token exchange is posted to the declared host", "[validate][jwt]") {
    auto k = rsa();
    REQUIRE(k);
    test::MockServer s([](const test::MockRequest&) {
        return test::MockResponse{200, {}, R"({"access_token":"ya29.fake","expires_in":3599})", 0};
    });
    rules::Rule r;
    r.id = "t.gcp";
    r.validate = R"({"url": "https://oauth2.googleapis.com/token", "sign": {"kind": "google-jwt"},
                     "live": {"status": [200], "json": "/access_token"}, "revoked": {"status": [400, 401]}})";
    json file = {{"type", "service_account"}, {"private_key", pem(k.get())}, {"client_email", "ci@p.iam.gserviceaccount.com"}};
    std::vector<db::Finding> findings = {db::make_finding(r, file.dump(), "key.json", 1, 1, json::object())};
    validate::Options o;
    o.test_base_url = s.base_url();
    o.test_ca_file = s.ca_file();
    auto counts = validate::validate_findings(findings, [&](const std::string&) { return &r; }, o, [](const util::Error&) {});
    CHECK(counts.live == 1);
    CHECK(findings[0].validation.status == "live");
    auto reqs = s.requests();
    REQUIRE(reqs.size() == 1);
    CHECK(reqs[0].method == "POST");
    CHECK(reqs[0].target == "/oauth2.googleapis.com/token");
    CHECK(reqs[0].header("content-type") == "application/x-www-form-urlencoded");
    const std::string prefix = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=";
    REQUIRE(reqs[0].body.rfind(prefix, 0) == 0);
    auto claims = verified_claims(reqs[0].body.substr(prefix.size()), k.get());
    CHECK(claims["iss"] == "ci@p.iam.gserviceaccount.com");
    CHECK(reqs[0].body.find("PRIVATE KEY") == std::string::npos);
}
