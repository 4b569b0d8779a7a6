// Every sample export parses to the identity and credential counts its manifest states, and
// every format rejects malformed input with a positioned, one-line reason.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <set>

#include "scanners/importers/importers.hpp"
#include "support.hpp"
#include "scanners/importers/common.hpp"
#include "util/hash.hpp"
#include "util/text.hpp"
#include "util/time.hpp"

using namespace nhi::scanners::importers;
using nhi::test::read_file;
using nhi::test::TempDir;
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
        // Distinct: a credential's holder is handed over with it (a stub), and again where
        // the file describes it.
        std::set<std::string> keys;
        for (const auto& id : b.identities) keys.insert(id.key);
        CHECK(keys.size() == f["identities"].get<size_t>());
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
        {"key.json", "gcp-service-account-key-file", "{\"type\": \"authorized_user\"}", "service-account key file"},
        {"policy.json", "gcp-iam-policy", "{\"etag\": \"x\"}", "bindings"},
        {"apps.json", "azure-applications", "{}", "list"},
        {"list.json", "k8s-list", "{\"kind\": \"List\",\n \"items\": [\n  {\"kind\": \"ServiceAccount\", }\n]}", "line 3"},
        {"inst.json", "github-app-installations", "[]", "installations"},
        {"inst.json", "github-app-installations", "{\"installations\": {}}", "installations"},
        {"list.json", "k8s-list", "{\"kind\": \"List\", \"items\": 3}", "items"},
        {"policy.json", "gcp-iam-policy", "{\"bindings\": \"x\"}", "bindings"},
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

TEST_CASE("an entry that cannot be read is skipped with a warning naming it, the rest kept", "[importers]") {
    struct Case {
        const char *format, *content, *expect;
        size_t identities;
    };
    const Case cases[] = {
        {"aws-authorization-details", R"({"UserDetailList": [{}, {"UserName": "ok"}]})", "UserDetailList entry 1", 1},
        {"gcp-service-accounts", R"([{"name": 1}, {"email": "a@p.iam.gserviceaccount.com"}])", "entry 1", 1},
        {"gcp-service-account-keys", R"([{"name": "projects/p/keys"}])", "entry 1", 0},
        {"azure-service-principals", R"([{"appId": "x"}, {"id": "sp-2"}])", "entry 1", 1},
        {"github-deploy-keys", R"([{"title": "x"}, {"id": 7, "title": "y"}])", "entry 1 (x)", 1},
        {"github-fine-grained-pats", R"([{"id": 1}])", "entry 1", 0},
        {"mcp-config", R"({"mcpServers": {"a": 3, "b": {"command": "x"}}})", "server `a`", 1},
        // A field of the wrong type deep in one record used to reject the whole file.
        {"gcp-service-accounts", R"([{"email": "a@p.iam.gserviceaccount.com", "disabled": "yes"},
                                     {"email": "b@p.iam.gserviceaccount.com"}])", "entry 1 (line 1): unexpected value", 1},
        {"k8s-list", R"({"kind": "List", "items": [{"kind": "ServiceAccount", "metadata": "x"},
                       {"kind": "ServiceAccount", "metadata": {"name": "b", "namespace": "n"}}]})", "items entry 1", 1},
    };
    for (const auto& c : cases) {
        INFO(c.format << " " << c.content);
        auto b = parse_export("x.json", c.content, c.format);
        REQUIRE(b.ok());
        CHECK(b->identities.size() == c.identities);
        REQUIRE(b->warnings.size() == 1);
        CHECK(b->warnings[0].rfind("x.json: ", 0) == 0);
        CHECK(b->warnings[0].find(c.expect) != std::string::npos);
    }
}

