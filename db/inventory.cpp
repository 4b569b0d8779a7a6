#include "db/inventory.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <unordered_map>

#include "db/model.hpp"
#include "db/store.hpp"
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

// An entity's row as stored.
struct Stored {
    int64_t id = 0;
    std::string text;  // its data
};

// Writes one table (identity or credential) with statements prepared once per import:
// 100,000 records must not mean 400,000 prepares. Every write records the row's version at
// this run; every record, written or not, records that this run saw the row.
class Upserter {
public:
    // `insert_sql` and `update_sql` take key or id, data and run as ?1-?3 and the table's own
    // columns from ?4.
    static util::Expected<Upserter> make(Database& db, const char* table, const std::string& insert_sql,
                                         const std::string& update_sql) {
        Upserter u;
        u.table_ = table;
        const std::string t = table;
        for (auto [slot, sql] : {std::pair<Statement*, std::string>{&u.find_, "SELECT id, data FROM " + t + " WHERE key = ?1"},
                                 {&u.insert_, insert_sql},
                                 {&u.update_, update_sql},
                                 {&u.update_data_, "UPDATE " + t + " SET data = ?1, changed_run = ?2 WHERE id = ?3"},
                                 {&u.version_, "INSERT OR REPLACE INTO entity_version(entity, entity_id, run_id, data) VALUES(?1, ?2, ?3, ?4)"},
                                 {&u.sighting_, "INSERT OR IGNORE INTO sighting(run_id, entity, entity_id) VALUES(?1, ?2, ?3)"}}) {
            TRY_ASSIGN(*slot, db.prepare(sql));
        }
        u.db_ = &db;
        return u;
    }

    util::Expected<std::optional<Stored>> find(const std::string& key) {
        find_.bind(1, key);
        TRY_ASSIGN(bool row, find_.step());
        std::optional<Stored> out;
        if (row) out = Stored{find_.column_int(0), find_.column_text(1)};
        find_.reset();
        return out;
    }

    template <typename Bind>
    util::Expected<int64_t> insert(const std::string& key, int64_t run, const std::string& text, Bind&& bind_rest) {
        insert_.bind(1, key).bind(2, text).bind(3, run);
        bind_rest(insert_);
        TRY(insert_.run());
        const int64_t id = db_->last_insert_id();
        TRY(version(id, run, text));
        return id;
    }

    // Rewrites row `id`'s data, and its own columns too unless `data_only`.
    template <typename Bind>
    util::Status update(int64_t id, int64_t run, const std::string& text, bool data_only, Bind&& bind_rest) {
        Statement& st = data_only ? update_data_ : update_;
        st.bind(1, text).bind(2, run).bind(3, id);
        if (!data_only) bind_rest(st);
        TRY(st.run());
        return version(id, run, text);
    }

    util::Status sight(int64_t id, int64_t run) {
        sighting_.bind(1, run).bind(2, table_).bind(3, id);
        return sighting_.run();
    }

private:
    util::Status version(int64_t id, int64_t run, const std::string& text) {
        version_.bind(1, table_).bind(2, id).bind(3, run).bind(4, text);
        return version_.run();
    }

    Database* db_ = nullptr;
    const char* table_ = "";
    Statement find_, insert_, update_, update_data_, version_, sighting_;
};

// Merges `data` into the row of `key`, or creates it; `adjust(merged, old)` (old: the stored
// data, or null for a new row) then fixes the merged data. A new row gets its own columns (`bind_rest`); an existing one keeps them
// when `data_only`. Returns the row id.
template <typename Adjust, typename Bind>
util::Expected<int64_t> upsert(Upserter& u, const std::string& key, int64_t run, const nlohmann::json& data,
                               bool data_only, Adjust&& adjust, Bind&& bind_rest) {
    TRY_ASSIGN(auto old, u.find(key));
    if (!old) {
        auto merged = merge(nlohmann::json::object(), data);
        adjust(merged, nullptr);
        TRY_ASSIGN(int64_t id, u.insert(key, run, json_text(merged), bind_rest));
        TRY(u.sight(id, run));
        return id;
    }
    const auto parsed = nlohmann::json::parse(old->text, nullptr, false);
    auto merged = merge(parsed, data);
    adjust(merged, &parsed);
    // Compared as text too: invalid UTF-8 is stored replaced, so the tree would differ from
    // the stored one on every import of the same file.
    if (merged != parsed) {
        if (auto text = json_text(merged); text != old->text) TRY(u.update(old->id, run, text, data_only, bind_rest));
    }
    TRY(u.sight(old->id, run));
    return old->id;
}

