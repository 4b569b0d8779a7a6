// End-to-end: the real nhi binary on fixtures, checking exit codes and output.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "support.hpp"
#include "util/hash.hpp"

using namespace nhi::test;
using nlohmann::json;

namespace {

const fs::path kFixtures = NHI_FIXTURES;

// The planted secrets, as written in tests/fixtures/planted, with the rule that must find each.
const std::map<std::string, std::string> kPlanted = {
    {"AKIAOURCVMIYWZ5MJ6T3", "nhi.aws.access-key-id"},
    {"xoxb-504652269263-4592963232588-NuU0tia2A8DvFM6LceD67pv8", "nhi.slack.bot-token"},
    {"sk_live_t87XdHQN0UgdueCkrke0gegV", "nhi.stripe.secret-key"},
    {"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",
     "nhi.openai.project-key"},
    {"sk-ant-api03-rit2DzrMMie4tZL3PtE1y_trOMX49WilYATZKD4kd50Ibqj0W7_BRXr3W5yG8eymLp60U7LH5YUmpDAjcA899C1Syocp0AA",
     "nhi.anthropic.api-key"},
    {"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", "nhi.sendgrid.api-key"},
    {"glpat-fQckHjSou0x8ZGNxKTi4", "nhi.gitlab.pat"},
};

std::vector<json> parse_jsonl(const std::string& text) {
    std::vector<json> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) out.push_back(json::parse(line));
    return out;
}

// Copies a fixture into a fresh temp dir so the scan's datastore never lands in the source tree.
fs::path stage(const TempDir& d, const std::string& fixture) {
    fs::copy(kFixtures / fixture, d / fixture, fs::copy_options::recursive);
    return d / fixture;
}

// Builds `depth` nested directories `d` under `root` through descriptors (the path is longer
// than PATH_MAX), with `file` holding `text` every `every` levels and at the bottom.
void make_deep(const fs::path& root, int depth, int every, const std::string& file, const std::string& text) {
    fs::create_directories(root);
    int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY);
    REQUIRE(fd >= 0);
    for (int level = 1; level <= depth; ++level) {
        REQUIRE(::mkdirat(fd, "d", 0755) == 0);
        int next = ::openat(fd, "d", O_RDONLY | O_DIRECTORY);
        ::close(fd);
        REQUIRE(next >= 0);
        fd = next;
        if (level % every == 0 || level == depth) {
            int f = ::openat(fd, file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            REQUIRE(f >= 0);
            REQUIRE(::write(f, text.data(), text.size()) == ssize_t(text.size()));
            ::close(f);
        }
    }
    ::close(fd);
}

// Removes what make_deep built, bottom up through "..", so no path is ever long.
void remove_deep(const fs::path& root, const std::string& file) {
    int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY);
    int depth = 0;
    for (int next; fd >= 0 && (next = ::openat(fd, "d", O_RDONLY | O_DIRECTORY | O_NOFOLLOW)) >= 0; ++depth) {
        ::close(fd);
        fd = next;
    }
    for (; fd >= 0 && depth > 0; --depth) {
        ::unlinkat(fd, file.c_str(), 0);
        int up = ::openat(fd, "..", O_RDONLY | O_DIRECTORY);
        ::close(fd);
        fd = up;
        if (fd < 0 || ::unlinkat(fd, "d", AT_REMOVEDIR) != 0) break;
    }
    if (fd >= 0) ::close(fd);
}

