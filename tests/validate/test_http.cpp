#include <catch2/catch.hpp>

#include <cstdlib>
#include <optional>
#include <vector>

#include "support/mock_server.hpp"
#include "validate/http.hpp"

using namespace nhi::validate;
using nhi::test::MockRequest;
using nhi::test::MockResponse;
using nhi::test::MockServer;

namespace {
HttpClient client(const MockServer& s, long timeout_ms = 5000) {
    auto c = HttpClient::create(HttpOptions{timeout_ms, size_t(1) << 20, s.ca_file()});
    REQUIRE(c.ok());
    return std::move(c).value();
}
}  // namespace

TEST_CASE("http: GET and POST reach the server with headers and body, headers come back lower-cased", "[validate][http]") {
    MockServer s([](const MockRequest& r) {
        return MockResponse{r.method == "POST" ? 201 : 200, {{"X-OAuth-Scopes", "repo, gist"}}, "{\"ok\":true}", 0};
    });
    auto c = client(s);
    auto got = c.send({"GET", s.base_url() + "/api.example.com/user?a=b", {{"Authorization", "token abc"}}, ""});
    REQUIRE(got.ok());
    CHECK(got->status == 200);
    CHECK(got->header("x-oauth-scopes") == "repo, gist");
    CHECK(got->body == "{\"ok\":true}");
    auto posted = c.send({"POST", s.base_url() + "/x", {{"Content-Type", "application/x-www-form-urlencoded"}}, "a=1&b=2"});
    REQUIRE(posted.ok());
    CHECK(posted->status == 201);
    auto reqs = s.requests();
    REQUIRE(reqs.size() == 2);
    CHECK(reqs[0].method == "GET");
    CHECK(reqs[0].target == "/api.example.com/user?a=b");
    CHECK(reqs[0].header("authorization") == "token abc");
    CHECK(reqs[1].method == "POST");
    CHECK(reqs[1].body == "a=1&b=2");
    CHECK(reqs[1].header("expect").empty());
}

TEST_CASE("http: a redirect is reported, not followed", "[validate][http]") {
    MockServer s([](const MockRequest&) { return MockResponse{302, {{"Location", "https://evil.example/steal"}}, "", 0}; });
    auto c = client(s);
    auto got = c.send({"GET", s.base_url() + "/a", {}, ""});
    REQUIRE(got.ok());
    CHECK(got->status == 302);
    CHECK(s.request_count() == 1);
}

TEST_CASE("http: failures have short reasons without the URL", "[validate][http]") {
    MockServer s([](const MockRequest&) { return MockResponse{200, {}, "late", 3000}; });
    SECTION("timeout") {
        auto c = client(s, 300);
        auto got = c.send({"GET", s.base_url() + "/a?token=SECRETVALUE", {}, ""});
        REQUIRE_FALSE(got.ok());
        CHECK(got.error().why == "timeout");
        CHECK(got.error().message().find("SECRETVALUE") == std::string::npos);
    }
    SECTION("an untrusted certificate") {
        auto c = HttpClient::create(HttpOptions{});  // system CAs do not know the mock's
        REQUIRE(c.ok());
        auto got = c->send({"GET", s.base_url() + "/a?token=SECRETVALUE", {}, ""});
        REQUIRE_FALSE(got.ok());
        CHECK(got.error().why == "tls: certificate not trusted");
        CHECK(got.error().message().find("SECRETVALUE") == std::string::npos);
    }
    SECTION("plain http is refused") {
        auto c = client(s);
        auto got = c.send({"GET", "http://127.0.0.1:" + std::to_string(s.port()) + "/a?token=SECRETVALUE", {}, ""});
        REQUIRE_FALSE(got.ok());
        CHECK(got.error().why == "only https is allowed");
        CHECK(s.request_count() == 0);
    }
    SECTION("nothing listening") {
        auto c = client(s);
        // Port 1 (tcpmux) is privileged and unused on a test machine.
        auto got = c.send({"GET", "https://127.0.0.1:1/a?token=SECRETVALUE", {}, ""});
        REQUIRE_FALSE(got.ok());
        CHECK(got.error().why == "could not connect");
    }
}

TEST_CASE("http: an answer past the cap fails", "[validate][http]") {
    MockServer s([](const MockRequest&) { return MockResponse{200, {}, std::string(4096, 'x'), 0}; });
    auto c = HttpClient::create(HttpOptions{5000, 1024, s.ca_file()});
    REQUIRE(c.ok());
    auto got = c->send({"GET", s.base_url() + "/a", {}, ""});
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().why == "answer too large");
}

TEST_CASE("http: percent-encoding and base64", "[validate][http]") {
    CHECK(percent_encode("a b+c/=&~_.-Z9") == "a%20b%2Bc%2F%3D%26~_.-Z9");
    CHECK(base64("user:pass") == "dXNlcjpwYXNz");
    CHECK(base64("") == "");
    CHECK(base64("ab") == "YWI=");
}

TEST_CASE("http: the proxy variables are honoured, except for the loopback test server", "[validate][http]") {
    MockServer s([](const MockRequest&) { return MockResponse{200, {}, "ok", 0}; });
    // The job's own proxy settings come back afterwards.
    std::vector<std::pair<std::string, std::optional<std::string>>> saved;
    for (const char* name : {"https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY"}) {
        const char* v = std::getenv(name);
        saved.emplace_back(name, v ? std::optional<std::string>(v) : std::nullopt);
    }
    // Nothing listens on port 1: a request that goes through this proxy cannot connect.
    setenv("https_proxy", "http://127.0.0.1:1", 1);
    setenv("HTTPS_PROXY", "http://127.0.0.1:1", 1);
    unsetenv("no_proxy");
    unsetenv("NO_PROXY");
    auto through = HttpClient::create(HttpOptions{5000, 1024, s.ca_file(), false});
    auto direct = HttpClient::create(HttpOptions{5000, 1024, s.ca_file(), true});
    REQUIRE(through.ok());
    REQUIRE(direct.ok());
    auto via_proxy = through->send({"GET", s.base_url() + "/a", {}, ""});
    auto bypassed = direct->send({"GET", s.base_url() + "/a", {}, ""});
    for (const auto& [name, v] : saved) v ? setenv(name.c_str(), v->c_str(), 1) : unsetenv(name.c_str());
    REQUIRE_FALSE(via_proxy.ok());
    CHECK(via_proxy.error().why == "could not connect");
    REQUIRE(bypassed.ok());
    CHECK(bypassed->status == 200);
    CHECK(s.request_count() == 1);
}
