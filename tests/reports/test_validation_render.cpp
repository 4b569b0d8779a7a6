// Validation outcomes in scan output: the `validation` object of JSON, JSONL and SARIF (valid
// against docs/schemas and the SARIF schema), the text column and the summary counts.
#include <catch2/catch.hpp>

#include <sstream>

#include "reports/finding_render.hpp"
#include "rules/rule.hpp"
#include "support.hpp"

using namespace nhi;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

db::Finding found(const std::string& secret, const std::string& path) {
    rules::Rule r;
    r.id = "nhi.github.pat";
    r.name = "GitHub personal access token";
    auto f = db::make_finding(r, secret, path, 3, 7, {});
    db::apply_rule(f, r);
    return f;
}

db::Validation outcome(const std::string& status, const std::string& at, int http, json identity = json::object()) {
    db::Validation v;
    v.status = status;
    v.checked_at = at;
    v.http_status = http;
    if (status == "unknown" || status == "error") v.reason = "timeout";
    v.identity = std::move(identity);
    return v;
}

std::vector<db::Finding> sample() {
    auto live = found("ghp_" + std::string(32, 'L') + "0001", "ci/deploy.env");
    live.validation = outcome("live", "2026-12-01T10:00:00Z", 200, {{"login", "octo-bot"}, {"scopes", {"repo"}}});
    auto revoked = found("ghp_" + std::string(32, 'R') + "0002", "old/config.yml");
    revoked.validation = outcome("revoked", "2026-12-01T10:00:01Z", 401);
    auto unchecked = found("ghp_" + std::string(32, 'U') + "0003", "src/app.py");
    return {live, revoked, unchecked};
}

test::Result validate(const std::string& schema, const fs::path& file, bool jsonl = false) {
    const fs::path where = schema.rfind("sarif", 0) == 0 ? fs::path(NHI_FIXTURES) / "sarif" : fs::path(NHI_SOURCE_DIR) / "docs/schemas";
    return test::run_shell("python3 '" NHI_SOURCE_DIR "/tests/tools/validate_json.py' '" + (where / schema).string() +
                               "' '" + file.string() + "'" + (jsonl ? " --jsonl" : ""),
                           file.parent_path());
}

}  // namespace

TEST_CASE("json and jsonl carry a validation object only on validated findings, valid against the schemas",
          "[reports][validation]") {
    const auto fs_ = sample();
    auto j = reports::finding_json(fs_[0], {});
    REQUIRE(j.contains("validation"));
    CHECK(j["validation"] == json{{"status", "live"}, {"checked_at", "2026-12-01T10:00:00Z"}, {"http_status", 200},
                                  {"reason", ""}, {"identity", {{"login", "octo-bot"}, {"scopes", {"repo"}}}}});
    CHECK(reports::finding_json(fs_[1], {})["validation"]["status"] == "revoked");
    CHECK_FALSE(reports::finding_json(fs_[2], {}).contains("validation"));

    reports::ScanSummary s;
    s.validation = {2, 1, 1, 0, 0};
    std::ostringstream doc, lines;
    reports::render_json(doc, fs_, s, {});
    reports::render_jsonl(lines, fs_, {});
    const auto parsed = json::parse(doc.str());
    CHECK(parsed["summary"]["validation"] == json{{"checked", 2}, {"live", 1}, {"revoked", 1}, {"unknown", 0}, {"error", 0}});

    test::TempDir d;
    d.write("out.json", doc.str());
    d.write("out.jsonl", lines.str());
    auto a = validate("scan.schema.json", d / "out.json");
    auto b = validate("finding.schema.json", d / "out.jsonl", true);
    if (a.code == 3) WARN("python3-jsonschema is not installed: schemas not checked");
    else {
        INFO(a.err << b.err);
        CHECK(a.code == 0);
        CHECK(b.code == 0);
        // The control: a status outside the four is refused.
        auto bad = reports::finding_json(fs_[0], {});
        bad["validation"]["status"] = "valid";
        d.write("bad.jsonl", bad.dump() + "\n");
        CHECK(validate("finding.schema.json", d / "bad.jsonl", true).code == 1);
    }
}

TEST_CASE("sarif results carry the validation in their properties and stay valid SARIF", "[reports][validation]") {
    rules::Rule r;
    r.id = "nhi.github.pat";
    r.name = "GitHub personal access token";
    std::ostringstream out;
    CHECK(reports::render_sarif(out, sample(), {r}, {}) == 0);
    const auto doc = json::parse(out.str());
    const auto& results = doc["runs"][0]["results"];
    REQUIRE(results.size() == 3);
    size_t with = 0;
    for (const auto& res : results) {
        if (!res["properties"].contains("validation")) continue;
        ++with;
        CHECK(res["properties"]["validation"].contains("checked_at"));
    }
    CHECK(with == 2);
    test::TempDir d;
    d.write("v.sarif", out.str());
    auto v = validate("sarif-schema-2.1.0.json", d / "v.sarif");
    if (v.code != 3) {
        INFO(v.err);
        CHECK(v.code == 0);
    }
}

TEST_CASE("text shows a validation column and line when any finding was validated, and the counts",
          "[reports][validation]") {
    reports::ScanSummary s;
    s.validation = {2, 1, 1, 0, 0};
    std::ostringstream out;
    reports::render_text(out, sample(), s, {});
    const std::string t = out.str();
    CHECK(t.find("high     live     ci/deploy.env:3:7") != std::string::npos);
    CHECK(t.find("high     revoked  old/config.yml:3:7") != std::string::npos);
    CHECK(t.find("high     -        src/app.py:3:7") != std::string::npos);
    CHECK(t.find("validation: live (checked 2026-12-01T10:00:00Z, HTTP 200, login octo-bot)") != std::string::npos);
    CHECK(t.find("validation: revoked (checked 2026-12-01T10:00:01Z, HTTP 401)") != std::string::npos);
    CHECK(t.find("validation: 2 secrets checked: 1 live, 1 revoked, 0 unknown, 0 errors") != std::string::npos);

    // Without validation: no column, no counts.
    auto plain = sample();
    for (auto& f : plain) f.validation = {};
    std::ostringstream quiet;
    reports::render_text(quiet, plain, {}, {});
    CHECK(quiet.str().find("high     ci/deploy.env:3:7") != std::string::npos);
    CHECK(quiet.str().find("validation") == std::string::npos);

    // An identity field from the provider reaches the terminal escaped.
    auto evil = sample();
    evil[0].validation.identity["login"] = "x\x1b]0;pwned\x07";
    std::ostringstream esc;
    reports::render_text(esc, evil, {}, {});
    CHECK(esc.str().find('\x1b') == std::string::npos);
}