// A scratch directory for thousands of directories: on tmpfs where there is one, since
// removing them one by one from a journaled disk takes seconds.
struct DeepScratch {
    fs::path path;
    DeepScratch() {
        fs::path base = fs::is_directory("/dev/shm") && ::access("/dev/shm", W_OK) == 0 ? fs::path("/dev/shm")
                                                                                           : fs::temp_directory_path();
        path = base / ("nhi-deep-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device()()));
        fs::create_directories(path);
    }
    ~DeepScratch() {
        remove_deep(path / "tree", "secret.env");
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

}  // namespace

TEST_CASE("scan finds every planted secret with the jsonl contract", "[e2e]") {
    TempDir d;
    auto root = stage(d, "planted");
    auto r = run_nhi("scan planted --format jsonl --db db/nhi.db", d.path());
    INFO(r.err);
    REQUIRE(r.code == 1);
    auto findings = parse_jsonl(r.out);
    std::map<std::string, std::string> seen;  // secret_sha256 -> rule
    for (const auto& f : findings) {
        CHECK(f["path"].get<std::string>().find("planted") == std::string::npos);  // relative to the root
        CHECK(f["line"].get<int>() >= 1);
        CHECK(f["column"].get<int>() >= 1);
        CHECK(f["fingerprint"].get<std::string>().size() == 32);
        seen[f["secret_sha256"]] = f["rule"];
    }
    for (const auto& [secret, rule] : kPlanted) {
        INFO(rule);
        auto it = seen.find(nhi::util::sha256_hex(secret));
        REQUIRE(it != seen.end());
        CHECK(it->second == rule);
    }
    CHECK(findings.size() == kPlanted.size());  // placeholders and references stay quiet

    auto aws = std::find_if(findings.begin(), findings.end(), [](auto& f) { return f["rule"] == "nhi.aws.access-key-id"; });
    REQUIRE(aws != findings.end());
    CHECK((*aws)["path"] == "src/settings.py");
    CHECK((*aws)["line"] == 5);
    CHECK((*aws)["column"] == 22);
}

TEST_CASE("no planted secret reaches the datastore unless --store-secrets is given", "[e2e][db]") {
    TempDir d;
    stage(d, "planted");
    auto r = run_nhi("scan planted --format json --db state/nhi.db", d.path());
    REQUIRE(r.code == 1);
    auto doc = json::parse(r.out);
    CHECK(doc["findings"].size() == kPlanted.size());
    // Read the database and its WAL as raw bytes: no plaintext anywhere.
    std::string bytes;
    for (const char* f : {"state/nhi.db", "state/nhi.db-wal"})
        if (fs::exists(d / f)) bytes += read_file(d / f);
    REQUIRE(bytes.size() > 0);
    for (const auto& [secret, rule] : kPlanted) {
        INFO(rule);
        CHECK(bytes.find(secret) == std::string::npos);
        CHECK(bytes.find(nhi::util::sha256_hex(secret)) != std::string::npos);  // the fingerprint is there
    }
    // The opt-in does store them: proof that the check above can fail.
    auto r2 = run_nhi("scan planted --format json --db opt/nhi.db --store-secrets", d.path());
    REQUIRE(r2.code == 1);
    std::string opt;
    for (const char* f : {"opt/nhi.db", "opt/nhi.db-wal"})
        if (fs::exists(d / f)) opt += read_file(d / f);
    CHECK(opt.find(kPlanted.begin()->first) != std::string::npos);
}

TEST_CASE("a clean tree exits 0 and --fail-on sets the threshold", "[e2e]") {
    TempDir d;
    stage(d, "clean");
    stage(d, "planted");
    auto clean = run_nhi("scan clean --no-db", d.path());
    CHECK(clean.code == 0);
    CHECK(clean.out.find("0 findings in 1 file") != std::string::npos);
    CHECK(run_nhi("scan planted --no-db --fail-on none", d.path()).code == 0);
    CHECK(run_nhi("scan planted --no-db --fail-on critical", d.path()).code == 1);  // the Stripe live key
    // deploy/agent.env holds high-severity keys only.
    CHECK(run_nhi("scan planted/deploy --no-db --fail-on critical", d.path()).code == 0);
    CHECK(run_nhi("scan planted/deploy --no-db --fail-on high", d.path()).code == 1);
}

TEST_CASE("sarif output is valid for code scanning", "[e2e]") {
    TempDir d;
    stage(d, "planted");
    auto r = run_nhi("scan planted --no-db --format sarif --output out.sarif", d.path());
    REQUIRE(r.code == 1);
    CHECK(r.out.empty());
    auto doc = json::parse(read_file(d / "out.sarif"));
    CHECK(doc["version"] == "2.1.0");
    auto& run = doc["runs"][0];
    std::set<std::string> ids;
    for (auto& rule : run["tool"]["driver"]["rules"]) CHECK(ids.insert(rule["id"].get<std::string>()).second);
    CHECK(run["results"].size() == kPlanted.size());
    for (auto& res : run["results"]) {
        auto uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].get<std::string>();
        CHECK(uri.front() != '/');
        CHECK(ids.count(res["ruleId"].get<std::string>()) == 1);
        CHECK(res["partialFingerprints"].contains("nhiFingerprint/v2"));
    }
    // The result cap keeps the most severe and says how many were left out.
    auto capped = run_nhi("scan planted --no-db --format sarif --sarif-max-results 2", d.path());
    CHECK(capped.code == 1);
    auto cut = json::parse(capped.out);
    CHECK(cut["runs"][0]["results"].size() == 2);
    CHECK(cut["runs"][0]["properties"]["results_omitted"] == kPlanted.size() - 2);
    CHECK(capped.err.find("nhi: warning: sarif: " + std::to_string(kPlanted.size() - 2) + " of ") != std::string::npos);
    auto stdin_sarif = run_nhi("scan - --no-db --format sarif", d.path(), "export TOKEN=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\n");
    CHECK(json::parse(stdin_sarif.out)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] ==
          "stdin");
}

