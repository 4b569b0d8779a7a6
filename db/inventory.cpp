#include "db/inventory.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <unordered_map>

#include "db/model.hpp"
#include "util/hash.hpp"
#include "util/time.hpp"

namespace nhi::db {
namespace {

// Later imports add to what earlier ones said: a field another export filled in is not
// erased by an export that does not know it (null or absent).
nlohmann::json merge(const nlohmann::json& old, const nlohmann::json& now) {
    nlohmann::json out = old.is_object() ? old : nlohmann::json::object();
    for (const auto& [k, v] : now.items()) {
        if (v.is_null() && out.contains(k)) continue;
        out[k] = v;
    }
    return out;
}

int source_rank(const std::string& s) {
    if (s == "explicit") return 0;
    if (s == "export") return 1;
    if (s == "codeowners") return 2;
    if (s == "git-author") return 3;
    return 4;
}

struct Upserted {
    int64_t id = 0;
    bool created = false, changed = false;
};

// Merges records into one table (identity or credential) with statements prepared once per
// import: 100,000 records must not mean 400,000 prepares.
class Upserter {
public:
    static util::Expected<Upserter> make(Database& db, const char* table, const std::string& insert_sql,
                                         const std::string& update_sql) {
        Upserter u;
        u.table_ = table;
        for (auto [slot, sql] : {std::pair<Statement*, std::string>{&u.find_, std::string("SELECT id, data FROM ") + table + " WHERE key = ?1"},
                                 {&u.insert_, insert_sql},
                                 {&u.update_, update_sql},
                                 {&u.version_, "INSERT OR REPLACE INTO entity_version(entity, entity_id, run_id, data) VALUES(?1, ?2, ?3, ?4)"},
                                 {&u.sighting_, "INSERT OR IGNORE INTO sighting(run_id, entity, entity_id) VALUES(?1, ?2, ?3)"}}) {
            auto st = db.prepare(sql);
            if (!st) return st.error();
            *slot = std::move(st).value();
        }
        u.db_ = &db;
        return u;
    }

    // `bind_rest` binds the table's own columns (from ?4) on the insert or update statement.
    template <typename Bind>
    util::Expected<Upserted> apply(const std::string& key, int64_t run, const nlohmann::json& data, Bind&& bind_rest) {
        Upserted u;
        find_.bind(1, key);
        auto row = find_.step();
        if (!row) return row.error();
        std::string text;  // the merged data as stored
        if (*row) {
            u.id = find_.column_int(0);
            const std::string old_text = find_.column_text(1);
            auto old = nlohmann::json::parse(old_text, nullptr, false);
            find_.reset();
            auto merged = merge(old, data);
            if (merged == old) return sight(u, run);
            // Compared as text too: invalid UTF-8 is stored replaced, so the tree would
            // differ from the stored one on every import of the same file.
            text = json_text(merged);
            if (text == old_text) return sight(u, run);
            u.changed = true;
            update_.bind(1, text).bind(2, run).bind(3, u.id);
            bind_rest(update_);
            if (auto s = update_.run(); !s) return s.error();
        } else {
            find_.reset();
            text = json_text(merge(nlohmann::json::object(), data));
            insert_.bind(1, key).bind(2, text).bind(3, run);
            bind_rest(insert_);
            if (auto s = insert_.run(); !s) return s.error();
            u.id = db_->last_insert_id();
            u.created = true;
        }
        version_.bind(1, table_).bind(2, u.id).bind(3, run).bind(4, text);
        if (auto s = version_.run(); !s) return s.error();
        return sight(u, run);
    }

private:
    util::Expected<Upserted> sight(const Upserted& u, int64_t run) {
        sighting_.bind(1, run).bind(2, table_).bind(3, u.id);
        if (auto s = sighting_.run(); !s) return s.error();
        return u;
    }

