// `nhi report` on the sample exports: every planted risk case gets its factor, OWASP id and
// tier; every identity without an owner is in the owners report; the pipeline gate works.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "db/database.hpp"
#include "db/inventory.hpp"
#include "support.hpp"

using namespace nhi::test;

namespace {

const fs::path kExports = fs::path(NHI_FIXTURES) / "exports";
constexpr const char* kNow = " --now 2025-06-16T09:00:00Z";

std::map<std::string, nlohmann::json> risk_by_key(const fs::path& cwd) {
    auto r = run_nhi(std::string("report risk --format json") + kNow, cwd);
    REQUIRE(r.code == 0);
    std::map<std::string, nlohmann::json> out;
    const auto doc = nlohmann::json::parse(r.out);  // kept: a range-for over a temporary's member dangles
    for (const auto& x : doc["rows"]) out[x["key"].get<std::string>()] = x;
    return out;
}

bool has_factor(const nlohmann::json& x, const std::string& id, const std::string& owasp) {
    for (const auto& f : x["factors"])
        if (f["id"] == id && f["owasp"] == owasp && !f["reason"].get<std::string>().empty()) return true;
    return false;
}

// An `aws iam list-access-keys` export of one active key for `user`.
void write_access_keys(const TempDir& dir, const std::string& user, const std::string& key_id) {
    dir.write("list-access-keys." + user + ".json",
              R"({"AccessKeyMetadata": [{"UserName": ")" + user + R"(", "AccessKeyId": ")" + key_id +
                  R"(", "Status": "Active", "CreateDate": "2025-05-01T10:00:00Z"}]})");
}

}  // namespace

TEST_CASE("report risk: planted cases get their factor, OWASP id and tier", "[e2e][report]") {
    TempDir dir;
    REQUIRE(import_samples(dir.path()));
    auto risk = risk_by_key(dir.path());
    struct Case {
        const char *key, *factor, *owasp, *tier;
    };
    for (const Case& c : {Case{"aws:user/ops-legacy-admin", "privileged", "NHI5", "critical"},
                          Case{"aws:user/ops-legacy-admin", "service-console-password", "NHI10", "critical"},
                          Case{"aws:user/ops-legacy-admin", "unused", "NHI1", "critical"},
                          Case{"aws:user/github-actions-legacy", "static-key-federation-available", "NHI4", "medium"},
                          Case{"k8s:sa/kube-system/legacy-dashboard", "privileged", "NHI5", "critical"},
                          Case{"k8s:sa/kube-system/legacy-dashboard", "cluster-admin-sa", "NHI5", "critical"},
                          Case{"github:deploy-key/31200457", "never-expires", "NHI7", "critical"},
                          Case{"github:deploy-key/31200457", "deploy-key-write-unused", "NHI1", "critical"},
                          Case{"gcp:sa/ci-deployer@acme-prod-4821.iam.gserviceaccount.com", "key-file-exposed", "NHI2", "critical"},
                          Case{"gcp:sa/ci-deployer@acme-prod-4821.iam.gserviceaccount.com", "static-key-federation-available",
                               "NHI4", "critical"},
                          Case{"gcp:sa/etl-legacy@acme-prod-4821.iam.gserviceaccount.com", "rotation-overdue", "NHI7", "medium"},
                          Case{"github:installation/36001122", "privileged", "NHI5", "medium"},  // administration: write
                          Case{"github:installation/36001122", "third-party-app", "NHI3", "medium"},
                          Case{"github:deploy-key/101733902", "privileged", "NHI5", "medium"},   // write access
                          Case{"github:user/metrics-svc-acme", "pat-no-expiry", "NHI7", "medium"},  // PAT without expiry
                          Case{"azure:app/31f20c02-6507-446e-8c29-8fb011fea8f4", "never-expires", "NHI7", "medium"},  // 2299
                          Case{"aws:user/legacy-backup", "unused", "NHI1", "medium"},
                          Case{"k8s:sa/ci/deployer", "never-expires", "NHI7", "medium"}}) {  // legacy token secret
        INFO(c.key << " " << c.factor);
        REQUIRE(risk.count(c.key));
        CHECK(has_factor(risk[c.key], c.factor, c.owasp));
        CHECK(risk[c.key]["tier"] == c.tier);
    }
    // Agents holding literal secrets (NHI3) and never-expiring GCP keys (NHI7).
    size_t agents = 0;
    for (const auto& [k, x] : risk)
        if (x["actor"] == "agent" && has_factor(x, "agent-holds-secret", "NHI3")) ++agents;
    CHECK(agents == 10);  // literal secrets across the six client configs
    CHECK(has_factor(risk["gcp:sa/ci-deployer@acme-prod-4821.iam.gserviceaccount.com"], "never-expires", "NHI7"));
    // Every identity with a tier has its reasons, and low ones may have none.
    for (const auto& [k, x] : risk)
        if (x["tier"] != "low") CHECK_FALSE(x["factors"].empty());
}