TEST_CASE("stdin is scanned with -", "[e2e]") {
    TempDir d;
    auto r = run_nhi("scan - --no-db --format jsonl", d.path(), "export TOKEN=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\n");
    REQUIRE(r.code == 1);
    auto f = parse_jsonl(r.out);
    REQUIRE(f.size() == 1);
    CHECK(f[0]["path"] == "<stdin>");
    CHECK(f[0]["column"] == 14);
}

TEST_CASE("errors are one line, name the thing, and exit 2", "[e2e]") {
    TempDir d;
    auto missing = run_nhi("scan does-not-exist --no-db", d.path());
    CHECK(missing.code == 2);
    CHECK(missing.err == "nhi: error: does-not-exist: no such file or directory\n");

    auto typo = run_nhi("scna .", d.path());
    CHECK(typo.code == 2);
    CHECK(typo.err == "nhi: error: unknown command `scna`: did you mean `scan`?\n");

    auto fmt = run_nhi("scan . --format xml", d.path());
    CHECK(fmt.code == 2);
    CHECK(fmt.err.rfind("nhi: error: usage: ", 0) == 0);

    d.write("bad-rules.yml", "rules: [ {id: x} ]\n");
    auto rules = run_nhi("scan . --no-db --rules bad-rules.yml", d.path());
    CHECK(rules.code == 2);
    CHECK(rules.err.rfind("nhi: error: bad-rules.yml", 0) == 0);

    d.write("corrupt.db", std::string(8192, 'x'));
    auto db = run_nhi("scan . --db corrupt.db", d.path());
    CHECK(db.code == 2);
    CHECK(db.err.rfind("nhi: error: corrupt.db: ", 0) == 0);
    CHECK(std::count(db.err.begin(), db.err.end(), '\n') == 1);
}

TEST_CASE("rules list and rules check work on the built-in set", "[e2e][rules]") {
    TempDir d;
    auto list = run_nhi("rules list --format json", d.path());
    REQUIRE(list.code == 0);
    auto rules = json::parse(list.out);
    CHECK(rules.size() >= 40);
    for (auto& r : rules) CHECK_FALSE(r["revocation"].get<std::string>().empty());
    auto check = run_nhi("rules check", d.path());
    INFO(check.err);
    CHECK(check.code == 0);
    CHECK(check.out.find(" 0 failed") != std::string::npos);
}

