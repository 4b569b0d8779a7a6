// The risk model on hand-built rows: factors that depend on other identities.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>

#include "reports/diff.hpp"
#include "reports/risk.hpp"

using namespace nhi;

namespace {

db::IdentityRow holder(int64_t id, const std::string& ns, int64_t cred, int64_t other) {
    db::IdentityRow r;
    r.id = id;
    r.key = "k8s:sa/" + ns + "/app";
    r.provider = "kubernetes";
    r.kind = "service-account";
    r.name = ns + "/app";
    r.data = {{"namespace", ns}};
    db::CredentialRow c;
    c.id = cred;
    c.key = "k8s:secret/" + ns + "/app-token";
    c.kind = "secret";
    c.status = "active";
    c.data = nlohmann::json::object();
    c.reused_by = {other};
    r.credentials.push_back(c);
    return r;
}

db::IdentityRow identity(int64_t id, const std::string& provider, const std::string& kind, const std::string& name,
                         const std::string& key) {
    db::IdentityRow r;
    r.id = id;
    r.provider = provider;
    r.kind = kind;
    r.name = name;
    r.key = key;
    return r;
}

bool has(const reports::Assessment& a, const std::string& id) {
    for (const auto& f : a.factors)
        if (f.id == id) return true;
    return false;
}

}  // namespace

TEST_CASE("a secret shared by production and staging identities is NHI8 for both", "[reports][risk]") {
    std::vector<db::IdentityRow> rows = {holder(1, "shop-prod", 10, 20), holder(2, "shop-staging", 20, 10)};
    const auto pop = reports::population(rows);
    for (const auto& r : rows) {
        auto a = reports::assess(r, {}, "2025-06-16T09:00:00Z", &pop);
        CHECK(has(a, "cross-environment"));
        CHECK(has(a, "reused"));
    }
    // Reuse inside one environment is NHI9 only.
    rows[1] = holder(2, "shop-prod-eu", 20, 10);
    const auto same = reports::population(rows);
    auto a = reports::assess(rows[0], {}, "2025-06-16T09:00:00Z", &same);
    CHECK(has(a, "reused"));
    CHECK_FALSE(has(a, "cross-environment"));
}

TEST_CASE("unused: roles are judged on their own use; factors count once toward the score", "[reports][risk]") {
    db::IdentityRow role = identity(1, "aws", "iam-role", "old-batch", "aws:role/old-batch");
    role.data = {{"created", "2023-01-01T00:00:00Z"}, {"last_used", "2024-11-01T00:00:00Z"}};
    role.created = "2023-01-01T00:00:00Z";
    role.last_used = "2024-11-01T00:00:00Z";
    role.owner = db::OwnerInfo{"platform", "export", "tag owner"};
    auto a = reports::assess(role, {}, "2025-06-16T09:00:00Z");
    CHECK(has(a, "unused"));
    role.last_used = role.data["last_used"] = "2025-06-01T00:00:00Z";
    CHECK_FALSE(has(reports::assess(role, {}, "2025-06-16T09:00:00Z"), "unused"));

    // Two overdue keys: listed twice, scored once.
    db::IdentityRow user = holder(2, "shop", 10, 0);
    user.credentials[0].reused_by.clear();
    user.credentials[0].kind = "access-key";
    user.credentials[0].data = {{"created", "2023-01-01T00:00:00Z"}};
    user.credentials.push_back(user.credentials[0]);
    user.credentials[1].id = 11;
    user.credentials[1].key += "-2";
    auto b = reports::assess(user, {}, "2025-06-16T09:00:00Z");
    int overdue = 0, weight = 0;
    for (const auto& f : b.factors)
        if (f.id == "rotation-overdue") ++overdue, weight = f.weight;
    CHECK(overdue == 2);
    int expected = 0;
    std::set<std::string> once;
    for (const auto& f : b.factors)
        if (once.insert(f.id).second) expected += f.weight;
    CHECK(b.score == expected);
    CHECK(weight > 0);
}

