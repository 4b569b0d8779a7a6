// What the datastore stores must stay readable: invalid UTF-8 in names and hints, and
// record data nested deeper than SQLite's JSON functions read.
#include <catch2/catch.hpp>

#include "db/database.hpp"
#include "db/inventory.hpp"
#include "db/model.hpp"
#include "db/store.hpp"
#include "rules/rule.hpp"
#include "support.hpp"

using namespace nhi;

namespace {

const std::string kBadUtf8 = "\xe9\xff\xfe" "deploy";  // a Latin-1 user name, and bytes no UTF-8 has
const std::string kReplaced = "\xef\xbf\xbd";         // U+FFFD

nlohmann::json nested(size_t depth) {
    nlohmann::json j = "leaf";
    for (size_t i = 1; i < depth; ++i) j = nlohmann::json::array({std::move(j)});
    return j;
}

db::IdentityRecord identity(const std::string& key, nlohmann::json data) {
    db::IdentityRecord r;
    r.key = key;
    r.provider = "aws";
    r.kind = "iam-user";
    r.actor = "service";
    r.name = key;
    r.data = std::move(data);
    return r;
}

db::CredentialRecord credential(const std::string& key, const std::string& holder, nlohmann::json data) {
    db::CredentialRecord c;
    c.key = key;
    c.identity_key = holder;
    c.kind = "access-key";
    c.data = std::move(data);
    return c;
}

// A new datastore with an inventory and an empty batch to fill.
struct Fresh {
    test::TempDir dir;
    std::unique_ptr<db::Database> db = db::Database::open((dir / "nhi.db").string()).value();
    db::Inventory inv{*db};
    db::ImportBatch batch{"test", {}, {}, {}};
};

bool any_contains(const std::vector<std::string>& lines, const std::string& a, const std::string& b) {
    for (const auto& l : lines)
        if (l.find(a) != std::string::npos && l.find(b) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("hints and stats with invalid UTF-8 are stored, the bad bytes replaced", "[db][json]") {
    test::TempDir d;
    auto database = db::Database::open((d / "nhi.db").string());
    REQUIRE(database.ok());
    db::Store store(*database.value());
    auto run = store.begin_run("scan", "x", "h");
    REQUIRE(run.ok());
    rules::Rule rule;
    rule.id = "nhi.docker.config-auth";
    auto f = db::make_finding(rule, "ZGVwbG95OnMzY3IzdC1wYXNzd29yZC0xMjM=", "config.json", 1, 1, {{"user", kBadUtf8}});
    REQUIRE(store.record_findings(*run, {f}, false).ok());
    auto rules_id = store.rules_id("h");
    REQUIRE(rules_id.ok());
    db::Store::BlobRecord blob{std::string(20, '\x01'), 10, db::Store::BlobStatus::Scanned, {f}};
    REQUIRE(store.record_blobs(*run, *rules_id, {blob}, false).ok());
    auto back = store.blob_matches(blob.oid, *rules_id);
    REQUIRE(back.ok());
    REQUIRE(back->size() == 1);
    CHECK(back->front().hints["user"] == kReplaced + kReplaced + kReplaced + "deploy");
    CHECK(store.finish_run(*run, "ok", {{"path", "caf\xe9.txt"}}).ok());
    CHECK(db::json_text(nlohmann::json(kBadUtf8)) == "\"" + kReplaced + kReplaced + kReplaced + "deploy\"");
}

TEST_CASE("inventory data with invalid UTF-8 imports once and re-imports unchanged", "[db][json]") {
    Fresh fresh;
    auto& inv = fresh.inv;
    auto& batch = fresh.batch;
    batch.identity(identity("aws:user/x", {{"tags", {{"owner", kBadUtf8}}}}));
    auto first = inv.apply(batch, "export.json");
    REQUIRE(first.ok());
    CHECK(first->new_identities == 1);
    auto again = inv.apply(batch, "export.json");
    REQUIRE(again.ok());
    CHECK(again->changed_identities == 0);
    auto rows = inv.load();
    REQUIRE(rows.ok());
    REQUIRE(rows->size() == 1);
    CHECK(rows->front().data["tags"]["owner"].get<std::string>().find(kReplaced) != std::string::npos);
}

TEST_CASE("record data nested too deep is a warning naming it, and the rest is stored", "[db][json]") {
    Fresh fresh;
    auto& inv = fresh.inv;
    auto& batch = fresh.batch;
    batch.identity(identity("aws:user/deep", {{"groups", nested(2000)}}));
    batch.identity(identity("aws:user/ok", {{"groups", nested(60)}}));
    batch.identity(identity("aws:user/ok2", {{"groups", {"Admins"}}}));
    batch.credential(credential("aws:key/of-deep", "aws:user/deep", {{"status", "Active"}}));
    batch.credential(credential("aws:key/deep", "aws:user/ok", {{"last_used", nested(500)}}));
    batch.credential(credential("aws:key/fine", "aws:user/ok", {{"status", "Active"}}));
    auto r = inv.apply(batch, "export.json");
    REQUIRE(r.ok());
    CHECK(r->skipped == 3);
    CHECK(r->identities == 2);
    CHECK(r->credentials == 1);
    CHECK(any_contains(r->warnings, "identity aws:user/deep", "nested deeper than 64 levels"));
    CHECK(any_contains(r->warnings, "credential aws:key/deep", "nested deeper than 64 levels"));
    CHECK(any_contains(r->warnings, "credential aws:key/of-deep", "its identity aws:user/deep was not stored"));
    // Every report reads the data through SQLite's JSON functions: one unreadable row would
    // fail them all ("malformed JSON").
    auto rows = inv.load();
    INFO((rows.ok() ? "" : rows.error().why));
    REQUIRE(rows.ok());
    CHECK(rows->size() == 2);
}

TEST_CASE("a credential whose identity is nowhere is a counted warning, and the rest of the file is kept",
          "[db][inventory]") {
    Fresh f;
    f.batch.identities.push_back(identity("aws:user/ci", {}));
    f.batch.credentials.push_back(credential("aws:key/AKIAORPHAN", "aws:user/gone", {}));
    f.batch.credentials.push_back(credential("aws:key/AKIAKEPT", "aws:user/ci", {}));
    auto r = f.inv.apply(f.batch, "keys.json");
    REQUIRE(r.ok());  // before: the whole file was rejected ("belongs to unknown identity")
    CHECK(r->identities == 1);
    CHECK(r->credentials == 1);
    CHECK(r->skipped == 1);
    CHECK(any_contains(r->warnings, "aws:key/AKIAORPHAN", "aws:user/gone"));
}