// The mark of an identity that only stubs have named (the sources that named it, sorted, so
// that the order of imports does not show); an export that describes it removes the mark.
void mark_known_from(nlohmann::json& data, bool stub, bool existed, const std::string& source) {
    if (!stub) {
        data.erase("known_only_from");
        return;
    }
    if (existed && !data.contains("known_only_from")) return;  // already described
    auto& mark = data["known_only_from"];
    if (!mark.is_array()) mark = nlohmann::json::array();
    if (std::find(mark.begin(), mark.end(), source) != mark.end()) return;
    mark.push_back(source);
    std::sort(mark.begin(), mark.end());
}

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

namespace {

util::Expected<int64_t> insert_run(Database& db, const std::string& source) {
    TRY_ASSIGN(auto st, db.prepare("INSERT INTO run(kind, source, started_at, finished_at, status, tool_version) "
                                   "VALUES('import', ?1, ?2, ?2, 'ok', ?3)"));
    st.bind(1, source).bind(2, util::format_utc(util::now_unix())).bind(3, NHI_VERSION);
    TRY(st.run());
    return db.last_insert_id();
}

// Joins scan findings to credentials by key id or secret hash; returns the new links.
util::Expected<size_t> link_findings(Database& db) {
    TRY_ASSIGN(auto st, db.prepare(
        "INSERT OR IGNORE INTO link(credential_id, finding_id, via) "
        "SELECT c.id, f.id, CASE WHEN json_extract(c.data, '$.key_id') IS NOT NULL THEN 'key-id' "
        "WHEN json_extract(c.data, '$.known_from') = 'validation' THEN 'validation' ELSE 'secret' END "
        "FROM credential c JOIN finding f ON f.secret_sha256 = c.match_sha256 "
        // A key id written beside a secret as context, or named as a reference, is not an
        // exposure of that key.
        "WHERE f.rule_id NOT LIKE 'nhi.context.%' AND f.rule_id NOT LIKE 'nhi.ref.%'"));
    TRY(st.run());
    TRY_ASSIGN(auto n, db.prepare("SELECT changes()"));
    TRY(n.step());
    return size_t(n.column_int(0));
}

// The hash a scan finding of this credential would carry: of its key id, or of its secret.
std::optional<std::string> match_hash(const nlohmann::json& data) {
    if (data.contains("key_id") && data["key_id"].is_string()) return util::sha256_hex(data["key_id"].get<std::string>());
    if (data.contains("secret_sha256") && data["secret_sha256"].is_string()) return data["secret_sha256"].get<std::string>();
    return std::nullopt;
}

}  // namespace

struct ImportSession::Writers {
    Transaction tx;
    Upserter identities, credentials;
    // Owners keep their history: a changed or dropped owner is ended at this run, not erased.
    Statement current_owner, end_owner, set_detail, add_owner;
    Statement holder;

    static util::Expected<Writers> make(Database& db, Transaction tx) {
        TRY_ASSIGN(auto identities, Upserter::make(
            db, "identity",
            "INSERT INTO identity(key, data, first_run, changed_run, provider, kind, actor, name) "
            "VALUES(?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7)",
            "UPDATE identity SET data = ?1, changed_run = ?2, provider = ?4, kind = ?5, "
            "actor = CASE WHEN ?8 THEN ?6 ELSE actor END, name = ?7 WHERE id = ?3"));
        TRY_ASSIGN(auto credentials, Upserter::make(
            db, "credential",
            "INSERT INTO credential(key, data, first_run, changed_run, identity_id, kind, match_sha256) "
            "VALUES(?1, ?2, ?3, ?3, ?4, ?5, ?6)",
            "UPDATE credential SET data = ?1, changed_run = ?2, identity_id = ?4, kind = ?5, "
            "match_sha256 = COALESCE(?6, match_sha256) WHERE id = ?3"));
        Writers w{std::move(tx), std::move(identities), std::move(credentials), {}, {}, {}, {}, {}};
        for (auto [slot, sql] : {std::pair<Statement*, const char*>{
                                     &w.current_owner,
                                     "SELECT o.id, o.owner, COALESCE(o.detail, ''), COALESCE(r.source, '') FROM owner o "
                                     "LEFT JOIN run r ON r.id = o.run_id WHERE o.identity_id = ?1 AND o.source = ?2 "
                                     "AND o.ended_run IS NULL"},
                                 {&w.end_owner, "UPDATE owner SET ended_run = ?2 WHERE id = ?1"},
                                 {&w.set_detail, "UPDATE owner SET detail = ?2 WHERE id = ?1"},
                                 {&w.add_owner,
                                  "INSERT INTO owner(identity_id, source, owner, detail, run_id) VALUES(?1, ?2, ?3, ?4, ?5)"},
                                 {&w.holder, "SELECT id FROM identity WHERE key = ?1"}}) {
            TRY_ASSIGN(*slot, db.prepare(sql));
        }
        return w;
    }
};

