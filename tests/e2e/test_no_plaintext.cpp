// The "no leaked byte" promise, checked the blunt way: plant secrets, drive every command and
// output format nhi has over them, then read back every byte nhi wrote (stdout, stderr, the
// datastore with its -wal and -shm, the rules cache, reports, baselines) and look for each
// secret. A control run with --show-secrets proves the search can find what it looks for.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <set>

#include "support.hpp"
#include "util/hash.hpp"
#include "util/text.hpp"

using namespace nhi::test;
using nlohmann::json;

namespace {

// A fake GitHub token with a valid checksum: ghp_ + 30 base62 characters + base62(CRC-32).
std::string fake_github_token(const std::string& body30) {
    return "ghp_" + body30 + nhi::util::base62(nhi::util::crc32(body30), 6);
}

const std::string kUrlToken = fake_github_token("Qm7TzR2pLk9XvB4nWc8HsY3dJf6GaE");
const std::string kEnvDefault = "Tq4!vZr8Lw2#Kp6Xs9Nm";  // a literal password behind ${DB_PASSWORD:-...}
const std::string kTruncated = fake_github_token("Zx3CvB5nM7aS9dF2gH4jK6lP8qW1eR");
const std::string kDockerPassword = "Hv7rK2mQ9xL4tZ8pW3sN";

void write_tree(const TempDir& d) {
    d.write("tree/.mcp.json", R"({"mcpServers": {
  "search": {"url": "https://mcp.example.test/sse?api_key=)" + kUrlToken + R"(&region=eu"},
  "db": {"command": "npx", "args": ["-y", "db-mcp"],
         "env": {"DB_PASSWORD": "${DB_PASSWORD:-)" + kEnvDefault + R"(}"}}
}})");
    // Truncated inside the token's string: the parse error must not quote it.
    d.write("tree/broken/.mcp.json", R"({"mcpServers": {"gh": {"command": "gh-mcp", "env": {"GITHUB_TOKEN": ")" +
                                         kTruncated.substr(0, 30));
}

std::string everything_under(const fs::path& root, const std::set<fs::path>& skip) {
    std::string bytes;
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
        if (skip.count(it->path())) {
            it.disable_recursion_pending();
            continue;
        }
        if (it->is_regular_file()) bytes += read_file(it->path());
    }
    return bytes;
}

}  // namespace

TEST_CASE("no secret appears in any byte nhi writes unless asked", "[e2e][db][plaintext]") {
    TempDir d;
    fs::create_directories(d / "tree");
    fs::copy(fs::path(NHI_FIXTURES) / "planted", d / "tree" / "planted", fs::copy_options::recursive);
    write_tree(d);
    // The docker auth is base64("ci-bot:PASSWORD"); written here so the secret is known.
    {
        std::string auth = "ci-bot:" + kDockerPassword, b64;
        static const char* tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (size_t i = 0; i < auth.size(); i += 3) {
            uint32_t n = uint32_t(uint8_t(auth[i])) << 16;
            if (i + 1 < auth.size()) n |= uint32_t(uint8_t(auth[i + 1])) << 8;
            if (i + 2 < auth.size()) n |= uint8_t(auth[i + 2]);
            b64 += tbl[(n >> 18) & 63];
            b64 += tbl[(n >> 12) & 63];
            b64 += i + 1 < auth.size() ? tbl[(n >> 6) & 63] : '=';
            b64 += i + 2 < auth.size() ? tbl[n & 63] : '=';
        }
        d.write("tree/.docker/config.json", R"({"auths": {"registry.example.test": {"auth": ")" + b64 + R"("}}})");
    }
    // A git history with a secret only in a deleted file.
    fs::create_directories(d / "repo");
    REQUIRE(run_shell("git init -q . && git config user.email dev@acme.test && git config user.name Dev && "
                      "cp ../tree/planted/deploy/agent.env . && git add -A && git commit -qm add && "
                      "git rm -q agent.env && git commit -qm remove",
                      d / "repo")
                .code == 0);

    // The secrets, as nhi itself reports them when asked (the control: they can be printed).
    std::set<std::string> secrets = {kUrlToken, kEnvDefault, kTruncated.substr(0, 30), kDockerPassword};
    auto shown = run_nhi("scan tree --no-db --no-config --format jsonl --show-secrets", d.path());
    REQUIRE(shown.code == 1);
    size_t reported = 0;
    for (const auto& line : nhi::util::split(shown.out, '\n')) {
        if (line.empty()) continue;
        auto f = json::parse(line);
        if (f["severity"] == "info") continue;  // context (user names, hosts) is not secret
        secrets.insert(f["secret"].get<std::string>());
        ++reported;
    }
    REQUIRE(reported >= 8);
    CHECK(shown.out.find(kUrlToken) != std::string::npos);  // the URL token is a finding too

    std::string out;  // every stdout and stderr byte of every run below
    auto run = [&](const std::string& args) {
        auto res = run_nhi(args, d.path());
        out += res.out + res.err;
        return res.code;
    };
    const std::string db = " --db state/nhi.db";
    fs::create_directories(d / "reports");
    for (const char* fmt : {"text", "json", "jsonl", "sarif"}) {
        CHECK(run(std::string("scan tree --no-config --format ") + fmt + db) == 1);
        CHECK(run(std::string("scan tree --no-config --format ") + fmt + db + " -o reports/scan." + fmt) == 1);
    }
    CHECK(run("scan --git repo --format jsonl" + db) == 1);
    CHECK(run("baseline create tree --no-config --baseline reports/baseline.json" + db) == 0);
    CHECK(run("inventory import tree/.mcp.json" + db) == 0);
    CHECK(run("inventory import tree/broken/.mcp.json" + db) == 2);
    for (const char* fmt : {"text", "json", "jsonl", "csv"}) run(std::string("inventory list --format ") + fmt + db);
    for (const char* which : {"risk", "owners", "expiry", "summary"})
        for (const char* fmt : {"text", "json", "csv", "markdown"})
            run(std::string("report ") + which + " --format " + fmt + db);
    CHECK(run("report summary --format html -o reports/summary.html" + db) == 0);
    CHECK(run("report risk --format html -o reports/risk.html" + db) == 0);

    std::string written = everything_under(d.path(), {d / "tree", d / "repo"});
    written += everything_under(fs::temp_directory_path() / "nhi-test-cache", {});
    REQUIRE(written.find("SQLite format 3") != std::string::npos);  // the datastore was read
    for (const auto& s : secrets) {
        INFO("secret starting " << s.substr(0, 6) << " (" << s.size() << " bytes)");
        CHECK(out.find(s) == std::string::npos);
        CHECK(written.find(s) == std::string::npos);
    }
}