TEST_CASE("a record that fails half-way leaves nothing of itself behind", "[importers]") {
    // The second credential is not an object: reading it throws after the first was added.
    auto b = parse_export("apps.json", R"([{"appId": "a1", "id": "o1", "passwordCredentials": [{"keyId": "k1"}, "x"]},
                                           {"appId": "a2", "id": "o2", "passwordCredentials": [{"keyId": "k2"}]}])",
                          "azure-applications");
    REQUIRE(b.ok());
    REQUIRE(b->identities.size() == 1);
    CHECK(b->identities[0].key == "azure:app/a2");
    REQUIRE(b->credentials.size() == 1);
    CHECK(b->credentials[0].identity_key == "azure:app/a2");
    REQUIRE(b->warnings.size() == 1);
    CHECK(b->warnings[0].find("entry 1 (line 1): unexpected value") != std::string::npos);
}

TEST_CASE("JSON nested deeper than 64 levels is refused with a line, not a crash", "[importers]") {
    // Before: a DOM copy recursed once per level and overflowed the stack (exit 139).
    const std::string deep = "{\"kind\": \"List\",\n\"items\": [{\"kind\": \"ServiceAccount\", \"metadata\": {\"name\": \"a\", "
                             "\"labels\": {\"x\": " + std::string(60000, '[') + std::string(60000, ']') + "}}}]}";
    auto b = parse_export("deep.json", deep, "");
    REQUIRE_FALSE(b.ok());
    CHECK(b.error().why.find("nested deeper than 64 levels at line 2") != std::string::npos);
    std::string ok_depth = std::string(64, '[') + std::string(64, ']');
    CHECK(parse_json("x", ok_depth).ok());
    CHECK_FALSE(parse_json("x", "[" + ok_depth + "]").ok());
    // A percent-encoded policy document is input too: a deep one is dropped, not followed.
    std::string doc;
    for (int i = 0; i < 5000; ++i) doc += "%5B";
    auto aws = parse_export("a.json", R"({"RoleDetailList": [{"RoleName": "r", "AssumeRolePolicyDocument": ")" + doc + "\"}]}",
                            "aws-authorization-details");
    REQUIRE(aws.ok());
    CHECK(aws->identities.at(0).data["trust_policy"].is_null());
}

TEST_CASE("a number out of range is this file's positioned error, never an exception", "[importers]") {
    // Before: nlohmann threw out_of_range past parse_json and the CLI died with "internal".
    for (const char* format : {"", "github-deploy-keys"}) {
        auto b = parse_export("k.json", "[{\"id\": 1,\n \"read_only\": 1e999, \"key\": \"x\"}]", format);
        REQUIRE_FALSE(b.ok());
        CHECK(b.error().why == "invalid JSON at line 2, column 20: number out of range");
    }
}

TEST_CASE("ids must be integers in range: float or negative ids are skipped with a warning", "[importers]") {
    // Before: 1e300 was cast to int64 (undefined) and both keys became deploy-key/-9223372036854775808.
    auto b = parse_export("keys.json",
                          R"([{"id": 1e300, "key": "ssh-ed25519 A", "read_only": true, "title": "a"},
                              {"id": 2e300, "key": "ssh-ed25519 B", "read_only": true, "title": "b"},
                              {"id": -3, "key": "ssh-ed25519 C", "read_only": true, "title": "c"},
                              {"id": 18446744073709551615, "key": "ssh-ed25519 D", "read_only": true, "title": "d"},
                              {"id": "77", "key": "ssh-ed25519 E", "read_only": true, "title": "e"}])",
                          "");
    REQUIRE(b.ok());
    REQUIRE(b->identities.size() == 2);
    CHECK(b->identities[0].key == "github:deploy-key/18446744073709551615");
    CHECK(b->identities[1].key == "github:deploy-key/77");
    REQUIRE(b->warnings.size() == 3);
    CHECK(b->warnings[0].find("entry 1 (a)") != std::string::npos);
    CHECK(b->warnings[2].find("entry 3 (c)") != std::string::npos);
    auto inst = parse_export("i.json", R"({"installations": [{"id": 1.5, "app_slug": "x"}]})", "");
    REQUIRE(inst.ok());
    CHECK(inst->identities.empty());
    CHECK(inst->warnings.size() == 1);
    auto pats = parse_export("p.json", R"([{"id": 1e300, "owner": {"login": "u"}, "token_id": 1}])", "");
    REQUIRE(pats.ok());
    CHECK(pats->credentials.empty());
    CHECK(pats->warnings.size() == 1);
}