TEST_CASE("report owners lists every identity without an owner", "[e2e][report]") {
    TempDir dir;
    REQUIRE(import_samples(dir.path()));
    auto list = run_nhi(std::string("inventory list --no-owner --format json") + kNow, dir.path());
    REQUIRE(list.code == 0);
    std::set<int64_t> unowned;
    for (const auto& r : nlohmann::json::parse(list.out)) unowned.insert(r["id"].get<int64_t>());
    REQUIRE(unowned.size() > 10);
    auto owners = run_nhi(std::string("report owners --format json") + kNow, dir.path());
    REQUIRE(owners.code == 0);
    std::set<int64_t> reported;
    const auto report = nlohmann::json::parse(owners.out);
    for (const auto& [src, items] : report["by_source"].items())
        for (const auto& x : items) reported.insert(x["id"].get<int64_t>());
    // A binding to a deleted account has no owner to find: it is listed as a finding of its own
    // (the GCP policy's deleted member, and the k8s ClusterRoleBinding to ops/old-operator).
    for (const auto& x : report["dangling_bindings"]) reported.insert(x["id"].get<int64_t>());
    CHECK(report["dangling_bindings"].size() == 2);
    for (auto id : unowned) CHECK(reported.count(id));
    auto text = run_nhi(std::string("report owners") + kNow, dir.path());
    CHECK(text.out.find("no owner") != std::string::npos);
}

TEST_CASE("report expiry, summary, formats and the --fail-on gate", "[e2e][report]") {
    TempDir dir;
    REQUIRE(import_samples(dir.path()));
    auto expiry = run_nhi(std::string("report expiry --format json") + kNow, dir.path());
    REQUIRE(expiry.code == 0);
    auto e = nlohmann::json::parse(expiry.out);
    std::set<std::string> expiring;
    for (const auto& x : e["expiring"]) expiring.insert(x["name"].get<std::string>());
    CHECK(expiring.count("acme-reporting-connector"));
    CHECK_FALSE(e["never_expires"].empty());
    CHECK_FALSE(e["rotation_overdue"].empty());
    // One line per overdue credential: as many as the risk report's rotation-overdue reasons.
    size_t overdue = 0;
    for (const auto& [key, x] : risk_by_key(dir.path()))
        for (const auto& f : x["factors"])
            if (f["id"] == "rotation-overdue") overdue += f["count"].get<size_t>();
    CHECK(e["rotation_overdue"].size() == overdue);

    auto summary = run_nhi(std::string("report summary --format json") + kNow, dir.path());
    REQUIRE(summary.code == 0);
    auto s = nlohmann::json::parse(summary.out);
    size_t tiers = 0;
    for (const auto& [t, n] : s["tiers"].items()) tiers += n.get<size_t>();
    CHECK(tiers == s["identities"].get<size_t>());
    CHECK(s["top_risks"].size() == 10);
    // CSV: one measure per row; the tier rows add up to the total.
    auto csv = run_nhi(std::string("report summary --format csv") + kNow, dir.path());
    REQUIRE(csv.code == 0);
    std::istringstream lines(csv.out);
    std::string line;
    size_t csv_tiers = 0, csv_total = 0;
    while (std::getline(lines, line)) {
        if (line.rfind("tier,", 0) == 0) csv_tiers += std::stoul(line.substr(line.rfind(',') + 1));
        if (line.rfind("total,identities,", 0) == 0) csv_total = std::stoul(line.substr(17));
    }
    CHECK(csv_total == s["identities"].get<size_t>());
    CHECK(csv_tiers == csv_total);

    for (const char* f : {"text", "csv", "markdown"}) {
        auto r = run_nhi(std::string("report risk --min-tier high --format ") + f + kNow, dir.path());
        CHECK(r.code == 0);
        CHECK(r.out.find("ops-legacy-admin") != std::string::npos);
    }
    CHECK(run_nhi(std::string("report risk --fail-on critical") + kNow, dir.path()).code == 1);
    CHECK(run_nhi(std::string("report risk --fail-on none") + kNow, dir.path()).code == 0);
    CHECK(run_nhi(std::string("report risk --fail-on bogus") + kNow, dir.path()).code == 2);
}