ImportSession::ImportSession(Database& db, const std::string& source, WarningFn on_warning)
    : db_(db), source_(source), on_warning_(std::move(on_warning)) {}

ImportSession::~ImportSession() = default;

util::Expected<std::unique_ptr<ImportSession>> ImportSession::begin(Database& db, const std::string& source,
                                                                    WarningFn on_warning) {
    std::unique_ptr<ImportSession> s(new ImportSession(db, source, std::move(on_warning)));
    TRY_ASSIGN(auto tx, Transaction::begin(db));
    TRY_ASSIGN(s->r_.run, insert_run(db, source));
    TRY_ASSIGN(auto w, Writers::make(db, std::move(tx)));
    s->w_ = std::make_unique<Writers>(std::move(w));
    return s;
}

void ImportSession::warning(const std::string& w) {
    if (on_warning_)
        on_warning_(w);
    else
        r_.warnings.push_back(w);
}

util::Status ImportSession::identity(const IdentityRecord& rec) {
    if (auto why = too_deep("identity", rec.key, rec.data)) {
        warning(source_ + ": " + *why);
        ++r_.skipped;
        refused_.insert(rec.key);
        return util::ok_status();
    }
    auto bind = [&](Statement& st) {
        st.bind(4, rec.provider).bind(5, rec.kind).bind(6, rec.actor).bind(7, rec.name);
        if (st.parameter_count() >= 8) st.bind(8, int64_t(rec.actor_known ? 1 : 0));
    };
    auto mark = [&](nlohmann::json& data, const nlohmann::json* old) {
        mark_known_from(data, rec.stub, old != nullptr, source_);
    };
    TRY_ASSIGN(int64_t id, upsert(w_->identities, rec.key, r_.run, rec.data, rec.stub, mark, bind));
    // A stub without an owner (a token's SA) knows nothing of owners, even where its file
    // also describes the identity and names one.
    if (rec.stub && rec.owner.empty()) return util::ok_status();
    return record_owner(id, rec);
}

util::Status ImportSession::record_owner(int64_t id, const IdentityRecord& rec) {
    auto& w = *w_;
    w.current_owner.bind(1, id).bind(2, rec.owner_class);
    TRY_ASSIGN(bool open, w.current_owner.step());
    const int64_t open_id = open ? w.current_owner.column_int(0) : 0;
    const std::string open_owner = w.current_owner.column_text(1), open_detail = w.current_owner.column_text(2),
                      open_source = w.current_owner.column_text(3);
    w.current_owner.reset();
    if (rec.owner.empty()) {
        // Only the export that named the owner can take it back: another file that knows
        // nothing of owners says nothing about them.
        if (!open_id || open_source != source_) return util::ok_status();
        w.end_owner.bind(1, open_id).bind(2, r_.run);
        return w.end_owner.run();
    }
    if (open_id && open_owner == rec.owner) {
        if (open_detail == rec.owner_source) return util::ok_status();
        w.set_detail.bind(1, open_id).bind(2, rec.owner_source);
        return w.set_detail.run();
    }
    if (open_id) {
        w.end_owner.bind(1, open_id).bind(2, r_.run);
        TRY(w.end_owner.run());
    }
    w.add_owner.bind(1, id).bind(2, rec.owner_class).bind(3, rec.owner).bind(4, rec.owner_source).bind(5, r_.run);
    return w.add_owner.run();
}

