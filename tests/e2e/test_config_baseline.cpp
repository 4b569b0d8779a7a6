// End-to-end: .nhi.yml allowlists and baselines through the real binary.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "support.hpp"

using namespace nhi::test;
using nlohmann::json;

namespace {
const std::string kA = "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";
const std::string kB = "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";
const std::string kC = "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";

size_t count(const std::string& jsonl_text) {
    size_t n = 0;
    for (char c : jsonl_text) n += c == '\n';
    return n;
}
}  // namespace

TEST_CASE(".nhi.yml allowlists paths and rules and disables rules", "[e2e][config]") {
    TempDir d;
    d.write("src/app.env", "T=" + kA + "\nDB_PASSWORD = \"Tz9#kLq2vX8m\"\n");
    d.write("tests/fixtures/fake.env", "T=" + kB + "\n");
    auto before = run_nhi("scan . --no-db --format json", d.path());
    CHECK(json::parse(before.out)["findings"].size() == 3);

    d.write(".nhi.yml", "allow:\n  paths: [tests/fixtures/]\ndisable: [nhi.generic.password-assignment]\n");
    auto after = run_nhi("scan . --no-db --format json", d.path());
    auto doc = json::parse(after.out);
    REQUIRE(doc["findings"].size() == 1);
    CHECK(doc["findings"][0]["path"] == "src/app.env");
    CHECK(doc["summary"]["allowlisted"] == 1);
    CHECK(count(run_nhi("scan . --no-db --no-config --format jsonl", d.path()).out) == 3);
    // Globs are relative to the config's directory, whatever subdirectory is scanned.
    auto sub = run_nhi("scan tests --no-db --format json", d.path());
    CHECK(sub.code == 0);
    CHECK(json::parse(sub.out)["summary"]["allowlisted"] == 1);

    d.write(".nhi.yml", "disable: [nhi.github.patt]\n");
    auto typo = run_nhi("scan . --no-db", d.path());
    CHECK(typo.code == 2);
    CHECK(typo.err == "nhi: error: disable: unknown rule id `nhi.github.patt`; did you mean `nhi.github.pat`?\n");
}

TEST_CASE("baselines hide accepted findings, survive moved lines, and catch new secrets", "[e2e][baseline]") {
    TempDir d;
    d.write("src/app.env", "T=" + kA + "\n");
    auto create = run_nhi("baseline create src --no-db --baseline base.json", d.path());
    INFO(create.err);
    REQUIRE(create.code == 0);
    CHECK(create.out.find("1 findings") != std::string::npos);
    CHECK(run_nhi("scan src --no-db --baseline base.json", d.path()).code == 0);

    // Moving the line keeps the finding in the baseline.
    d.write("src/app.env", "# new header\n\n\nT=" + kA + "\n");
    auto moved = run_nhi("scan src --no-db --baseline base.json --format json", d.path());
    CHECK(moved.code == 0);
    CHECK(json::parse(moved.out)["summary"]["baselined"] == 1);

    // A different secret on the same line is not hidden.
    d.write("src/app.env", "# new header\n\n\nT=" + kB + "\n");
    auto swapped = run_nhi("scan src --no-db --baseline base.json --format jsonl", d.path());
    CHECK(swapped.code == 1);
    CHECK(count(swapped.out) == 1);

    // update adds the new one and drops the fixed one.
    auto update = run_nhi("baseline update src --no-db --baseline base.json", d.path());
    CHECK(update.code == 0);
    CHECK(update.out.find("(1 added, 1 no longer found)") != std::string::npos);
    CHECK(run_nhi("scan src --no-db --baseline base.json", d.path()).code == 0);

    // The baseline named in .nhi.yml (found above the scanned root) applies without a flag.
    d.write(".nhi.yml", "baseline: base.json\n");
    d.write("src/more.env", "X=" + kC + "\n");
    auto cfg = run_nhi("scan src --no-db --format jsonl", d.path());
    CHECK(cfg.code == 1);
    CHECK(count(cfg.out) == 1);  // only the new secret

    auto missing = run_nhi("scan src --no-db --baseline nope.json", d.path());
    CHECK(missing.code == 2);
    CHECK(missing.err.rfind("nhi: error: nope.json: ", 0) == 0);
}

namespace nhi::test {

TEST_CASE("scan summary counts what each allow comment form suppressed", "[e2e][allow]") {
    TempDir d;
    const std::string t = "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";
    d.write("a.env", "A=" + t + " # nhi:allow\n# nhi:allow-next-line\nB=" + t + "\nC=" + t + " # gitleaks:allow\n" +
                         "D=" + t + "  # pragma: allowlist secret\nE=" + t + "\n");
    auto r = run_nhi("scan . --no-db --format json", d.path());
    REQUIRE(r.code == 1);  // E is reported
    auto doc = nlohmann::json::parse(r.out);
    CHECK(doc["findings"].size() == 1);
    const auto& a = doc["summary"]["allow_comments"];
    CHECK(a["nhi_allow"] == 1);
    CHECK(a["nhi_allow_next_line"] == 1);
    CHECK(a["gitleaks_allow"] == 1);
    CHECK(a["pragma_allowlist_secret"] == 1);
    auto text = run_nhi("scan . --no-db", d.path());
    CHECK(text.out.find("allowed by comments: 1 nhi:allow, 1 nhi:allow-next-line, 1 gitleaks:allow, 1 pragma: "
                        "allowlist secret") != std::string::npos);
}

}  // namespace nhi::test
