// Validation outcomes in the datastore: stored with history (the latest wins), read back with
// the findings, never holding the secret; and the kept plaintext `nhi validate` re-checks.
#include <catch2/catch.hpp>

#include "db/database.hpp"
#include "db/model.hpp"
#include "db/store.hpp"
#include "rules/rule.hpp"
#include "support.hpp"

using namespace nhi;

namespace {

db::Finding finding(const std::string& rule_id, const std::string& secret, const std::string& path, size_t line = 3) {
    rules::Rule r;
    r.id = rule_id;
    r.name = "Test";
    return db::make_finding(r, secret, path, line, 5, {});
}

db::Validation outcome(const std::string& status, const std::string& at, int http, nlohmann::json identity = {}) {
    db::Validation v;
    v.status = status;
    v.checked_at = at;
    v.http_status = http;
    if (status == "unknown" || status == "error") v.reason = "timeout";
    v.identity = identity.is_null() ? nlohmann::json::object() : identity;
    return v;
}

struct Fresh {
    test::TempDir dir;
    std::unique_ptr<db::Database> db = db::Database::open((dir / "nhi.db").string()).value();
    db::Store store{*db};
};

}  // namespace

TEST_CASE("a validated finding's outcome is stored once, a re-check adds a row and the latest wins", "[db][validation]") {
    Fresh s;
    auto run = s.store.begin_run("scan", "x", "h").value();
    auto f = finding("nhi.github.pat", "ghp_" + std::string(36, 'Q'), "a.txt");
    auto g = f;  // the same secret at a second place gets the same outcome
    g.path = "b.txt";
    f.validation = g.validation = outcome("live", "2026-12-01T10:00:00Z", 200, {{"login", "octo-bot"}, {"scopes", {"repo"}}});
    auto unvalidated = finding("nhi.test.other", "other-secret-value-1234567", "c.txt");
    REQUIRE(s.store.record_findings(run, {f, g, unvalidated}, false).ok());
    CHECK(s.store.count("validation").value() == 1);
    auto v = s.store.latest_validation(f.rule_id, f.secret_sha256).value();
    CHECK(v.status == "live");
    CHECK(v.checked_at == "2026-12-01T10:00:00Z");
    CHECK(v.http_status == 200);
    CHECK(v.identity["login"] == "octo-bot");
    CHECK(v.identity["scopes"] == nlohmann::json::array({"repo"}));
    CHECK_FALSE(s.store.latest_validation(unvalidated.rule_id, unvalidated.secret_sha256).value().done());

    // Recording the same scan's findings again adds no row; a re-check does, and wins.
    REQUIRE(s.store.record_findings(run, {f}, false).ok());
    CHECK(s.store.count("validation").value() == 1);
    auto run2 = s.store.begin_run("validate", "nhi validate", "h").value();
    REQUIRE(s.store.record_validation(run2, f.rule_id, f.secret_sha256, outcome("revoked", "2026-12-02T08:00:00Z", 401)).ok());
    CHECK(s.store.count("validation").value() == 2);
    v = s.store.latest_validation(f.rule_id, f.secret_sha256).value();
    CHECK(v.status == "revoked");
    CHECK(v.http_status == 401);
    CHECK(v.identity.empty());
    auto q = s.db->prepare("SELECT run_id FROM validation ORDER BY id");
    REQUIRE(q->step().value());
    CHECK(q->column_int(0) == run);
    REQUIRE(q->step().value());
    CHECK(q->column_int(0) == run2);
    // An outcome that is not done is nothing to record.
    REQUIRE(s.store.record_validation(run2, f.rule_id, f.secret_sha256, db::Validation{}).ok());
    CHECK(s.store.count("validation").value() == 2);
}

TEST_CASE("nothing of the secret reaches the datastore with a validation, even if the provider echoes it",
          "[db][validation]") {
    Fresh s;
    auto run = s.store.begin_run("scan", "x", "h").value();
    const std::string secret = "sk_live_" + std::string(24, 'Z') + "abc123";
    auto f = finding("nhi.stripe.secret-key", secret, "pay.env");
    f.validation = outcome("live", "2026-12-01T10:00:00Z", 200,
                           {{"account", "acct_1"}, {"name", "echo " + secret}, {"scopes", {"read", secret}}});
    f.validation.reason = "answered for " + secret;
    REQUIRE(s.store.record_findings(run, {f}, false).ok());
    s.db.reset();  // closes, so the WAL is checkpointed into the file
    const std::string bytes = test::read_file(s.dir / "nhi.db");
    CHECK(bytes.find(secret) == std::string::npos);
    CHECK(bytes.find(secret.substr(8, 20)) == std::string::npos);
    auto db = db::Database::open((s.dir / "nhi.db").string()).value();
    db::Store store(*db);
    auto v = store.latest_validation(f.rule_id, f.secret_sha256).value();
    CHECK(v.identity["account"] == "acct_1");  // what is not the secret stays
    CHECK(v.identity["name"] == "[secret removed]");
    CHECK(v.identity["scopes"] == nlohmann::json::array({"read", "[secret removed]"}));
    CHECK(v.reason == "[secret removed]");
}