namespace {

db::IdentityRow admin_user(bool owned) {
    db::IdentityRow r = identity(7, "aws", "iam-user", "svc-terraform", "aws:user/svc-terraform");
    r.actor = "service";
    r.data = {{"policies", {"arn:aws:iam::aws:policy/AdministratorAccess"}}, {"arn", "arn:aws:iam::210987654321:user/svc-terraform"}};
    if (owned) r.owner = db::OwnerInfo{"platform", "export", "tag owner"};
    db::CredentialRow c;
    c.id = 70;
    c.key = "aws:access-key:svc-terraform:1";
    c.kind = "access-key";
    c.status = "active";
    c.data = {{"key_id", "AKIAEXAMPLE0000TERRA"}, {"created", "2025-06-01T00:00:00Z"}};
    r.credentials.push_back(c);
    return r;
}

}  // namespace

TEST_CASE("a factor's floor sets the tier above the score, and says where it comes from", "[reports][risk]") {
    auto a = reports::assess(admin_user(true), {}, "2025-06-16T09:00:00Z");
    CHECK(a.score == 25);
    CHECK(a.score_tier == reports::Tier::Medium);
    CHECK(a.tier == reports::Tier::High);  // Prowler iam_user_administrator_access_policy: high
    REQUIRE(a.raised.size() == 1);
    CHECK_THAT(a.raised[0], Catch::Contains("Prowler iam_user_administrator_access_policy"));
    CHECK_THAT(a.how, Catch::Contains("privileged 25") && Catch::Contains("tier high"));

    // Configurable: no floor leaves the score's tier; a heavier weight moves the score.
    reports::RiskConfig cfg;
    REQUIRE(reports::set_floor(cfg, "privileged=none"));
    CHECK(reports::assess(admin_user(true), cfg, "2025-06-16T09:00:00Z").tier == reports::Tier::Medium);
    REQUIRE(reports::set_weight(cfg, "privileged=80"));
    CHECK(reports::assess(admin_user(true), cfg, "2025-06-16T09:00:00Z").tier == reports::Tier::Critical);
    CHECK_FALSE(reports::set_weight(cfg, "no-such-factor=3"));
    CHECK_FALSE(reports::set_weight(cfg, "privileged=lots"));
    CHECK_FALSE(reports::set_floor(cfg, "privileged=severe"));
}

TEST_CASE("combinations escalate with the reason written out", "[reports][risk]") {
    // Exposed and privileged: a downloaded key file of an admin identity is critical, where
    // the key file alone is high.
    auto r = admin_user(true);
    r.credentials[0].kind = "service-account-key";
    r.credentials[0].data["distributed_file"] = "/home/x/key.json";
    auto a = reports::assess(r, {}, "2025-06-16T09:00:00Z");
    CHECK(a.tier == reports::Tier::Critical);
    bool said = false;
    for (const auto& x : a.raised) said |= x.find("exposed and privileged") != std::string::npos;
    CHECK(said);

    // Privileged (a GitHub deploy key with push: medium floor), unowned and never expiring: high.
    db::IdentityRow key = identity(8, "github", "deploy-key", "acme/infra: terraform-push", "github:deploy-key/7003");
    key.data = {{"scopes", {"write"}}, {"repository", "acme/infra"}};
    db::CredentialRow c;
    c.id = 80;
    c.kind = "ssh-deploy-key";
    c.status = "active";
    c.never_expires = true;
    c.data = {{"key_id", "7003"}, {"created", "2025-06-01T00:00:00Z"}, {"last_used", "2025-06-15T00:00:00Z"}, {"write", true}};
    key.credentials.push_back(c);
    // With the default weights the score alone reaches high; the combination holds whatever
    // the weights are.
    CHECK(reports::assess(key, {}, "2025-06-16T09:00:00Z").tier == reports::Tier::High);
    reports::RiskConfig light;
    REQUIRE(reports::set_weight(light, "never-expires=1"));
    auto b = reports::assess(key, light, "2025-06-16T09:00:00Z");
    CHECK(b.score_tier == reports::Tier::Medium);
    CHECK(b.tier == reports::Tier::High);
    REQUIRE_FALSE(b.raised.empty());
    CHECK_THAT(b.raised.back(), Catch::Contains("privileged, unowned and long-lived"));
    key.owner = db::OwnerInfo{"octo-ops", "export", "added_by"};
    CHECK(reports::assess(key, light, "2025-06-16T09:00:00Z").tier == reports::Tier::Medium);
}