util::Expected<int64_t> ImportSession::holder(const CredentialRecord& rec) {
    auto& st = w_->holder;
    st.bind(1, rec.identity_key);
    TRY_ASSIGN(bool row, st.step());
    const int64_t id = row ? st.column_int(0) : 0;
    st.reset();
    // One orphan is a counted warning, not a reason to lose the whole file. (Importers hand
    // over a stub of the holder first, so only a holder they could not name lands here.)
    if (!id)
        warning(source_ + ": credential " + rec.key + ": its identity " + rec.identity_key +
                (refused_.count(rec.identity_key) ? " was not stored"
                                                  : " is in neither this file nor the inventory; import the export "
                                                    "that lists it, then this one again"));
    return id;
}

util::Status ImportSession::credential(const CredentialRecord& rec) {
    if (auto why = too_deep("credential", rec.key, rec.data)) {
        warning(source_ + ": " + *why);
        ++r_.skipped;
        return util::ok_status();
    }
    TRY_ASSIGN(int64_t holder_id, holder(rec));
    if (!holder_id) {
        ++r_.skipped;
        return util::ok_status();
    }
    const auto match = match_hash(rec.data);
    auto bind = [&](Statement& st) {
        st.bind(4, holder_id).bind(5, rec.kind);
        st.bind_opt(6, match);
    };
    auto keep_better = [&](nlohmann::json& data, const nlohmann::json* old) {
        for (const auto& f : rec.weak_fields)
            if (old && old->is_object() && old->contains(f)) data[f] = (*old)[f];
    };
    TRY(upsert(w_->credentials, rec.key, r_.run, rec.data, false, keep_better, bind));
    return util::ok_status();
}

// What this run saw, from the rows it sighted: distinct, and new or changed at this run.
util::Status ImportSession::count_run(ApplyResult& r) {
    TRY_ASSIGN(auto st, db_.prepare(
        "SELECT s.entity, count(*), sum(CASE WHEN COALESCE(i.first_run, c.first_run) = ?1 THEN 1 ELSE 0 END), "
        "sum(CASE WHEN COALESCE(i.first_run, c.first_run) < ?1 AND COALESCE(i.changed_run, c.changed_run) = ?1 "
        "THEN 1 ELSE 0 END) FROM sighting s "
        "LEFT JOIN identity i ON s.entity = 'identity' AND i.id = s.entity_id "
        "LEFT JOIN credential c ON s.entity = 'credential' AND c.id = s.entity_id "
        "WHERE s.run_id = ?1 GROUP BY s.entity"));
    st.bind(1, r.run);
    return each_row(st, [&](Statement& q) {
        const bool identity = q.column_text(0) == "identity";
        (identity ? r.identities : r.credentials) = size_t(q.column_int(1));
        (identity ? r.new_identities : r.new_credentials) = size_t(q.column_int(2));
        (identity ? r.changed_identities : r.changed_credentials) = size_t(q.column_int(3));
    });
}

util::Expected<ApplyResult> ImportSession::finish(const std::string& format) {
    TRY_ASSIGN(r_.links, link_findings(db_));
    TRY(count_run(r_));
    TRY_ASSIGN(auto st, db_.prepare("UPDATE run SET stats = ?2 WHERE id = ?1"));
    st.bind(1, r_.run).bind(2, json_text({{"format", format}, {"identities", r_.identities},
                                           {"credentials", r_.credentials}}));
    TRY(st.run());
    TRY(w_->tx.commit());
    return r_;
}

util::Expected<ApplyResult> Inventory::apply(const db::ImportBatch& batch, const std::string& source) {
    TRY_ASSIGN(auto session, ImportSession::begin(db_, source));
    for (const auto& rec : batch.identities) TRY(session->identity(rec));
    for (const auto& rec : batch.credentials) TRY(session->credential(rec));
    return session->finish(batch.format);
}

util::Expected<std::string> Inventory::run_time(int64_t run) {
    auto st = db_.prepare("SELECT started_at FROM run WHERE id = ?1");
    if (!st) return st.error();
    st->bind(1, run);
    auto row = st->step();
    if (!row) return row.error();
    return *row ? st->column_text(0) : std::string();
}

namespace {

// The newest run id matching `where` (one text parameter), or 0.
util::Expected<int64_t> newest_run(Database& db, const char* where, const std::string& arg) {
    TRY_ASSIGN(auto st, db.prepare(std::string("SELECT COALESCE(max(id), 0) FROM run WHERE ") + where));
    st.bind(1, arg);
    TRY(st.step());
    return st.column_int(0);
}

}  // namespace