TEST_CASE("an accepted risk lowers the tier only with a reason and an unexpired expiry", "[e2e][report]") {
    TempDir dir;
    REQUIRE(import_samples(dir.path()));
    REQUIRE(run_nhi("inventory annotate ops-legacy-admin --kind accepted-risk --reason 'break-glass, in vault' "
                    "--expires 2025-01-01",
                    dir.path()).code == 0);  // already lapsed at --now
    CHECK(risk_by_key(dir.path())["aws:user/ops-legacy-admin"]["tier"] == "critical");
    REQUIRE(run_nhi("inventory annotate ops-legacy-admin --kind accepted-risk --reason 'break-glass, in vault' "
                    "--expires 2025-12-31",
                    dir.path()).code == 0);
    auto x = risk_by_key(dir.path())["aws:user/ops-legacy-admin"];
    CHECK(x["tier"] == "high");
    CHECK(x["accepted_risk"].get<std::string>().find("break-glass") != std::string::npos);
}

TEST_CASE("a leaked key that links to an imported identity makes it critical (NHI2)", "[e2e][report]") {
    TempDir dir;
    const std::string key_id = "AKIAQ3EGUKZT7MWJ5NRB";  // generated; never issued
    write_access_keys(dir, "deploy-bot", key_id);
    fs::create_directories(dir.path() / "src");
    std::ofstream(dir.path() / "src" / "deploy.sh") << "export AWS_ACCESS_KEY_ID=" << key_id << "\n";
    REQUIRE(run_nhi("inventory import list-access-keys.deploy-bot.json", dir.path()).code == 0);
    REQUIRE(run_nhi("scan src", dir.path()).code == 1);
    auto x = risk_by_key(dir.path())["aws:user/deploy-bot"];
    CHECK(x["tier"] == "critical");
    CHECK(has_factor(x, "exposed", "NHI2"));
}

