// The shared placeholder filter: what documentation and templates put where a secret goes
// is never reported, and random tokens still are.
#include <catch2/catch.hpp>

#include "rules/filters.hpp"

using nhi::rules::classify_value;
using nhi::rules::ValueClass;

TEST_CASE("names of key and certificate files are references, not keys", "[rules][filters]") {
    for (const char* v : {"EdelCurlRoot-ca.key", "fixtures/certs/localhost/key.pem", "~/.ssh/id_rsa.pub",
                          "./secrets/client.p12", "/etc/ssl/private/server.crt"})
        CHECK(classify_value(v) == ValueClass::Placeholder);
    // A token with a dot that is no file name, and base64 (never a '.'), stay secrets.
    CHECK(classify_value("Zt4q8Wm2Hx7Pv0Lc9Rk3Nb6Yf1Js5Dg8Ae2Ku7Qo") == ValueClass::Secret);
    CHECK(classify_value("k9Qz.Tr4mWx8Lp2Vn7Bc") == ValueClass::Secret);
}

TEST_CASE("one-word documentation slots and not-a-real values are placeholders", "[rules][filters]") {
    CHECK(classify_value("yourprivatecloudflareapikey") == ValueClass::Placeholder);
    CHECK(classify_value("notarealpassword") == ValueClass::Placeholder);
    CHECK(classify_value("Not_A_Real_Token_4f8a") == ValueClass::Placeholder);
    // "your" inside a random token is no slot.
    CHECK(classify_value("q8Ryour3Kd9Vb2Lm7Tx") == ValueClass::Secret);
}

TEST_CASE("eight characters counting up are filler wherever they start", "[rules][filters]") {
    CHECK(classify_value("Xq9ghijklmnoPw") == ValueClass::Placeholder);
    CHECK(classify_value("tok-23456789-Zr") == ValueClass::Placeholder);
    // Seven in a row is not enough.
    CHECK(classify_value("Rt7abcdefgQ2mZ") == ValueClass::Secret);
}

TEST_CASE("base64 of a placeholder phrase is a placeholder; base64 of random bytes is not", "[rules][filters]") {
    // "abcdefdghijklmnopqrstuvwxyz12345", a TSIG example's secret.
    CHECK(classify_value("YWJjZGVmZGdoaWprbG1ub3BxcnN0dXZ3eHl6MTIzNDU=") == ValueClass::Placeholder);
    // "ci-bot:changeme" in a docker auth.
    CHECK(classify_value("Y2ktYm90OmNoYW5nZW1l") == ValueClass::Placeholder);
    // "ci-bot:Qm7vT2pLx9Rk" is a working login.
    CHECK(classify_value("Y2ktYm90OlFtN3ZUMnBMeDlSaw==") == ValueClass::Secret);
    CHECK(classify_value("3q2+7wQy9mZk1LpXvB8nRtU4sA6cHdEf") == ValueClass::Secret);
}

TEST_CASE("a value that is one shorter string repeated is filler", "[rules][filters]") {
    CHECK(classify_value("BC594900518B4F7EAC75BD37F019E08FBC594900518B4F7EAC75BD37F019E08F") == ValueClass::Placeholder);
    CHECK(classify_value("k9Qzk9Qzk9Qzk9Qz") == ValueClass::Placeholder);
    // A half that repeats only in part is no repetition.
    CHECK(classify_value("BC594900518B4F7EAC75BD37F019E08FBC594900518B4F7EAC75BD37F019E08E") == ValueClass::Secret);
}

TEST_CASE("a variable interpolated after a separator is a template; a dollar inside a password is not", "[rules][filters]") {
    CHECK(classify_value("/$file_pwd") == ValueClass::Placeholder);
    CHECK(classify_value("svc-$DEPLOY_ENV-pass") == ValueClass::Placeholder);
    CHECK(classify_value("Pa$sw0rd9Kq") == ValueClass::Secret);
    CHECK(classify_value("x9!$Kq2Lm7") == ValueClass::Secret);
}
