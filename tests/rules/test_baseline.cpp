// rules/baseline: the file format (1 and 2), matching, and reading other scanners' baselines.
#include <catch2/catch.hpp>

#include "rules/baseline.hpp"
#include "support.hpp"
#include "util/hash.hpp"

using namespace nhi::rules;

namespace {

// `open` n times, `inner`, then `close` n times: JSON nested n levels deep.
std::string nested(const std::string& open, const std::string& inner, char close, size_t n) {
    std::string out;
    for (size_t i = 0; i < n; ++i) out += open;
    return out + inner + std::string(n, close);
}

BaselineEntry native(std::string fp, std::string rule, std::string path) {
    BaselineEntry e;
    e.fingerprint = std::move(fp);
    e.rule = std::move(rule);
    e.path = std::move(path);
    return e;
}

BaselineKey key(std::string fp, std::string path = "x", std::string sha256 = "", size_t line = 1) {
    BaselineKey k;
    k.fingerprint = k.scan_fingerprint = std::move(fp);
    k.path = std::move(path);
    k.secret_sha256 = std::move(sha256);
    k.line = line;
    return k;
}

const std::string kSecret = "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";

}  // namespace

TEST_CASE("baselines round-trip and reject foreign files", "[rules][baseline]") {
    nhi::test::TempDir d;
    Baseline b;
    b.add(native("ffff", "nhi.a", "z.txt"));
    b.add(native("0000", "nhi.b", "a.txt"));
    BaselineEntry imp;
    imp.kind = EntryKind::Sha1;
    imp.path = "settings/prod.env";
    imp.hash = nhi::util::sha1_hex(kSecret);
    imp.source = "detect-secrets";
    b.add(imp);
    BaselineEntry line;
    line.kind = EntryKind::Line;
    line.path = "config/r.env";
    line.line = 3;
    b.add(line);
    auto path = (d / "b.json").string();
    REQUIRE(write_baseline(path, b).ok());
    auto back = load_baseline(path);
    REQUIRE(back.ok());
    CHECK(back->entries.size() == 4);
    CHECK(back->count(EntryKind::Sha1) == 1);
    CHECK(back->count(EntryKind::Line) == 1);
    CHECK(back->match(key("ffff")));
    CHECK_FALSE(back->contains(key("1234")));
    auto text = nhi::test::read_file(path);
    CHECK(text.find("\"nhi_baseline\": 2") != std::string::npos);
    CHECK(text.find("\"0000\"") < text.find("\"ffff\""));  // sorted: stable diffs
    CHECK(text.find("\"imported\"") != std::string::npos);
    // Hex written by hand in upper case still matches a scan's lower-case hex.
    d.write("upper.json", R"({"nhi_baseline": 2, "findings": [], "imported": [{"kind": "sha1", "path": "a.env", "sha1": ")" +
                              std::string("3854767684199F4C4916D6FC2954A9AC7C0B090C") + R"("}]})");
    auto upper = load_baseline((d / "upper.json").string());
    REQUIRE(upper.ok());
    BaselineKey k = key("fp", "a.env");
    k.secret_sha1 = "3854767684199f4c4916d6fc2954a9ac7c0b090c";
    CHECK(upper->match(k));
    d.write("bad.json", "{\"findings\": []}");
    CHECK_FALSE(load_baseline((d / "bad.json").string()).ok());
    CHECK_FALSE(load_baseline((d / "missing.json").string()).ok());
}

TEST_CASE("a baseline format newer than this nhi reads is refused with a clear message", "[rules][baseline]") {
    nhi::test::TempDir d;
    d.write("b.json", R"({"nhi_baseline": 3, "findings": []})");
    auto b = load_baseline((d / "b.json").string());
    REQUIRE_FALSE(b.ok());
    CHECK(b.error().why == "baseline format 3 is newer than this nhi reads (1 and 2); upgrade nhi");
}

TEST_CASE("format-1 entries match by either fingerprint; format-2 ones only by the repository one", "[rules][baseline]") {
    nhi::test::TempDir d;
    d.write("v1.json", R"({"nhi_baseline": 1, "findings": [{"fingerprint": "aaaa", "rule": "r", "path": "app.env"}]})");
    auto v1 = load_baseline((d / "v1.json").string());
    REQUIRE(v1.ok());
    REQUIRE(v1->entries.size() == 1);
    CHECK(v1->entries.begin()->legacy);
    BaselineKey k = key("bbbb");  // made in a subdirectory: the scan-relative fingerprint is the old one
    k.scan_fingerprint = "aaaa";
    CHECK(v1->match(k));
    // Rewritten as format 2, the entry stays legacy; a native entry of format 2 does not match
    // a scan-relative fingerprint that differs from the repository one.
    REQUIRE(write_baseline((d / "v2.json").string(), *v1).ok());
    CHECK(nhi::test::read_file(d / "v2.json").find("\"legacy\": true") != std::string::npos);
    auto v2 = load_baseline((d / "v2.json").string());
    REQUIRE(v2.ok());
    CHECK(v2->match(k));
    Baseline fresh;
    fresh.add(native("aaaa", "r", "app.env"));
    CHECK_FALSE(fresh.match(k));
    // A native entry with the same fingerprint replaces the legacy one.
    CHECK_FALSE(v2->add(native("aaaa", "r", "sub/app.env")));
    CHECK_FALSE(v2->entries.begin()->legacy);
}