TEST_CASE("report diff across two imports that differ in known ways", "[e2e][report][diff]") {
    TempDir dir;
    const fs::path list = dir.path() / "cluster.json";
    auto k8s = nlohmann::json::parse(read_file(kExports / "k8s" / "list.json"));
    std::ofstream(list) << k8s.dump();
    REQUIRE(run_nhi("inventory import cluster.json", dir.path()).code == 0);  // run 1
    const std::string key_id = "AKIAQ3EGUKZT2RBW6YHC";  // generated; never issued
    write_access_keys(dir, "deploy-bot", key_id);
    REQUIRE(run_nhi("inventory import list-access-keys.deploy-bot.json", dir.path()).code == 0);
    // Before any review is recorded there is nothing to compare with, and the error says so.
    auto none = run_nhi("report diff", dir.path());
    CHECK(none.code == 2);
    CHECK(none.err.find("--record") != std::string::npos);
    REQUIRE(run_nhi(std::string("report summary --record") + kNow, dir.path()).code == 0);  // run 3 (the deploy bot import was run 2)

    // The next quarter's export: one SA deleted, one added without an owner, one owner
    // annotation and team label dropped, and ci/deployer bound to cluster-admin.
    nlohmann::json items = nlohmann::json::array();
    for (auto& it : k8s["items"]) {
        const auto& md = it["metadata"];
        if (it["kind"] == "ServiceAccount" && md["namespace"] == "default" && md["name"] == "default") continue;
        if (it["kind"] == "ServiceAccount" && md["name"] == "payments-api") {
            it["metadata"]["annotations"].erase("owner");
            it["metadata"].erase("labels");  // its team label would still name an owner
        }
        items.push_back(it);
    }
    items.push_back({{"apiVersion", "v1"}, {"kind", "ServiceAccount"},
                     {"metadata", {{"name", "etl-runner"}, {"namespace", "data"}, {"uid", "0d9c8a57-3e1f-4b62-9a7e-5c4d3b2a1f00"},
                                   {"creationTimestamp", "2025-06-01T08:00:00Z"}}}});
    items.push_back({{"apiVersion", "rbac.authorization.k8s.io/v1"}, {"kind", "ClusterRoleBinding"},
                     {"metadata", {{"name", "deployer-cluster-admin"}}},
                     {"roleRef", {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "ClusterRole"}, {"name", "cluster-admin"}}},
                     {"subjects", {{{"kind", "ServiceAccount"}, {"name", "deployer"}, {"namespace", "ci"}}}}});
    k8s["items"] = items;
    std::ofstream(list) << k8s.dump();
    REQUIRE(run_nhi("inventory import cluster.json", dir.path()).code == 0);
    // And the deploy bot's key turns up in a script.
    dir.write("src/deploy.sh", "export AWS_ACCESS_KEY_ID=" + key_id + "\n");
    REQUIRE(run_nhi("scan src", dir.path()).code == 1);

    auto r = run_nhi(std::string("report diff --format json") + kNow, dir.path());
    REQUIRE(r.code == 0);
    auto d = nlohmann::json::parse(r.out);
    CHECK(d["from_run"] == 3);
    auto names = [&](const char* section) {
        std::set<std::string> out;
        for (const auto& x : d[section]) out.insert(x["key"].get<std::string>());
        return out;
    };
    CHECK(names("added") == std::set<std::string>{"k8s:sa/data/etl-runner"});
    CHECK(names("removed") == std::set<std::string>{"k8s:sa/default/default"});
    CHECK(names("owners_lost") == std::set<std::string>{"k8s:sa/payments/payments-api"});
    CHECK(names("owners_gained").empty());
    bool deployer_up = false;
    for (const auto& x : d["tier_changes"])
        if (x["key"] == "k8s:sa/ci/deployer") deployer_up = x["after"] == "critical" || x["after"] == "high";
    CHECK(deployer_up);
    CHECK(names("newly_exposed") == std::set<std::string>{"aws:user/deploy-bot"});
    bool bot_critical = false;
    for (const auto& x : d["tier_changes"])
        if (x["key"] == "aws:user/deploy-bot") bot_critical = x["after"] == "critical";
    CHECK(bot_critical);

    // The removed SA is gone from today's inventory but still there as of run 1.
    auto now = run_nhi("inventory list --format json", dir.path());
    auto then = run_nhi("inventory list --format json --run 1", dir.path());
    REQUIRE(now.code == 0);
    REQUIRE(then.code == 0);
    auto has = [](const std::string& out, const std::string& key) {
        for (const auto& x : nlohmann::json::parse(out))
            if (x["key"] == key) return true;
        return false;
    };
    CHECK_FALSE(has(now.out, "k8s:sa/default/default"));
    CHECK(has(then.out, "k8s:sa/default/default"));
    CHECK_FALSE(has(then.out, "k8s:sa/data/etl-runner"));
    // Owners keep their history: payments-api was owned then and is not now.
    auto owner_of = [](const std::string& out, const std::string& key) {
        for (const auto& x : nlohmann::json::parse(out))
            if (x["key"] == key) return x["owner"].is_null() ? std::string() : x["owner"].get<std::string>();
        return std::string("(absent)");
    };
    CHECK(owner_of(then.out, "k8s:sa/payments/payments-api") == "payments-team@acme.test");
    CHECK(owner_of(now.out, "k8s:sa/payments/payments-api").empty());

    // Explicit runs and the other formats.
    auto explicit_runs = run_nhi("report diff --from 1 --to 4 --format json" + std::string(kNow), dir.path());
    REQUIRE(explicit_runs.code == 0);
    CHECK(nlohmann::json::parse(explicit_runs.out)["added"].size() == 2);  // the deploy bot and etl-runner
    auto text = run_nhi(std::string("report diff") + kNow, dir.path());
    CHECK(text.out.find("Removed identities (1)") != std::string::npos);
    auto csv = run_nhi(std::string("report diff --format csv") + kNow, dir.path());
    CHECK(csv.out.find("owners_lost,") != std::string::npos);
    CHECK(run_nhi("report diff --from 99", dir.path()).code == 2);
    CHECK(run_nhi("report summary --record --run 1", dir.path()).code == 2);  // a review is of now
}

