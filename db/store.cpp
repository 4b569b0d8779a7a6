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
    st->bind(1, util::format_utc(util::now_unix())).bind(2, status).bind(3, json_text(stats)).bind(4, run);
    return st->run();
}

util::Status Store::record_findings(int64_t run, const std::vector<Finding>& findings, bool store_secrets) {
    TRY_ASSIGN(auto tx, Transaction::begin(db_));
    // The upsert keeps the first redacted preview; it fills `secret` in only on opt-in and
    // never erases one stored by an earlier opted-in run.
    auto upsert = db_.prepare(
        "INSERT INTO finding(rule_id, secret_sha256, redacted, secret, first_run, hints) VALUES(?1, ?2, ?3, ?4, ?5, ?6) "
        "ON CONFLICT(rule_id, secret_sha256) DO UPDATE SET secret = COALESCE(excluded.secret, finding.secret), "
        "hints = COALESCE(excluded.hints, finding.hints) RETURNING id");
    if (!upsert) return upsert.error();
    auto occ = db_.prepare(
        "INSERT OR IGNORE INTO occurrence(finding_id, run_id, path, line, col, fingerprint, commit_id, author, date, "
        "encoding) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    if (!occ) return occ.error();
    for (const auto& f : findings) {
        upsert->bind(1, f.rule_id).bind(2, f.secret_sha256).bind(3, f.redacted).bind(5, run);
        if (store_secrets) upsert->bind(4, f.secret);
        else upsert->bind_null(4);
        if (!f.hints.is_null() && !f.hints.empty()) upsert->bind(6, json_text(f.hints));
        auto row = upsert->step();
        if (!row) return row.error();
        int64_t id = upsert->column_int(0);
        upsert->reset();
        occ->bind(1, id).bind(2, run).bind(3, f.path).bind(4, int64_t(f.line)).bind(5, int64_t(f.column)).bind(
            6, f.fingerprint);
        if (!f.commit.empty()) occ->bind(7, f.commit).bind(8, f.author).bind(9, f.date);
        if (!f.encoding.empty()) occ->bind(10, f.encoding);
        if (auto s = occ->run(); !s) return s;
    }
    return tx.commit();
}

util::Expected<int64_t> Store::rules_id(const std::string& rules_hash) {
    auto ins = db_.prepare("INSERT INTO rules_version(hash) VALUES(?1) ON CONFLICT(hash) DO UPDATE SET hash = hash RETURNING id");
    if (!ins) return ins.error();
    ins->bind(1, rules_hash);
    auto row = ins->step();
    if (!row) return row.error();
    return ins->column_int(0);
}

util::Expected<std::vector<Store::KnownBlob>> Store::known_blobs(int64_t rules) {
    // An unreadable blob (status 3, kept by older versions) is read again, never taken as scanned.
    auto st = db_.prepare("SELECT oid, matches FROM blob WHERE rules = ?1 AND status != 3");
    if (!st) return st.error();
    st->bind(1, rules);
    std::vector<KnownBlob> out;
    while (true) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) break;
        out.push_back({st->column_blob(0), st->column_int(1) != 0});
    }
    return out;
}

util::Status Store::record_blobs(int64_t run, int64_t rules, const std::vector<BlobRecord>& blobs, bool store_secrets) {
    TRY_ASSIGN(auto tx, Transaction::begin(db_));
    auto ins = db_.prepare("INSERT OR REPLACE INTO blob(oid, rules, size, status, matches) VALUES(?1, ?2, ?3, ?4, ?5)");
    auto upsert = db_.prepare(
        "INSERT INTO finding(rule_id, secret_sha256, redacted, secret, first_run, hints) VALUES(?1, ?2, ?3, ?4, ?5, ?6) "
        "ON CONFLICT(rule_id, secret_sha256) DO UPDATE SET secret = COALESCE(excluded.secret, finding.secret), "
        "hints = COALESCE(excluded.hints, finding.hints) RETURNING id");
    auto match = db_.prepare(
        "INSERT OR IGNORE INTO blob_match(oid, rules, finding_id, entry, encoding, line, col) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!ins) return ins.error();
    if (!upsert) return upsert.error();
    if (!match) return match.error();
    for (const auto& b : blobs) {
        ins->bind_blob(1, b.oid).bind(2, rules).bind(3, int64_t(b.size)).bind(4, int64_t(b.status)).bind(
            5, int64_t(b.findings.size()));
        if (auto s = ins->run(); !s) return s;
        for (const auto& f : b.findings) {
            upsert->bind(1, f.rule_id).bind(2, f.secret_sha256).bind(3, f.redacted).bind(5, run);
            if (store_secrets) upsert->bind(4, f.secret);
            else upsert->bind_null(4);
            if (!f.hints.is_null() && !f.hints.empty()) upsert->bind(6, json_text(f.hints));
            auto r = upsert->step();
            if (!r) return r.error();
            int64_t fid = upsert->column_int(0);
            upsert->reset();
            match->bind_blob(1, b.oid).bind(2, rules).bind(3, fid).bind(4, f.inner).bind(5, f.encoding)
                .bind(6, int64_t(f.line)).bind(7, int64_t(f.column));
            if (auto s = match->run(); !s) return s;
        }
    }
    return tx.commit();
}

namespace {

Store::StoredMatch read_match(const Statement& st, int first) {
    Store::StoredMatch m;
    m.rule_id = st.column_text(first);
    m.secret_sha256 = st.column_text(first + 1);
    m.redacted = st.column_text(first + 2);
    m.secret = st.column_text(first + 3);
    m.line = size_t(st.column_int(first + 4));
    m.column = size_t(st.column_int(first + 5));
    if (!st.column_null(first + 6)) m.hints = nlohmann::json::parse(st.column_text(first + 6), nullptr, false);
    if (m.hints.is_discarded()) m.hints = nullptr;
    m.inner = st.column_text(first + 7);
    m.encoding = st.column_text(first + 8);
    return m;
}

}  // namespace

util::Expected<std::vector<Store::StoredMatch>> Store::blob_matches(const std::string& oid, int64_t rules) {
    auto st = db_.prepare(
        "SELECT f.rule_id, f.secret_sha256, f.redacted, f.secret, m.line, m.col, f.hints, m.entry, m.encoding "
        "FROM blob_match m JOIN finding f ON f.id = m.finding_id WHERE m.oid = ?1 AND m.rules = ?2 "
        "ORDER BY m.entry, m.line, m.col");
    if (!st) return st.error();
    st->bind_blob(1, oid).bind(2, rules);
    std::vector<StoredMatch> out;
    while (true) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) break;
        out.push_back(read_match(*st, 0));
    }
    return out;
}

