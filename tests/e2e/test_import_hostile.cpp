// `nhi inventory import` and `nhi scan` on hostile exports, with the real binary: deep
// nesting, numbers out of range, truncated files holding secrets, and a bad file among
// good ones. Each used to crash, abort the whole import or print the secret.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

#include "support.hpp"

using namespace nhi::test;

namespace {

const fs::path kExports = fs::path(NHI_FIXTURES) / "exports";

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

}  // namespace

TEST_CASE("an export nested 60,000 deep is a one-line error, not a segfault", "[e2e][import-hostile]") {
    // Before: exit 139.
    TempDir dir;
    const size_t depth = 60000;
    auto f = dir.write("deep.json",
                       "{\"kind\": \"List\", \"items\": [{\"kind\": \"ServiceAccount\", \"metadata\": "
                       "{\"name\": \"a\", \"labels\": {\"x\": " +
                           std::string(depth, '[') + std::string(depth, ']') + "}}}]}");
    auto r = run_nhi("inventory import " + q(f), dir.path());
    CHECK(r.code == 2);
    CHECK(r.err.find("nhi: error: " + f.string() + ": nested deeper than 64 levels at line 1") != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

TEST_CASE("one bad file in a multi-file import is named; the good files are kept", "[e2e][import-hostile]") {
    // Before: `1e999` aborted everything with "internal: number overflow", and nothing was kept.
    TempDir dir;
    auto bad = dir.write("deploy-keys.json", "[{\"id\": 1e999, \"key\": \"ssh-ed25519 A\", \"read_only\": true}]");
    auto good = kExports / "github/deploy-keys.web-app.json";
    auto also_good = kExports / "gcp/service-accounts.json";
    auto r = run_nhi("inventory import " + q(good) + " " + q(bad) + " " + q(also_good), dir.path());
    INFO(r.err);
    CHECK(r.code == 2);
    CHECK(r.err.find("nhi: error: " + bad.string() + ": invalid JSON at line 1, column 14: number out of range") !=
          std::string::npos);
    CHECK(r.err.find("1 of 3 files rejected") != std::string::npos);
    CHECK(r.err.find("internal") == std::string::npos);
    auto list = run_nhi("inventory list --format json", dir.path());
    REQUIRE(list.code == 0);
    std::set<std::string> providers;
    for (const auto& row : nlohmann::json::parse(list.out)) providers.insert(row["provider"].get<std::string>());
    CHECK(providers.count("github"));
    CHECK(providers.count("gcp"));
}

TEST_CASE("a truncated .mcp.json never shows its secret, in import or scan", "[e2e][import-hostile]") {
    // Before: "last read: '\"sk-ant-api03-..." in the error of both commands.
    TempDir dir;
    const std::string secret = "sk-ant-api03-" + std::string(80, 'W') + "-EXAMPLEAA";
    auto f = dir.write(
        "repo/.mcp.json",
        "{\"mcpServers\": {\"a\": {\"command\": \"x\", \"env\": {\"ANTHROPIC_API_KEY\": \"" + secret.substr(0, 60));
    auto imp = run_nhi("inventory import " + q(f), dir.path());
    CHECK(imp.code == 2);
    CHECK(imp.err.find("line 1, column") != std::string::npos);
    CHECK(imp.err.find("sk-ant") == std::string::npos);
    CHECK(imp.err.find("WWWW") == std::string::npos);
    auto scan = run_nhi("scan " + q(dir / "repo"), dir.path());
    CHECK(scan.err.find("sk-ant") == std::string::npos);
    CHECK(scan.err.find("WWWW") == std::string::npos);
    CHECK(scan.out.find("WWWW") == std::string::npos);
}

TEST_CASE("an export with a type error in one entry imports the rest with a counted warning", "[e2e][import-hostile]") {
    TempDir dir;
    auto f = dir.write("service-accounts.json",
                       "[{\"email\": \"a@p.iam.gserviceaccount.com\", \"uniqueId\": \"1\", \"disabled\": \"yes\"},\n"
                       " {\"email\": \"b@p.iam.gserviceaccount.com\"}]");
    auto r = run_nhi("inventory import " + q(f), dir.path());
    INFO(r.err);
    CHECK(r.code == 0);
    CHECK(r.err.find("nhi: warning: " + f.string() + ": entry 1 (line 1): unexpected value") != std::string::npos);
    CHECK(r.err.find("1 identity (") != std::string::npos);
    CHECK(r.err.find("1 warnings") != std::string::npos);
}

TEST_CASE("a half-truncated Codex config is rejected, not imported in part", "[e2e][import-hostile]") {
    TempDir dir;
    auto full = read_file(kExports / "mcp/codex.config.toml");
    auto f = dir.write("config.toml", full.substr(0, full.size() / 2));
    auto r = run_nhi("inventory import " + q(f), dir.path());
    CHECK(r.code == 2);
    CHECK(r.err.find("looks truncated") != std::string::npos);
}

TEST_CASE("MCP URL query secrets and env defaults never reach the datastore in plaintext", "[e2e][import-hostile]") {
    // Before: `?api_key=ghp_...` and `${DB_PASSWORD:-...}` were stored as they are.
    TempDir dir;
    const std::string token = "ghp_" + std::string(30, 'K') + "EXAMPL",
                      password = "pw-EXAMPLE9";  // short: the old code took it for a reference and kept it
    auto f =
        dir.write(".mcp.json", "{\"mcpServers\": {\"r\": {\"url\": \"https://mcp.acme.test/sse?api_key=" + token +
                                   "\"}, \"d\": {\"command\": \"db\", \"env\": {\"DB_PASSWORD\": \"${DB_PASSWORD:-" +
                                   password + "}\"}}}}");
    auto r = run_nhi("inventory import " + q(f) + " --db " + q(dir / "nhi.db"), dir.path());
    REQUIRE(r.code == 0);
    auto list = run_nhi("inventory list --format json --db " + q(dir / "nhi.db"), dir.path());
    REQUIRE(list.code == 0);
    std::string everything = r.out + r.err + list.out + list.err;
    for (const char* suffix : {"", "-wal", "-shm"})
        if (fs::exists(dir / (std::string("nhi.db") + suffix)))
            everything += read_file(dir / (std::string("nhi.db") + suffix));
    CHECK(everything.find("KKKKKKKK") == std::string::npos);
    CHECK(everything.find(password) == std::string::npos);
    CHECK(list.out.find("https://mcp.acme.test/sse?api_key=ghp_") != std::string::npos);  // the redacted URL
}
