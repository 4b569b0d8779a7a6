#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "db/database.hpp"
#include "db/model.hpp"
#include "db/store.hpp"
#include "rules/rule.hpp"
#include "rules/severity.hpp"
#include "rules/validators.hpp"
#include "support.hpp"

using namespace nhi;

namespace {

db::Finding finding(const std::string& secret, const std::string& path) {
    rules::Rule r;
    r.id = "nhi.test.rule";
    r.name = "Test";
    return db::make_finding(r, secret, path, 3, 5, {});
}

}  // namespace

TEST_CASE("opening creates a private file with the current schema", "[db]") {
    test::TempDir d;
    auto path = (d / "state/nhi.db").string();
    auto database = db::Database::open(path);
    REQUIRE(database.ok());
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    REQUIRE(::stat((d / "state").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    auto v = database.value()->prepare("PRAGMA user_version");
    REQUIRE(v->step().value());
    CHECK(v->column_int(0) == db::schema_version());
}

TEST_CASE("a newer schema or a non-database file is refused with a clear message", "[db]") {
    test::TempDir d;
    auto path = (d / "nhi.db").string();
    {
        auto database = db::Database::open(path);
        REQUIRE(database.ok());
        REQUIRE(database.value()->exec("PRAGMA user_version=999").ok());
    }
    auto newer = db::Database::open(path);
    REQUIRE_FALSE(newer.ok());
    CHECK(newer.error().why.find("newer than this nhi supports") != std::string::npos);

    auto junk = d.write("junk.db", std::string(4096, 'j'));
    auto bad = db::Database::open(junk.string());
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().what == junk.string());
}

TEST_CASE("findings are deduplicated and plaintext is stored only on opt-in", "[db]") {
    test::TempDir d;
    auto database = db::Database::open((d / "nhi.db").string());
    REQUIRE(database.ok());
    db::Store store(*database.value());
    auto run1 = store.begin_run("scan", "x", "h");
    REQUIRE(run1.ok());
    std::vector<db::Finding> fs = {finding("s3cr3t-value-one-123", "a.txt"), finding("s3cr3t-value-one-123", "b.txt")};
    REQUIRE(store.record_findings(*run1, fs, false).ok());
    CHECK(store.count("finding").value() == 1);
    CHECK(store.count("occurrence").value() == 2);
    auto q = database.value()->prepare("SELECT secret, redacted, secret_sha256 FROM finding");
    REQUIRE(q->step().value());
    CHECK(q->column_null(0));
    CHECK(q->column_text(1) == fs[0].redacted);
    CHECK(q->column_text(2) == fs[0].secret_sha256);

    auto run2 = store.begin_run("scan", "x", "h");
    REQUIRE(store.record_findings(*run2, fs, true).ok());
    auto q2 = database.value()->prepare("SELECT secret FROM finding");
    REQUIRE(q2->step().value());
    CHECK(q2->column_text(0) == "s3cr3t-value-one-123");
    REQUIRE(store.finish_run(*run2, "ok", {{"files", 2}}).ok());
    CHECK(store.count("run").value() == 2);
    CHECK_FALSE(store.count("sqlite_master; DROP TABLE run").ok());
}

TEST_CASE("fingerprints depend on rule, secret and path but not on the line", "[db][model]") {
    auto a = finding("secret-value-AAAA-1111", "a.txt");
    auto moved = a;
    moved.line = 99;
    CHECK(db::fingerprint(moved.rule_id, moved.secret_sha256, moved.path) == a.fingerprint);
    CHECK(finding("secret-value-BBBB-2222", "a.txt").fingerprint != a.fingerprint);
    CHECK(finding("secret-value-AAAA-1111", "b.txt").fingerprint != a.fingerprint);
}

TEST_CASE("redaction never shows the middle of a secret", "[db][model]") {
    CHECK(db::redact("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") == "ghp_\xe2\x80\xa6" "8raG");
    CHECK(db::redact("Vq8rT2mLx9wPz4") == "Vq\xe2\x80\xa6z4");
    CHECK(db::redact("short") == "\xe2\x80\xa6");
}

TEST_CASE("a finding takes the severity the rules' policy gives: weak values are info", "[db][model]") {
    rules::Rule r;
    r.id = "nhi.test.password";
    r.severity = rules::Severity::Critical;
    r.confidence = rules::Confidence::High;
    auto strong = db::make_finding(r, "Kq7vR2mX9pLw4Zt8", "a.env", 1, 1, {{"user", "deploy"}});
    CHECK(strong.severity == rules::Severity::Critical);
    CHECK(strong.confidence == rules::Confidence::High);
    auto weak = db::make_finding(r, "admin", "a.env", 1, 1, {{rules::kWeakHint, true}});
    CHECK(weak.severity == rules::Severity::Info);
    CHECK(weak.confidence == rules::Confidence::Low);
    auto rating = rules::rate(r, {{rules::kWeakHint, true}});
    CHECK(rating.severity == weak.severity);
    CHECK(rules::rate(r, nullptr).severity == rules::Severity::Critical);
}