TEST_CASE("imported entries match the same secret in the same file, whatever the rule", "[rules][baseline]") {
    Baseline b;
    BaselineEntry e;
    e.kind = EntryKind::Sha256;
    e.path = "config/old.env";
    e.hash = nhi::util::sha256_hex(kSecret);
    b.add(e);
    e.kind = EntryKind::Sha1;
    e.path = "settings/prod.env";
    e.hash = nhi::util::sha1_hex(kSecret);
    b.add(e);
    e.kind = EntryKind::Line;
    e.path = "config/r.env";
    e.hash.clear();
    e.line = 3;
    b.add(e);
    CHECK(b.needs_sha1());

    const std::string sha = nhi::util::sha256_hex(kSecret), other = nhi::util::sha256_hex("another secret");
    CHECK(b.match(key("fp", "config/old.env", sha)));
    CHECK_FALSE(b.match(key("fp", "config/old.env", other)));  // a new secret in the same file
    CHECK_FALSE(b.match(key("fp", "config/copy.env", sha)));   // the same secret in another file
    BaselineKey k = key("fp", "settings/prod.env", sha);
    CHECK_FALSE(b.match(k));  // no SHA-1 computed: a sha1 entry cannot match
    k.secret_sha1 = nhi::util::sha1_hex(kSecret);
    CHECK(b.match(k));
    k.secret_sha1 = nhi::util::sha1_hex("another secret");
    CHECK_FALSE(b.match(k));
    CHECK(b.match(key("fp", "config/r.env", other, 3)));
    CHECK_FALSE(b.match(key("fp", "config/r.env", other, 4)));
}

TEST_CASE("SHA-1 hex has the FIPS 180 answers", "[util][hash]") {
    CHECK(nhi::util::sha1_hex("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");
    CHECK(nhi::util::sha1_hex("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

TEST_CASE("gitleaks reports import as sha256 entries, redacted ones as lines, broken entries counted",
          "[rules][baseline][import]") {
    nhi::test::TempDir d;
    d.write("g.json", R"([
      {"RuleID": "github-pat", "File": "./config/old.env", "StartLine": 2, "Secret": ")" + kSecret + R"("},
      {"RuleID": "github-pat", "File": "/repo/src/abs.env", "StartLine": 1, "Secret": ")" + kSecret + R"("},
      {"RuleID": "github-pat", "File": "r.env", "StartLine": 3, "Secret": "REDACTED"},
      {"RuleID": "github-pat", "File": "p.env", "StartLine": 4, "Secret": "ghp_ddHjN..."},
      {"RuleID": "github-pat", "File": "/elsewhere/x.env", "StartLine": 1, "Secret": "abc"},
      {"RuleID": "github-pat", "StartLine": 1, "Secret": "abc"},
      {"RuleID": "github-pat", "File": "q.env", "Secret": "REDACTED"},
      {"RuleID": "github-pat", "File": "q.env", "Secret": ""},
      7
    ])");
    auto r = import_baseline((d / "g.json").string(), ImportFormat::Auto, "/repo");
    REQUIRE(r.ok());
    CHECK(r->format == ImportFormat::Gitleaks);
    REQUIRE(r->entries.size() == 4);
    CHECK(r->entries[0].kind == EntryKind::Sha256);
    CHECK(r->entries[0].path == "config/old.env");
    CHECK(r->entries[0].hash == nhi::util::sha256_hex(kSecret));
    CHECK(r->entries[0].rule == "github-pat");
    CHECK(r->entries[1].path == "src/abs.env");
    CHECK(r->entries[2].kind == EntryKind::Line);
    CHECK(r->entries[2].line == 3);
    CHECK(r->entries[3].kind == EntryKind::Line);  // --redact=N: a prefix and "..."
    CHECK(r->redacted == 2);
    CHECK(r->malformed.at("File outside the repository") == 1);
    CHECK(r->malformed.at("no File") == 1);
    CHECK(r->malformed.at("redacted Secret and no StartLine") == 1);
    CHECK(r->malformed.at("no Secret") == 1);
    CHECK(r->malformed.at("not an object") == 1);
    CHECK(r->malformed_at.at("not an object") == std::vector<size_t>{9});
}

TEST_CASE("detect-secrets baselines import as sha1 entries", "[rules][baseline][import]") {
    nhi::test::TempDir d;
    d.write("s.baseline", R"({"version": "1.5.0", "results": {
      "settings/prod.env": [{"type": "GitHub Token", "filename": "settings/prod.env",
                             "hashed_secret": ")" + nhi::util::sha1_hex(kSecret) + R"(", "line_number": 4}],
      "b.env": [{"type": "Secret Keyword", "hashed_secret": "ABCDEF0123456789ABCDEF0123456789ABCDEF01", "line_number": 1},
                {"type": "Secret Keyword", "hashed_secret": "xyz", "line_number": 2}],
      "c.env": {"not": "a list"}
    }})");
    auto r = import_baseline((d / "s.baseline").string(), ImportFormat::Auto, "/repo");
    REQUIRE(r.ok());
    CHECK(r->format == ImportFormat::DetectSecrets);
    REQUIRE(r->entries.size() == 2);
    for (const auto& e : r->entries) CHECK(e.kind == EntryKind::Sha1);
    bool prod = false, lower = false;
    for (const auto& e : r->entries) {
        prod |= e.path == "settings/prod.env" && e.hash == nhi::util::sha1_hex(kSecret) && e.rule == "GitHub Token";
        lower |= e.path == "b.env" && e.hash == "abcdef0123456789abcdef0123456789abcdef01";
    }
    CHECK(prod);
    CHECK(lower);
    CHECK(r->malformed.at("hashed_secret is not SHA-1 hex") == 1);
    CHECK(r->malformed.at("results for a file is not a list") == 1);
}

TEST_CASE("an import of a file that is no such report fails naming it", "[rules][baseline][import]") {
    nhi::test::TempDir d;
    struct Case {
        std::string text;
        ImportFormat format;
        std::string why;
    };
    for (const auto& c : std::vector<Case>{
             {"not json", ImportFormat::Auto, "not JSON; expected a gitleaks JSON report or a detect-secrets baseline"},
             {R"({"foo": 1})", ImportFormat::Auto,
              "neither a gitleaks JSON report (a list of findings) nor a detect-secrets baseline (an object with `results`)"},
             {R"({"nhi_baseline": 2, "findings": []})", ImportFormat::Auto,
              "already an nhi baseline; nothing to import (name it with --baseline to use it)"},
             {R"({"results": {}})", ImportFormat::Gitleaks, "not a gitleaks JSON report: expected a list of findings"},
             {"[]", ImportFormat::DetectSecrets,
              "not a detect-secrets baseline: expected an object with a `results` object"},
             {nested("[", "", ']', 60000), ImportFormat::Auto,
              "nested more than 64 levels deep; not a gitleaks JSON report or a detect-secrets baseline"},
         }) {
        INFO(c.text.substr(0, 40));
        d.write("x.json", c.text);
        auto r = import_baseline((d / "x.json").string(), c.format, "/repo");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().what == (d / "x.json").string());
        CHECK(r.error().why == c.why);
    }
}