TEST_CASE("stored matches of git blobs carry the latest validation", "[db][validation]") {
    Fresh s;
    auto run = s.store.begin_run("scan", "repo", "h").value();
    auto rules = s.store.rules_id("h").value();
    auto f = finding("nhi.github.pat", "ghp_" + std::string(36, 'R'), "x.txt");
    const std::string oid(20, '\x01');
    REQUIRE(s.store.record_blobs(run, rules, {{oid, 10, db::Store::BlobStatus::Scanned, {f}}}, false).ok());
    CHECK_FALSE(s.store.blob_matches(oid, rules).value().at(0).validation.done());
    REQUIRE(s.store.record_validation(run, f.rule_id, f.secret_sha256, outcome("unknown", "2026-12-01T10:00:00Z", 503)).ok());
    auto m = s.store.blob_matches(oid, rules).value().at(0);
    CHECK(m.validation.status == "unknown");
    CHECK(m.validation.reason == "timeout");
    CHECK(m.validation.http_status == 503);
    REQUIRE(s.store.record_origins("repo", {{oid, "c0ffee", "x.txt", "a", "a@x", "2026-01-01", "a"}}).ok());
    CHECK(s.store.origin_matches("repo", rules).value().at(0).match.validation.status == "unknown");
}

TEST_CASE("kept secrets are only the stored plaintexts, once per path, with their latest validation",
          "[db][validation]") {
    Fresh s;
    auto run1 = s.store.begin_run("scan", "x", "h").value();
    auto key_id = finding("nhi.aws.access-key-id", "AKIA" + std::string(16, 'Q'), "deploy/.env", 1);
    auto secret = finding("nhi.aws.secret-access-key", std::string(40, 'k'), "deploy/.env", 2);
    auto moved = secret;
    moved.path = "old/.env";
    auto hidden = finding("nhi.test.other", "never-stored-value-1234567", "z.txt");
    REQUIRE(s.store.record_findings(run1, {hidden}, false).ok());
    CHECK(s.store.kept_secrets().value().empty());
    REQUIRE(s.store.record_findings(run1, {key_id, secret, moved}, true).ok());
    // A later run saw the secret two lines lower: that occurrence is the one re-checked.
    auto run2 = s.store.begin_run("scan", "x", "h").value();
    auto lower = secret;
    lower.line = 4;
    lower.validation = outcome("live", "2026-12-01T10:00:00Z", 200, {{"arn", "arn:aws:iam::111122223333:user/ci"}});
    REQUIRE(s.store.record_findings(run2, {lower}, true).ok());

    auto kept = s.store.kept_secrets().value();
    REQUIRE(kept.size() == 3);
    CHECK(kept[0].path == "deploy/.env");
    CHECK(kept[0].rule_id == "nhi.aws.access-key-id");
    CHECK(kept[0].secret == key_id.secret);
    CHECK(kept[0].line == 1);
    CHECK_FALSE(kept[0].validation.done());
    CHECK(kept[1].rule_id == "nhi.aws.secret-access-key");
    CHECK(kept[1].line == 4);
    CHECK(kept[1].secret == secret.secret);
    CHECK(kept[1].secret_sha256 == secret.secret_sha256);
    CHECK(kept[1].fingerprint == secret.fingerprint);
    CHECK(kept[1].validation.status == "live");
    CHECK(kept[1].validation.identity["arn"] == "arn:aws:iam::111122223333:user/ci");
    CHECK(kept[2].path == "old/.env");
    CHECK(kept[2].validation.status == "live");  // the outcome is the secret's, wherever it is
}

TEST_CASE("a datastore of schema 5 migrates to one with the validation table", "[db][validation]") {
    test::TempDir d;
    const auto path = (d / "nhi.db").string();
    {
        auto database = db::Database::open(path).value();
        // Schema 5 had neither the validation table (6) nor annotation.run_id (7).
        REQUIRE(database->exec("DROP TABLE validation; ALTER TABLE annotation DROP COLUMN run_id; PRAGMA user_version=5").ok());
    }
    auto database = db::Database::open(path).value();
    db::Store store(*database);
    CHECK(store.count("validation").value() == 0);
    auto v = database->prepare("PRAGMA user_version").value();
    REQUIRE(v.step().value());
    CHECK(v.column_int(0) == db::schema_version());
}
