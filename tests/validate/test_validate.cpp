#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>

#include "db/model.hpp"
#include "rules/validators.hpp"
#include "support/mock_server.hpp"
#include "util/hash.hpp"
#include "validate/http.hpp"
#include "validate/request.hpp"
#include "validate/validate.hpp"

using namespace nhi;
using nhi::test::MockRequest;
using nhi::test::MockResponse;
using nhi::test::MockServer;

namespace {

rules::Rule rule(const std::string& id, const std::string& validate_json) {
    rules::Rule r;
    r.id = id;
    r.name = id;
    r.validate = validate_json;
    return r;
}

const char* kGithubLike = R"({"url": "https://api.example.com/user",
    "headers": {"Authorization": "token {secret}", "Accept": "application/json"},
    "live": {"status": [200], "json": "/login"}, "revoked": {"status": [401]},
    "identity": {"login": "/login", "user_id": "/id", "scopes": "header:x-oauth-scopes"}})";

// A run against the mock: findings validated, every warning kept.
struct Run {
    MockServer& server;
    std::vector<rules::Rule> rules;
    validate::Options options;
    std::vector<util::Error> warnings;
    validate::Counts counts;

    Run(MockServer& s, std::vector<rules::Rule> r) : server(s), rules(std::move(r)) {
        options.test_base_url = s.base_url();
        options.test_ca_file = s.ca_file();
        options.timeout_ms = 3000;
        options.per_host_per_second = 0;  // no pacing in tests
        options.concurrency = 2;
    }
    std::vector<db::Finding> operator()(std::vector<db::Finding> findings) {
        counts = validate::validate_findings(
            findings,
            [&](const std::string& id) -> const rules::Rule* {
                for (const auto& r : rules)
                    if (r.id == id) return &r;
                return nullptr;
            },
            options, [&](const util::Error& e) { warnings.push_back(e); });
        return findings;
    }
    // Nothing of `secret` in any reason or warning.
    void check_quiet(const std::vector<db::Finding>& findings, const std::string& secret) const {
        for (const auto& w : warnings) CHECK(w.message().find(secret) == std::string::npos);
        for (const auto& f : findings) {
            CHECK(f.validation.reason.find(secret) == std::string::npos);
            CHECK(f.validation.identity.dump().find(secret) == std::string::npos);
        }
    }
};

db::Finding finding(const rules::Rule& r, const std::string& secret, const std::string& path = "app/.env",
                    size_t line = 1) {
    return db::make_finding(r, secret, path, line, 1, nlohmann::json::object());
}

const std::string kSecret = "ghp_FakeTokenForTests0123456789abcdefXYZ";

}  // namespace

TEST_CASE("validate: a live answer gives the identity, sent where the block says", "[validate]") {
    MockServer s([](const MockRequest&) {
        return MockResponse{200, {{"X-OAuth-Scopes", "repo, read:org gist"}}, R"({"login":"octo","id":42,"name":null})", 0};
    });
    Run run(s, {rule("t.gh", kGithubLike)});
    auto out = run({finding(run.rules[0], kSecret)});
    REQUIRE(out.size() == 1);
    const auto& v = out[0].validation;
    CHECK(v.status == "live");
    CHECK(v.http_status == 200);
    CHECK(v.reason.empty());
    CHECK(v.identity["login"] == "octo");
    CHECK(v.identity["user_id"] == "42");
    CHECK_FALSE(v.identity.contains("name"));  // null: not learned
    CHECK(v.identity["scopes"] == nlohmann::json::array({"repo", "read:org", "gist"}));
    CHECK(v.checked_at.size() == 20);
    CHECK(v.checked_at.back() == 'Z');
    CHECK(run.counts.checked == 1);
    CHECK(run.counts.live == 1);
    auto reqs = s.requests();
    REQUIRE(reqs.size() == 1);
    CHECK(reqs[0].method == "GET");
    CHECK(reqs[0].target == "/api.example.com/user");
    CHECK(reqs[0].header("authorization") == "token " + kSecret);
    CHECK(reqs[0].header("accept") == "application/json");
    CHECK(run.warnings.empty());
}

