// Every sample export parses to the identity and credential counts its manifest states, and
// every format rejects malformed input with a positioned, one-line reason.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "scanners/importers/importers.hpp"
#include "support.hpp"
#include "util/time.hpp"

using namespace nhi::scanners::importers;
using nhi::test::read_file;
namespace fs = std::filesystem;

namespace {

const fs::path kExports = fs::path(NHI_FIXTURES) / "exports";

ImportBatch parse_sample(const std::string& rel) {
    auto p = kExports / rel;
    auto b = parse_export(p.string(), read_file(p), "");
    INFO(rel);
    REQUIRE(b.ok());
    return b.value();
}

}  // namespace

TEST_CASE("each sample export matches its manifest's format and counts", "[importers]") {
    auto manifest = nlohmann::json::parse(read_file(kExports / "manifest.json"));
    REQUIRE(manifest["files"].size() >= 20);
    for (const auto& f : manifest["files"]) {
        const std::string rel = f["path"];
        INFO(rel);
        auto b = parse_sample(rel);
        CHECK(b.format == f["format"].get<std::string>());
        CHECK(b.identities.size() == f["identities"].get<size_t>());
        CHECK(b.credentials.size() == f["credentials"].get<size_t>());
        if (f["format"] == "mcp-config") {
            size_t literal = 0, reference = 0;
            for (const auto& c : b.credentials) (c.data["literal"].get<bool>() ? literal : reference)++;
            CHECK(literal == f["breakdown"]["literal"].get<size_t>());
            CHECK(reference == f["breakdown"]["reference"].get<size_t>());
            for (const auto& id : b.identities) CHECK(id.actor == "agent");
        }
    }
}

TEST_CASE("importers normalise time, sentinels and never-expiring dates", "[importers]") {
    auto keys = parse_sample("gcp/service-account-keys.ci-deployer.json");
    bool never = false;
    for (const auto& c : keys.credentials) {
        if (c.data.value("never_expires", false)) never = true;
        if (c.data.contains("expires")) CHECK(c.data["expires"].get<std::string>().back() == 'Z');
    }
    CHECK(never);  // validBeforeTime 9999-12-31T23:59:59Z

    auto pats = parse_sample("github/fine-grained-pats.json");
    for (const auto& c : pats.credentials)
        if (c.data.contains("expires"))  // -07:00 offsets with milliseconds, normalised to UTC
            CHECK(c.data["expires"].get<std::string>().size() == 20);

    auto report = parse_sample("aws/credential-report.csv");
    for (const auto& c : report.credentials) {
        // N/A and no_information become null, never a string.
        if (c.data.contains("last_used")) CHECK((c.data["last_used"].is_null() || c.data["last_used"].is_string()));
        CHECK(c.data["last_used"] != "N/A");
    }
    CHECK(nhi::util::parse_iso8601("2023-04-11T10:21:33.000-04:00") == nhi::util::parse_iso8601("2023-04-11T14:21:33Z"));
    CHECK(nhi::util::parse_iso8601("2025-06-16") == nhi::util::parse_iso8601("2025-06-16T00:00:00+00:00"));
    CHECK(*nhi::util::parse_iso8601("9999-12-31T23:59:59Z") > 253402300000);
    CHECK_FALSE(nhi::util::parse_iso8601("N/A"));
    CHECK_FALSE(nhi::util::parse_iso8601("2025-13-01"));
}

TEST_CASE("owners come from tags, labels, annotations, descriptions and notes", "[importers]") {
    auto owners = [](const ImportBatch& b) {
        std::map<std::string, std::string> m;
        for (const auto& id : b.identities) m[id.key] = id.owner;
        return m;
    };
    auto k8s = owners(parse_sample("k8s/list.json"));
    CHECK(k8s["k8s:sa/payments/payments-api"] == "payments-team@acme.test");  // annotation owner
    CHECK(k8s["k8s:sa/monitoring/prometheus"] == "sre");                      // label team
    CHECK(k8s["k8s:sa/default/default"].empty());
    auto gcp = owners(parse_sample("gcp/service-accounts.json"));
    CHECK_FALSE(gcp["gcp:sa/ci-deployer@acme-prod-4821.iam.gserviceaccount.com"].empty());
    auto azure = owners(parse_sample("azure/applications.json"));
    CHECK(azure["azure:app/be00f39a-af44-4311-b85a-c2a398f8c8bc"] == "platform-team@acme.test");
}