TEST_CASE("user rules extend the built-in set", "[e2e][rules]") {
    TempDir d;
    d.write("my-rules/acme.yml", R"(provider: acme
rules:
  - id: acme.internal-token
    name: ACME internal token
    pattern: '\b(?<secret>acme_[a-z0-9]{24})\b'
    min_entropy: 3.0
    examples: ['acme_k2j4h6g8f0d1s3a5p7o9i2u4']
    negative_examples: ['acme_000000000000000000000000']
)");
    d.write("src/x.txt", "t = acme_k2j4h6g8f0d1s3a5p7o9i2u4\n");
    auto r = run_nhi("scan src --no-db --rules my-rules --format jsonl", d.path());
    REQUIRE(r.code == 1);
    auto f = parse_jsonl(r.out);
    REQUIRE(f.size() == 1);
    CHECK(f[0]["rule"] == "acme.internal-token");
    CHECK(run_nhi("rules check --rules my-rules", d.path()).code == 0);
}

TEST_CASE("rules check fails a rule whose negatives are all placeholders, and counts it apart", "[e2e][rules]") {
    TempDir d;
    d.write("my-rules/acme.yml", R"(provider: acme
rules:
  - id: acme.internal-token
    name: ACME internal token
    pattern: '\b(?<secret>acme_[a-z0-9]{24})\b'
    examples: ['acme_k2j4h6g8f0d1s3a5p7o9i2u4']
    negative_examples: ['acme_xxxxxxxxxxxxxxxxxxxxxxxx']
)");
    auto r = run_nhi("rules check --rules my-rules", d.path());
    CHECK(r.code == 1);
    CHECK_THAT(r.err, Catch::Contains("acme.internal-token: no negative example reaches the pattern"));
    CHECK_THAT(r.out, Catch::Contains(" 0 failed; 1 without a near-miss negative"));
}

TEST_CASE("docs/RULES.md is exactly what the rule files generate", "[e2e][rules]") {
    TempDir d;
    auto r = run_nhi("rules list --format markdown", d.path());
    REQUIRE(r.code == 0);
    INFO("regenerate with: build/nhi rules list --format markdown > docs/RULES.md");
    CHECK(r.out == read_file(fs::path(NHI_SOURCE_DIR) / "docs/RULES.md"));
    CHECK(r.out.find("| `nhi.github.pat` |") != std::string::npos);
    // The rules with a validate: block name the one host their secret may be sent to.
    CHECK(r.out.find("| high | github-crc32 | api.github.com |") != std::string::npos);
    auto list = json::parse(run_nhi("rules list --format json", d.path()).out);
    size_t validating = 0;
    for (const auto& rule : list) {
        if (rule["id"] == "nhi.github.pat") CHECK(rule["validates"] == "api.github.com");
        if (!rule["validates"].get<std::string>().empty()) ++validating;
    }
    CHECK(validating >= 75);
}

TEST_CASE("context findings: only beside a secret, severity info, never failing CI by default", "[e2e][scan][context]") {
    TempDir dir;
    // A config with a password: its user, host and database come along as context.
    dir.write("with-secret/.env", "DB_HOST=db.internal.example.test\nDB_DATABASE=billing\nDB_USERNAME=etl_svc\n"
                                  "DB_PASSWORD=Vq8rT2mLx9wPz4!\n");
    // The same keys without a secret: nothing to report.
    dir.write("no-secret/.env", "DB_HOST=db.internal.example.test\nDB_DATABASE=billing\nDB_USERNAME=etl_svc\n");
    auto r = run_nhi("scan with-secret no-secret --format jsonl", dir.path());
    REQUIRE(r.code == 1);
    std::map<int, std::string> with;
    size_t lone = 0;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
        if (line.empty() || line[0] != '{') continue;
        auto f = nlohmann::json::parse(line);
        if (f["path"].get<std::string>().find("no-secret") != std::string::npos) ++lone;
        else with[f["line"].get<int>()] = f["severity"].get<std::string>() + " " + f["rule"].get<std::string>();
    }
    CHECK(lone == 0);
    CHECK(with[1] == "info nhi.context.host");
    CHECK(with[2] == "info nhi.context.database");
    CHECK(with[3] == "info nhi.context.user");
    CHECK(with[4].rfind("info", 0) != 0);  // the password itself is a secret finding
    // Keys without a secret do not fail a pipeline; info is a valid gate level.
    CHECK(run_nhi("scan no-secret", dir.path()).code == 0);
    CHECK(run_nhi("scan with-secret --fail-on info", dir.path()).code == 1);
    CHECK(run_nhi("scan no-secret --fail-on info", dir.path()).code == 0);
}

