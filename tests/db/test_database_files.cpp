// The datastore file is ours alone, and SQLite failures (bind, COMMIT) surface as errors.
#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/database.hpp"
#include "support.hpp"

using namespace nhi;

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// A datastore that a first open created, closed again.
std::string existing(const test::TempDir& d, const std::string& name) {
    auto path = (d / name).string();
    REQUIRE(db::Database::open(path).ok());
    return path;
}

}  // namespace

TEST_CASE("a fresh datastore is created 0600 in new 0700 directories", "[db][files]") {
    test::TempDir d;
    auto path = (d / "a/b/nhi.db").string();
    auto database = db::Database::open(path);
    REQUIRE(database.ok());
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    for (const char* dir : {"a", "a/b"}) {
        REQUIRE(::stat((d / dir).c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0700);
    }
    REQUIRE(database.value()->exec("CREATE TABLE t(x); INSERT INTO t VALUES(1)").ok());
    REQUIRE(::stat((path + "-wal").c_str(), &st) == 0);
    CHECK((st.st_mode & 0077) == 0);
}

TEST_CASE("a datastore file others can write is refused with the reason", "[db][files]") {
    test::TempDir d;
    SECTION("planted empty file, mode 0666") {
        auto path = d.write("nhi.db", "").string();
        REQUIRE(::chmod(path.c_str(), 0666) == 0);
        auto r = db::Database::open(path);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().what == path);
        CHECK(contains(r.error().why, "writable by group or others (mode 0666)"));
        CHECK(test::read_file(path).empty());  // nothing was written into it
    }
    SECTION("group-writable existing datastore") {
        auto path = existing(d, "nhi.db");
        REQUIRE(::chmod(path.c_str(), 0620) == 0);
        auto r = db::Database::open(path);
        REQUIRE_FALSE(r.ok());
        CHECK(contains(r.error().why, "writable by group or others (mode 0620)"));
    }
    SECTION("a world-writable -wal beside it") {
        auto path = existing(d, "nhi.db");
        d.write("nhi.db-wal", "");
        REQUIRE(::chmod((path + "-wal").c_str(), 0666) == 0);
        auto r = db::Database::open(path);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().what == path + "-wal");
        CHECK(contains(r.error().why, "writable by group or others"));
    }
    SECTION("owned by another user") {
        auto path = existing(d, "nhi.db");
        // Only root can give a file away; elsewhere the check is the mode sections above.
        if (::geteuid() == 0) {
            REQUIRE(::chown(path.c_str(), 65534, 65534) == 0);
            auto r = db::Database::open(path);
            REQUIRE_FALSE(r.ok());
            CHECK(contains(r.error().why, "owned by another user (uid 65534)"));
        }
    }
    SECTION("a private existing datastore still opens") {
        auto path = existing(d, "nhi.db");
        CHECK(db::Database::open(path).ok());
    }
}

TEST_CASE("a symlinked datastore or side file is refused, its target untouched", "[db][files]") {
    test::TempDir d;
    SECTION("dangling symlink: not created through") {
        std::filesystem::create_symlink(d / "target.db", d / "nhi.db");
        auto r = db::Database::open((d / "nhi.db").string());
        REQUIRE_FALSE(r.ok());
        CHECK(contains(r.error().why, "symbolic link; refusing to follow it"));
        CHECK_FALSE(std::filesystem::exists(d / "target.db"));
    }
    SECTION("symlink to an existing private datastore") {
        auto target = existing(d, "target.db");
        std::filesystem::create_symlink(target, d / "nhi.db");
        auto r = db::Database::open((d / "nhi.db").string());
        REQUIRE_FALSE(r.ok());
        CHECK(contains(r.error().why, "symbolic link"));
    }
    SECTION("symlinked -shm") {
        auto path = existing(d, "nhi.db");
        std::filesystem::create_symlink(d / "elsewhere", path + "-shm");
        auto r = db::Database::open(path);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().what == path + "-shm");
        CHECK(contains(r.error().why, "symbolic link"));
    }
}

TEST_CASE("a failed COMMIT rolls the transaction back", "[db][sqlite]") {
    test::TempDir d;
    auto database = db::Database::open((d / "nhi.db").string());
    REQUIRE(database.ok());
    auto& db = *database.value();
    // A deferred foreign key is checked at COMMIT, which then fails and leaves the
    // transaction open.
    REQUIRE(db.exec("CREATE TABLE p(id INTEGER PRIMARY KEY); "
                    "CREATE TABLE c(p INTEGER REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED)")
                .ok());
    {
        auto tx = db::Transaction::begin(db);
        REQUIRE(tx.ok());
        REQUIRE(db.exec("INSERT INTO c VALUES(42)").ok());
        auto s = tx->commit();
        REQUIRE_FALSE(s.ok());
        CHECK(contains(s.error().why, "FOREIGN KEY"));
    }
    CHECK(sqlite3_get_autocommit(db.handle()) != 0);  // no transaction left open
    auto n = db.prepare("SELECT count(*) FROM c");
    REQUIRE(n->step().value());
    CHECK(n->column_int(0) == 0);
    CHECK(db::Transaction::begin(db).ok());
}

TEST_CASE("a failed bind surfaces from run() and step()", "[db][sqlite]") {
    test::TempDir d;
    auto database = db::Database::open((d / "nhi.db").string());
    REQUIRE(database.ok());
    auto& db = *database.value();
    REQUIRE(db.exec("CREATE TABLE t(a, b)").ok());
    auto count = [&] {
        auto n = db.prepare("SELECT count(*) FROM t");
        REQUIRE(n->step().value());
        return n->column_int(0);
    };
    SECTION("out-of-range parameter index") {
        auto st = db.prepare("INSERT INTO t VALUES(?1, ?2)");
        REQUIRE(st.ok());
        st->bind(1, int64_t(1)).bind(3, "x");
        auto s = st->run();
        REQUIRE_FALSE(s.ok());
        CHECK(contains(s.error().why, "cannot bind parameter 3"));
        CHECK(count() == 0);
        // After a reset the statement is usable again.
        st->reset();
        st->bind(1, int64_t(1)).bind(2, "x");
        CHECK(st->run().ok());
        CHECK(count() == 1);
    }
    SECTION("a value over the length limit") {
        sqlite3_limit(db.handle(), SQLITE_LIMIT_LENGTH, 100);
        auto st = db.prepare("INSERT INTO t VALUES(?1, ?2)");
        REQUIRE(st.ok());
        st->bind(1, std::string(500, 'a')).bind_blob(2, std::string(500, 'b'));
        auto r = st->step();
        REQUIRE_FALSE(r.ok());
        CHECK(contains(r.error().why, "cannot bind parameter 1"));
        CHECK(count() == 0);
    }
}