util::Expected<int64_t> Inventory::latest_run(const std::string& kind) { return newest_run(db_, "kind = ?1", kind); }

// ISO 8601 UTC text in one format (format_utc) sorts as time does.
util::Expected<int64_t> Inventory::run_at(const std::string& time) { return newest_run(db_, "started_at <= ?1", time); }


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

namespace {

// The provider and credential kind a rule id names (nhi.<provider>.<kind>), for what a live
// outcome teaches: rules are not loaded here, and their ids follow that form.
std::pair<std::string, std::string> rule_parts(const std::string& rule_id) {
    const auto a = rule_id.find('.'), b = a == std::string::npos ? a : rule_id.find('.', a + 1);
    if (b == std::string::npos) return {"unknown", "secret"};
    return {rule_id.substr(a + 1, b - a - 1), rule_id.substr(b + 1)};
}

// What an AWS ARN names, as the AWS importers key it: a user (aws:user/NAME), a role
// (aws:role/NAME; an STS assumed-role ARN names its role) or an account's root user.
struct ArnTarget {
    std::string key, kind, name, account;
};
std::optional<ArnTarget> arn_target(const std::string& arn) {
    // arn:PARTITION:SERVICE::ACCOUNT:RESOURCE
    std::vector<std::string> parts;
    size_t at = 0;
    for (int i = 0; i < 5; ++i) {
        const auto colon = arn.find(':', at);
        if (colon == std::string::npos) return std::nullopt;
        parts.push_back(arn.substr(at, colon - at));
        at = colon + 1;
    }
    if (parts[0] != "arn" || parts[4].empty()) return std::nullopt;
    const std::string account = parts[4], resource = arn.substr(at);
    if (resource == "root") return ArnTarget{"aws:root:" + account, "root", "root", account};
    const auto slash = resource.find('/');
    if (slash == std::string::npos) return std::nullopt;
    const std::string type = resource.substr(0, slash), rest = resource.substr(slash + 1);
    if (type == "assumed-role") {  // assumed-role/ROLE/SESSION
        const std::string role = rest.substr(0, rest.find('/'));
        if (role.empty()) return std::nullopt;
        return ArnTarget{"aws:role/" + role, "iam-role", role, account};
    }
    const std::string name = rest.substr(rest.rfind('/') + 1);  // a path comes before the name
    if (name.empty()) return std::nullopt;
    if (type == "user") return ArnTarget{"aws:user/" + name, "iam-user", name, account};
    if (type == "role") return ArnTarget{"aws:role/" + name, "iam-role", name, account};
    return std::nullopt;
}

std::string field(const nlohmann::json& j, const char* k) {
    auto it = j.is_object() ? j.find(k) : j.end();
    if (it == j.end()) return "";
    if (it->is_string()) return it->get<std::string>();
    if (it->is_number()) return it->dump();
    return "";
}

// An identity in the inventory; `ours` when only validation has named it (its mark), so a
// new validation run must name it again to keep it present.
struct Found {
    std::string key;
    int64_t id = 0;
    bool ours = false;
};

// Live-validated findings, each joined to the identity its outcome names: the identity the
// inventory already holds (same ARN, login or e-mail; else the key an importer would give it),
// or a stub marked known_only_from ["validation"]. The finding is linked through a credential:
// the identity's own credential found beside it (an AWS key id in the same file), else one
// this records, holding the finding's secret hash, so link_findings joins it like any other.
class ValidationLinker {
public:
    explicit ValidationLinker(Database& db) : db_(db) {}