    Database* db_ = nullptr;
    const char* table_ = "";
    Statement find_, insert_, update_, version_, sighting_;
};

// The rows of `table` (identity or credential) with their data as it stood: the stored data
// now (as_of 0), or each row's last version at or before run ?1, as column `d`.
std::string rows_as_of(const std::string& table, const std::string& cols, int64_t as_of) {
    if (as_of == 0) return "SELECT " + cols + ", data AS d FROM " + table;
    return "SELECT " + cols + ", (SELECT data FROM entity_version v WHERE v.entity = '" + table +
           "' AND v.entity_id = t.id AND v.run_id <= ?1 ORDER BY v.run_id DESC LIMIT 1) AS d FROM " + table +
           " t WHERE t.first_run <= ?1";
}

// What an inventory holds at run ?1 (0 = now): each source (export file, scanned tree) says
// what exists as of its latest import; an entity that its sources' latest imports no longer
// mention was removed. A CTE named `present` with the ids of `entity`.
std::string present_sql(const std::string& entity) {
    return "WITH latest AS (SELECT source, max(id) AS run FROM run WHERE kind = 'import' AND (?1 = 0 OR id <= ?1) "
           "GROUP BY source), present AS (SELECT DISTINCT s.entity_id FROM sighting s JOIN latest l ON s.run_id = l.run "
           "WHERE s.entity = '" + entity + "') ";
}

// Steps `st` to the end, calling `row` for each result row.
template <typename Fn>
util::Status each_row(Statement& st, Fn&& row) {
    for (;;) {
        auto more = st.step();
        if (!more) return more.error();
        if (!*more) return util::ok_status();
        row(st);
    }
}

// Nesting depth of `j` (a scalar is 1), counted without recursion and only up to `limit`+1:
// an export can nest thousands deep.
size_t json_depth(const nlohmann::json& j, size_t limit) {
    size_t deepest = 0;
    std::vector<std::pair<const nlohmann::json*, size_t>> todo{{&j, 1}};
    while (!todo.empty()) {
        auto [node, depth] = todo.back();
        todo.pop_back();
        deepest = std::max(deepest, depth);
        if (deepest > limit) break;
        if (node->is_structured())
            for (const auto& child : *node) todo.emplace_back(&child, depth + 1);
    }
    return deepest;
}

// SQLite's JSON functions refuse text nested deeper than about 1,000 levels, and every report
// reads the data through them: one such row would make each report fail. Nothing an export
// describes needs more than a few levels.
constexpr size_t kMaxDataDepth = 64;

std::optional<std::string> too_deep(const char* what, const std::string& key, const nlohmann::json& data) {
    if (json_depth(data, kMaxDataDepth) <= kMaxDataDepth) return std::nullopt;
    return std::string(what) + " " + key + ": data nested deeper than " + std::to_string(kMaxDataDepth) +
           " levels; not stored";
}

}  // namespace

util::Expected<ApplyResult> Inventory::apply(const db::ImportBatch& batch, const std::string& source) {
    ApplyResult r;
    TRY_ASSIGN(auto tx, Transaction::begin(db_));
    auto run = db_.prepare(
        "INSERT INTO run(kind, source, started_at, finished_at, status, tool_version, stats) "
        "VALUES('import', ?1, ?2, ?2, 'ok', ?3, ?4)");
    if (!run) return run.error();
    nlohmann::json stats = {
        {"format", batch.format}, {"identities", batch.identities.size()}, {"credentials", batch.credentials.size()}};
    run->bind(1, source).bind(2, util::format_utc(util::now_unix())).bind(3, NHI_VERSION).bind(4, json_text(stats));
    if (auto s = run->run(); !s) return s.error();
    r.run = db_.last_insert_id();

    auto identities = Upserter::make(
        db_, "identity",
        "INSERT INTO identity(key, data, first_run, changed_run, provider, kind, actor, name) "
        "VALUES(?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7)",
        "UPDATE identity SET data = ?1, changed_run = ?2, provider = ?4, kind = ?5, "
        "actor = CASE WHEN ?8 THEN ?6 ELSE actor END, name = ?7 WHERE id = ?3");
    if (!identities) return identities.error();
    // Owners keep their history: a changed or dropped owner is ended at this run, not erased.
    auto current_owner = db_.prepare(
        "SELECT o.id, o.owner, COALESCE(o.detail, ''), COALESCE(r.source, '') FROM owner o "
        "LEFT JOIN run r ON r.id = o.run_id WHERE o.identity_id = ?1 AND o.source = ?2 AND o.ended_run IS NULL");
    auto end_owner = db_.prepare("UPDATE owner SET ended_run = ?2 WHERE id = ?1");
    auto set_detail = db_.prepare("UPDATE owner SET detail = ?2 WHERE id = ?1");
    auto add_owner =
        db_.prepare("INSERT INTO owner(identity_id, source, owner, detail, run_id) VALUES(?1, ?2, ?3, ?4, ?5)");
    for (auto* st : {&current_owner, &end_owner, &set_detail, &add_owner})
        if (!*st) return st->error();
    auto record_owner = [&](int64_t id, const db::IdentityRecord& rec) -> util::Status {
        current_owner->bind(1, id).bind(2, rec.owner_class);
        auto row = current_owner->step();
        if (!row) return row.error();
        int64_t open_id = 0;
        std::string open_owner, open_detail, open_source;
        if (*row) {
            open_id = current_owner->column_int(0);
            open_owner = current_owner->column_text(1);
            open_detail = current_owner->column_text(2);
            open_source = current_owner->column_text(3);
        }
        current_owner->reset();
        if (rec.owner.empty()) {
            // Only the export that named the owner can take it back: another file that knows
            // nothing of owners says nothing about them.
            if (!open_id || open_source != source) return util::ok_status();
            end_owner->bind(1, open_id).bind(2, r.run);
            return end_owner->run();
        }
        if (open_id && open_owner == rec.owner) {
            if (open_detail == rec.owner_source) return util::ok_status();
            set_detail->bind(1, open_id).bind(2, rec.owner_source);
            return set_detail->run();
        }
        if (open_id) {
            end_owner->bind(1, open_id).bind(2, r.run);
            if (auto s = end_owner->run(); !s) return s;
        }
        add_owner->bind(1, id).bind(2, rec.owner_class).bind(3, rec.owner).bind(4, rec.owner_source).bind(5, r.run);
        return add_owner->run();
    };
    std::unordered_map<std::string, int64_t> ids;
    std::unordered_map<std::string, bool> skipped;  // identities refused: their credentials go too
    for (const auto& rec : batch.identities) {
        if (auto why = too_deep("identity", rec.key, rec.data)) {
            r.warnings.push_back(source + ": " + *why);
            ++r.skipped;
            skipped[rec.key] = true;
            continue;
        }
        auto u = identities->apply(rec.key, r.run, rec.data, [&](Statement& st) {
            st.bind(4, rec.provider).bind(5, rec.kind).bind(6, rec.actor).bind(7, rec.name);
            if (st.parameter_count() >= 8) st.bind(8, int64_t(rec.actor_known ? 1 : 0));
        });
        if (!u) return u.error();
        ids[rec.key] = u->id;
        r.new_identities += u->created;
        r.changed_identities += u->changed;
        if (auto s = record_owner(u->id, rec); !s) return s.error();
    }
    r.identities = ids.size();

    auto credentials = Upserter::make(
        db_, "credential",
        "INSERT INTO credential(key, data, first_run, changed_run, identity_id, kind, match_sha256) "
        "VALUES(?1, ?2, ?3, ?3, ?4, ?5, ?6)",
        "UPDATE credential SET data = ?1, changed_run = ?2, identity_id = ?4, kind = ?5, "
        "match_sha256 = COALESCE(?6, match_sha256) WHERE id = ?3");
    if (!credentials) return credentials.error();
    auto holder = db_.prepare("SELECT id FROM identity WHERE key = ?1");
    if (!holder) return holder.error();
    for (const auto& rec : batch.credentials) {
        if (auto why = too_deep("credential", rec.key, rec.data)) {
            r.warnings.push_back(source + ": " + *why);
            ++r.skipped;
            continue;
        }
        int64_t owner_id = 0;
        if (auto it = ids.find(rec.identity_key); it != ids.end()) {
            owner_id = it->second;
        } else {
            // A credential of an identity another export described (a key whose user came
            // from elsewhere).
            holder->bind(1, rec.identity_key);
            auto row = holder->step();
            if (!row) return row.error();
            if (!*row) {
                // One orphan is a counted warning, not a reason to lose the whole file.
                holder->reset();
                r.warnings.push_back(source + ": credential " + rec.key + ": its identity " + rec.identity_key +
                                     (skipped.count(rec.identity_key)
                                          ? " was not stored"
                                          : " is in neither this file nor the inventory; import the export that "
                                            "lists it, then this one again"));
                ++r.skipped;
                continue;
            }
            owner_id = holder->column_int(0);
            holder->reset();
        }
        std::string match;
        if (rec.data.contains("key_id") && rec.data["key_id"].is_string())
            match = util::sha256_hex(rec.data["key_id"].get<std::string>());
        else if (rec.data.contains("secret_sha256") && rec.data["secret_sha256"].is_string())
            match = rec.data["secret_sha256"].get<std::string>();
        auto u = credentials->apply(rec.key, r.run, rec.data, [&](Statement& st) {
            st.bind(4, owner_id).bind(5, rec.kind);
            if (match.empty()) st.bind_null(6);
            else st.bind(6, match);
        });
        if (!u) return u.error();
        ++r.credentials;
        r.new_credentials += u->created;
        r.changed_credentials += u->changed;
    }
    auto links = relink();
    if (!links) return links.error();
    r.links = *links;
    if (auto s = tx.commit(); !s) return s.error();
    return r;
}

util::Expected<std::string> Inventory::run_time(int64_t run) {
    auto st = db_.prepare("SELECT started_at FROM run WHERE id = ?1");
    if (!st) return st.error();
    st->bind(1, run);
    auto row = st->step();
    if (!row) return row.error();
    return *row ? st->column_text(0) : std::string();
}

util::Expected<int64_t> Inventory::latest_run(const std::string& kind) {
    auto st = db_.prepare("SELECT COALESCE(max(id), 0) FROM run WHERE kind = ?1");
    if (!st) return st.error();
    st->bind(1, kind);
    auto row = st->step();
    if (!row) return row.error();
    return st->column_int(0);
}

util::Expected<int64_t> Inventory::record_run(const std::string& kind, const std::string& source,
                                              const nlohmann::json& stats) {
    auto st = db_.prepare(
        "INSERT INTO run(kind, source, started_at, finished_at, status, tool_version, stats) "
        "VALUES(?1, ?2, ?3, ?3, 'ok', ?4, ?5)");
    if (!st) return st.error();
    st->bind(1, kind).bind(2, source).bind(3, util::format_utc(util::now_unix())).bind(4, NHI_VERSION);
    if (stats.is_null()) st->bind_null(5);
    else st->bind(5, json_text(stats));
    if (auto s = st->run(); !s) return s.error();
    return db_.last_insert_id();
}

util::Expected<std::vector<Inventory::RunInfo>> Inventory::runs(const std::string& kind) {
    auto st = db_.prepare("SELECT id, kind, source, started_at, COALESCE(stats, '') FROM run WHERE kind = ?1 ORDER BY id");
    if (!st) return st.error();
    st->bind(1, kind);
    std::vector<RunInfo> out;
    auto rows = each_row(*st, [&](Statement& q) {
        RunInfo r{q.column_int(0), q.column_text(1), q.column_text(2), q.column_text(3), nullptr};
        // Stats are ours, but a damaged row must not take the report down with it.
        if (auto text = q.column_text(4); !text.empty()) r.stats = nlohmann::json::parse(text, nullptr, false);
        if (r.stats.is_discarded()) r.stats = nullptr;
        out.push_back(std::move(r));
    });
    if (!rows) return rows.error();
    return out;
}

util::Expected<std::map<int64_t, int64_t>> Inventory::finding_first_runs() {
    std::map<int64_t, int64_t> out;
    auto st = db_.prepare("SELECT id, first_run FROM finding WHERE id IN (SELECT finding_id FROM link)");
    if (!st) return st.error();
    auto rows = each_row(*st, [&](Statement& q) { out[q.column_int(0)] = q.column_int(1); });
    if (!rows) return rows.error();
    return out;
}

util::Status Inventory::owners_from_findings(int64_t run,
                                             const std::function<std::string(const std::string&)>& codeowners) {
    auto q = db_.prepare(
        "SELECT DISTINCT c.identity_id, o.path, COALESCE(o.author, '') FROM link l "
        "JOIN credential c ON c.id = l.credential_id JOIN occurrence o ON o.finding_id = l.finding_id "
        "WHERE o.run_id = ?1 ORDER BY o.id");
    if (!q) return q.error();
    q->bind(1, run);
    struct Signal {
        int64_t identity;
        std::string source, owner, detail;
    };
    std::vector<Signal> signals;
    auto rows = each_row(*q, [&](Statement& st) {
        const std::string path = st.column_text(1), author = st.column_text(2);
        if (auto team = codeowners(path); !team.empty())
            signals.push_back({st.column_int(0), "codeowners", team, "CODEOWNERS for " + path});
        if (!author.empty()) signals.push_back({st.column_int(0), "git-author", author, "introduced " + path});
    });
    if (!rows) return rows.error();
    auto up = db_.prepare(
        "INSERT INTO owner(identity_id, source, owner, detail, run_id) VALUES(?1, ?2, ?3, ?4, ?5) "
        "ON CONFLICT(identity_id, source) WHERE ended_run IS NULL DO NOTHING");  // the first exposure keeps it
    if (!up) return up.error();
    for (const auto& s : signals) {
        up->bind(1, s.identity).bind(2, s.source).bind(3, s.owner).bind(4, s.detail).bind(5, run);
        if (auto st = up->run(); !st) return st.error();
    }
    return util::ok_status();
}

util::Expected<size_t> Inventory::relink() {
    auto st = db_.prepare(
        "INSERT OR IGNORE INTO link(credential_id, finding_id, via) "
        "SELECT c.id, f.id, CASE WHEN json_extract(c.data, '$.key_id') IS NOT NULL THEN 'key-id' ELSE 'secret' END "
        "FROM credential c JOIN finding f ON f.secret_sha256 = c.match_sha256 "
        // A key id written beside a secret as context, or named as a reference, is not an
        // exposure of that key.
        "WHERE f.rule_id NOT LIKE 'nhi.context.%' AND f.rule_id NOT LIKE 'nhi.ref.%'");
    if (!st) return st.error();
    if (auto s = st->run(); !s) return s.error();
    auto n = db_.prepare("SELECT changes()");
    if (!n) return n.error();
    auto row = n->step();
    if (!row) return row.error();
    return size_t(n->column_int(0));
}

namespace {

// What load() builds, phase by phase: the identities with their credentials, and the indexes
// that later phases attach rows through.
struct Loaded {
    // Identity-to-identity joins need three fields of each identity's data.
    struct JoinFacts {
        std::string arn, aws_role_arn, gcp_sa;
    };
    std::vector<IdentityRow> out;
    std::vector<JoinFacts> joins;                                     // parallel to out
    std::unordered_map<int64_t, size_t> index;                        // identity id -> out
    std::unordered_map<int64_t, std::pair<size_t, size_t>> cred_index;  // credential id -> (out, credentials)

