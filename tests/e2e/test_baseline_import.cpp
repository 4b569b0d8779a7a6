// End-to-end: baselines anchored at the repository root, and `nhi baseline import` of a gitleaks
// report or a detect-secrets baseline (tests/fixtures/baseline), through the real binary.
#include <catch2/catch.hpp>

#include <set>

#include <nlohmann/json.hpp>

#include "support.hpp"

using namespace nhi::test;
using nlohmann::json;

namespace {
// The secrets the fixtures name (see tests/fixtures/baseline/README.md), and two they do not.
const std::string kGitleaks = "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";   // config/old.env:2
const std::string kDetect = "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";     // settings/prod.env:4
const std::string kPartial = "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";    // config/partial.env:1, redacted=50
const std::string kRedacted = "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";   // config/redacted.env:3, REDACTED
const std::string kNpm = "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";        // deploy/ci.env:1 (history)
const std::string kNew = "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";

std::string fixture_path(const std::string& name) { return (fs::path(NHI_FIXTURES) / "baseline" / name).string(); }
std::string fixture(const std::string& name) { return "'" + fixture_path(name) + "'"; }

void git_init(const TempDir& d) { REQUIRE(run_shell("git init -q .", d.path()).code == 0); }

// The paths the scan reports, once each.
std::set<std::string> paths_of(const Result& r) {
    std::set<std::string> out;
    const json doc = json::parse(r.out);  // kept: a range-for over a temporary's member dangles
    for (const auto& f : doc["findings"]) out.insert(f["path"].get<std::string>());
    return out;
}

Result scan(const TempDir& d, const std::string& where = ".", const std::string& baseline = ".nhi-baseline.json") {
    return run_nhi("scan " + where + " --no-db --no-config --format json --baseline '" + (d / baseline).string() + "'",
                   d.path());
}
}  // namespace

TEST_CASE("a baseline made at the repository root hides the same findings from a subdirectory", "[e2e][baseline]") {
    TempDir d;
    git_init(d);
    d.write("sub/app.env", "T=" + kGitleaks + "\n");
    d.write("top.env", "T=" + kDetect + "\n");
    auto create = run_nhi("baseline create --no-db --no-config", d.path());  // no path: .
    INFO(create.err);
    REQUIRE(create.code == 0);

    const std::string base = "'" + (d / ".nhi-baseline.json").string() + "'";
    for (const auto& [cwd, what] : std::vector<std::pair<fs::path, std::string>>{
             {d / "sub", "."}, {d.path(), "sub"}, {d.path(), "sub/"}, {d.path(), "sub/app.env"}, {d / "sub", "app.env"}}) {
        INFO(cwd.string() + ": nhi scan " + what);
        auto r = run_nhi("scan " + what + " --no-db --no-config --format json --baseline " + base, cwd);
        CHECK(r.code == 0);
        CHECK(json::parse(r.out)["summary"]["baselined"] == 1);
    }
    // A new secret in the subdirectory is still reported there.
    d.write("sub/new.env", "N=" + kNew + "\n");
    auto fresh = run_nhi("scan . --no-db --no-config --format json --baseline " + base, d / "sub");
    CHECK(fresh.code == 1);
    CHECK(paths_of(fresh) == std::set<std::string>{"new.env"});

    // Made in the subdirectory, the baseline holds at the root: paths are the repository's.
    auto sub_made = run_nhi("baseline create . --no-db --no-config --baseline ../sub-made.json", d / "sub");
    REQUIRE(sub_made.code == 0);
    CHECK(nhi::test::read_file(d / "sub-made.json").find("\"sub/app.env\"") != std::string::npos);
    auto at_root = scan(d, ".", "sub-made.json");
    CHECK(at_root.code == 1);
    CHECK(paths_of(at_root) == std::set<std::string>{"top.env"});
    CHECK(json::parse(at_root.out)["summary"]["baselined"] == 2);

    // .nhi.yml globs are relative to its directory for a file named on the command line too.
    d.write(".nhi.yml", "allow:\n  paths: [sub/]\n");
    for (const auto& [cwd, what] : std::vector<std::pair<fs::path, std::string>>{{d.path(), "sub/app.env"}, {d / "sub", "app.env"}}) {
        INFO(cwd.string() + ": nhi scan " + what);
        auto r = run_nhi("scan " + what + " --no-db --format json", cwd);
        CHECK(r.code == 0);
        CHECK(json::parse(r.out)["summary"]["allowlisted"] == 1);
    }

    // The baseline .nhi.yml names applies from the subdirectory too.
    d.write(".nhi.yml", "baseline: .nhi-baseline.json\n");
    fs::remove(d / "sub/new.env");
    CHECK(run_nhi("scan . --no-db", d / "sub").code == 0);
}