TEST_CASE("parse errors give line and column, never the input bytes", "[importers]") {
    // Before: nlohmann's message ended with "last read: '\"sk-ant-api03-...", the secret.
    const std::string secret = "sk-ant-api03-" + std::string(40, 'Q') + "EXAMPLE";
    const std::string cases[][2] = {
        {".mcp.json", "{\"mcpServers\": {\"a\": {\"env\": {\"ANTHROPIC_API_KEY\": \"" + secret},
        {".mcp.json", "{\"mcpServers\": {\"a\": {\"env\": {\"ANTHROPIC_API_KEY\": " + secret + "}}}}"},
        {".mcp.json", "{\"mcpServers\": {\"a\": {\"env\": {\"K\": \"" + secret + "\n\"}}}}"},
        {"config.toml", "[mcp_servers.a]\nenv = { KEY = \"" + secret + "\n"},
        {"config.toml", "[mcp_servers.a]\nenv = { KEY = " + secret + " }\n"},
        {"config.toml", "[mcp_servers.a]\n" + secret + " 1\n"},
    };
    for (const auto& c : cases) {
        INFO(c[0] << " " << c[1]);
        auto b = parse_export(c[0], c[1], c[0] == std::string("config.toml") ? "mcp-config-toml" : "");
        REQUIRE_FALSE(b.ok());
        CHECK(b.error().why.find("line ") != std::string::npos);
        CHECK(b.error().why.find("column ") != std::string::npos);
        CHECK(b.error().why.find("sk-ant") == std::string::npos);
        CHECK(b.error().why.find("QQQQ") == std::string::npos);
        CHECK(b.error().why.find("last read") == std::string::npos);
    }
}

TEST_CASE("MCP URL query values, userinfo passwords and env defaults are stored only redacted", "[importers]") {
    // Before: the URL with ?api_key=... and the reference ${DB_PASSWORD:-literal} were stored as they are.
    const std::string token = "ghp_" + std::string(36, 'Z');
    const std::string content = R"({"mcpServers": {
        "remote": {"url": "https://mcp.acme.test/sse?region=eu&api_key=)" + token + R"(#top"},
        "dsn": {"url": "https://svc:hunter2hunter2@mcp.acme.test/x"},
        "db": {"command": "db-mcp", "env": {"DB_PASSWORD": "${DB_PASSWORD:-pw-EXAMPLE1}"}}}})";
    auto b = parse_export(".mcp.json", content, "");
    REQUIRE(b.ok());
    std::string dump;
    for (const auto& id : b->identities) dump += id.data.dump() + "\n";
    for (const auto& c : b->credentials) dump += c.data.dump() + "\n";
    CHECK(dump.find(token) == std::string::npos);
    CHECK(dump.find("ZZZZZZZZ") == std::string::npos);
    CHECK(dump.find("hunter2") == std::string::npos);
    CHECK(dump.find("pw-EXAMPLE1") == std::string::npos);
    std::map<std::string, nlohmann::json> by_location;
    for (const auto& c : b->credentials) by_location[c.data["location"].get<std::string>()] = c.data;
    REQUIRE(by_location.count("url query api_key"));
    CHECK(by_location["url query api_key"]["secret_sha256"] == nhi::util::sha256_hex(token));
    REQUIRE(by_location.count("url userinfo"));
    CHECK(by_location["url userinfo"]["secret_sha256"] == nhi::util::sha256_hex("hunter2hunter2"));
    REQUIRE(by_location.count("env.DB_PASSWORD"));
    CHECK(by_location["env.DB_PASSWORD"]["default_sha256"] == nhi::util::sha256_hex("pw-EXAMPLE1"));
    CHECK(by_location["env.DB_PASSWORD"]["reference"].get<std::string>().rfind("${DB_PASSWORD:-", 0) == 0);
    for (const auto& id : b->identities)
        if (id.name == "remote") {
            const std::string url = id.data["url"];
            CHECK(url.rfind("https://mcp.acme.test/sse?region=", 0) == 0);
            CHECK(url.find("&api_key=ghp_") != std::string::npos);  // the redacted preview
            CHECK(url.size() > 30);
            CHECK(url.substr(url.size() - 4) == "#top");
        }
}