TEST_CASE("validate: revoked, unexpected, malformed and redirected answers", "[validate]") {
    MockResponse answer;
    MockServer s([&](const MockRequest&) { return answer; });
    Run run(s, {rule("t.gh", kGithubLike)});
    std::string status, reason;
    int http = 0;
    SECTION("revoked") {
        answer = {401, {}, R"({"message":"Bad credentials"})", 0};
        status = "revoked", http = 401;
    }
    SECTION("unexpected") {
        answer = {500, {}, "oops", 0};
        status = "unknown", reason = "unexpected answer (HTTP 500)", http = 500;
    }
    SECTION("not JSON where a pointer is needed") {
        answer = {200, {}, "<html>{login", 0};
        status = "unknown", reason = "answer is not JSON", http = 200;
    }
    SECTION("a 200 without the live pointer") {
        answer = {200, {}, R"({"user":"x"})", 0};
        status = "unknown", reason = "unexpected answer (HTTP 200)", http = 200;
    }
    SECTION("a redirect to another host is not followed") {
        answer = {302, {{"Location", "https://collector.example.net/?t=" + kSecret}}, "", 0};
        status = "unknown", reason = "redirect not followed", http = 302;
    }
    auto out = run({finding(run.rules[0], kSecret)});
    CHECK(out[0].validation.status == status);
    CHECK(out[0].validation.reason == reason);
    CHECK(out[0].validation.http_status == http);
    CHECK(out[0].validation.identity.empty());
    CHECK(s.request_count() == 1);
    CHECK(run.warnings.size() == (reason.empty() ? 0u : 1u));
    run.check_quiet(out, kSecret);
}

TEST_CASE("validate: 429 backs off and retries, then gives up as rate limited", "[validate]") {
    int calls = 0;
    bool forever = false;
    MockServer s([&](const MockRequest&) {
        if (forever || calls++ == 0) return MockResponse{429, {{"Retry-After", "0"}}, "slow down", 0};
        return MockResponse{200, {}, R"({"login":"octo"})", 0};
    });
    Run run(s, {rule("t.gh", kGithubLike)});
    SECTION("then success") {
        auto out = run({finding(run.rules[0], kSecret)});
        CHECK(out[0].validation.status == "live");
        CHECK(s.request_count() == 2);
    }
    SECTION("forever") {
        forever = true;
        run.options.max_retries = 2;
        auto out = run({finding(run.rules[0], kSecret)});
        CHECK(out[0].validation.status == "unknown");
        CHECK(out[0].validation.reason == "rate limited");
        CHECK(out[0].validation.http_status == 429);
        CHECK(s.request_count() == 3);
        REQUIRE(run.warnings.size() == 1);
        CHECK(run.warnings[0].why == "rate limited");
        run.check_quiet(out, kSecret);
    }
}

TEST_CASE("validate: a provider slower than the timeout is an error, not a failed scan", "[validate]") {
    MockServer s([](const MockRequest&) { return MockResponse{200, {}, R"({"login":"late"})", 2000}; });
    Run run(s, {rule("t.gh", kGithubLike)});
    run.options.timeout_ms = 300;
    auto out = run({finding(run.rules[0], kSecret)});
    CHECK(out[0].validation.status == "error");
    CHECK(out[0].validation.reason == "timeout");
    CHECK(out[0].validation.http_status == 0);
    CHECK(run.counts.error == 1);
    REQUIRE(run.warnings.size() == 1);
    CHECK(run.warnings[0].message() == "validation at api.example.com: timeout");
}

