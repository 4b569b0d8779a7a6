// Import in any order: the same export files imported in every order give the same inventory
// (the canonical dump of `nhi inventory list --format json`, without run ids and row ids).
// A credential whose identity's own export has not been imported creates that identity,
// marked `known_only_from`, and the identity's export later merges into it.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <sstream>

#include "db/database.hpp"
#include "db/inventory.hpp"
#include "reports/inventory_render.hpp"
#include "scanners/importers/importers.hpp"
#include "support.hpp"

using namespace nhi;
using nhi::test::TempDir;
namespace fs = std::filesystem;

namespace {

const fs::path kExports = fs::path(NHI_FIXTURES) / "exports";
const std::string kNow = "2025-06-16T09:00:00Z";

// The inventory as `list --format json` shows it, with what depends on the order of imports
// by construction taken out: row ids (replaced by keys), run ids, and the order of rows.
nlohmann::json canonical(const std::string& list_json) {
    auto rows = nlohmann::json::parse(list_json);
    std::map<int64_t, std::string> identity_key, credential_key;
    for (const auto& r : rows) {
        identity_key[r["id"].get<int64_t>()] = r["key"].get<std::string>();
        for (const auto& c : r["credentials"]) credential_key[c["id"].get<int64_t>()] = c["key"].get<std::string>();
    }
    nlohmann::json out = nlohmann::json::object();
    for (auto r : rows) {
        r.erase("id");
        r.erase("first_run");
        r.erase("changed_run");
        nlohmann::json related = nlohmann::json::array();
        for (const auto& x : r["related"]) related.push_back({identity_key[x["id"].get<int64_t>()], x["relation"]});
        std::sort(related.begin(), related.end());
        r["related"] = related;
        nlohmann::json creds = nlohmann::json::object();
        for (auto c : r["credentials"]) {
            nlohmann::json reused = nlohmann::json::array();
            for (const auto& id : c["reused_by"]) reused.push_back(credential_key[id.get<int64_t>()]);
            std::sort(reused.begin(), reused.end());
            c["reused_by"] = reused;
            c.erase("id");
            creds[c["key"].get<std::string>()] = c;
        }
        r["credentials"] = creds;
        out[r["key"].get<std::string>()] = r;
    }
    return out;
}

// Imports `files` in this order into a new datastore, in process (the code `nhi inventory
// import` runs, a transaction per file), and returns the canonical dump.
nlohmann::json import_in_order(const std::vector<fs::path>& files) {
    TempDir dir;
    auto database = db::Database::open((dir / "nhi.db").string());
    REQUIRE(database.ok());
    for (const auto& f : files) {
        auto session = db::ImportSession::begin(*database.value(), f.string(), [](const std::string&) {});
        REQUIRE(session.ok());
        auto format = scanners::importers::import_file(f.string(), f.string(), "", **session);
        INFO(f.string() << ": " << (format.ok() ? "" : format.error().why));
        REQUIRE(format.ok());
        REQUIRE((*session)->finish(*format).ok());
    }
    db::Inventory inv(*database.value());
    auto rows = inv.load(0, db::Inventory::Detail::Text);
    REQUIRE(rows.ok());
    std::vector<const db::IdentityRow*> all;
    for (const auto& r : *rows) all.push_back(&r);
    std::ostringstream out;
    reports::render_inventory(all, "json", kNow, out);
    return canonical(out.str());
}

// Every order of `files` gives the first order's inventory; returns that inventory.
nlohmann::json same_in_every_order(std::vector<fs::path> files) {
    std::sort(files.begin(), files.end());
    const auto first = import_in_order(files);
    size_t orders = 1;
    while (std::next_permutation(files.begin(), files.end())) {
        ++orders;
        auto now = import_in_order(files);
        const bool same = now == first;
        if (!same) {
            std::string order;
            for (const auto& f : files) order += " " + f.filename().string();
            // The difference alone: the dumps are long.
            INFO("order:" << order << "\ndiff from the sorted order: " << nlohmann::json::diff(first, now).dump());
            CHECK(same);
            break;
        }
    }
    CHECK(orders > 1);
    return first;
}

}  // namespace

TEST_CASE("GCP exports imported in every order give the same inventory", "[e2e][inventory][order]") {
    // Before: keys before their service-account list left the SA marked as known from the keys
    // alone, or (older) failed the file; a key file's facts depended on which came last.
    auto inv = same_in_every_order({kExports / "gcp/service-accounts.json",
                                    kExports / "gcp/service-account-keys.ci-deployer.json",
                                    kExports / "gcp/service-account-keys.etl-legacy.json",
                                    kExports / "gcp/service-account-key-file.ci-deployer.json",
                                    kExports / "gcp/iam-policy.json"});
    const auto& ci = inv["gcp:sa/ci-deployer@acme-prod-4821.iam.gserviceaccount.com"];
    CHECK_FALSE(ci["data"].contains("known_only_from"));  // its own export arrived
    CHECK(ci["credentials"].size() == 5);
}

TEST_CASE("AWS exports imported in every order give the same inventory", "[e2e][inventory][order]") {
    auto inv = same_in_every_order({kExports / "aws/credential-report.csv",
                                    kExports / "aws/list-access-keys.ci-deployer.json",
                                    kExports / "aws/list-access-keys.github-actions-legacy.json",
                                    kExports / "aws/authorization-details.json"});
    // The revocation command with the key id filled in, whichever file came last.
    for (const auto& [key, c] : inv["aws:user/ci-deployer"]["credentials"].items())
        CHECK(c["data"]["revocation"].get<std::string>().find("KEY_ID") == std::string::npos);
}