TEST_CASE("a repeated factor is grouped once with its count", "[reports][risk]") {
    auto r = admin_user(true);
    r.credentials[0].data["created"] = "2024-01-01T00:00:00Z";
    r.credentials.push_back(r.credentials[0]);
    r.credentials[1].id = 71;
    r.credentials[1].data["key_id"] = "AKIAEXAMPLE0000TERRB";
    auto a = reports::assess(r, {}, "2025-06-16T09:00:00Z");
    size_t groups = 0;
    for (const auto& g : reports::group_factors(a))
        if (g.first->id == "rotation-overdue") {
            ++groups;
            REQUIRE(g.all.size() == 2);
            CHECK_THAT(g.all[0]->reason + g.all[1]->reason, Catch::Contains("AKIAEXAMPLE0000TERRA") && Catch::Contains("AKIAEXAMPLE0000TERRB"));
        }
    CHECK(groups == 1);
    CHECK_THAT(a.how, Catch::Contains("rotation-overdue x2"));

    // Without the admin policy only the rotation floor raises the tier: said once, not per key.
    r.data.erase("policies");
    auto b = reports::assess(r, {}, "2025-06-16T09:00:00Z");
    CHECK(b.score_tier == reports::Tier::Low);
    CHECK(b.tier == reports::Tier::Medium);
    CHECK(b.raised.size() == 1);
}

TEST_CASE("every catalog factor has an OWASP id, a source and a README row", "[reports][risk]") {
    std::ifstream in(std::string(NHI_SOURCE_DIR) + "/README.md");
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string readme = ss.str();
    for (const auto& f : reports::factor_catalog()) {
        INFO(f.id);
        CHECK(std::string(f.owasp).rfind("NHI", 0) == 0);
        CHECK_FALSE(std::string(f.source).empty());
        const std::string row = std::string("| `") + f.id + "` | " + f.owasp + " | " + reports::to_string(f.floor) + " | " +
                                std::to_string(f.weight) + " | " + f.source + " |";
        CHECK(readme.find(row) != std::string::npos);
    }
}

TEST_CASE("implicit grant on either token is NHI4 at least medium; off is nothing", "[reports][risk]") {
    db::IdentityRow on = identity(3, "azure", "application", "hr-sso", "azure:app/a");
    on.data = {{"app_id", "a"}, {"implicit_grant", {{"access_token", false}, {"id_token", true}}}};
    const auto a = reports::assess(on, {}, "2026-06-01T00:00:00Z");
    REQUIRE(has(a, "implicit-grant"));
    CHECK(a.factors.front().owasp == std::string("NHI4"));
    CHECK(a.tier >= reports::Tier::Medium);
    db::IdentityRow off = on;
    off.data["implicit_grant"] = {{"access_token", false}, {"id_token", false}};
    CHECK_FALSE(has(reports::assess(off, {}, "2026-06-01T00:00:00Z"), "implicit-grant"));
}

