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

// A heap bound for one command: RLIMIT_DATA (heap and anonymous mappings, not the mapped
// binary); under ASan, whose shadow needs the address space, ASan's own allocator limit.
#ifdef NHI_SANITIZED
constexpr const char* kHeapBound = "export ASAN_OPTIONS=\"${ASAN_OPTIONS:+$ASAN_OPTIONS:}malloc_limit_mb=64\"; ";
#else
constexpr const char* kHeapBound = "ulimit -d 32768; ";
#endif

// A kubectl list of `n` service accounts, each with a legacy token secret.
std::string k8s_list(size_t n) {
    std::string out = "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [";
    for (size_t i = 0; i < n; ++i) {
        const std::string name = "sa-" + std::to_string(i), ns = "ns" + std::to_string(i % 50);
        out += std::string(i ? "," : "") + "\n{\"apiVersion\": \"v1\", \"kind\": \"ServiceAccount\", \"metadata\": {\"name\": \"" +
               name + "\", \"namespace\": \"" + ns + "\", \"uid\": \"u" + std::to_string(i) +
               "\", \"creationTimestamp\": \"2024-01-01T10:00:00Z\", \"labels\": {\"team\": \"t" + std::to_string(i % 40) +
               "\"}}},\n{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"type\": \"kubernetes.io/service-account-token\", "
               "\"metadata\": {\"name\": \"" + name + "-token\", \"namespace\": \"" + ns +
               "\", \"annotations\": {\"kubernetes.io/service-account.name\": \"" + name + "\"}}}";
    }
    return out + "]}";
}

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
    CHECK(r.err.find("1 warning\n") != std::string::npos);
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

TEST_CASE("a large export imports within a heap bound that one record fits in", "[e2e][import-hostile]") {
    // Before: records were streamed from the file but all kept until the end, so memory grew
    // with the file (a 300 MB kubectl list peaked at 1.6 GB): this import needed over 40 MB
    // of heap and failed under the bound with exit 2.
    TempDir dir;
    auto f = dir.write("list.json", k8s_list(40000));
    auto r = run_shell(std::string(kHeapBound) + "'" NHI_BINARY "' inventory import --db nhi.db " + q(f), dir.path());
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(r.err.find("40000 identities (40000 new, 0 changed), 40000 credentials (40000 new") != std::string::npos);
}

TEST_CASE("a file that fails midway leaves nothing of itself, even with records already written", "[e2e][import-hostile]") {
    // Records are written as they are read: the records before the error must go with the file.
    TempDir dir;
    auto good = k8s_list(300);
    auto f = dir.write("list.json", good.substr(0, good.size() - 2) + ", 1e999]}");
    auto r = run_nhi("inventory import --db nhi.db " + q(f), dir.path());
    CHECK(r.code == 2);
    CHECK(r.err.find("number out of range") != std::string::npos);
    auto list = run_nhi("inventory list --db nhi.db --format json", dir.path());
    REQUIRE(list.code == 0);
    CHECK(nlohmann::json::parse(list.out).empty());
}