TEST_CASE("baselines: deep nesting, huge numbers and wrong types are errors", "[rules][baseline][hostile]") {
    nhi::test::TempDir d;
    const std::string entry = R"({"fingerprint": "ffff", "rule": "nhi.a", "path": "a.txt"})";
    for (const std::string& text :
         {R"({"nhi_baseline": 1, "findings": )" + nested("[", "", ']', 60000) + "}",
          R"({"nhi_baseline": 1, "findings": [], "x": )" + nested("{\"a\":", "1", '}', 60000) + "}",
          std::string(R"({"nhi_baseline": 1e999, "findings": []})"),
          std::string(R"({"nhi_baseline": "1", "findings": []})"),
          std::string(R"({"nhi_baseline": 1, "findings": {"a": 1}})"),
          std::string(R"({"nhi_baseline": 1, "findings": [{"fingerprint": 5}]})"),
          std::string(R"({"nhi_baseline": 1, "findings": [)") + entry + ", 1e999]}",
          std::string(R"({"nhi_baseline": 2, "findings": [], "imported": {"a": 1}})"),
          std::string(R"({"nhi_baseline": 2, "findings": [], "imported": [{"kind": "sha1", "path": "a", "sha1": "zz"}]})"),
          std::string(R"({"nhi_baseline": 2, "findings": [], "imported": [{"kind": "md5", "path": "a"}]})"),
          std::string(R"({"nhi_baseline": 2, "findings": [], "imported": [{"kind": "line", "path": "a", "line": -1}]})")}) {
        INFO(text.substr(0, 60));
        d.write("b.json", text);
        auto b = load_baseline((d / "b.json").string());
        REQUIRE_FALSE(b.ok());
        CHECK(b.error().what == (d / "b.json").string());
    }
    // A wrong type in an optional field is ignored, not thrown.
    d.write("b.json", R"({"nhi_baseline": 1, "findings": [{"fingerprint": "ffff", "rule": 5, "path": ["x"]}]})");
    auto b = load_baseline((d / "b.json").string());
    REQUIRE(b.ok());
    CHECK(b->match(key("ffff")));
}