TEST_CASE("an unparsable date drops that date with a warning, never the entry", "[importers]") {
    // Before: a credential report with garbled dates went from 8 credentials to 0, silently.
    auto sample = read_file(kExports / "aws/credential-report.csv");
    auto good = parse_export("r.csv", sample, "");
    REQUIRE(good.ok());
    std::string garbled = sample;
    // Every ISO date in the file becomes unparsable: "2023-01-05#10:00:00+00:00".
    size_t replaced = 0;
    for (size_t i = 1; i + 1 < garbled.size(); ++i)
        if (garbled[i] == 'T' && std::isdigit((unsigned char)garbled[i - 1]) && std::isdigit((unsigned char)garbled[i + 1]))
            garbled[i] = '#', ++replaced;
    REQUIRE(replaced > 8);
    auto bad = parse_export("r.csv", garbled, "aws-credential-report");
    REQUIRE(bad.ok());
    CHECK(bad->credentials.size() == good->credentials.size());
    CHECK(bad->identities.size() == good->identities.size());
    CHECK(bad->warnings.size() >= 8);  // one per date read, each naming its row and column
    bool named = false;
    for (const auto& w : bad->warnings) named |= w.find("(user ci-deployer): `access_key_1_last_rotated` is not a date") != std::string::npos;
    CHECK(named);

    auto keys = parse_export("k.json", R"([{"name": "projects/p/serviceAccounts/a@p.iam.gserviceaccount.com/keys/k1",
                                           "validAfterTime": "yesterday", "validBeforeTime": "soon", "keyType": "USER_MANAGED"}])", "");
    REQUIRE(keys.ok());
    REQUIRE(keys->credentials.size() == 1);
    CHECK(keys->credentials[0].data["created"].is_null());
    CHECK(keys->warnings.size() == 2);
}

TEST_CASE("a truncated Codex TOML is an error, not a quiet partial import", "[importers]") {
    // Before: half the sample imported 2 of its 5 servers with no word.
    auto full = read_file(kExports / "mcp/codex.config.toml");
    auto whole = parse_export("config.toml", full, "");
    REQUIRE(whole.ok());
    CHECK(whole->identities.size() == 5);
    auto half = parse_export("config.toml", full.substr(0, full.size() / 2), "");
    REQUIRE_FALSE(half.ok());
    CHECK(half.error().why.find("truncated") != std::string::npos);
    // Cut just after a table header: the server with nothing in it is named.
    auto cut = full.substr(0, full.find("[mcp_servers.fs]") + 17);
    auto b = parse_export("config.toml", cut, "");
    REQUIRE(b.ok());
    REQUIRE_FALSE(b->warnings.empty());
    CHECK(b->warnings.back().find("server `fs` has neither command nor url") != std::string::npos);
}