util::Expected<std::vector<Store::OriginMatch>> Store::origin_matches(const std::string& repo, int64_t rules) {
    auto st = db_.prepare(
        "SELECT o.oid, o.commit_id, o.path, o.author, o.author_email, o.date, o.committer, "
        "f.rule_id, f.secret_sha256, f.redacted, f.secret, m.line, m.col, f.hints, m.entry, m.encoding "
        "FROM blob_origin o JOIN blob_match m ON m.oid = o.oid AND m.rules = ?2 "
        "JOIN finding f ON f.id = m.finding_id WHERE o.repo = ?1 ORDER BY o.date, o.path, m.entry, m.line");
    if (!st) return st.error();
    st->bind(1, repo).bind(2, rules);
    std::vector<OriginMatch> out;
    while (true) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) break;
        OriginMatch om;
        om.origin = {st->column_blob(0), st->column_text(1), st->column_text(2), st->column_text(3),
                     st->column_text(4), st->column_text(5), st->column_text(6)};
        om.match = read_match(*st, 7);
        out.push_back(std::move(om));
    }
    return out;
}

util::Status Store::record_origins(const std::string& repo, const std::vector<Origin>& origins) {
    TRY_ASSIGN(auto tx, Transaction::begin(db_));
    auto st = db_.prepare(
        "INSERT OR IGNORE INTO blob_origin(oid, repo, commit_id, path, author, author_email, date, committer) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!st) return st.error();
    for (const auto& o : origins) {
        st->bind_blob(1, o.oid).bind(2, repo).bind(3, o.commit).bind(4, o.path).bind(5, o.author).bind(6, o.author_email)
            .bind(7, o.date).bind(8, o.committer);
        if (auto s = st->run(); !s) return s;
    }
    return tx.commit();
}

util::Expected<std::vector<Store::Tip>> Store::repo_tips(const std::string& repo, const std::string& rules_hash) {
    auto st = db_.prepare("SELECT ref, commit_id FROM repo_tip WHERE repo = ?1 AND rules_hash = ?2");
    if (!st) return st.error();
    st->bind(1, repo).bind(2, rules_hash);
    std::vector<Tip> out;
    while (true) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) break;
        out.push_back({st->column_text(0), st->column_text(1)});
    }
    return out;
}

util::Status Store::set_repo_tips(const std::string& repo, const std::string& rules_hash, const std::vector<Tip>& tips) {
    TRY_ASSIGN(auto tx, Transaction::begin(db_));
    auto del = db_.prepare("DELETE FROM repo_tip WHERE repo = ?1");
    if (!del) return del.error();
    del->bind(1, repo);
    if (auto s = del->run(); !s) return s;
    auto ins = db_.prepare("INSERT OR REPLACE INTO repo_tip(repo, ref, commit_id, rules_hash) VALUES(?1, ?2, ?3, ?4)");
    if (!ins) return ins.error();
    for (const auto& t : tips) {
        ins->bind(1, repo).bind(2, t.ref).bind(3, t.commit).bind(4, rules_hash);
        if (auto s = ins->run(); !s) return s;
    }
    return tx.commit();
}

util::Expected<int64_t> Store::count(const std::string& table) {
    // Table names cannot be bound; accept only known ones.
    static const char* known[] = {"run", "finding", "occurrence", "blob", "blob_match", "blob_origin", "repo_tip", "rules_version"};
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
