// The risk model on hand-built rows: factors that depend on other identities.
#include <catch2/catch.hpp>

#include <set>

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
    db::IdentityRow role;
    role.id = 1;
    role.key = "aws:role/old-batch";
    role.provider = "aws";
    role.kind = "iam-role";
    role.name = "old-batch";
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