TEST_CASE("baselines written before paths were the repository's keep working, and update rewrites them",
          "[e2e][baseline]") {
    TempDir d;
    git_init(d);
    d.write("sub/app.env", "T=" + kGitleaks + "\n");
    // What nhi wrote before format 2: the fingerprint of the path relative to the root scanned.
    auto v1 = [&](const fs::path& cwd, const std::string& name) {
        auto r = run_nhi("scan . --no-db --no-config --format jsonl", cwd);
        REQUIRE(r.code == 1);
        json f = json::parse(r.out.substr(0, r.out.find('\n')));
        d.write(name, json{{"nhi_baseline", 1},
                           {"findings", {{{"fingerprint", f["fingerprint"]}, {"rule", f["rule"]}, {"path", f["path"]}}}}}
                          .dump());
    };
    v1(d / "sub", "made-in-sub.json");
    v1(d.path(), "made-at-root.json");
    // Made in the subdirectory: holds there, as it always did.
    CHECK(scan(d, "sub", "made-in-sub.json").code == 0);
    CHECK(run_nhi("scan . --no-db --no-config --baseline ../made-in-sub.json", d / "sub").code == 0);
    // Made at the root: holds from the subdirectory now.
    CHECK(run_nhi("scan . --no-db --no-config --baseline ../made-at-root.json", d / "sub").code == 0);

    auto update = run_nhi("baseline update . --no-db --no-config --baseline ../made-in-sub.json", d / "sub");
    INFO(update.err);
    REQUIRE(update.code == 0);
    CHECK(update.out.find("(0 added, 0 no longer found); 1 entry rewritten as repository-relative fingerprints "
                          "(0 imported, 1 from baseline format 1)") != std::string::npos);
    auto text = nhi::test::read_file(d / "made-in-sub.json");
    CHECK(text.find("\"nhi_baseline\": 2") != std::string::npos);
    CHECK(text.find("legacy") == std::string::npos);
    CHECK(scan(d, ".", "made-in-sub.json").code == 0);
}

TEST_CASE("a gitleaks report imported hides exactly the findings it lists", "[e2e][baseline][import]") {
    TempDir d;
    git_init(d);
    d.write("config/old.env", "# settings\nTOKEN=" + kGitleaks + "\n");
    d.write("deploy/ci.env", "NPM=" + kNpm + "\n");
    d.write("other/copy.env", "TOKEN=" + kGitleaks + "\n");  // the same secret in a file gitleaks did not list

    auto imp = run_nhi("baseline import " + fixture("gitleaks.json"), d.path());
    INFO(imp.err);
    REQUIRE(imp.code == 0);
    CHECK(imp.out == ".nhi-baseline.json: imported 2 entries from gitleaks " + fixture_path("gitleaks.json") +
                         ": 2 by (path, sha256), 0 by (path, sha1), 0 by (path, line); skipped 0 already in the baseline, "
                         "0 repeated, 0 malformed\n");
    auto r = scan(d);
    CHECK(r.code == 1);
    CHECK(paths_of(r) == std::set<std::string>{"other/copy.env"});
    CHECK(json::parse(r.out)["summary"]["baselined"].get<int>() >= 2);

    // A new secret on the listed line is not hidden.
    d.write("config/old.env", "# settings\nTOKEN=" + kNew + "\n");
    CHECK(paths_of(scan(d)) == std::set<std::string>{"config/old.env", "other/copy.env"});

    // Importing again adds nothing; naming the wrong format is an error naming the file.
    auto again = run_nhi("baseline import --from gitleaks " + fixture("gitleaks.json"), d.path());
    CHECK(again.out.find("imported 0 entries") != std::string::npos);
    CHECK(again.out.find("skipped 2 already in the baseline") != std::string::npos);
    auto wrong = run_nhi("baseline import --from detect-secrets " + fixture("gitleaks.json"), d.path());
    CHECK(wrong.code == 2);
    CHECK(wrong.err.find(": not a detect-secrets baseline: expected an object with a `results` object\n") !=
          std::string::npos);
}

