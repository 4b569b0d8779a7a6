// Validation outcomes in the risk model (live is critical, revoked is resolved, unknown and
// error change nothing but are shown) and in the reports that list exposures (risk, summary, diff).
#include <catch2/catch.hpp>

#include <sstream>

#include "reports/diff.hpp"
#include "reports/finding_render.hpp"
#include "reports/inventory_render.hpp"
#include "reports/report_render.hpp"
#include "reports/risk.hpp"
#include "support.hpp"
#include "validation_outcome.hpp"

using namespace nhi;
using nlohmann::json;
using test::outcome;

namespace {

db::IdentityRow exposed_identity(std::vector<db::Validation> checks, const std::string& status = "active") {
    db::IdentityRow r;
    r.id = 1;
    r.key = "github:user/octo-bot";
    r.provider = "github";
    r.kind = "user";
    r.actor = "service";
    r.name = "octo-bot";
    r.owner = db::OwnerInfo{"team-ci", "explicit", ""};
    r.data = json::object();
    db::CredentialRow c;
    c.id = 10;
    c.key = "validation:nhi.github.pat:abc";
    c.kind = "pat";
    c.status = status;
    c.expires = "2027-06-01T00:00:00Z";
    c.data = {{"created", "2026-11-01T00:00:00Z"}, {"known_from", "validation"}, {"rule", "nhi.github.pat"},
              {"redacted", "ghp_…0001"}};
    for (size_t i = 0; i < checks.size(); ++i) c.findings.push_back(int64_t(100 + i));
    c.validations = std::move(checks);
    c.exposed_at = {"ci/deploy.env"};
    r.credentials.push_back(c);
    return r;
}

const reports::Factor* factor(const reports::Assessment& a, const std::string& id) {
    for (const auto& f : a.factors)
        if (f.id == id) return &f;
    return nullptr;
}

const std::string kNow = "2026-12-02T00:00:00Z";

}  // namespace

TEST_CASE("a live exposed credential is critical and says so, whatever the export's status", "[reports][risk][validation]") {
    for (const char* status : {"active", "inactive"}) {
        INFO(status);
        auto r = exposed_identity({outcome("live", "2026-12-01T10:00:00Z", 200), db::Validation{}}, status);
        auto a = reports::assess(r, {}, kNow);
        CHECK(a.tier == reports::Tier::Critical);
        const auto* f = factor(a, "exposed-live");
        REQUIRE(f);
        CHECK(f->owasp == "NHI2");
        CHECK(f->reason.find("a leaked credential is live (checked 2026-12-01T10:00:00Z)") != std::string::npos);
        CHECK(f->reason.find("ci/deploy.env") != std::string::npos);
        CHECK(f->reason.find("secret ghp_…0001 (nhi.github.pat, known from validation) found") != std::string::npos);
        CHECK_FALSE(factor(a, "exposed"));  // one exposure, counted once
    }
}

TEST_CASE("a revoked exposure is listed as resolved with the time of the check and not counted",
          "[reports][risk][validation]") {
    auto unchecked = reports::assess(exposed_identity({db::Validation{}}), {}, kNow);
    REQUIRE(factor(unchecked, "exposed"));
    CHECK(unchecked.tier == reports::Tier::Critical);  // the exposed floor

    auto r = exposed_identity({outcome("revoked", "2026-12-01T11:00:00Z", 401), db::Validation{}});
    auto a = reports::assess(r, {}, kNow);
    CHECK_FALSE(factor(a, "exposed"));
    const auto* f = factor(a, "exposure-resolved");
    REQUIRE(f);
    CHECK(f->weight == 0);
    CHECK(f->floor == reports::Tier::Low);
    CHECK(f->reason.find("resolved, the provider says revoked (checked 2026-12-01T11:00:00Z)") != std::string::npos);
    CHECK(a.tier < reports::Tier::Critical);
    CHECK(a.score < unchecked.score);

    // The latest decisive answer wins: live after revoked is live again.
    auto again = exposed_identity({outcome("revoked", "2026-12-01T11:00:00Z", 401), outcome("live", "2026-12-01T12:00:00Z", 200)});
    CHECK(factor(reports::assess(again, {}, kNow), "exposed-live"));
}