TEST_CASE("lists are read record by record, in any key order", "[importers]") {
    // The group comes after its member, and the binding before its service account.
    auto aws = parse_export("a.json", R"({"UserDetailList": [{"UserName": "u", "GroupList": ["g"]}],
        "GroupDetailList": [{"GroupName": "g", "AttachedManagedPolicies": [{"PolicyArn": "arn:p"}]}],
        "Policies": [{"PolicyName": "p"}], "IsTruncated": false})", "");
    REQUIRE(aws.ok());
    REQUIRE(aws->identities.size() == 1);
    CHECK(aws->identities[0].data["policies"].dump().find("group g: arn:p") != std::string::npos);
    auto k8s = parse_export("l.json", R"({"items": [
        {"kind": "RoleBinding", "metadata": {"name": "rb", "namespace": "n"}, "roleRef": {"kind": "Role", "name": "r"},
         "subjects": [{"kind": "ServiceAccount", "name": "sa", "namespace": "n"}]},
        {"kind": "ServiceAccount", "metadata": {"name": "sa", "namespace": "n"}}], "kind": "List"})", "");
    REQUIRE(k8s.ok());
    REQUIRE(k8s->identities.size() == 1);
    CHECK(k8s->identities[0].data["roles"].size() == 1);
    CHECK(k8s->warnings.empty());
}

TEST_CASE("names from exports are quoted in every revocation command", "[importers]") {
    // Before: `kubectl delete serviceaccount x;touch pwned;# -n default`, pasted, ran touch.
    const std::string evil = "x;touch pwned;#'$(touch pwned2)";
    const std::string e = nlohmann::json(evil).dump();  // as a JSON string
    struct Case {
        const char* format;
        std::string content;
    };
    const Case cases[] = {
        {"k8s-list", R"({"kind": "List", "items": [{"kind": "ServiceAccount", "metadata": {"name": )" + e +
                         R"(, "namespace": )" + e + R"(}}, {"kind": "Secret", "type": "kubernetes.io/service-account-token",
                         "metadata": {"name": )" + e + R"(, "namespace": "default"}}]})"},
        {"aws-access-keys", R"({"AccessKeyMetadata": [{"UserName": )" + e + R"(, "AccessKeyId": )" + e +
                                R"(, "CreateDate": "2024-01-01T00:00:00Z", "Status": "Active"}]})"},
        {"aws-credential-report", "user,arn,user_creation_time,access_key_1_last_rotated,cert_1_last_rotated\n\"" + evil +
                                      "\",arn:aws:iam::1:user/x,2024-01-01T00:00:00Z,2024-01-01T00:00:00Z,2024-01-01T00:00:00Z\n"},
        {"aws-authorization-details", R"({"RoleDetailList": [{"RoleName": )" + e + "}]}"},
        {"gcp-service-accounts", R"([{"email": )" + e + "}]"},
        {"gcp-service-account-keys", R"([{"name": "projects/p/serviceAccounts/)" + e.substr(1, e.size() - 2) + "/keys/" +
                                         e.substr(1, e.size() - 2) + R"(", "keyType": "USER_MANAGED"}])"},
        {"azure-applications", R"([{"appId": )" + e + R"(, "id": )" + e + R"(, "passwordCredentials": [{"keyId": )" + e + "}]}]"},
        {"azure-service-principals", R"([{"id": )" + e + R"(, "keyCredentials": [{"keyId": )" + e + R"(}]},
                                         {"id": )" + e + R"(, "servicePrincipalType": "ManagedIdentity"}])"},
        {"github-deploy-keys", R"([{"id": 5, "url": "https://api.github.com/repos/)" + e.substr(1, e.size() - 2) +
                                   R"(/keys/5", "key": "k", "read_only": true}])"},
    };
    TempDir dir;
    // Stand-ins for the real tools: each prints its arguments, one a line.
    for (const char* tool : {"kubectl", "aws", "gcloud", "az", "gh"}) {
        auto p = dir.write(std::string("bin/") + tool, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
        fs::permissions(p, fs::perms::owner_all);
    }
    size_t commands = 0;
    for (const auto& c : cases) {
        INFO(c.format);
        auto b = parse_export("x", c.content, c.format);
        REQUIRE(b.ok());
        std::vector<std::string> revocations;
        for (const auto& id : b->identities)
            if (id.data.contains("revocation")) revocations.push_back(id.data["revocation"]);
        for (const auto& cr : b->credentials)
            if (cr.data.contains("revocation")) revocations.push_back(cr.data["revocation"]);
        size_t here = 0;
        for (const auto& r : revocations) {
            INFO(r);
            const std::string tool = r.substr(0, r.find(' '));
            if (!fs::exists(dir / ("bin/" + tool))) continue;  // prose: console steps, HTTP calls
            ++here;
            // eval: the command as a user pastes it, trailing `# ...` comment included.
            auto out = nhi::test::run_shell("PATH='" + (dir / "bin").string() + "':/usr/bin:/bin; eval " +
                                                nhi::util::shell_quote(r),
                                            dir.path());
            CHECK(out.code == 0);
            CHECK_FALSE(fs::exists(dir / "pwned"));
            CHECK_FALSE(fs::exists(dir / "pwned2"));
            CHECK(("\n" + out.out).find("\n" + evil + "\n") != std::string::npos);  // one whole argument
        }
        CHECK(here > 0);
        commands += here;
    }
    CHECK(commands >= 12);
}