TEST_CASE("one credential in production and staging is NHI8", "[e2e][report]") {
    TempDir dir;
    const std::string key_id = "AKIAQ3EGUKZT4HXV2PDL";  // generated; never issued
    write_access_keys(dir, "app-svc", key_id);
    dir.write("config/production/app.env", "AWS_ACCESS_KEY_ID=" + key_id + "\n");
    REQUIRE(run_nhi("inventory import list-access-keys.app-svc.json", dir.path()).code == 0);
    REQUIRE(run_nhi("scan config", dir.path()).code == 1);
    CHECK_FALSE(has_factor(risk_by_key(dir.path())["aws:user/app-svc"], "cross-environment", "NHI8"));
    dir.write("config/staging/app.env", "AWS_ACCESS_KEY_ID=" + key_id + "\n");
    REQUIRE(run_nhi("scan config", dir.path()).code == 1);
    auto x = risk_by_key(dir.path())["aws:user/app-svc"];
    REQUIRE(has_factor(x, "cross-environment", "NHI8"));
    for (const auto& f : x["factors"])
        if (f["id"] == "cross-environment") {
            CHECK(f["reason"].get<std::string>().find("production") != std::string::npos);
            CHECK(f["reason"].get<std::string>().find("staging") != std::string::npos);
        }
}

TEST_CASE("every report format written with -o replaces the file whole, never through a planted symlink",
          "[e2e][report][output]") {
    TempDir dir;
    REQUIRE(import_samples(dir.path()));
    dir.write("victim.txt", "untouched\n");
    for (const char* fmt : {"text", "json", "csv", "markdown", "html"}) {
        for (const char* which : {"risk", "summary", "diff --from 1"}) {
            if (std::string(which).rfind("diff", 0) == 0 && std::string(fmt) == "html") continue;
            INFO(which << " " << fmt);
            const fs::path out = dir / (std::string("out.") + fmt);
            std::error_code ec;
            fs::remove(out, ec);
            fs::create_symlink(dir / "victim.txt", out);
            auto r = run_nhi(std::string("report ") + which + " --format " + fmt + " -o '" + out.string() + "'" + kNow,
                             dir.path());
            REQUIRE(r.code == 0);
            CHECK_FALSE(fs::is_symlink(out));
            CHECK(fs::file_size(out) > 0);
            CHECK(read_file(dir / "victim.txt") == "untouched\n");
        }
    }
}