TEST_CASE("a token whose checksum fails is an info line with its reason, failing CI only at info", "[e2e][scan]") {
    TempDir dir;
    // A GitHub token of the right shape with its last character changed: the CRC-32 fails.
    dir.write("ci.env", "GITHUB_TOKEN=ghp_qBhy02hoi8ucTVyAmSRnraF4pk0bZu3i8raH\n");
    auto r = run_nhi("scan ci.env --no-db --format jsonl", dir.path());
    CHECK(r.code == 0);
    auto found = parse_jsonl(r.out);
    REQUIRE(found.size() == 1);
    CHECK(found[0]["rule"] == "nhi.github.pat");
    CHECK(found[0]["severity"] == "info");
    CHECK(found[0]["confidence"] == "low");
    CHECK(found[0]["hints"]["invalid"].get<std::string>().rfind("checksum fails", 0) == 0);
    auto text = run_nhi("scan ci.env --no-db", dir.path());
    CHECK(text.out.find("checksum fails") != std::string::npos);
    CHECK(run_nhi("scan ci.env --no-db --fail-on info", dir.path()).code == 1);
}

TEST_CASE("a secret 3,000 directories deep is found, with only 64 descriptors", "[e2e][scan][walk]") {
    DeepScratch d;
    const std::string token = "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";
    make_deep(d.path / "tree", 3000, 500, "secret.env", "TOKEN=" + token + "\n");
    auto r = run_shell("ulimit -n 64 && CI=true NHI_CACHE_DIR='" + (fs::temp_directory_path() / "nhi-test-cache").string() +
                           "' '" NHI_BINARY "' scan tree --no-db -j 2 --format jsonl",
                       d.path);
    INFO(r.err.substr(0, 300));
    CHECK(r.err.empty());
    REQUIRE(r.code == 1);
    auto findings = parse_jsonl(r.out);
    std::set<size_t> depths;
    for (const auto& f : findings) {
        auto path = f["path"].get<std::string>();
        CHECK(path.size() >= 10);
        CHECK(path.substr(path.size() - 10) == "secret.env");
        depths.insert(size_t(std::count(path.begin(), path.end(), '/')));
    }
    CHECK(depths == std::set<size_t>{500, 1000, 1500, 2000, 2500, 3000});
}

TEST_CASE("the scan summary counts binary, too large and unreadable files and engine limits", "[e2e][scan]") {
    TempDir d;
    d.write("tree/bin.dat", std::string("\0\1\2TOKEN=", 10));
    d.write("tree/big.txt", std::string(3000, 'a'));
    d.write("tree/ok.txt", "nothing here\n");
    REQUIRE(::mkfifo((d / "pipe").c_str(), 0600) == 0);  // named, so read and not readable
    auto r = run_nhi("scan tree pipe --no-db --max-file-size 2K --format json", d.path());
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(r.err.find("nhi: warning: pipe: not a regular file") != std::string::npos);
    auto s = json::parse(r.out)["summary"];
    CHECK(s["files_scanned"] == 1);
    CHECK(s["skipped"]["binary"] == 1);
    CHECK(s["skipped"]["too_large"] == 1);
    CHECK(s["errors"] == 1);
    CHECK(s["warnings"] == 1);
    CHECK(s["match_limit_hits"] == 0);
    CHECK(s["engine_errors"] == 0);

    auto text = run_nhi("scan tree --no-db --max-file-size 2K", d.path());
    CHECK(text.out.find("skipped: 1 binary, 1 too large") != std::string::npos);
}

