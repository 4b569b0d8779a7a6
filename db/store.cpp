#include "db/store.hpp"

#include "util/time.hpp"

namespace nhi::db {
namespace {

// The latest validation of finding `f`, as columns status, checked_at, http_status, reason,
// identity (all NULL when never checked).
constexpr const char* kLatestValidation =
    "LEFT JOIN validation v ON v.id = (SELECT max(id) FROM validation WHERE rule_id = f.rule_id AND "
    "secret_sha256 = f.secret_sha256) ";

// The provider chose what it answered, not us: should an answer echo the secret (a token
// field a rule's identity pointer names by mistake), that value is not stored.
void scrub(nlohmann::json& j, const std::string& secret) {
    if (secret.empty()) return;
    if (j.is_string()) {
        if (j.get_ref<const std::string&>().find(secret) != std::string::npos) j = "[secret removed]";
        return;
    }
    if (j.is_structured())
        for (auto& child : j) scrub(child, secret);
}

}  // namespace

Validation read_validation(const Statement& st, int first) {
    Validation v;
    if (st.column_null(first)) return v;
    v.status = st.column_text(first);
    v.checked_at = st.column_text(first + 1);
    v.http_status = int(st.column_int(first + 2));
    v.reason = st.column_text(first + 3);
    if (!st.column_null(first + 4)) v.identity = nlohmann::json::parse(st.column_text(first + 4), nullptr, false);
    if (!v.identity.is_object()) v.identity = nlohmann::json::object();
    return v;
}

util::Status Store::record_validation(int64_t run, const std::string& rule_id, const std::string& secret_sha256,
                                      const Validation& v, const std::string& secret) {
    if (!v.done()) return util::ok_status();
    nlohmann::json identity = v.identity.is_object() ? v.identity : nlohmann::json::object();
    nlohmann::json reason = v.reason;
    scrub(identity, secret);
    scrub(reason, secret);
    // One outcome reaches every finding of the same secret (two paths, two rules' companions):
    // it is one check, recorded once.
    auto st = db_.prepare(
        "INSERT INTO validation(rule_id, secret_sha256, status, checked_at, http_status, reason, identity, run_id) "
        "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8 WHERE NOT EXISTS (SELECT 1 FROM validation WHERE rule_id = ?1 AND "
        "secret_sha256 = ?2 AND status = ?3 AND checked_at = ?4)");
    if (!st) return st.error();
    st->bind(1, rule_id).bind(2, secret_sha256).bind(3, v.status).bind(4, v.checked_at).bind(5, int64_t(v.http_status));
    if (reason.get_ref<const std::string&>().empty()) st->bind_null(6);
    else st->bind(6, reason.get_ref<const std::string&>());
    if (identity.empty()) st->bind_null(7);
    else st->bind(7, json_text(identity));
    if (run > 0) st->bind(8, run);
    else st->bind_null(8);
    return st->run();
}

util::Expected<Validation> Store::latest_validation(const std::string& rule_id, const std::string& secret_sha256) {
    auto st = db_.prepare(std::string("SELECT ") + kValidationColumns +
                          " FROM (SELECT ?1 AS rule_id, ?2 AS secret_sha256) f " + kLatestValidation);
    if (!st) return st.error();
    st->bind(1, rule_id).bind(2, secret_sha256);
    auto row = st->step();
    if (!row) return row.error();
    return *row ? read_validation(*st, 0) : Validation{};
}

util::Expected<std::vector<Finding>> Store::kept_secrets() {
    // One row per (finding, path): the path's latest occurrence. Companions (an AWS key id
    // beside its secret) are found by path, so every path is kept.
    auto st = db_.prepare(
        std::string("SELECT f.rule_id, f.secret_sha256, f.redacted, f.secret, f.hints, o.path, o.line, o.col, "
                    "o.fingerprint, COALESCE(o.commit_id, ''), COALESCE(o.author, ''), COALESCE(o.date, ''), "
                    "COALESCE(o.encoding, ''), ") +
        kValidationColumns +
        " FROM finding f JOIN occurrence o ON o.finding_id = f.id " + kLatestValidation +
        "WHERE f.secret IS NOT NULL AND f.secret != '' AND o.id = (SELECT max(id) FROM occurrence o2 "
        "WHERE o2.finding_id = f.id AND o2.path = o.path) ORDER BY o.path, o.line, o.col, f.rule_id");
    if (!st) return st.error();
    std::vector<Finding> out;
    while (true) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) break;
        Finding f;
        f.rule_id = st->column_text(0);
        f.secret_sha256 = st->column_text(1);
        f.redacted = st->column_text(2);
        f.secret = st->column_text(3);
        if (!st->column_null(4)) f.hints = nlohmann::json::parse(st->column_text(4), nullptr, false);
        if (f.hints.is_discarded()) f.hints = nullptr;
        f.path = st->column_text(5);
        f.line = size_t(st->column_int(6));
        f.column = size_t(st->column_int(7));
        f.fingerprint = st->column_text(8);
        f.commit = st->column_text(9);
        f.author = st->column_text(10);
        f.date = st->column_text(11);
        f.encoding = st->column_text(12);
        f.validation = read_validation(*st, 13);
        out.push_back(std::move(f));
    }
    return out;
}

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
        TRY(record_validation(run, f.rule_id, f.secret_sha256, f.validation, f.secret));
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
    m.validation = read_validation(st, first + 9);
    return m;
}

}  // namespace

util::Expected<std::vector<Store::StoredMatch>> Store::blob_matches(const std::string& oid, int64_t rules) {
    auto st = db_.prepare(
        std::string("SELECT f.rule_id, f.secret_sha256, f.redacted, f.secret, m.line, m.col, f.hints, m.entry, "
                    "m.encoding, ") + kValidationColumns +
        " FROM blob_match m JOIN finding f ON f.id = m.finding_id " + kLatestValidation +
        "WHERE m.oid = ?1 AND m.rules = ?2 ORDER BY m.entry, m.line, m.col");
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
        "f.rule_id, f.secret_sha256, f.redacted, f.secret, m.line, m.col, f.hints, m.entry, m.encoding, " +
        std::string(kValidationColumns) +
        " FROM blob_origin o JOIN blob_match m ON m.oid = o.oid AND m.rules = ?2 "
        "JOIN finding f ON f.id = m.finding_id " + kLatestValidation +
        "WHERE o.repo = ?1 ORDER BY o.date, o.path, m.entry, m.line");
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
    static const char* known[] = {"run", "finding", "occurrence", "blob", "blob_match", "blob_origin", "repo_tip", "rules_version", "validation"};
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