    util::Expected<size_t> run() {
        // The latest live outcome with identity fields of each finding not yet joined to an
        // imported credential. A later "revoked" keeps the link: the exposure is then resolved.
        // Driven from the outcomes, so a scan without --validate costs one empty lookup.
        TRY_ASSIGN(auto st, db_.prepare(
            "SELECT f.id, f.rule_id, f.secret_sha256, v.identity, "
            "EXISTS (SELECT 1 FROM link l WHERE l.finding_id = f.id), f.redacted FROM validation v "
            "JOIN finding f ON f.rule_id = v.rule_id AND f.secret_sha256 = v.secret_sha256 "
            "WHERE v.status = 'live' AND v.identity IS NOT NULL AND v.id = (SELECT max(id) FROM validation x "
            "WHERE x.rule_id = v.rule_id AND x.secret_sha256 = v.secret_sha256 AND x.status = 'live' AND "
            "x.identity IS NOT NULL) AND NOT EXISTS (SELECT 1 FROM link l JOIN credential c ON c.id = l.credential_id "
            "WHERE l.finding_id = f.id AND c.key NOT LIKE 'validation:%') ORDER BY f.id"));
        struct Live {
            int64_t finding;
            std::string rule_id, sha;
            nlohmann::json identity;
            bool linked;
            std::string redacted;
        };
        std::vector<Live> live;
        TRY(each_row(st, [&](Statement& q) {
            auto id = nlohmann::json::parse(q.column_text(3), nullptr, false);
            if (id.is_object()) live.push_back({q.column_int(0), q.column_text(1), q.column_text(2), std::move(id), q.column_int(4) != 0,
                                                q.column_text(5)});
        }));
        // Nothing new: the links and stubs of earlier runs stand (no run is recorded).
        if (std::none_of(live.begin(), live.end(), [](const Live& l) { return !l.linked; })) return size_t(0);
        TRY(prepare());
        size_t direct = 0;
        db::ImportBatch batch{"validation", {}, {}, {}};
        for (const auto& l : live) {
            TRY_ASSIGN(auto target, resolve(l.rule_id, l.identity));
            if (!target) continue;
            auto& [found, stub] = *target;
            if (found && !found->ours) {
                TRY_ASSIGN(int64_t beside, credential_beside(found->id, l.finding));
                if (beside) {
                    add_link_.bind(1, beside).bind(2, l.finding);
                    TRY(add_link_.run());
                    TRY_ASSIGN(auto n, changes());
                    direct += n;
                    continue;
                }
            } else {
                batch.identities.push_back(stub);
            }
            batch.credentials.push_back(credential(l.rule_id, l.sha, l.redacted, l.identity, found ? found->key : stub.key));
        }
        if (batch.credentials.empty()) return direct;
        // One import run of source "validation" names every identity and credential that only
        // validation knows, so the latest such run says what is present (as any export's does).
        TRY_ASSIGN(auto r, Inventory(db_).apply(batch, "validation"));
        return r.links + direct;
    }

private:
    util::Status prepare() {
        for (auto [slot, sql] : {
                 std::pair<Statement*, const char*>{&by_key_, "SELECT id, key, data FROM identity WHERE key = ?1"},
                 {&by_arn_, "SELECT id, key, data FROM identity WHERE json_extract(data, '$.arn') = ?1 ORDER BY id LIMIT 1"},
                 {&by_email_, "SELECT id, key, data FROM identity WHERE json_extract(data, '$.email') = ?1 ORDER BY id LIMIT 1"},
                 {&by_name_, "SELECT id, key, data FROM identity WHERE provider = ?1 AND (name = ?2 OR "
                             "json_extract(data, '$.login') = ?2) ORDER BY id LIMIT 1"},
                 // The identity's credential linked to a finding seen in a file where this one
                 // was: an AWS secret key is validated with the key id beside it.
                 {&beside_, "SELECT DISTINCT c.id FROM credential c JOIN link l ON l.credential_id = c.id "
                            "JOIN occurrence o ON o.finding_id = l.finding_id WHERE c.identity_id = ?1 AND "
                            "c.key NOT LIKE 'validation:%' AND l.finding_id != ?2 AND o.path IN "
                            "(SELECT path FROM occurrence WHERE finding_id = ?2) LIMIT 2"},
                 {&add_link_, "INSERT OR IGNORE INTO link(credential_id, finding_id, via) VALUES(?1, ?2, 'validation')"},
                 {&changes_, "SELECT changes()"}}) {
            TRY_ASSIGN(*slot, db_.prepare(sql));
        }
        return util::ok_status();
    }

    util::Expected<std::optional<Found>> lookup(Statement& st) {
        TRY_ASSIGN(bool row, st.step());
        std::optional<Found> out;
        if (row) {
            const auto data = nlohmann::json::parse(st.column_text(2), nullptr, false);
            const auto mark = data.is_object() ? data.value("known_only_from", nlohmann::json::array()) : nlohmann::json::array();
            out = Found{st.column_text(1), st.column_int(0),
                        mark.is_array() && std::find(mark.begin(), mark.end(), "validation") != mark.end()};
        }
        st.reset();
        return out;
    }