TEST_CASE("warnings past the first 20 are not printed but are counted in the summary", "[e2e][scan]") {
    TempDir d;
    d.write("ok.txt", "nothing here\n");
    std::string args;
    for (int i = 0; i < 25; ++i) {
        std::string name = "pipe" + std::to_string(i);
        REQUIRE(::mkfifo((d / name).c_str(), 0600) == 0);
        args += " " + name;
    }
    auto r = run_nhi("scan ok.txt" + args + " --no-db --format json", d.path());
    REQUIRE(r.code == 0);
    size_t printed = 0;
    for (size_t at = r.err.find("not a regular file"); at != std::string::npos; at = r.err.find("not a regular file", at + 1))
        ++printed;
    CHECK(printed == 20);
    CHECK(r.err.find("5 more warnings not shown") != std::string::npos);
    CHECK(json::parse(r.out)["summary"]["warnings"] == 25);
}

TEST_CASE("end-of-scan rule warnings are shown even past the cap on per-file warnings", "[e2e][scan]") {
    TempDir d;
    d.write("costly.yml", read_file(std::string(NHI_FIXTURES) + "/rules/costly.yml"));
    std::string many;
    for (int i = 0; i < 1500; ++i) many += "w" + std::to_string(100 + i % 900) + " ";
    d.write("tree/words.txt", many + "\n");
    std::string fifos;
    for (int i = 0; i < 25; ++i) {
        REQUIRE(::mkfifo((d / ("p" + std::to_string(i))).c_str(), 0600) == 0);
        fifos += " p" + std::to_string(i);
    }
    auto r = run_nhi("scan tree" + fifos + " --rules costly.yml --no-db --format json", d.path());
    INFO(r.err);
    CHECK(r.err.find("5 more warnings not shown") != std::string::npos);
    // Before: this line was the 26th warning and was not shown.
    CHECK(r.err.find("rule test.chatty: matched more than 1000 times in tree/words.txt") != std::string::npos);
    CHECK(json::parse(r.out)["summary"]["warnings"] == 26);
}

TEST_CASE("did you mean: flags, subcommands at every level, option values", "[e2e][cli]") {
    TempDir d;
    d.write("a.txt", "nothing\n");
    auto value = run_nhi("scan a.txt --no-db -f jsn", d.path());
    CHECK(value.code == 2);
    CHECK(value.err.find("did you mean `json`?") != std::string::npos);
    CHECK(value.err.find("expected one of text, json, jsonl, sarif") != std::string::npos);
    auto flag = run_nhi("scan a.txt --no-db --formt json", d.path());
    CHECK(flag.code == 2);
    CHECK(flag.err == "nhi: error: usage: unknown option `--formt`: did you mean `--format`? (see `nhi --help`)\n");
    auto sub = run_nhi("report sumary", d.path());
    CHECK(sub.code == 2);
    CHECK(sub.err == "nhi: error: unknown command `report sumary`: did you mean `summary`?\n");
    auto deep = run_nhi("baseline craete", d.path());
    CHECK(deep.err == "nhi: error: unknown command `baseline craete`: did you mean `create`?\n");
    // Format names are case-insensitive.
    d.write("t.env", "export TOKEN=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\n");
    auto upper = run_nhi("scan t.env --no-db -f SARIF", d.path());
    CHECK(upper.code == 1);
    CHECK(json::parse(upper.out)["version"] == "2.1.0");
    CHECK(run_nhi("scan t.env --no-db --fail-on HIGH -f Json", d.path()).code == 1);
}

