// Hostile configuration files in a scanned tree: the real binary, with a datastore (where
// discovery runs) and without, must neither abort nor crash, must name the file it could not
// read in a warning that quotes no input bytes, and must still report the secrets elsewhere.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <string>

#include "support.hpp"
#include "util/hash.hpp"

using namespace nhi::test;

namespace {

// A structurally valid fake AWS key id (AKIA + 16 base32 characters), made for these tests.
constexpr const char* kKeyId = "AKIAQX7RZ4M2KD5PWN3H";
// A value that must never appear in a warning: it sits inside each hostile file that has room.
constexpr const char* kMarker = "hush-7Qm2vX9kLp4Zr8";

struct Scan {
    Result db;     // --db: discovery runs and its warnings are printed
    Result no_db;  // --no-db: discovery does not run, the secret scan must still work
    nlohmann::json summary;
};

// `nhi scan tree ARGS` under a memory bound: a safety net for the machine, so a regression
// fails instead of swapping (the scan itself needs far less).
// ASan reserves terabytes of address space for its shadow, so under NHI_SANITIZE the bound is
// ASan's own allocator limit instead of ulimit -v.
#ifdef NHI_SANITIZED
constexpr const char* kMemoryBound = "export ASAN_OPTIONS=\"${ASAN_OPTIONS:+$ASAN_OPTIONS:}malloc_limit_mb=3000\"; ";
#else
constexpr const char* kMemoryBound = "ulimit -v 3000000; ";
#endif

Result bounded_scan(const TempDir& d, const std::string& args) {
    return run_shell(std::string(kMemoryBound) + "NHI_CACHE_DIR='" + (fs::temp_directory_path() / "nhi-test-cache").string() +
                         "' CI=true '" NHI_BINARY "' scan tree --format json " + args,
                     d.path());
}

Scan scan_tree(const TempDir& d) {
    d.write("tree/src/app.py", std::string("aws_access_key_id = ") + kKeyId + "\n");
    Scan s;
    s.db = bounded_scan(d, "--db db/nhi.db");
    s.no_db = bounded_scan(d, "--no-db");
    for (const Result* r : {&s.db, &s.no_db}) {
        INFO(r->err);
        REQUIRE((r->code == 0 || r->code == 1));
        auto j = nlohmann::json::parse(r->out);
        bool found = false;
        for (const auto& f : j["findings"]) found |= f["secret_sha256"] == nhi::util::sha256_hex(kKeyId);
        CHECK(found);
        CHECK(r->err.find(kMarker) == std::string::npos);
    }
    s.summary = nlohmann::json::parse(s.db.out)["summary"];
    return s;
}

// The warning for `rel` from the run with a datastore: it names the file and gives a line.
void check_warned(const Scan& s, const std::string& rel) {
    INFO(s.db.err);
    const auto at = s.db.err.find("nhi: warning: " + rel + ": ");
    REQUIRE(at != std::string::npos);
    CHECK(s.db.err.substr(at, s.db.err.find('\n', at) - at).find(" at line ") != std::string::npos);
}

}  // namespace

TEST_CASE("hostile YAML: a scalar metadata, a parser loop, deep nesting, aliases, a truncated string", "[e2e][discovery]") {
    TempDir d;
    // metadata: x made operator[] throw BadSubscript on a worker thread (exit 134).
    d.write("tree/k8s/scalar.yaml", "kind: ServiceAccount\nmetadata: x\n");
    // yaml-cpp 0.7 never ends LoadAll on this (39 bytes): memory grew without bound.
    d.write("tree/k8s/loop.yaml", "- kind: ServiceAccount\n  a:\n    b\n\"c\",\n");
    d.write("tree/k8s/deep.yaml", "kind: ServiceAccount\nx: " + std::string(200, '[') + std::string(200, ']') + "\n");
    std::string aliases = "kind: ServiceAccount\na: &a x\nb: [";
    for (int i = 0; i < 2000; ++i) aliases += "*a,";
    d.write("tree/k8s/aliases.yaml", aliases + "*a]\n");
    d.write("tree/k8s/truncated.yaml", std::string("kind: ServiceAccount\nmetadata: {name: \"") + kMarker + "\n");
    d.write("tree/k8s/good.yaml", "kind: ServiceAccount\nmetadata:\n  name: api\n  namespace: pay\n");
    auto s = scan_tree(d);
    for (const char* f : {"k8s/scalar.yaml", "k8s/loop.yaml", "k8s/deep.yaml", "k8s/aliases.yaml", "k8s/truncated.yaml"}) {
        INFO(f);
        check_warned(s, f);
    }
    CHECK(s.summary["discovered_identities"] == 1);  // good.yaml is still recorded
}