    // The identity an outcome names, if the inventory has it, and the stub that stands for it.
    util::Expected<std::optional<std::pair<std::optional<Found>, IdentityRecord>>> resolve(const std::string& rule_id,
                                                                                          const nlohmann::json& who) {
        // Named copies, not structured bindings: clang 14 (the fuzz build) cannot capture those.
        const auto parts = rule_parts(rule_id);
        const std::string provider = parts.first;
        IdentityRecord stub;
        stub.stub = true;
        stub.actor = "service";
        stub.actor_known = false;  // the provider's answer does not say who uses it
        for (const char* k : {"login", "user_id", "account", "arn", "email", "name", "team", "org"})
            if (auto v = field(who, k); !v.empty()) stub.data[k] = v;
        std::optional<Found> found;
        auto name = [&](std::string what, std::string key, std::string shown) {
            stub.provider = provider;
            stub.kind = std::move(what);
            stub.key = std::move(key);
            stub.name = std::move(shown);
        };
        auto keyed = [&] {
            by_key_.bind(1, stub.key);
            return lookup(by_key_);
        };
        const std::string arn = field(who, "arn"), email = field(who, "email");
        std::string login = field(who, "login");
        if (login.empty()) login = !field(who, "name").empty() ? field(who, "name") : field(who, "user_id");
        if (!arn.empty()) {
            by_arn_.bind(1, arn);
            TRY_ASSIGN(found, lookup(by_arn_));
            if (auto t = arn_target(arn)) {
                name(t->kind, t->key, t->name);
                stub.data["account"] = t->account;
            } else {
                name("principal", "aws:arn/" + arn, arn);
            }
            stub.provider = "aws";
            if (!found) {
                TRY_ASSIGN(found, keyed());
            }
        } else if (!email.empty()) {
            by_email_.bind(1, email);
            TRY_ASSIGN(found, lookup(by_email_));
            name(provider == "gcp" ? "service-account" : "user",
                 provider == "gcp" ? "gcp:sa/" + email : provider + ":user/" + email, email);
        } else if (!login.empty()) {
            name("user", provider + ":user/" + login, login);
            TRY_ASSIGN(found, keyed());
            if (!found) {
                by_name_.bind(1, provider).bind(2, login);
                TRY_ASSIGN(found, lookup(by_name_));
            }
        } else if (const std::string account = !field(who, "account").empty() ? field(who, "account")
                                                  : !field(who, "org").empty()   ? field(who, "org")
                                                                                 : field(who, "team");
                   !account.empty()) {
            // Only an account (a Stripe or Twilio account, a Slack team): the key is the account's.
            name("account", provider + ":account/" + account, account);
            TRY_ASSIGN(found, keyed());
        } else {
            return std::optional<std::pair<std::optional<Found>, IdentityRecord>>();  // nothing names anyone
        }
        if (found) stub.key = found->key;  // an identity of ours found by name: named again, not twice
        return std::optional<std::pair<std::optional<Found>, IdentityRecord>>(std::in_place, found, std::move(stub));
    }

    util::Expected<int64_t> credential_beside(int64_t identity, int64_t finding) {
        beside_.bind(1, identity).bind(2, finding);
        std::vector<int64_t> ids;
        TRY(each_row(beside_, [&](Statement& q) { ids.push_back(q.column_int(0)); }));
        beside_.reset();
        return ids.size() == 1 ? ids.front() : 0;  // two candidates: which one is not known
    }

    util::Expected<size_t> changes() {
        TRY(changes_.step());
        const auto n = size_t(changes_.column_int(0));
        changes_.reset();
        return n;
    }

    // The leaked credential as validation knows it: its secret's hash (what joins the finding),
    // its redacted preview (how reports name it), the scopes and expiry the provider gave.
    static CredentialRecord credential(const std::string& rule_id, const std::string& sha, const std::string& redacted,
                                       const nlohmann::json& who, const std::string& holder) {
        CredentialRecord c;
        c.key = "validation:" + rule_id + ":" + sha.substr(0, 16);
        c.identity_key = holder;
        c.kind = rule_parts(rule_id).second;
        c.data["secret_sha256"] = sha;
        c.data["rule"] = rule_id;
        c.data["known_from"] = "validation";
        c.data["redacted"] = redacted;
        if (auto it = who.find("scopes"); it != who.end() && !it->is_null()) c.data["scopes"] = *it;
        if (auto exp = field(who, "expires_at"); !exp.empty()) c.data["expires"] = exp;
        return c;
    }

