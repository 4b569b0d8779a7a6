// The planted risk cases of bench/risk_cases.py (committed in tests/fixtures/risk): every
// provider's exports imported with the real binary, then `nhi report risk --format json`;
// each planted case must carry its factor with its OWASP id and land at the tier the public
// sources give (README risk table), and each benign control must stay clear of the factors
// it lists.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "support.hpp"

using namespace nhi::test;

namespace {

const fs::path kCases = fs::path(NHI_FIXTURES) / "risk";

struct Imported {
    TempDir dir;
    nlohmann::json expected, rows;
};

// Imports every file of the case set, one import each (an import that stops at one file
// must not hide the others' cases), and reads the risk report.
const Imported& imported() {
    static Imported* once = [] {
        auto* im = new Imported;
        im->expected = nlohmann::json::parse(read_file(kCases / "expected.json"));
        for (const auto& f : im->expected["files"]) {
            auto r = run_nhi("inventory import '" + (kCases / f.get<std::string>()).string() + "'", im->dir.path());
            INFO(f.get<std::string>() << ": " << r.err);
            REQUIRE(r.code == 0);
        }
        auto r = run_nhi("report risk --format json --now " + im->expected["now"].get<std::string>(), im->dir.path());
        INFO(r.err);
        REQUIRE(r.code == 0);
        im->rows = nlohmann::json::parse(r.out)["rows"];
        return im;
    }();
    return *once;
}

std::vector<const nlohmann::json*> matching(const nlohmann::json& rows, const nlohmann::json& c) {
    std::vector<const nlohmann::json*> out;
    const std::string type = c.value("type", "identity");
    for (const auto& x : rows) {
        if (x.value("type", "") != type || x.value("provider", "") != c["provider"]) continue;
        if (type == "identity" ? x.value("name", "") == c["name"]
                               : x.value("member", "").find(c["name"].get<std::string>()) != std::string::npos)
            out.push_back(&x);
    }
    return out;
}

const nlohmann::json* factor(const nlohmann::json& row, const std::string& id) {
    for (const auto& f : row["factors"])
        if (f["id"] == id) return &f;
    return nullptr;
}

}  // namespace

TEST_CASE("every planted risk case lands at the tier its source gives", "[e2e][risk-cases]") {
    const auto& im = imported();
    size_t planted = 0, pending = 0;
    for (const auto& c : im.expected["cases"]) {
        if (c["factor"].is_null()) continue;
        ++planted;
        const std::string name = c["case"];
        auto found = matching(im.rows, c);
        if (c.contains("needs") && (found.empty() || !factor(*found.front(), c["factor"]))) {
            // Data no importer keeps yet: reported, not failed (see the case's "needs").
            WARN(name << " pending: " << c["needs"].get<std::string>());
            ++pending;
            continue;
        }
        INFO(name);
        REQUIRE(found.size() == 1);
        const auto& row = *found.front();
        INFO(row.dump(1));
        const auto* f = factor(row, c["factor"]);
        REQUIRE(f);
        CHECK((*f)["owasp"] == c["owasp"]);
        CHECK(row["tier"] == c["tier"]);
        // The reason is for a person: never empty, and the floor names its public source.
        CHECK_FALSE((*f)["reason"].get<std::string>().empty());
        CHECK_FALSE((*f)["source"].get<std::string>().empty());
        if (c.contains("count")) CHECK((*f)["count"] == c["count"]);
        if (c.contains("raised")) {
            bool said = false;
            for (const auto& why : row["raised_by"]) said |= why.get<std::string>().find(c["raised"].get<std::string>()) != std::string::npos;
            CHECK(said);
        }
        CHECK(row["how"].get<std::string>().find("tier " + c["tier"].get<std::string>()) != std::string::npos);
    }
    CHECK(planted >= 60);
    CHECK(pending == 0);  // every importer keeps what its cases need
}