TEST_CASE("validate: the secret goes where the block says, encoded for the place", "[validate]") {
    MockServer s([](const MockRequest&) { return MockResponse{200, {}, R"({"ok":true})", 0}; });
    const std::string secret = "sk_a+b/c=d&e f";  // characters that need encoding
    std::string spec, expect_target, expect_body, expect_auth;
    SECTION("query") {
        spec = R"({"url": "https://api.example.com/v1/check?key={secret}&x=1", "live": {"status": [200]}})";
        expect_target = "/api.example.com/v1/check?key=sk_a%2Bb%2Fc%3Dd%26e%20f&x=1";
    }
    SECTION("form body") {
        spec = R"({"method": "POST", "url": "https://api.example.com/token", "body": "token={secret}&kind=x",
                   "live": {"status": [200]}})";
        expect_target = "/api.example.com/token";
        expect_body = "token=sk_a%2Bb%2Fc%3Dd%26e%20f&kind=x";
    }
    SECTION("basic auth") {
        spec = R"({"url": "https://api.example.com/me", "basic": {"user": "{secret}", "password": ""},
                   "live": {"status": [200]}})";
        expect_target = "/api.example.com/me";
        expect_auth = "Basic " + validate::base64(secret + ":");
    }
    SECTION("header") {
        spec = R"({"url": "https://api.example.com/me", "headers": {"X-Api-Key": "{secret}"}, "live": {"status": [200]}})";
        expect_target = "/api.example.com/me";
    }
    Run run(s, {rule("t.x", spec)});
    auto out = run({finding(run.rules[0], secret)});
    CHECK(out[0].validation.status == "live");
    auto reqs = s.requests();
    REQUIRE(reqs.size() == 1);
    CHECK(reqs[0].target == expect_target);
    CHECK(reqs[0].body == expect_body);
    if (!expect_body.empty()) CHECK_FALSE(reqs[0].header("content-type").empty());
    if (!expect_auth.empty()) CHECK(reqs[0].header("authorization") == expect_auth);
    if (spec.find("X-Api-Key") != std::string::npos) CHECK(reqs[0].header("x-api-key") == secret);
}

TEST_CASE("validate: a secret with a line break is never put in a header", "[validate]") {
    MockServer s([](const MockRequest&) { return MockResponse{200, {}, R"({"login":"x"})", 0}; });
    Run run(s, {rule("t.gh", kGithubLike)});
    auto out = run({finding(run.rules[0], "abc\r\nX-Injected: 1")});
    CHECK(out[0].validation.status == "unknown");
    CHECK(out[0].validation.reason == "the secret cannot be placed in this request");
    CHECK(s.request_count() == 0);
}

TEST_CASE("validate: companions come from the nearest finding of their rule in the same file", "[validate]") {
    MockServer s([](const MockRequest&) {
        return MockResponse{200, {}, R"({"GetCallerIdentityResponse":{"GetCallerIdentityResult":{"Account":"123456789012","Arn":"arn:aws:iam::123456789012:user/ci"}}})", 0};
    });
    auto key_id = rule("t.aws.key-id", "");
    auto secret = rule("t.aws.secret", R"({"method": "POST", "url": "https://sts.amazonaws.com/",
        "body": "Action=GetCallerIdentity&Version=2011-06-15", "headers": {"Accept": "application/json"},
        "sign": {"kind": "aws-sigv4", "region": "us-east-1", "service": "sts"},
        "needs": {"key_id": "t.aws.key-id"},
        "live": {"status": [200], "json": "/GetCallerIdentityResponse/GetCallerIdentityResult/Arn"},
        "revoked": {"status": [403]},
        "identity": {"account": "/GetCallerIdentityResponse/GetCallerIdentityResult/Account",
                     "arn": "/GetCallerIdentityResponse/GetCallerIdentityResult/Arn"}})");
    Run run(s, {key_id, secret});
    const std::string sk = "H2j3mWQE39gNKcjKwI3TFFea5/j2yXjjJP8+FAKE";
    SECTION("found beside it") {
        auto out = run({finding(key_id, "AKIAFAKEFAR000000000", "creds", 40), finding(key_id, "AKIAFAKENEAR00000000", "creds", 3),
                        finding(secret, sk, "creds", 4), finding(key_id, "AKIAFAKEOTHERFILE000", "other", 4)});
        CHECK(out[2].validation.status == "live");
        CHECK(out[2].validation.identity["account"] == "123456789012");
        CHECK(out[2].validation.identity["arn"] == "arn:aws:iam::123456789012:user/ci");
        CHECK(out[0].validation.status.empty());  // the key id's rule has no block
        CHECK(run.counts.not_supported == 3);
        auto reqs = s.requests();
        REQUIRE(reqs.size() == 1);
        CHECK(reqs[0].target == "/sts.amazonaws.com/");
        CHECK(reqs[0].body == "Action=GetCallerIdentity&Version=2011-06-15");
        std::string auth = reqs[0].header("authorization");
        CHECK(auth.rfind("AWS4-HMAC-SHA256 Credential=AKIAFAKENEAR00000000/", 0) == 0);
        CHECK(auth.find("/us-east-1/sts/aws4_request, SignedHeaders=accept;content-type;host;x-amz-date, Signature=") !=
              std::string::npos);
        CHECK(reqs[0].header("x-amz-date").size() == 16);
        CHECK(auth.find(sk) == std::string::npos);
    }
    SECTION("missing") {
        auto out = run({finding(secret, sk, "creds", 4), finding(key_id, "AKIAFAKEOTHERFILE000", "other", 4)});
        CHECK(out[0].validation.status == "unknown");
        CHECK(out[0].validation.reason == "no key_id found beside the secret");
        CHECK(s.request_count() == 0);
        run.check_quiet(out, sk);
    }
}