    Database& db_;
    Statement by_key_, by_arn_, by_email_, by_name_, beside_, add_link_, changes_;
};

}  // namespace

util::Expected<size_t> Inventory::relink() {
    TRY_ASSIGN(size_t n, link_findings(db_));
    TRY_ASSIGN(size_t m, ValidationLinker(db_).run());
    return n + m;
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
    // With each, its latest validation outcome as of then (a check recorded without a run counts).
    TRY(each_row_of(db,
                    std::string("SELECT l.credential_id, l.finding_id, ") + kValidationColumns +
                        " FROM link l JOIN finding f ON f.id = l.finding_id LEFT JOIN validation v ON v.id = "
                        "(SELECT max(id) FROM validation x WHERE x.rule_id = f.rule_id AND x.secret_sha256 = "
                        "f.secret_sha256 AND (?1 = 0 OR x.run_id IS NULL OR x.run_id <= ?1)) "
                        "WHERE ?1 = 0 OR f.first_run <= ?1 ORDER BY l.finding_id",
                    as_of, [&](Statement& q) {
                        if (auto* c = l.credential(q.column_int(0))) {
                            c->findings.push_back(q.column_int(1));
                            c->validations.push_back(read_validation(q, 2));
                        }
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

// set-owner and annotate are runs of their own, so history sees triage in time.
util::Expected<int64_t> triage_run(Database& db, const char* kind) {
    TRY_ASSIGN(auto run, db.prepare("INSERT INTO run(kind, source, started_at, finished_at, status, tool_version) "
                                    "VALUES(?1, ?2, ?3, ?3, 'ok', ?4)"));
    run.bind(1, std::string(kind)).bind(2, "nhi inventory " + std::string(kind)).bind(3, util::format_utc(util::now_unix()))
        .bind(4, NHI_VERSION);
    TRY(run.run());
    return db.last_insert_id();
}

util::Status attach_annotations(Database& db, Loaded& l, int64_t as_of) {
    return each_row_of(
        db,
        "SELECT identity_id, kind, reason, COALESCE(expires, ''), created_at FROM annotation "
        "WHERE ?1 = 0 OR run_id IS NULL OR run_id <= ?1 ORDER BY id",
        as_of, [&](Statement& q) {
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
    TRY(attach_annotations(db_, l, as_of));
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
    // A run of its own (kind set-owner), so that `report diff` and `--run N` see the owner
    // from then on and the one before it up to then, as they see an export's owners.
    TRY_ASSIGN(auto tx, Transaction::begin(db_));
    TRY_ASSIGN(const int64_t at, triage_run(db_, "set-owner"));
    TRY_ASSIGN(auto end, db_.prepare("UPDATE owner SET ended_run = ?2 WHERE identity_id = ?1 AND source = 'explicit' "
                                     "AND ended_run IS NULL"));
    end.bind(1, identity).bind(2, at);
    TRY(end.run());
    TRY_ASSIGN(auto add, db_.prepare("INSERT INTO owner(identity_id, source, owner, detail, run_id) "
                                     "VALUES(?1, 'explicit', ?2, 'nhi inventory set-owner', ?3)"));
    add.bind(1, identity).bind(2, owner).bind(3, at);
    TRY(add.run());
    return tx.commit();
}

util::Status Inventory::annotate(int64_t identity, const std::string& kind, const std::string& reason,
                                 const std::string& expires) {
    // A run of its own, like set-owner: a report as of an earlier run does not see it.
    TRY_ASSIGN(auto tx, Transaction::begin(db_));
    TRY_ASSIGN(const int64_t at, triage_run(db_, "annotate"));
    TRY_ASSIGN(auto st, db_.prepare("INSERT INTO annotation(identity_id, kind, reason, expires, created_at, run_id) "
                                    "VALUES(?1, ?2, ?3, ?4, ?5, ?6)"));
    st.bind(1, identity).bind(2, kind).bind(3, reason).bind(5, util::format_utc(util::now_unix())).bind(6, at);
    if (expires.empty())
        st.bind_null(4);
    else
        st.bind(4, expires);
    TRY(st.run());
    return tx.commit();
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