TEST_CASE("benign controls carry none of the factors they are planted against", "[e2e][risk-cases]") {
    const auto& im = imported();
    size_t controls = 0;
    for (const auto& c : im.expected["cases"]) {
        if (!c["factor"].is_null()) continue;
        ++controls;
        INFO(c["case"].get<std::string>());
        auto found = matching(im.rows, c);
        REQUIRE(found.size() == 1);
        INFO(found.front()->dump(1));
        for (const auto& id : c["absent"]) CHECK_FALSE(factor(*found.front(), id));
        CHECK((*found.front())["tier"] == c["tier"]);
    }
    CHECK(controls >= 10);
}

TEST_CASE("reasons name the credential and the evidence", "[e2e][risk-cases]") {
    const auto& im = imported();
    auto reason_of = [&](const std::string& provider, const std::string& name, const std::string& id) {
        nlohmann::json c = {{"provider", provider}, {"name", name}};
        auto found = matching(im.rows, c);
        REQUIRE(found.size() == 1);
        const auto* f = factor(*found.front(), id);
        REQUIRE(f);
        return (*f)["reasons"].dump();
    };
    CHECK_THAT(reason_of("github", "mona-ci", "pat-no-expiry"), Catch::Contains("release-automation") && Catch::Contains("9001"));
    CHECK_THAT(reason_of("github", "acme/web-app: release-bot", "deploy-key-write-unused"),
               Catch::Contains("release-bot") && Catch::Contains("7001"));
    CHECK_THAT(reason_of("aws", "svc-terraform", "privileged"), Catch::Contains("arn:aws:iam::aws:policy/AdministratorAccess"));
    CHECK_THAT(reason_of("aws", "svc-reporting", "rotation-overdue"), Catch::Contains("AKIA"));
    CHECK_THAT(reason_of("kubernetes", "tooling/janitor", "cluster-admin-sa"), Catch::Contains("ClusterRoleBinding janitor-admin"));
    CHECK_THAT(reason_of("gcp", "etl-runner@acme-prod-4821.iam.gserviceaccount.com", "key-file-exposed"),
               Catch::Contains("etl-runner-key.json"));
    CHECK_THAT(reason_of("azure", "invoice-sync", "expired-present"), Catch::Contains("invoice-sync-2024"));
}

TEST_CASE("dangling bindings are findings of their own in report risk and report owners", "[e2e][risk-cases]") {
    const auto& im = imported();
    for (const auto& x : im.rows)
        if (x.value("type", "") == "identity") {
            CHECK(x["name"].get<std::string>().find("old-exporter@") == std::string::npos);
            CHECK(x["name"] != "ops/old-operator");
        }
    auto r = run_nhi("report owners --format json", im.dir.path());
    REQUIRE(r.code == 0);
    auto j = nlohmann::json::parse(r.out);
    REQUIRE(j["dangling_bindings"].size() == 3);
    CHECK_THAT(j["dangling_bindings"].dump(), Catch::Contains("deleted:serviceAccount:old-exporter@") &&
                                                  Catch::Contains("missing ServiceAccount ops/old-operator") &&
                                                  Catch::Contains("kubectl edit rolebinding old-operator -n ops"));
    CHECK_THAT(j.dump(), !Catch::Contains("\"name\":\"old-exporter@") && !Catch::Contains("\"name\":\"ops/old-operator\""));
    auto text = run_nhi("report owners", im.dir.path());
    CHECK_THAT(text.out, Catch::Contains("dangling bindings (3)"));
    auto summary = run_nhi("report summary --format json", im.dir.path());
    REQUIRE(summary.code == 0);
    CHECK(nlohmann::json::parse(summary.out)["dangling_bindings"] == 3);
    auto risk = run_nhi("report risk", im.dir.path());
    CHECK_THAT(risk.out, Catch::Contains("dangling binding deleted:serviceAccount:old-admin@") &&
                             Catch::Contains("dangling binding missing ServiceAccount ops/old-operator") &&
                             Catch::Contains("3 dangling bindings"));
}