TEST_CASE("40 KB values in .npmrc, Terraform and workflows are read without regex recursion", "[e2e][discovery]") {
    TempDir d;
    const std::string big(40000, 'a');
    d.write("tree/.npmrc", "//registry.npmjs.org/:_authToken=" + big + "\n");
    d.write("tree/infra/iam.tf", "resource \"aws_iam_user\" \"ci\" {\n  name = \"" + big + "\"\n}\n");
    d.write("tree/.github/workflows/d.yml", "env:\n  K: ${{ secrets." + big + "_SA_KEY }}\npermissions:\n  id-token:" +
                                               std::string(40000, ' ') + "write\n");
    auto s = scan_tree(d);
    CHECK(s.summary["discovered_identities"] == 3);  // the npm login, the IAM user, the workflow
}

TEST_CASE("hostile docker and agent configs, names that are not UTF-8: deep nesting, 1e999, truncation", "[e2e][discovery]") {
    TempDir d;
    // "\xff\xfe\x80user:" in base64: the user name is not UTF-8. (No password, so the secret
    // rule's validator passes on it: this is discovery's path alone.)
    d.write("tree/a/.docker/config.json", R"({"auths": {"r.example": {"auth": "//6AdXNlcjo="}}})");
    d.write("tree/b/.docker/config.json", "{\"auths\": " + std::string(100000, '[') + "\n");
    d.write("tree/c/.docker/config.json", R"({"auths": {"r.example": {"auth": "dTpw", "n": 1e999}}})");
    d.write("tree/d/.docker/config.json", std::string(R"({"auths": {"r.example": {"auth": ")") + kMarker);
    // Agent configs: the importer's parser threw on 1e999 on a worker thread (exit 134), and its
    // syntax error quoted the bytes it last read, here the secret.
    d.write("tree/e/.mcp.json", R"({"mcpServers": {"x": {"command": "npx", "env": {"N": 1e999}}}})");
    d.write("tree/f/.mcp.json", std::string(R"({"mcpServers": {"x": {"command": "npx", "env": {"K": ")") + kMarker);
    // A name in a manifest that is not UTF-8 (it broke the JSON dump too, exit 2).
    d.write("tree/k8s/latin1.yaml", "kind: ServiceAccount\nmetadata:\n  name: a\n  namespace: caf\xe9\n  labels: {owner: \xff}\n");
    auto s = scan_tree(d);
    for (const char* f : {"b/.docker/config.json", "c/.docker/config.json", "d/.docker/config.json", "e/.mcp.json", "f/.mcp.json"}) {
        INFO(f);
        check_warned(s, f);
    }
    CHECK(s.summary["discovered_identities"] == 2);  // the non-UTF-8 user's login, the Latin-1 namespace
    auto list = run_nhi("inventory list --db db/nhi.db --format json", d.path());
    INFO(list.err);
    REQUIRE(list.code == 0);
    CHECK(list.out.find("\\\\xff\\\\xfe\\\\x80user") != std::string::npos);
    CHECK(list.out.find("k8s:sa/caf\\\\xe9/a") != std::string::npos);  // stored as util::printable renders it
}
