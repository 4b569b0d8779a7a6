#include <catch2/catch.hpp>

#include <sstream>

#include <nlohmann/json.hpp>

#include "db/model.hpp"
#include "reports/common.hpp"
#include "reports/finding_render.hpp"

using namespace nhi;

namespace {

std::vector<db::Finding> sample() {
    rules::Rule r;
    r.id = "nhi.github.pat";
    r.name = "GitHub personal access token (classic)";
    r.nhi.provider = "github";
    r.revocation = "https://github.com/settings/tokens";
    r.references = {"https://docs.example.test"};
    rules::Rule r2 = r;
    r2.id = "nhi.other";
    r2.severity = rules::Severity::Low;
    return {db::make_finding(r, "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", "dir with space/a.env", 2, 7, {}),
            db::make_finding(r, "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", "b.env", 1, 1, {}),
            db::make_finding(r2, "another-secret-value-123", "c.env", 4, 2, {})};
}

}  // namespace

TEST_CASE("jsonl has the contract fields and no plaintext by default", "[reports]") {
    std::ostringstream out;
    reports::render_jsonl(out, sample(), {});
    std::istringstream lines(out.str());
    std::string line;
    size_t n = 0;
    while (std::getline(lines, line)) {
        auto j = nlohmann::json::parse(line);
        for (const char* k : {"rule", "rule_name", "path", "line", "column", "secret_sha256", "fingerprint", "redacted",
                              "severity", "confidence"})
            CHECK(j.contains(k));
        CHECK_FALSE(j.contains("secret"));
        ++n;
    }
    CHECK(n == 3);
    CHECK(out.str().find("qBhy02hoi8ucTVyAmSRnraF4pk0bZu3i8raG") == std::string::npos);

    std::ostringstream shown;
    reports::RenderOptions o;
    o.show_secrets = true;
    reports::render_jsonl(shown, sample(), o);
    CHECK(shown.str().find("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") != std::string::npos);
}

TEST_CASE("sarif is 2.1.0 with unique rules, fingerprints and encoded relative URIs", "[reports]") {
    rules::Rule r;
    r.id = "nhi.github.pat";
    r.references = {"https://docs.example.test"};
    std::ostringstream out;
    reports::SarifOptions so;
    so.uri_prefix = "sub/";
    CHECK(reports::render_sarif(out, sample(), {r}, so) == 0);
    auto doc = nlohmann::json::parse(out.str());
    CHECK(doc["version"] == "2.1.0");
    auto& run = doc["runs"][0];
    auto& rules = run["tool"]["driver"]["rules"];
    REQUIRE(rules.size() == 2);
    CHECK(rules[0]["id"] == "nhi.github.pat");
    CHECK(rules[0]["helpUri"] == "https://docs.example.test");
    auto& results = run["results"];
    REQUIRE(results.size() == 3);
    CHECK(results[0]["ruleIndex"] == 0);
    CHECK(results[2]["ruleIndex"] == 1);
    CHECK(results[2]["level"] == "note");
    auto& loc = results[0]["locations"][0]["physicalLocation"];
    CHECK(loc["artifactLocation"]["uri"] == "sub/dir%20with%20space/a.env");
    CHECK(loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%");
    CHECK(loc["region"]["startLine"] == 2);
    CHECK(loc["region"]["startColumn"] == 7);
    CHECK(results[0]["partialFingerprints"]["nhiFingerprint/v2"].get<std::string>().size() == 34);
    CHECK(out.str().find("qBhy02hoi8ucTVyAmSRnraF4pk0bZu3i8raG") == std::string::npos);
}

TEST_CASE("sarif: per-result severity, per-occurrence fingerprints, a result cap, history and stdin", "[reports]") {
    rules::Rule r;
    r.id = "nhi.github.pat";
    r.name = "GitHub token";
    r.severity = rules::Severity::Medium;
    const std::string secret = "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";
    auto twice = db::make_finding(r, secret, "a.env", 2, 7, {});
    auto again = db::make_finding(r, secret, "a.env", 9, 1, {});
    auto note = db::make_finding(r, "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", "<stdin>", 1, 1, {});
    note.severity = rules::Severity::Info;
    auto old = db::make_finding(r, "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", "gone.env", 3, 1, {});
    old.commit = "0123456789abcdef0123456789abcdef01234567";
    old.in_head = 0;
    REQUIRE(twice.fingerprint == again.fingerprint);

    std::ostringstream out;
    CHECK(reports::render_sarif(out, {twice, again, note, old}, {r}, {}) == 0);
    auto doc = nlohmann::json::parse(out.str());
    auto& results = doc["runs"][0]["results"];
    REQUIRE(results.size() == 4);
    CHECK(results[0]["partialFingerprints"]["nhiFingerprint/v2"] != results[1]["partialFingerprints"]["nhiFingerprint/v2"]);
    CHECK(results[2]["properties"]["security-severity"] == "0.0");
    CHECK(results[0]["properties"]["security-severity"] == "5.5");
    CHECK(doc["runs"][0]["tool"]["driver"]["rules"][0]["properties"]["security-severity"] == "5.5");
    CHECK(results[2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "stdin");
    auto msg = results[3]["message"]["text"].get<std::string>();
    CHECK(msg.find("only in history: commit 0123456789ab") != std::string::npos);
    CHECK(msg.find("gone.env as of that commit") != std::string::npos);

    // Over the cap the most severe results are kept and the run says how many were left out.
    reports::SarifOptions capped;
    capped.max_results = 2;
    auto high = old;
    high.severity = rules::Severity::Critical;
    std::ostringstream small;
    CHECK(reports::render_sarif(small, {note, twice, high}, {r}, capped) == 1);
    auto cut = nlohmann::json::parse(small.str());
    REQUIRE(cut["runs"][0]["results"].size() == 2);
    CHECK(cut["runs"][0]["properties"]["results_omitted"] == 1);
    for (auto& res : cut["runs"][0]["results"]) CHECK(res["level"] != "note");
}

TEST_CASE("text output shows redacted secrets, locations and a summary", "[reports]") {
    std::ostringstream out;
    reports::ScanSummary s;
    s.files_scanned = 3;
    s.skipped_binary = 1;
    reports::render_text(out, sample(), s, {});
    auto text = out.str();
    CHECK(text.find("dir with space/a.env:2:7") != std::string::npos);
    CHECK(text.find("ghp_\xe2\x80\xa6" "8raG") != std::string::npos);
    CHECK(text.find("qBhy02hoi8uc") == std::string::npos);
    CHECK(text.find("3 findings (2 high, 1 low) in 3 files") != std::string::npos);
    CHECK(text.find("skipped: 1 binary") != std::string::npos);
    CHECK(text.find("revoke: https://github.com/settings/tokens") != std::string::npos);
}

TEST_CASE("csv cells: quoting, and formulas from hostile exports are neutralised", "[reports][csv]") {
    using nhi::reports::csv_cell;
    CHECK(csv_cell("plain") == "plain");
    CHECK(csv_cell("a,b") == "\"a,b\"");
    CHECK(csv_cell("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(csv_cell("=HYPERLINK(\"http://x.test\")") == "\"'=HYPERLINK(\"\"http://x.test\"\")\"");
    CHECK(csv_cell("+1-555") == "'+1-555");
    CHECK(csv_cell("@SUM(A1)") == "'@SUM(A1)");
    CHECK(csv_cell("-cmd") == "'-cmd");
}
