// Triage is history: set-owner and annotate are runs, so the inventory as of an earlier run
// does not show what was decided later.
#include <catch2/catch.hpp>

#include "db/database.hpp"
#include "db/inventory.hpp"
#include "support.hpp"

using namespace nhi;

namespace {

// A datastore with one imported identity (run 1).
struct Imported {
    test::TempDir dir;
    std::unique_ptr<db::Database> db = db::Database::open((dir / "nhi.db").string()).value();
    db::Inventory inv{*db};
    int64_t id = 0;
    Imported() {
        db::IdentityRecord r;
        r.key = "aws:user/ci";
        r.provider = "aws";
        r.kind = "iam-user";
        r.actor = "service";
        r.name = "ci";
        r.data = nlohmann::json::object();
        db::ImportBatch batch{"test", {}, {}, {}};
        batch.identities.push_back(r);
        REQUIRE(inv.apply(batch, "iam.json").ok());
        id = inv.resolve("aws:user/ci").value();
    }
    size_t annotations_as_of(int64_t run) {
        auto rows = inv.load(run).value();
        REQUIRE(rows.size() == 1);
        return rows[0].annotations.is_array() ? rows[0].annotations.size() : 0;
    }
};

}  // namespace

TEST_CASE("annotate is a run of its own, and an earlier run does not see it", "[db][triage]") {
    Imported s;
    REQUIRE(s.inv.annotate(s.id, "accepted-risk", "isolated", "2099-01-01").ok());
    auto runs = s.inv.runs("annotate").value();
    REQUIRE(runs.size() == 1);
    const int64_t at = runs[0].id;
    CHECK(at > 1);
    CHECK(s.annotations_as_of(0) == 1);
    CHECK(s.annotations_as_of(at) == 1);
    CHECK(s.annotations_as_of(at - 1) == 0);
}

TEST_CASE("run_at is the last run that started by a time", "[db][triage]") {
    Imported s;
    REQUIRE(s.inv.set_owner(s.id, "platform").ok());
    REQUIRE(s.db->exec("UPDATE run SET started_at = CASE id WHEN 1 THEN '2025-01-01T00:00:00Z' "
                       "ELSE '2025-02-01T00:00:00Z' END").ok());
    CHECK(s.inv.run_at("2024-12-31T00:00:00Z").value() == 0);
    CHECK(s.inv.run_at("2025-01-15T00:00:00Z").value() == 1);
    CHECK(s.inv.run_at("2025-02-01T00:00:00Z").value() == 2);
}

TEST_CASE("an annotation from before migration 7 has no run and counts in every view", "[db][triage]") {
    Imported s;
    REQUIRE(s.db->exec("INSERT INTO annotation(identity_id, kind, reason, created_at) "
                       "VALUES(" + std::to_string(s.id) + ", 'note', 'legacy', '2025-01-01T00:00:00Z')").ok());
    CHECK(s.annotations_as_of(1) == 1);
    CHECK(s.annotations_as_of(0) == 1);
}