TEST_CASE("a detect-secrets baseline imported hides its findings, merged into an existing baseline",
          "[e2e][baseline][import]") {
    TempDir d;
    git_init(d);
    d.write("keep.env", "K=" + kNpm + "\n");
    REQUIRE(run_nhi("baseline create . --no-db --no-config --baseline mine.json", d.path()).code == 0);
    d.write("settings/prod.env", "# a\n# b\n\nGITHUB_TOKEN=" + kDetect + "\n");
    d.write("settings/dev.env", "GITHUB_TOKEN=" + kDetect + "\n");

    auto imp = run_nhi("baseline import " + fixture("secrets.baseline") + " --baseline mine.json", d.path());
    INFO(imp.err);
    REQUIRE(imp.code == 0);
    CHECK(imp.out.find("mine.json: imported 1 entry from detect-secrets") == 0);
    CHECK(imp.out.find(": 0 by (path, sha256), 1 by (path, sha1), 0 by (path, line);") != std::string::npos);
    auto r = scan(d, ".", "mine.json");
    CHECK(r.code == 1);
    CHECK(paths_of(r) == std::set<std::string>{"settings/dev.env"});  // keep.env from mine.json, prod.env imported

    d.write("settings/prod.env", "# a\n# b\n\nGITHUB_TOKEN=" + kNew + "\n");
    CHECK(paths_of(scan(d, ".", "mine.json")) == std::set<std::string>{"settings/dev.env", "settings/prod.env"});
}

TEST_CASE("a redacted gitleaks report imports as (path, line) entries and says so", "[e2e][baseline][import]") {
    TempDir d;
    git_init(d);
    d.write("config/redacted.env", "# a\n# b\nKEY=" + kRedacted + "\n");
    d.write("config/partial.env", "TOKEN=" + kPartial + "\n");
    d.write("config/same-line.env", "# a\n# b\nKEY=" + kRedacted + "\n");  // same line, another file

    auto imp = run_nhi("baseline import " + fixture("gitleaks-redacted.json"), d.path());
    INFO(imp.err);
    REQUIRE(imp.code == 0);
    CHECK(imp.out.find(": 0 by (path, sha256), 0 by (path, sha1), 2 by (path, line);") != std::string::npos);
    CHECK(imp.out.find("note: 2 secrets were redacted (gitleaks --redact), so nothing could be hashed: matched by "
                       "path and line only") != std::string::npos);
    CHECK(paths_of(scan(d)) == std::set<std::string>{"config/same-line.env"});

    // Moved, the line no longer matches ...
    d.write("config/redacted.env", "# new\n# a\n# b\nKEY=" + kRedacted + "\n");
    CHECK(paths_of(scan(d)) == std::set<std::string>{"config/redacted.env", "config/same-line.env"});
    // ... unless `baseline update` rewrote the entries as fingerprints while they matched.
    d.write("config/redacted.env", "# a\n# b\nKEY=" + kRedacted + "\n");
    fs::remove(d / "config/same-line.env");
    auto update = run_nhi("baseline update . --no-db --no-config", d.path());
    INFO(update.err);
    REQUIRE(update.code == 0);
    CHECK(update.out.find("(0 added, 0 no longer found); 2 entries rewritten as repository-relative fingerprints "
                          "(2 imported, 0 from baseline format 1)") != std::string::npos);
    d.write("config/redacted.env", "# new\n# a\n# b\nKEY=" + kRedacted + "\n");
    CHECK(scan(d).code == 0);
}