TEST_CASE("reports on a missing or empty datastore say so and exit 2, printing no figures", "[e2e][report][empty]") {
    TempDir dir;
    for (const char* which : {"risk", "owners", "expiry", "summary", "summary --format html"}) {
        INFO(which);
        auto missing = run_nhi(std::string("report ") + which + " --db '" + (dir / "none.db").string() + "'", dir.path());
        CHECK(missing.code == 2);
        CHECK_THAT(missing.err, Catch::Contains("no datastore here"));
        CHECK(missing.out.empty());
        CHECK_FALSE(fs::exists(dir / "none.db"));  // asking for a report creates nothing
    }
    // A datastore that exists but holds nothing (an import of an empty list).
    dir.write("empty-sa.json", "[]");
    REQUIRE(run_nhi("inventory import --format gcp-service-accounts empty-sa.json", dir.path()).code == 0);
    for (const char* which : {"risk", "owners", "expiry", "summary", "summary --format json", "summary --format html"}) {
        INFO(which);
        auto r = run_nhi(std::string("report ") + which, dir.path());
        CHECK(r.code == 2);
        CHECK_THAT(r.err, Catch::Contains("holds no inventory"));
        CHECK_THAT(r.out, !Catch::Contains("100%") && !Catch::Contains("owner"));
    }
}

TEST_CASE("factor weights and floors are configurable (--weight, --floor); unknown factors are refused", "[e2e][report]") {
    TempDir dir;
    REQUIRE(import_samples(dir.path()));
    auto base = risk_by_key(dir.path());
    // alice.nguyen: AdministratorAccess through a group (floor high), score 40 (medium).
    REQUIRE(base["aws:user/alice.nguyen"]["tier"] == "high");
    auto r = run_nhi(std::string("report risk --format json --floor privileged=none") + kNow, dir.path());
    REQUIRE(r.code == 0);
    const auto medium = nlohmann::json::parse(r.out);
    for (const auto& x : medium["rows"])
        if (x["key"] == "aws:user/alice.nguyen") CHECK(x["tier"] == "medium");
    r = run_nhi(std::string("report risk --format json --floor privileged=none --weight privileged=45") + kNow, dir.path());
    const auto high = nlohmann::json::parse(r.out);
    for (const auto& x : high["rows"])
        if (x["key"] == "aws:user/alice.nguyen") CHECK(x["tier"] == "high");  // by score now: 45 + unused 15
    auto bad = run_nhi(std::string("report risk --weight nonsense=3") + kNow, dir.path());
    CHECK(bad.code == 2);
    CHECK_THAT(bad.err, Catch::Contains("unknown factor 'nonsense'"));
}

TEST_CASE("set-owner is a run: report diff and --run see the owner in time", "[e2e][report]") {
    TempDir dir;
    REQUIRE(run_nhi("inventory import '" + (kExports / "k8s/list.json").string() + "'", dir.path()).code == 0);  // run 1
    REQUIRE(run_nhi(std::string("report summary --record") + kNow, dir.path()).code == 0);                       // run 2
    REQUIRE(run_nhi("inventory set-owner k8s:sa/default/default platform-team", dir.path()).code == 0);          // run 3
    REQUIRE(run_nhi("inventory set-owner k8s:sa/payments/payments-api billing-team", dir.path()).code == 0);     // run 4
    auto r = run_nhi(std::string("report diff --format json") + kNow, dir.path());
    REQUIRE(r.code == 0);
    auto d = nlohmann::json::parse(r.out);
    REQUIRE(d["owners_gained"].size() == 1);
    CHECK(d["owners_gained"][0]["key"] == "k8s:sa/default/default");
    CHECK(d["owners_gained"][0]["after"] == "platform-team");
    REQUIRE(d["owners_changed"].size() == 1);
    CHECK(d["owners_changed"][0]["before"] == "payments-team@acme.test");
    CHECK(d["owners_changed"][0]["after"] == "billing-team");
    // Between the two calls only the first had happened; a second explicit owner ends the first.
    auto mid = nlohmann::json::parse(run_nhi(std::string("report diff --from 2 --to 3 --format json") + kNow, dir.path()).out);
    CHECK(mid["owners_gained"].size() == 1);
    CHECK(mid["owners_changed"].empty());
    REQUIRE(run_nhi("inventory set-owner k8s:sa/default/default sre", dir.path()).code == 0);  // run 5
    auto again = nlohmann::json::parse(run_nhi(std::string("report diff --from 3 --format json") + kNow, dir.path()).out);
    bool moved = false;
    for (const auto& x : again["owners_changed"])
        moved |= x["key"] == "k8s:sa/default/default" && x["before"] == "platform-team" && x["after"] == "sre";
    CHECK(moved);
}