TEST_CASE("NO_COLOR and TERM=dumb turn colour off on a terminal", "[e2e][cli]") {
    TempDir d;
    d.write("t.env", "export TOKEN=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\n");
    // script(1) gives nhi a terminal for stdout.
    auto on_tty = [&](const std::string& env) {
        return run_shell("script -qec \"env " + env + " TERM=xterm '" NHI_BINARY "' scan t.env --no-db\" /dev/null", d.path());
    };
    auto coloured = on_tty("");
    CHECK(coloured.out.find("\x1b[") != std::string::npos);  // the control: colour is on
    CHECK(on_tty("NO_COLOR=1").out.find("\x1b[") == std::string::npos);
    auto dumb = run_shell("script -qec \"env TERM=dumb '" NHI_BINARY "' scan t.env --no-db\" /dev/null", d.path());
    CHECK(dumb.out.find("\x1b[") == std::string::npos);
}

TEST_CASE("the datastore directory nhi creates ignores itself", "[e2e][cli]") {
    TempDir d;
    d.write("a.txt", "nothing\n");
    REQUIRE(run_nhi("scan a.txt", d.path()).code == 0);
    CHECK(read_file(d / ".nhi/.gitignore").find("\n*\n") != std::string::npos);
    // A directory that already exists is the user's: nothing is written into it.
    fs::create_directories(d / "mine");
    REQUIRE(run_nhi("scan a.txt --db mine/x.db", d.path()).code == 0);
    CHECK_FALSE(fs::exists(d / "mine/.gitignore"));
}

TEST_CASE("quiet prints the findings only, verbose names skipped files", "[e2e][cli]") {
    TempDir d;
    d.write("src/t.env", "export TOKEN=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\n");
    d.write("src/logo.png", std::string("\x89PNG\r\n\x1a\n\0\0\0", 11));
    auto quiet = run_nhi("scan src --no-db -q", d.path());
    CHECK(quiet.code == 1);
    CHECK(quiet.out.find("t.env:1:14") != std::string::npos);
    CHECK(quiet.out.find(" in 2 files") == std::string::npos);
    auto verbose = run_nhi("scan src --no-db -v", d.path());
    CHECK(verbose.err.find("nhi: skipped logo.png: binary") != std::string::npos);
    CHECK(run_nhi("scan src --no-db", d.path()).err.find("skipped logo.png") == std::string::npos);
}

TEST_CASE("Ctrl-C marks the run interrupted and exits 130", "[e2e][cli]") {
    TempDir d;
    // nhi reads stdin from a FIFO whose writer stays open, so it is still scanning when the
    // signal comes; the run's row says when it has begun.
    auto r = run_shell("mkfifo in && { '" NHI_BINARY "' scan - --db s.db < in > out.txt 2> err.txt & pid=$!; exec 3> in; "
                       "for i in $(seq 200); do [ \"$(sqlite3 s.db 'select status from run' 2>/dev/null)\" = running ] && break; "
                       "sleep 0.1; done; kill -INT $pid; wait $pid; echo \"rc=$?\"; exec 3>&-; }",
                       d.path());
    CHECK(r.out.find("rc=130") != std::string::npos);
    CHECK(run_shell("sqlite3 s.db 'select status from run'", d.path()).out == "interrupted\n");
    CHECK(read_file(d / "err.txt").find("nhi: interrupted") != std::string::npos);
}

TEST_CASE("counts are in the right number", "[e2e][cli]") {
    TempDir d;
    fs::create_directories(d / "repo");
    auto r = run_shell("cd repo && git init -q -b main . && echo hi > a.txt && git add -A && GIT_AUTHOR_NAME=a "
                       "GIT_AUTHOR_EMAIL=a@x.test GIT_COMMITTER_NAME=a GIT_COMMITTER_EMAIL=a@x.test git commit -q -m one",
                       d.path());
    REQUIRE(r.code == 0);
    auto scan = run_nhi("scan --git repo --no-db", d.path());
    CHECK(scan.out.find("0 findings in 1 commit: 1 blob scanned") != std::string::npos);
}