    IdentityRow* identity(int64_t id) {
        auto it = index.find(id);
        return it == index.end() ? nullptr : &out[it->second];
    }
    CredentialRow* credential(int64_t id) {
        auto it = cred_index.find(id);
        return it == cred_index.end() ? nullptr : &out[it->second.first].credentials[it->second.second];
    }
};

// Runs `sql` (binding ?1 = as_of when it takes it) and calls `row` for each result.
template <typename Fn>
util::Status each_row_of(Database& db, const std::string& sql, int64_t as_of, Fn&& row) {
    TRY_ASSIGN(auto st, db.prepare(sql));
    if (st.parameter_count() >= 1) st.bind(1, as_of);
    return each_row(st, std::forward<Fn>(row));
}

// Reserve up front: growing a vector of 100,000 rows costs more than reading them.
util::Status reserve(Database& db, Loaded& l) {
    return each_row_of(db, "SELECT count(*) FROM identity", 0, [&](Statement& q) {
        const auto n = size_t(q.column_int(0));
        l.out.reserve(n);
        l.joins.reserve(n);
        l.index.reserve(n);
    });
}

// An entity's stored data, as much of it as `detail` asks for.
void read_data(const Statement& q, int col, Inventory::Detail detail, std::string& text, nlohmann::json& data) {
    if (detail == Inventory::Detail::Facts) return;
    text = q.column_text(col);
    if (detail == Inventory::Detail::Parsed) data = nlohmann::json::parse(text, nullptr, false);
}

// The rows of `entity` present at run `as_of` (0 = now): `cols`, then its data `d` as it
// stood, then `facts` pulled out of `d`. With as_of, each entity's data is its last version
// at or before that run. SQLite pulls out the facts that lists and filters need, so the JSON
// is parsed only on request.
template <typename Fn>
util::Status each_present(Database& db, const std::string& entity, const std::string& cols, const std::string& facts,
                          int64_t as_of, Fn&& row) {
    return each_row_of(db,
                       present_sql(entity) + "SELECT " + cols + ", d, " + facts + " FROM (" +
                           rows_as_of(entity, cols, as_of) + ") WHERE id IN present ORDER BY id",
                       as_of, std::forward<Fn>(row));
}

util::Status load_identities(Database& db, Loaded& l, int64_t as_of, Inventory::Detail detail) {
    return each_present(
        db, "identity", "id, key, provider, kind, actor, name, first_run, changed_run",
        "json_extract(d, '$.created'), json_extract(d, '$.last_used'), json_extract(d, '$.arn'), "
        "json_extract(d, '$.aws_role_arn'), json_extract(d, '$.gcp_service_account')",
        as_of, [&](Statement& q) {
            IdentityRow r;
            r.id = q.column_int(0);
            r.key = q.column_text(1);
            r.provider = q.column_text(2);
            r.kind = q.column_text(3);
            r.actor = q.column_text(4);
            r.name = q.column_text(5);
            r.first_run = q.column_int(6);
            r.changed_run = q.column_int(7);
            read_data(q, 8, detail, r.data_text, r.data);
            r.created = q.column_text(9);
            r.last_used = q.column_text(10);
            l.joins.push_back({q.column_text(11), q.column_text(12), q.column_text(13)});
            l.index[r.id] = l.out.size();
            l.out.push_back(std::move(r));
        });
}

util::Status load_credentials(Database& db, Loaded& l, int64_t as_of, Inventory::Detail detail) {
    return each_present(
        db, "credential", "id, identity_id, key, kind",
        "json_extract(d, '$.status'), json_extract(d, '$.expires'), json_extract(d, '$.last_used'), "
        "json_extract(d, '$.never_expires')",
        as_of, [&](Statement& q) {
            auto it = l.index.find(q.column_int(1));
            if (it == l.index.end()) return;
            CredentialRow c;
            c.id = q.column_int(0);
            c.key = q.column_text(2);
            c.kind = q.column_text(3);
            read_data(q, 4, detail, c.data_text, c.data);
            c.status = q.column_text(5);
            c.expires = q.column_text(6);
            c.last_used = q.column_text(7);
            c.never_expires = q.column_int(8) != 0;
            auto& creds = l.out[it->second].credentials;
            l.cred_index[c.id] = {it->second, creds.size()};
            creds.push_back(std::move(c));
        });
}

// Reuse, links to scan findings, and where those were seen.
util::Status attach_exposures(Database& db, Loaded& l, int64_t as_of) {
    // Reuse: one secret (or key id) held by several credentials, e.g. the same literal token
    // in two agents' configs.
    TRY(each_row_of(db,
                    "SELECT a.id, b.id FROM credential a JOIN credential b ON b.match_sha256 = a.match_sha256 "
                    "AND b.id != a.id WHERE a.match_sha256 IS NOT NULL ORDER BY b.id",
                    0, [&](Statement& q) {
                        if (auto* c = l.credential(q.column_int(0))) c->reused_by.push_back(q.column_int(1));
                    }));
    // As of a run, only the exposures known by then: a diff must see a leak as new.
    TRY(each_row_of(db,
                    as_of == 0 ? "SELECT credential_id, finding_id FROM link ORDER BY finding_id"
                               : "SELECT l.credential_id, l.finding_id FROM link l JOIN finding f ON f.id = l.finding_id "
                                 "WHERE f.first_run <= ?1 ORDER BY l.finding_id",
                    as_of, [&](Statement& q) {
                        if (auto* c = l.credential(q.column_int(0))) c->findings.push_back(q.column_int(1));
                    }));
    // Where each exposure was seen: the risk model tells production from staging by path.
    return each_row_of(db,
                       as_of == 0 ? "SELECT DISTINCT l.credential_id, o.path FROM link l "
                                    "JOIN occurrence o ON o.finding_id = l.finding_id ORDER BY o.path"
                                  : "SELECT DISTINCT l.credential_id, o.path FROM link l "
                                    "JOIN occurrence o ON o.finding_id = l.finding_id WHERE o.run_id <= ?1 ORDER BY o.path",
                       as_of, [&](Statement& q) {
                           if (auto* c = l.credential(q.column_int(0))) c->exposed_at.push_back(q.column_text(1));
                       });
}

// Owners as they stood, strongest source first.
util::Status attach_owners(Database& db, Loaded& l, int64_t as_of) {
    TRY(each_row_of(db,
                    as_of == 0 ? "SELECT identity_id, source, owner, COALESCE(detail, '') FROM owner "
                                 "WHERE ended_run IS NULL"
                               : "SELECT identity_id, source, owner, COALESCE(detail, '') FROM owner "
                                 "WHERE (run_id IS NULL OR run_id <= ?1) AND (ended_run IS NULL OR ended_run > ?1)",
                    as_of, [&](Statement& q) {
                        if (auto* r = l.identity(q.column_int(0)))
                            r->owners.push_back({q.column_text(2), q.column_text(1), q.column_text(3)});
                    }));
    for (auto& r : l.out) {
        std::stable_sort(r.owners.begin(), r.owners.end(), [](const OwnerInfo& a, const OwnerInfo& b) {
            return source_rank(a.source) < source_rank(b.source);
        });
        if (!r.owners.empty()) r.owner = r.owners.front();
    }
    return util::ok_status();
}

// The export files that described each identity, sorted.
util::Status attach_sources(Database& db, Loaded& l, int64_t as_of) {
    std::unordered_map<int64_t, std::string> run_source;
    TRY(each_row_of(db, "SELECT id, source FROM run WHERE kind = 'import'", 0,
                    [&](Statement& q) { run_source[q.column_int(0)] = q.column_text(1); }));
    TRY(each_row_of(db,
                    as_of == 0 ? "SELECT entity_id, run_id FROM sighting WHERE entity = 'identity'"
                               : "SELECT entity_id, run_id FROM sighting WHERE entity = 'identity' AND run_id <= ?1",
                    as_of, [&](Statement& q) {
                        auto* r = l.identity(q.column_int(0));
                        auto src = run_source.find(q.column_int(1));
                        if (!r || src == run_source.end()) return;
                        if (std::find(r->sources.begin(), r->sources.end(), src->second) == r->sources.end())
                            r->sources.push_back(src->second);
                    }));
    for (auto& r : l.out) std::sort(r.sources.begin(), r.sources.end());
    return util::ok_status();
}

util::Status attach_annotations(Database& db, Loaded& l) {
    return each_row_of(
        db, "SELECT identity_id, kind, reason, COALESCE(expires, ''), created_at FROM annotation ORDER BY id", 0,
        [&](Statement& q) {
            auto* r = l.identity(q.column_int(0));
            if (!r) return;
            nlohmann::json a = {{"kind", q.column_text(1)}, {"reason", q.column_text(2)}, {"created_at", q.column_text(4)}};
            if (!q.column_text(3).empty()) a["expires"] = q.column_text(3);
            if (r->annotations.is_null()) r->annotations = nlohmann::json::array();
            r->annotations.push_back(a);
        });
}

// Cross-provider joins from what the exports say: IRSA role ARNs, GKE workload identity.
// Only built when some identity points at another (most inventories: a few k8s SAs).
void relate_identities(Loaded& l) {
    auto& out = l.out;
    bool any = false;
    for (const auto& j : l.joins) any |= !j.aws_role_arn.empty() || !j.gcp_sa.empty();
    if (!any) return;
    std::unordered_map<std::string_view, size_t> by_arn, by_key;
    for (size_t i = 0; i < out.size(); ++i) {
        by_key[out[i].key] = i;
        if (!l.joins[i].arn.empty()) by_arn[l.joins[i].arn] = i;
    }
    for (size_t i = 0; i < out.size(); ++i) {
        auto relate = [&](const std::unordered_map<std::string_view, size_t>& map, const std::string& k,
                          const std::string& rel, const std::string& back) {
            auto it = k.empty() ? map.end() : map.find(k);
            if (it == map.end()) return;
            out[i].related.emplace_back(out[it->second].id, rel);
            out[it->second].related.emplace_back(out[i].id, back);
        };
        relate(by_arn, l.joins[i].aws_role_arn, "assumes aws role (IRSA)", "assumed by kubernetes service account");
        relate(by_key, l.joins[i].gcp_sa.empty() ? "" : "gcp:sa/" + l.joins[i].gcp_sa,
               "impersonates gcp service account (workload identity)", "impersonated by kubernetes service account");
    }
}

}  // namespace

util::Expected<std::vector<IdentityRow>> Inventory::load(int64_t as_of, Detail detail) {
    Loaded l;
    TRY(reserve(db_, l));
    TRY(load_identities(db_, l, as_of, detail));
    TRY(load_credentials(db_, l, as_of, detail));
    TRY(attach_exposures(db_, l, as_of));
    TRY(attach_owners(db_, l, as_of));
    TRY(attach_sources(db_, l, as_of));
    TRY(attach_annotations(db_, l));
    relate_identities(l);
    return std::move(l.out);
}

util::Expected<int64_t> Inventory::resolve(const std::string& id_or_key) {
    // A key or id names one identity; a name may name several (`default/default` in every
    // cluster, one user name in two accounts), and picking one would triage the wrong one.
    auto st = db_.prepare(
        "SELECT id, provider, key, key = ?1 OR CAST(id AS TEXT) = ?1 FROM identity "
        "WHERE key = ?1 OR CAST(id AS TEXT) = ?1 OR name = ?1 "
        "ORDER BY (key = ?1) DESC, (CAST(id AS TEXT) = ?1) DESC, id");
    if (!st) return st.error();
    st->bind(1, id_or_key);
    std::vector<std::string> names;  // "ID (provider, key)" of each identity of that name
    int64_t first = 0;
    bool exact = false;
    TRY(each_row(*st, [&](Statement& q) {
        if (names.empty()) {
            first = q.column_int(0);
            exact = q.column_int(3) != 0;
        }
        names.push_back(std::to_string(q.column_int(0)) + " (" + q.column_text(1) + ", " + q.column_text(2) + ")");
    }));
    if (names.empty()) return util::Error{id_or_key, "no such identity (use an id or key from nhi inventory list)"};
    if (exact || names.size() == 1) return first;
    std::string all;
    for (const auto& n : names) all += (all.empty() ? "" : ", ") + n;
    return util::Error{id_or_key, "names " + std::to_string(names.size()) + " identities: " + all +
                                      "; use an id or key"};
}

util::Status Inventory::set_owner(int64_t identity, const std::string& owner) {
    auto st = db_.prepare(
        "INSERT INTO owner(identity_id, source, owner, detail, run_id) VALUES(?1, 'explicit', ?2, 'nhi inventory "
        "set-owner', NULL) "
        "ON CONFLICT(identity_id, source) WHERE ended_run IS NULL DO UPDATE SET owner = excluded.owner");
    if (!st) return st.error();
    st->bind(1, identity).bind(2, owner);
    return st->run();
}

util::Status Inventory::annotate(int64_t identity, const std::string& kind, const std::string& reason,
                                 const std::string& expires) {
    auto st = db_.prepare(
        "INSERT INTO annotation(identity_id, kind, reason, expires, created_at) VALUES(?1, ?2, ?3, ?4, ?5)");
    if (!st) return st.error();
    st->bind(1, identity).bind(2, kind).bind(3, reason).bind(5, util::format_utc(util::now_unix()));
    if (expires.empty())
        st->bind_null(4);
    else
        st->bind(4, expires);
    return st->run();
}

util::Expected<std::vector<std::tuple<int64_t, std::string, nlohmann::json>>> Inventory::history(int64_t identity) {
    std::vector<std::tuple<int64_t, std::string, nlohmann::json>> out;
    auto st = db_.prepare(
        "SELECT v.run_id, r.started_at, v.data FROM entity_version v JOIN run r ON r.id = v.run_id "
        "WHERE v.entity = 'identity' AND v.entity_id = ?1 ORDER BY v.run_id");
    if (!st) return st.error();
    st->bind(1, identity);
    auto st_rows = each_row(*st, [&](Statement& q) {
        out.emplace_back(q.column_int(0), q.column_text(1), nlohmann::json::parse(q.column_text(2), nullptr, false));
    });
    if (!st_rows) return st_rows.error();
    return out;
}

util::Expected<std::vector<Inventory::CodeReference>> Inventory::code_references(const IdentityRow& row,
                                                                                int64_t as_of_run) {
    std::vector<CodeReference> out;
    // Findings keep only the hash of what they matched; the identity's names hash the same.
    std::vector<std::string> hashes;
    for (const char* k : {"arn", "email"})
        if (row.data.is_object() && row.data.contains(k) && row.data[k].is_string())
            hashes.push_back(util::sha256_hex(row.data[k].get<std::string>()));
    if (hashes.empty()) return out;
    auto st = db_.prepare(
        "SELECT DISTINCT o.path, o.line FROM finding f JOIN occurrence o ON o.finding_id = f.id "
        "WHERE f.rule_id LIKE 'nhi.ref.%' AND f.secret_sha256 IN (?1, ?2) AND (?3 = 0 OR o.run_id <= ?3) "
        "ORDER BY o.path, o.line");
    if (!st) return st.error();
    st->bind(1, hashes[0]).bind(2, hashes.size() > 1 ? hashes[1] : hashes[0]).bind(3, as_of_run);
    auto rows = each_row(*st, [&](Statement& q) { out.push_back({q.column_text(0), q.column_int(1)}); });
    if (!rows) return rows.error();
    return out;
}

}  // namespace nhi::db