TEST_CASE("a binding to a service account the list lacks is a dangling-binding stub, roles untouched", "[importers]") {
    auto k8s = parse_export("l.json", R"({"items": [
        {"kind": "RoleBinding", "metadata": {"name": "rb", "namespace": "n"}, "roleRef": {"kind": "ClusterRole", "name": "edit"},
         "subjects": [{"kind": "ServiceAccount", "name": "gone", "namespace": "n"}, {"kind": "ServiceAccount", "name": "sa", "namespace": "n"}]},
        {"kind": "ServiceAccount", "metadata": {"name": "sa", "namespace": "n"}}], "kind": "List"})", "");
    REQUIRE(k8s.ok());
    REQUIRE(k8s->identities.size() == 2);
    std::map<std::string, const IdentityRecord*> by_key;
    for (const auto& id : k8s->identities) by_key[id.key] = &id;
    REQUIRE(by_key.count("k8s:sa/n/gone"));
    const auto& gone = *by_key["k8s:sa/n/gone"];
    CHECK(gone.stub);  // an export that describes it later clears the mark
    CHECK(gone.name == "n/gone");
    CHECK_FALSE(gone.data.contains("roles"));
    REQUIRE(gone.data["dangling_bindings"].size() == 1);
    CHECK(gone.data["dangling_bindings"][0]["role"] == "ClusterRole/edit");
    CHECK(gone.data["dangling_bindings"][0]["binding"] == "RoleBinding n/rb");
    CHECK_FALSE(by_key["k8s:sa/n/sa"]->stub);
    CHECK_FALSE(by_key["k8s:sa/n/sa"]->data.contains("dangling_bindings"));
    REQUIRE(k8s->warnings.size() == 1);
    CHECK(k8s->warnings[0].find("binds missing service account n/gone") != std::string::npos);
}

TEST_CASE("Azure applications keep web.implicitGrantSettings", "[importers]") {
    auto apps = parse_export("apps.json", R"([
        {"appId": "11111111-1111-1111-1111-111111111111", "id": "o1", "displayName": "spa",
         "web": {"implicitGrantSettings": {"enableAccessTokenIssuance": false, "enableIdTokenIssuance": true}}},
        {"appId": "22222222-2222-2222-2222-222222222222", "id": "o2", "displayName": "api", "web": {"redirectUris": []}}])", "");
    REQUIRE(apps.ok());
    REQUIRE(apps->format == "azure-applications");
    REQUIRE(apps->identities.size() == 2);
    for (const auto& id : apps->identities) {
        INFO(id.name);
        if (id.name == "spa") {
            CHECK(id.data["implicit_grant"] == nlohmann::json({{"access_token", false}, {"id_token", true}}));
        } else {
            CHECK_FALSE(id.data.contains("implicit_grant"));  // not exported: not claimed off
        }
    }
}