TEST_CASE("unknown and error outcomes change nothing but are shown", "[reports][risk][validation]") {
    auto base = reports::assess(exposed_identity({db::Validation{}}), {}, kNow);
    for (const char* status : {"unknown", "error"}) {
        INFO(status);
        auto a = reports::assess(exposed_identity({outcome(status, "2026-12-01T10:00:00Z", 0)}), {}, kNow);
        const auto* f = factor(a, "exposed");
        REQUIRE(f);
        CHECK(a.tier == base.tier);
        CHECK(a.score == base.score);
        CHECK(f->reason.find(std::string("; validation ") + status + " (timeout), checked 2026-12-01T10:00:00Z") !=
              std::string::npos);
    }
}

TEST_CASE("report risk json lists each exposure with its validation; the summary counts live ones",
          "[reports][validation]") {
    std::vector<db::IdentityRow> rows = {exposed_identity({outcome("live", "2026-12-01T10:00:00Z", 200), db::Validation{}})};
    auto items = reports::assess_all(rows, {}, kNow);
    reports::ReportOptions o;
    o.format = "json";
    o.now = kNow;
    std::ostringstream out;
    reports::report_risk(items, o, out, {});
    const auto doc = json::parse(out.str());
    const auto& ex = doc["rows"][0]["exposures"];
    REQUIRE(ex.size() == 2);
    CHECK(ex[0]["finding"] == 100);
    CHECK(ex[0]["validation"]["status"] == "live");
    CHECK(ex[1]["validation"].is_null());
    // The rows match docs/schemas/report.schema.json, whose exposures use the finding schema's
    // validation object; a status outside the four is refused.
    test::TempDir d;
    d.write("risk.json", out.str());
    auto bad = doc;
    bad["rows"][0]["exposures"][0]["validation"]["status"] = "valid";
    d.write("bad.json", bad.dump());
    auto check = [&](const char* file) {
        return test::run_shell("python3 '" NHI_SOURCE_DIR "/tests/tools/validate_json.py' '" NHI_SOURCE_DIR
                               "/docs/schemas/report.schema.json' '" + (d / file).string() + "'", d.path());
    };
    if (auto v = check("risk.json"); v.code != 3) {
        INFO(v.err);
        CHECK(v.code == 0);
        CHECK(check("bad.json").code == 1);
    }

    std::ostringstream sum;
    reports::report_summary(items, o, sum, {});
    const auto s = json::parse(sum.str());
    CHECK(s["exposed_identities"] == 1);
    CHECK(s["live_exposed_identities"] == 1);
    o.format = "text";
    std::ostringstream text;
    reports::report_risk(items, o, text, {});
    CHECK(text.str().find("a leaked credential is live (checked 2026-12-01T10:00:00Z)") != std::string::npos);
}

TEST_CASE("report diff shows a newly exposed secret's validation", "[reports][validation]") {
    auto after = exposed_identity({outcome("live", "2026-12-01T10:00:00Z", 200, {{"login", "octo-bot"}})});
    std::map<int64_t, int64_t> first_run = {{100, 5}};
    auto d = reports::diff_inventories({}, {after}, first_run, {}, 3, "2026-11-01T00:00:00Z", 0, kNow);
    REQUIRE(d.newly_exposed.size() == 1);
    CHECK(d.newly_exposed[0].detail.find("finding #100, live (checked 2026-12-01T10:00:00Z, HTTP 200, login octo-bot)") !=
          std::string::npos);
    std::ostringstream j;
    reports::render_diff(d, "json", j);
    CHECK(json::parse(j.str())["newly_exposed"][0]["validation"]["status"] == "live");
    std::ostringstream t;
    reports::render_diff(d, "text", t);
    CHECK(t.str().find("live (checked 2026-12-01T10:00:00Z") != std::string::npos);
}

TEST_CASE("inventory json and show give each linked finding's validation", "[reports][validation]") {
    auto r = exposed_identity({outcome("live", "2026-12-01T10:00:00Z", 200), db::Validation{}});
    const auto j = reports::to_json(r, kNow);
    const auto& c = j["credentials"][0];
    CHECK(c["findings"] == json::array({100, 101}));
    CHECK(c["validations"] == json{{"100", {{"status", "live"}, {"checked_at", "2026-12-01T10:00:00Z"}}}});
    CHECK_FALSE(reports::to_json(exposed_identity({db::Validation{}}), kNow)["credentials"][0].contains("validations"));
    std::ostringstream show;
    reports::render_identity(r, {}, {}, "text", kNow, show);
    CHECK(show.str().find("exposed by scan findings: #100 (live, checked 2026-12-01T10:00:00Z) #101\n") != std::string::npos);
}
