#include "db/store.hpp"

#include "util/time.hpp"

namespace nhi::db {

util::Expected<int64_t> Store::begin_run(const std::string& kind, const std::string& source,
                                         const std::string& rules_hash) {
    auto st = db_.prepare(
        "INSERT INTO run(kind, source, started_at, tool_version, rules_hash) VALUES(?1, ?2, ?3, ?4, ?5)");
    if (!st) return st.error();
    st->bind(1, kind).bind(2, source).bind(3, util::format_utc(util::now_unix())).bind(4, NHI_VERSION).bind(5, rules_hash);
    if (auto s = st->run(); !s) return s.error();
    return db_.last_insert_id();
}

util::Status Store::finish_run(int64_t run, const std::string& status, const nlohmann::json& stats) {
    auto st = db_.prepare("UPDATE run SET finished_at = ?1, status = ?2, stats = ?3 WHERE id = ?4");
    if (!st) return st.error();
    st->bind(1, util::format_utc(util::now_unix())).bind(2, status).bind(3, stats.dump()).bind(4, run);
    return st->run();
}

util::Status Store::record_findings(int64_t run, const std::vector<Finding>& findings, bool store_secrets) {
    Transaction tx(db_);
    // The upsert keeps the first redacted preview; it fills `secret` in only on opt-in and
    // never erases one stored by an earlier opted-in run.
    auto upsert = db_.prepare(
        "INSERT INTO finding(rule_id, secret_sha256, redacted, secret, first_run) VALUES(?1, ?2, ?3, ?4, ?5) "
        "ON CONFLICT(rule_id, secret_sha256) DO UPDATE SET secret = COALESCE(excluded.secret, finding.secret) "
        "RETURNING id");
    if (!upsert) return upsert.error();
    auto occ = db_.prepare(
        "INSERT OR IGNORE INTO occurrence(finding_id, run_id, path, line, col, fingerprint) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
    if (!occ) return occ.error();
    for (const auto& f : findings) {
        upsert->bind(1, f.rule_id).bind(2, f.secret_sha256).bind(3, f.redacted).bind(5, run);
        if (store_secrets) upsert->bind(4, f.secret);
        else upsert->bind_null(4);
        auto row = upsert->step();
        if (!row) return row.error();
        int64_t id = upsert->column_int(0);
        upsert->reset();
        occ->bind(1, id).bind(2, run).bind(3, f.path).bind(4, int64_t(f.line)).bind(5, int64_t(f.column)).bind(
            6, f.fingerprint);
        if (auto s = occ->run(); !s) return s;
    }
    return tx.commit();
}

util::Expected<int64_t> Store::count(const std::string& table) {
    // Table names cannot be bound; accept only known ones.
    static const char* known[] = {"run", "finding", "occurrence"};
    bool ok = false;
    for (const char* k : known) ok |= table == k;
    if (!ok) return util::Error{table, "unknown table"};
    auto st = db_.prepare("SELECT COUNT(*) FROM " + table);
    if (!st) return st.error();
    auto r = st->step();
    if (!r) return r.error();
    return st->column_int(0);
}

}  // namespace nhi::db