TEST_CASE("validate: one request per distinct credential; no plaintext, no request", "[validate]") {
    MockServer s([](const MockRequest&) { return MockResponse{500, {}, "", 0}; });
    Run run(s, {rule("t.gh", kGithubLike), rule("t.none", "")});
    auto a = finding(run.rules[0], kSecret, "a.env", 1);
    auto b = finding(run.rules[0], kSecret, "b/c.env", 9);
    auto other = finding(run.rules[0], kSecret + "2", "a.env", 2);
    auto gone = finding(run.rules[0], "ghp_NotInMemory000000000000000000000000");
    gone.secret.clear();  // loaded from the datastore: hash only
    auto plain = finding(run.rules[1], "whatever");
    auto bad = finding(run.rules[0], kSecret + "3", "a.env", 3);
    bad.hints = {{nhi::rules::kInvalidHint, nhi::rules::kChecksumFails}};  // checksum fails: never sent
    auto out = run({a, b, other, gone, plain, bad});
    CHECK(s.request_count() == 2);
    CHECK(run.counts.invalid == 1);
    CHECK_FALSE(out[5].validation.done());
    CHECK(run.counts.checked == 2);
    CHECK(out[0].validation.reason == "unexpected answer (HTTP 500)");
    CHECK(out[1].validation.reason == "unexpected answer (HTTP 500)");
    CHECK_FALSE(out[3].validation.done());  // nothing to send: left as it was
    CHECK(run.counts.not_in_memory == 1);
    CHECK_FALSE(out[4].validation.done());
    CHECK(run.counts.not_supported == 1);
    CHECK(run.counts.unknown == 2);
    // One warning per cause (here the HTTP 500), not per secret.
    CHECK(run.warnings.size() == 1);
    run.check_quiet(out, kSecret);
}