TEST_CASE("a Kubernetes list, its IRSA role and GKE SA imported in every order give the same inventory",
          "[e2e][inventory][order]") {
    same_in_every_order({kExports / "k8s/list.json", kExports / "aws/authorization-details.json",
                         kExports / "gcp/service-accounts.json"});
}

namespace {

// `az ad sp owner list` for two SPs of the samples (neither names an owner in its notes), and
// one entry that is not a list.
const char* kSpOwners = R"({"dc421947-9424-48bf-9646-2f6def2fabc9": [
  {"@odata.type": "#microsoft.graph.user", "id": "4f1c", "displayName": "Ana Ops",
   "userPrincipalName": "ana.ops@acme.test", "mail": "ana.ops@acme.test"}],
 "22b691c0-5f43-426d-8181-53456d0bb9aa": [
  {"@odata.type": "#microsoft.graph.servicePrincipal", "id": "77aa", "displayName": "portal-admin-bot"},
  {"@odata.type": "#microsoft.graph.user", "id": "9b2e", "displayName": "Li Web", "userPrincipalName": "li.web@acme.test"}],
 "0f9286fa-4e07-4acf-bebd-f2cb2a9a8228": "none"})";

}  // namespace

TEST_CASE("a map of SP ids to `az ad sp owner list` output names owners, in any order with the SP list",
          "[e2e][inventory][order]") {
    TempDir dir;
    auto owners = dir.write("sp-owners.json", kSpOwners);
    auto inv = same_in_every_order({owners, kExports / "azure/service-principals.json",
                                    kExports / "azure/applications.json"});
    const auto& ci = inv["azure:sp/dc421947-9424-48bf-9646-2f6def2fabc9"];
    CHECK(ci["name"] == "acme-ci-deployer");  // from the SP list, whichever came first
    CHECK(ci["owner"] == "ana.ops@acme.test");
    CHECK_FALSE(ci["data"].contains("known_only_from"));
    CHECK(inv["azure:sp/22b691c0-5f43-426d-8181-53456d0bb9aa"]["owner"] == "portal-admin-bot");
    CHECK(inv["azure:sp/22b691c0-5f43-426d-8181-53456d0bb9aa"]["data"]["owners"].size() == 2);

    // Detected by its start; the entry that is not a list is a warning naming it.
    auto r = test::run_nhi("inventory import '" + owners.string() + "'", dir.path());
    INFO(r.err);
    CHECK(r.code == 0);
    CHECK(r.err.find("azure-sp-owners, 2 identities") != std::string::npos);
    CHECK(r.err.find("service principal 0f9286fa-4e07-4acf-bebd-f2cb2a9a8228: not an id with a list of owners") !=
          std::string::npos);
}

TEST_CASE("keys imported before their service account create it, marked known only from the keys; the "
          "service-account list merges into it",
          "[e2e][inventory][order]") {
    TempDir dir;
    const auto keys = kExports / "gcp/service-account-keys.ci-deployer.json";
    auto r = test::run_nhi("inventory import '" + keys.string() + "'", dir.path());
    INFO(r.err);
    REQUIRE(r.code == 0);
    auto find = [&](const std::string& key) {
        auto l = test::run_nhi("inventory list --format json", dir.path());
        REQUIRE(l.code == 0);
        for (const auto& row : nlohmann::json::parse(l.out))
            if (row["key"] == key) return row;
        FAIL("no " << key);
        return nlohmann::json();
    };
    const std::string sa = "gcp:sa/ci-deployer@acme-prod-4821.iam.gserviceaccount.com";
    auto before = find(sa);
    CHECK(before["data"]["known_only_from"] == nlohmann::json::array({keys.string()}));
    CHECK(before["credentials"].size() == 5);
    REQUIRE(test::run_nhi("inventory import '" + (kExports / "gcp/service-accounts.json").string() + "'", dir.path())
                .code == 0);
    auto after = find(sa);
    CHECK(after["id"] == before["id"]);
    CHECK_FALSE(after["data"].contains("known_only_from"));
    CHECK(after["data"].contains("display_name"));
    CHECK(after["credentials"].size() == 5);
}

TEST_CASE("a multi-file import goes on past bad files, names each, and exits 2", "[e2e][inventory][order]") {
    TempDir dir;
    auto bad = dir.write("bad.json", "{\"items\": [}");
    auto empty = dir.write("empty.json", "");
    const auto good = kExports / "gcp/service-accounts.json";
    auto r = test::run_nhi("inventory import '" + bad.string() + "' '" + good.string() + "' '" + empty.string() + "'",
                           dir.path());
    CHECK(r.code == 2);
    CHECK(r.err.find("nhi: error: " + bad.string() + ": invalid JSON at line 1") != std::string::npos);
    CHECK(r.err.find("nhi: error: " + empty.string() + ": empty file") != std::string::npos);
    CHECK(r.err.find("2 of 3 files rejected") != std::string::npos);
    auto l = test::run_nhi("inventory list --format json", dir.path());
    REQUIRE(l.code == 0);
    CHECK(nlohmann::json::parse(l.out).size() == 6);
}

TEST_CASE("an identity only named by several exports lists each of them, whatever the order",
          "[e2e][inventory][order]") {
    const std::vector<fs::path> naming = {kExports / "gcp/service-account-keys.ci-deployer.json",
                                          kExports / "gcp/service-account-key-file.ci-deployer.json",
                                          kExports / "gcp/iam-policy.json"};
    auto inv = same_in_every_order(naming);
    const auto& ci = inv["gcp:sa/ci-deployer@acme-prod-4821.iam.gserviceaccount.com"];
    nlohmann::json sorted = nlohmann::json::array();
    for (const auto& f : naming) sorted.push_back(f.string());
    std::sort(sorted.begin(), sorted.end());
    CHECK(ci["data"]["known_only_from"] == sorted);
    CHECK(ci["credentials"].size() == 5);
}