TEST_CASE("a Kubernetes binding to a missing service account is a dangling binding, not an identity", "[reports][risk]") {
    db::IdentityRow stub = identity(4, "kubernetes", "service-account", "ops/old-operator", "k8s:sa/ops/old-operator");
    stub.data = {{"namespace", "ops"},
                 {"known_only_from", {"list.json"}},
                 {"dangling_bindings", {{{"binding", "RoleBinding ops/old-operator"}, {"role", "ClusterRole/edit"}}}}};
    stub.sources = {"list.json"};
    CHECK(reports::is_dangling(stub));
    db::IdentityRow admin = stub;
    admin.id = 5;
    admin.name = "ops/old-admin";
    admin.data["dangling_bindings"] = {{{"binding", "ClusterRoleBinding old-admin"}, {"role", "ClusterRole/cluster-admin"}}};
    // Described since by an export: the mark is gone, so it is an identity again.
    db::IdentityRow described = stub;
    described.data.erase("known_only_from");
    CHECK_FALSE(reports::is_dangling(described));
    // dangling_bindings keeps pointers into the rows it is given: they must outlive the result.
    const std::vector<db::IdentityRow> rows = {stub, admin, described};
    const auto d = reports::dangling_bindings(rows, {});
    REQUIRE(d.size() == 2);
    CHECK(d[0].row->name == "ops/old-admin");  // highest tier first
    CHECK(d[0].risk.tier == reports::Tier::High);
    CHECK(d[0].revocation.find("kubectl edit clusterrolebinding old-admin") != std::string::npos);
    CHECK(d[1].member == "missing ServiceAccount ops/old-operator");
    CHECK(d[1].risk.tier == reports::Tier::Medium);
    REQUIRE(d[1].risk.factors.size() == 1);
    CHECK(d[1].risk.factors[0].owasp == std::string("NHI1"));
    CHECK(d[1].risk.factors[0].reason.find("RoleBinding ops/old-operator") != std::string::npos);
    CHECK(d[1].revocation.find("kubectl edit rolebinding old-operator -n ops") != std::string::npos);
}

TEST_CASE("report diff counts dangling bindings apart from identities", "[reports][risk][diff]") {
    const std::string t0 = "2026-05-01T00:00:00Z", t1 = "2026-06-01T00:00:00Z";
    db::IdentityRow sa = identity(1, "gcp", "service-account", "old@p.iam.gserviceaccount.com", "gcp:sa/old@p.iam.gserviceaccount.com");
    sa.data = {{"roles", {{{"role", "roles/viewer"}}}}};
    db::IdentityRow dead = sa;  // the same row once the SA is deleted and its binding left
    dead.data["status"] = "deleted";
    db::IdentityRow k8s = identity(2, "kubernetes", "service-account", "ops/old-operator", "k8s:sa/ops/old-operator");
    k8s.data = {{"known_only_from", {"list.json"}},
                {"dangling_bindings", {{{"binding", "RoleBinding ops/old-operator"}, {"role", "ClusterRole/edit"}}}}};
    db::IdentityRow app = identity(3, "azure", "application", "crm", "azure:app/c");
    app.data = nlohmann::json::object();
    // Before: the SA and the app; after: the app, the SA's dangling binding and a new k8s one.
    auto d = reports::diff_inventories({sa, app}, {app, dead, k8s}, {}, {}, 1, t0, 0, t1);
    CHECK(d.added.empty());  // neither dangling binding is an added identity
    REQUIRE(d.removed.size() == 1);
    CHECK(d.removed[0].id == 1);  // the deleted SA is gone as an identity
    CHECK(d.tier_changes.empty());
    REQUIRE(d.dangling_added.size() == 2);
    CHECK(d.dangling_added[0].name == "deleted:serviceAccount:old@p.iam.gserviceaccount.com");
    CHECK(d.dangling_added[1].name == "missing ServiceAccount ops/old-operator");
    CHECK(d.dangling_added[1].after == "medium");
    CHECK(d.dangling_removed.empty());
    // Cleaned up: the binding goes, and nothing is counted as a removed identity.
    auto back = reports::diff_inventories({app, k8s}, {app}, {}, {}, 2, t0, 0, t1);
    CHECK(back.removed.empty());
    REQUIRE(back.dangling_removed.size() == 1);
    CHECK(back.dangling_removed[0].before == "medium");
    std::ostringstream j, t;
    reports::render_diff(back, "json", j);
    CHECK(nlohmann::json::parse(j.str())["dangling_removed"][0]["name"] == "missing ServiceAccount ops/old-operator");
    CHECK(nlohmann::json::parse(j.str())["removed"].empty());
    reports::render_diff(back, "text", t);
    CHECK(t.str().find("Removed identities (0)") != std::string::npos);
    CHECK(t.str().find("Dangling bindings removed (1)") != std::string::npos);
}