TEST_CASE("validate: the test-only override is loopback https only", "[validate]") {
    auto with = [](const char* url, const char* ca) {
        url ? setenv("NHI_TEST_ONLY_VALIDATION_URL", url, 1) : unsetenv("NHI_TEST_ONLY_VALIDATION_URL");
        ca ? setenv("NHI_TEST_ONLY_VALIDATION_CA", ca, 1) : unsetenv("NHI_TEST_ONLY_VALIDATION_CA");
        validate::Options o;
        auto s = validate::options_from_environment(o);
        unsetenv("NHI_TEST_ONLY_VALIDATION_URL");
        unsetenv("NHI_TEST_ONLY_VALIDATION_CA");
        return std::make_pair(s.ok() ? std::string() : s.error().message(), o);
    };
    for (const char* bad : {"https://example.com", "http://127.0.0.1:8443", "https://127.0.0.1.example.com",
                            "https://user@127.0.0.1", "https://127.0.0.1:8443/prefix", "https://10.0.0.1",
                            "ftp://localhost", "https://localhost:http"}) {
        INFO(bad);
        CHECK(with(bad, nullptr).first ==
              "NHI_TEST_ONLY_VALIDATION_URL: only an https URL on a loopback host (127.0.0.1, ::1, localhost) is allowed");
    }
    for (const char* good : {"https://127.0.0.1:8443", "https://localhost", "https://[::1]:9/"}) {
        INFO(good);
        auto [err, o] = with(good, "/tmp/ca.pem");
        CHECK(err.empty());
        CHECK(o.test_base_url == good);
        CHECK(o.test_ca_file == "/tmp/ca.pem");
    }
    CHECK(with(nullptr, "/tmp/ca.pem").first.find("NHI_TEST_ONLY_VALIDATION_CA") == 0);
    auto [err, o] = with(nullptr, nullptr);
    CHECK(err.empty());
    CHECK(o.test_base_url.empty());

    // Options set by code are checked too: nothing is sent.
    MockServer s([](const MockRequest&) { return MockResponse{200, {}, R"({"login":"x"})", 0}; });
    Run run(s, {rule("t.gh", kGithubLike)});
    run.options.test_base_url = "https://example.com";
    auto out = run({finding(run.rules[0], kSecret)});
    CHECK(out[0].validation.status == "error");
    CHECK(out[0].validation.reason == "test-only validation url refused");
}

TEST_CASE("validate: substitution encodes only where asked", "[validate]") {
    validate::Values v{{"secret", "a b&c"}, {"key_id", "K"}};
    CHECK(validate::substitute("token {secret} {key_id} {other}", v, validate::Encoding::None) == "token a b&c K {other}");
    CHECK(validate::substitute("k={secret}", v, validate::Encoding::Url) == "k=a%20b%26c");
    CHECK(validate::substitute("\"{secret}\"", {{"secret", "q\"\\"}}, validate::Encoding::Json) == "\"q\\\"\\\\\"");
}

TEST_CASE("validate: concurrent workers give each credential its own answer", "[validate]") {
    // The mock answers with a login made from the token it was sent (not the token itself: an
    // echoed secret is removed), so a mix-up between workers would show.
    MockServer s([](const MockRequest& r) {
        std::string token = r.header("authorization").substr(std::string("token ").size());
        return MockResponse{200, {}, nlohmann::json{{"login", "user-" + token.substr(4)}}.dump(), 5};
    });
    Run run(s, {rule("t.gh", kGithubLike)});
    run.options.concurrency = 8;
    std::vector<db::Finding> findings;
    for (int i = 0; i < 40; ++i) findings.push_back(finding(run.rules[0], "ghp_concurrent" + std::to_string(i), "f" + std::to_string(i)));
    auto out = run(findings);
    CHECK(s.request_count() == 40);
    CHECK(run.counts.live == 40);
    for (const auto& f : out) CHECK(f.validation.identity["login"] == "user-" + f.secret.substr(4));
}

TEST_CASE("validate: an answer that echoes the credential has that value removed", "[validate]") {
    MockServer s([](const MockRequest& r) {
        std::string token = r.header("authorization").substr(std::string("token ").size());
        return MockResponse{200, {{"X-OAuth-Scopes", "repo"}}, nlohmann::json{{"login", token}, {"id", 7}}.dump()};
    });
    Run run(s, {rule("t.gh", kGithubLike)});
    auto out = run({finding(run.rules[0], kSecret)});
    REQUIRE(out[0].validation.status == "live");
    CHECK(out[0].validation.identity["login"] == "[removed: the answer held the secret]");
    CHECK(out[0].validation.identity["user_id"] == "7");  // the rest is kept (as text)
    CHECK(out[0].validation.identity.dump().find(kSecret) == std::string::npos);
}