TEST_CASE("URL-encoded policy documents decode to the CLI's documents", "[importers]") {
    auto cli = parse_sample("aws/authorization-details.json");
    auto raw = parse_sample("aws/authorization-details.urlencoded.json");
    size_t compared = 0;
    for (const auto& r : raw.identities)
        for (const auto& c : cli.identities)
            if (r.key == c.key) {
                INFO(r.key);
                CHECK(r.data.value("actions", nlohmann::json()) == c.data.value("actions", nlohmann::json()));
                CHECK(r.data.value("trust_policy", nlohmann::json()) == c.data.value("trust_policy", nlohmann::json()));
                ++compared;
            }
    CHECK(compared == raw.identities.size());
}

TEST_CASE("MCP literal secrets are hashed and redacted, never kept", "[importers]") {
    auto b = parse_sample("mcp/claude_desktop_config.json");
    for (const auto& c : b.credentials) {
        std::string dump = c.data.dump();
        CHECK(dump.find("ghp_EXAMPLEnhiFAKEtoken") == std::string::npos);
        CHECK(dump.find("S3cr3t-EXAMPLE") == std::string::npos);
        if (c.data["literal"].get<bool>()) CHECK(c.data["secret_sha256"].get<std::string>().size() == 64);
    }
}

TEST_CASE("malformed exports are rejected with the file and a position", "[importers]") {
    struct Case {
        const char *name, *format, *content, *expect;
    };
    const Case cases[] = {
        {"report.csv", "aws-credential-report", "user,arn,user_creation_time\nbob,arn:aws:iam::1:user/bob\n", "line 2"},
        {"report.csv", "aws-credential-report", "name,created\nx,y\n", "line 1"},
        {"keys.json", "aws-access-keys", "{\"AccessKeyMetadata\": [{\"UserName\": \"u\"", "line 1"},
        {"keys.json", "aws-access-keys", "{\"Users\": []}", "AccessKeyMetadata"},
        {"auth.json", "aws-authorization-details", "{\"UserDetailList\": [{}]}", "UserName"},
        {"sa.json", "gcp-service-accounts", "[{\"name\": 1}]", "email"},
        {"keys.json", "gcp-service-account-keys", "[{\"name\": \"projects/p/keys\"}]", "keys/KEYID"},
        {"key.json", "gcp-service-account-key-file", "{\"type\": \"authorized_user\"}", "service-account key file"},
        {"policy.json", "gcp-iam-policy", "{\"etag\": \"x\"}", "bindings"},
        {"apps.json", "azure-applications", "{}", "list"},
        {"sps.json", "azure-service-principals", "[{\"appId\": \"x\"}]", "id"},
        {"list.json", "k8s-list", "{\"kind\": \"List\",\n \"items\": [\n  {\"kind\": \"ServiceAccount\", }\n]}", "line 3"},
        {"keys.json", "github-deploy-keys", "[{\"title\": \"x\"}]", "id"},
        {"inst.json", "github-app-installations", "[]", "installations"},
        {"pats.json", "github-fine-grained-pats", "[{\"id\": 1}]", "owner.login"},
        {"mcp.json", "mcp-config", "{\"mcpServers\": {\"a\": 3}}", "not an object"},
        {"config.toml", "mcp-config-toml", "[mcp_servers.a]\ncommand = \n", "line 2"},
        {"x.bin", "", "\x7f" "ELF\x01\x02", "not JSON"},
        {"empty.json", "", "", "empty"},
    };
    for (const auto& c : cases) {
        INFO(c.name << " " << c.format);
        auto b = parse_export(c.name, c.content, c.format);
        REQUIRE_FALSE(b.ok());
        CHECK(b.error().what == c.name);
        CHECK(b.error().why.find(c.expect) != std::string::npos);
        CHECK(b.error().why.find('\n') == std::string::npos);
    }
    auto unknown = parse_export("x.json", "{}", "nope");
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().what == "--format");
}