TEST_CASE("baseline update keeps the imported entries still found, as fingerprints, and drops the rest",
          "[e2e][baseline][import]") {
    TempDir d;
    git_init(d);
    d.write("config/old.env", "# settings\nTOKEN=" + kGitleaks + "\n");
    d.write("settings/prod.env", "# a\n# b\n\nGITHUB_TOKEN=" + kDetect + "\n");
    // deploy/ci.env, listed in the gitleaks report, is gone.
    REQUIRE(run_nhi("baseline import " + fixture("gitleaks.json"), d.path()).code == 0);
    REQUIRE(run_nhi("baseline import " + fixture("secrets.baseline"), d.path()).code == 0);
    CHECK(scan(d).code == 0);

    auto update = run_nhi("baseline update . --no-db --no-config", d.path());
    INFO(update.err);
    REQUIRE(update.code == 0);
    CHECK(update.out.find("(0 added, 1 no longer found); 2 entries rewritten as repository-relative fingerprints "
                          "(2 imported, 0 from baseline format 1)") != std::string::npos);
    auto text = nhi::test::read_file(d / ".nhi-baseline.json");
    CHECK(text.find("\"imported\"") == std::string::npos);
    CHECK(text.find("\"config/old.env\"") != std::string::npos);
    CHECK(scan(d).code == 0);
    // A fingerprint holds the rule and the secret: a new secret there is found.
    d.write("config/old.env", "# settings\nTOKEN=" + kNew + "\n");
    CHECK(paths_of(scan(d)) == std::set<std::string>{"config/old.env"});
}

TEST_CASE("baseline import counts malformed entries as warnings and refuses malformed files",
          "[e2e][baseline][import]") {
    TempDir d;
    git_init(d);
    d.write("config/old.env", "# settings\nTOKEN=" + kGitleaks + "\n");
    const std::string file = fixture("gitleaks-malformed.json"), name = fixture_path("gitleaks-malformed.json");
    auto imp = run_nhi("baseline import " + file, d.path());
    INFO(imp.err);
    REQUIRE(imp.code == 0);
    CHECK(imp.out.find("imported 1 entry from gitleaks") != std::string::npos);
    CHECK(imp.out.find("skipped 0 already in the baseline, 0 repeated, 5 malformed\n") != std::string::npos);
    for (const std::string w : {"1 entry skipped: no File (entry 2)", "1 entry skipped: not an object (entry 3)",
                                "1 entry skipped: no Secret (entry 4)",
                                "1 entry skipped: redacted Secret and no StartLine (entry 5)",
                                "1 entry skipped: File outside the repository (entry 6)"})
        CHECK(imp.err.find("nhi: warning: " + name + ": " + w + "\n") != std::string::npos);
    CHECK(scan(d).code == 0);

    // gitleaks lists a secret once per commit that holds it: the repeats are counted apart.
    const std::string one = R"({"RuleID": "github-pat", "File": "x.env", "StartLine": 1, "Secret": ")" + kNew + R"("})";
    d.write("repeats.json", "[" + one + ", " + one + ", " + one + "]");
    auto repeats = run_nhi("baseline import repeats.json", d.path());
    CHECK(repeats.out.find(": imported 1 entry from gitleaks repeats.json: 1 by (path, sha256), 0 by (path, sha1), 0 by "
                           "(path, line); skipped 0 already in the baseline, 2 repeated, 0 malformed\n") == 18);

    d.write("not-json.json", "[{\"RuleID\": ");
    d.write("other.json", "{\"runs\": []}");
    d.write("nhi.json", "{\"nhi_baseline\": 2, \"findings\": []}");
    for (const auto& [f, why] : std::vector<std::pair<std::string, std::string>>{
             {"not-json.json", "not JSON; expected a gitleaks JSON report or a detect-secrets baseline"},
             {"other.json", "neither a gitleaks JSON report (a list of findings) nor a detect-secrets baseline (an "
                            "object with `results`)"},
             {"nhi.json", "already an nhi baseline; nothing to import (name it with --baseline to use it)"},
             {"missing.json", "cannot read a gitleaks JSON report or a detect-secrets baseline"}}) {
        auto r = run_nhi("baseline import " + f + " --baseline out.json", d.path());
        CHECK(r.code == 2);
        CHECK(r.err == "nhi: error: " + f + ": " + why + "\n");
        CHECK_FALSE(fs::exists(d / "out.json"));
    }
    // A baseline from a newer nhi is refused, not overwritten.
    d.write("future.json", "{\"nhi_baseline\": 3, \"findings\": []}");
    auto future = run_nhi("baseline import " + file + " --baseline future.json", d.path());
    CHECK(future.code == 2);
    CHECK(future.err == "nhi: error: future.json: baseline format 3 is newer than this nhi reads (1 and 2); upgrade nhi\n");
}