TEST_CASE("annotate is a run: --run, --as-of and report diff see an accepted risk in time", "[e2e][report]") {
    TempDir dir;
    REQUIRE(run_nhi("inventory import '" + (kExports / "k8s/list.json").string() + "'", dir.path()).code == 0);  // run 1
    REQUIRE(run_nhi(std::string("report summary --record") + kNow, dir.path()).code == 0);                       // run 2
    // The identity to accept: the first one above low.
    std::string key;
    for (const auto& [k, x] : risk_by_key(dir.path()))
        if (key.empty() && x["tier"] != "low") key = k;
    REQUIRE(!key.empty());
    const std::string before_tier = risk_by_key(dir.path())[key]["tier"];
    REQUIRE(run_nhi("inventory annotate " + key + " --kind accepted-risk --reason 'isolated namespace' --expires 2099-01-01",
                    dir.path()).code == 0);  // run 3
    {
        // The runs happened within a second; spread them over months so --as-of can tell them apart.
        auto database = nhi::db::Database::open((dir.path() / ".nhi/nhi.db").string());
        REQUIRE(database.ok());
        REQUIRE(database.value()->exec("UPDATE run SET started_at = CASE id WHEN 1 THEN '2025-01-10T00:00:00Z' "
                                       "WHEN 2 THEN '2025-02-10T00:00:00Z' ELSE '2025-03-10T00:00:00Z' END"));
        auto kinds = nhi::db::Inventory(*database.value()).runs("annotate");
        REQUIRE(kinds.ok());
        CHECK(kinds->size() == 1);
    }
    auto now = risk_by_key(dir.path());
    CHECK(now[key]["accepted_risk"].is_string());
    CHECK(now[key]["tier"] != before_tier);  // lowered one step
    auto tier_at = [&](const std::string& when) {
        auto r = run_nhi("report risk --format json " + when, dir.path());
        REQUIRE(r.code == 0);
        const auto doc = nlohmann::json::parse(r.out);
        for (const auto& x : doc["rows"])
            if (x["key"] == key) return std::make_pair(x["tier"].get<std::string>(), x["accepted_risk"].is_null());
        FAIL("no row for " << key);
        return std::make_pair(std::string(), false);
    };
    CHECK(tier_at("--run 2" + std::string(kNow)) == std::make_pair(before_tier, true));
    CHECK(tier_at("--as-of 2025-02-20T00:00:00Z --now 2025-06-16T09:00:00Z") == std::make_pair(before_tier, true));
    CHECK(tier_at("--as-of 2025-03-20T00:00:00Z --now 2025-06-16T09:00:00Z").second == false);
    // The review before the annotation, compared with now: the tier change is there.
    auto d = nlohmann::json::parse(run_nhi(std::string("report diff --format json") + kNow, dir.path()).out);
    bool changed = false;
    for (const auto& x : d["tier_changes"]) changed |= x["key"] == key;
    CHECK(changed);
    // inventory show as of before the annotation has none.
    auto shown = run_nhi("inventory show " + key + " --format json --as-of 2025-02-20T00:00:00Z", dir.path());
    REQUIRE(shown.code == 0);
    CHECK(nlohmann::json::parse(shown.out)["annotations"].empty());
    // Before anything was recorded, and with --run too: usage errors, not empty reports.
    auto early = run_nhi("report risk --as-of 2024-12-01T00:00:00Z", dir.path());
    CHECK(early.code == 2);
    CHECK_THAT(early.err, Catch::Contains("no inventory as of 2024-12-01T00:00:00Z"));
    auto both = run_nhi("report risk --as-of 2025-02-20T00:00:00Z --run 1", dir.path());
    CHECK(both.code == 2);
    CHECK_THAT(both.err, Catch::Contains("give one"));
}
