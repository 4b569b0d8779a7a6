#include "db/inventory.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>

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

util::Expected<Upserted> upsert(Database& db, const char* table, const std::string& key, int64_t run,
                                const nlohmann::json& data,
                                const std::function<util::Status(Statement&, bool)>& bind_rest, const char* insert_sql,
                                const char* update_sql) {
    Upserted u;
    auto find = db.prepare(std::string("SELECT id, data FROM ") + table + " WHERE key = ?1");
    if (!find) return find.error();
    find->bind(1, key);
    auto row = find->step();
    if (!row) return row.error();
    nlohmann::json merged;
    if (*row) {
        u.id = find->column_int(0);
        auto old = nlohmann::json::parse(find->column_text(1), nullptr, false);
        merged = merge(old, data);
        if (merged == old) return u;
        u.changed = true;
        auto up = db.prepare(update_sql);
        if (!up) return up.error();
        up->bind(1, merged.dump()).bind(2, run).bind(3, u.id);
        if (auto s = bind_rest(*up, false); !s) return s.error();
        if (auto s = up->run(); !s) return s.error();
    } else {
        merged = merge(nlohmann::json::object(), data);
        auto ins = db.prepare(insert_sql);
        if (!ins) return ins.error();
        ins->bind(1, key).bind(2, merged.dump()).bind(3, run);
        if (auto s = bind_rest(*ins, true); !s) return s.error();
        if (auto s = ins->run(); !s) return s.error();
        u.id = db.last_insert_id();
        u.created = true;
    }
    auto v =
        db.prepare("INSERT OR REPLACE INTO entity_version(entity, entity_id, run_id, data) VALUES(?1, ?2, ?3, ?4)");
    if (!v) return v.error();
    v->bind(1, table).bind(2, u.id).bind(3, run).bind(4, merged.dump());
    if (auto s = v->run(); !s) return s.error();
    return u;
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

util::Status sighting(Database& db, int64_t run, const char* entity, int64_t id) {
    auto st = db.prepare("INSERT OR IGNORE INTO sighting(run_id, entity, entity_id) VALUES(?1, ?2, ?3)");
    if (!st) return st.error();
    st->bind(1, run).bind(2, entity).bind(3, id);
    return st->run();
}

}  // namespace

util::Expected<ApplyResult> Inventory::apply(const scanners::importers::ImportBatch& batch, const std::string& source) {
    ApplyResult r;
    Transaction tx(db_);
    auto run = db_.prepare(
        "INSERT INTO run(kind, source, started_at, finished_at, status, tool_version, stats) "
        "VALUES('import', ?1, ?2, ?2, 'ok', ?3, ?4)");
    if (!run) return run.error();
    nlohmann::json stats = {
        {"format", batch.format}, {"identities", batch.identities.size()}, {"credentials", batch.credentials.size()}};
    run->bind(1, source).bind(2, util::format_utc(util::now_unix())).bind(3, NHI_VERSION).bind(4, stats.dump());
    if (auto s = run->run(); !s) return s.error();
    r.run = db_.last_insert_id();

    std::map<std::string, int64_t> ids;
    for (const auto& rec : batch.identities) {
        auto u = upsert(
            db_, "identity", rec.key, r.run, rec.data,
            [&](Statement& st, bool) -> util::Status {
                st.bind(4, rec.provider).bind(5, rec.kind).bind(6, rec.actor).bind(7, rec.name);
                return util::ok_status();
            },
            "INSERT INTO identity(key, data, first_run, changed_run, provider, kind, actor, name) "
            "VALUES(?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7)",
            "UPDATE identity SET data = ?1, changed_run = ?2, provider = ?4, kind = ?5, actor = ?6, name = ?7 "
            "WHERE id = ?3");
        if (!u) return u.error();
        ids[rec.key] = u->id;
        r.new_identities += u->created;
        r.changed_identities += u->changed;
        if (auto s = sighting(db_, r.run, "identity", u->id); !s) return s.error();
        if (!rec.owner.empty()) {
            auto o = db_.prepare(
                "INSERT INTO owner(identity_id, source, owner, detail, run_id) VALUES(?1, 'export', ?2, ?3, ?4) "
                "ON CONFLICT(identity_id, source) DO UPDATE SET owner = excluded.owner, detail = excluded.detail "
                "WHERE owner.owner IS NOT excluded.owner OR owner.detail IS NOT excluded.detail");
            if (!o) return o.error();
            o->bind(1, u->id).bind(2, rec.owner).bind(3, rec.owner_source).bind(4, r.run);
            if (auto s = o->run(); !s) return s.error();
        }
    }
    r.identities = ids.size();

    for (const auto& rec : batch.credentials) {
        int64_t owner_id = 0;
        if (auto it = ids.find(rec.identity_key); it != ids.end()) {
            owner_id = it->second;
        } else {
            // The credential names an identity this file does not describe (a key whose user
            // came from another export): use it if known, else record a stub to hang it on.
            auto f = db_.prepare("SELECT id FROM identity WHERE key = ?1");
            if (!f) return f.error();
            f->bind(1, rec.identity_key);
            auto row = f->step();
            if (!row) return row.error();
            if (*row) {
                owner_id = f->column_int(0);
            } else {
                return util::Error{source,
                                   "credential " + rec.key + " belongs to unknown identity " + rec.identity_key};
            }
        }
        std::string match;
        if (rec.data.contains("key_id") && rec.data["key_id"].is_string())
            match = util::sha256_hex(rec.data["key_id"].get<std::string>());
        else if (rec.data.contains("secret_sha256") && rec.data["secret_sha256"].is_string())
            match = rec.data["secret_sha256"].get<std::string>();
        auto u = upsert(
            db_, "credential", rec.key, r.run, rec.data,
            [&](Statement& st, bool) -> util::Status {
                st.bind(4, owner_id).bind(5, rec.kind);
                if (match.empty())
                    st.bind_null(6);
                else
                    st.bind(6, match);
                return util::ok_status();
            },
            "INSERT INTO credential(key, data, first_run, changed_run, identity_id, kind, match_sha256) "
            "VALUES(?1, ?2, ?3, ?3, ?4, ?5, ?6)",
            "UPDATE credential SET data = ?1, changed_run = ?2, identity_id = ?4, kind = ?5, "
            "match_sha256 = COALESCE(?6, match_sha256) WHERE id = ?3");
        if (!u) return u.error();
        ++r.credentials;
        r.new_credentials += u->created;
        r.changed_credentials += u->changed;
        if (auto s = sighting(db_, r.run, "credential", u->id); !s) return s.error();
    }
    auto links = relink();
    if (!links) return links.error();
    r.links = *links;
    if (auto s = tx.commit(); !s) return s.error();
    return r;
}

util::Expected<size_t> Inventory::relink() {
    auto st = db_.prepare(
        "INSERT OR IGNORE INTO link(credential_id, finding_id, via) "
        "SELECT c.id, f.id, CASE WHEN json_extract(c.data, '$.key_id') IS NOT NULL THEN 'key-id' ELSE 'secret' END "
        "FROM credential c JOIN finding f ON f.secret_sha256 = c.match_sha256");
    if (!st) return st.error();
    if (auto s = st->run(); !s) return s.error();
    auto n = db_.prepare("SELECT changes()");
    if (!n) return n.error();
    auto row = n->step();
    if (!row) return row.error();
    return size_t(n->column_int(0));
}

util::Expected<std::vector<IdentityRow>> Inventory::load(int64_t as_of) {
    std::vector<IdentityRow> out;
    std::map<int64_t, size_t> index;
    // With as_of, each entity's data is its last version at or before that run.
    std::string ident_sql =
        as_of == 0
            ? "SELECT id, key, provider, kind, actor, name, data, first_run, changed_run FROM identity ORDER BY id"
            : "SELECT i.id, i.key, i.provider, i.kind, i.actor, i.name, "
              "(SELECT data FROM entity_version v WHERE v.entity = 'identity' AND v.entity_id = i.id AND v.run_id <= "
              "?1 "
              " ORDER BY v.run_id DESC LIMIT 1), i.first_run, i.changed_run FROM identity i WHERE i.first_run <= ?1 "
              "ORDER BY i.id";
    auto st = db_.prepare(ident_sql);
    if (!st) return st.error();
    if (as_of) st->bind(1, as_of);
    auto st_rows = each_row(*st, [&](Statement& q) {
        IdentityRow r;
        r.id = q.column_int(0);
        r.key = q.column_text(1);
        r.provider = q.column_text(2);
        r.kind = q.column_text(3);
        r.actor = q.column_text(4);
        r.name = q.column_text(5);
        r.data = nlohmann::json::parse(q.column_text(6), nullptr, false);
        r.first_run = q.column_int(7);
        r.changed_run = q.column_int(8);
        index[r.id] = out.size();
        out.push_back(std::move(r));
    });
    if (!st_rows) return st_rows.error();
    std::string cred_sql =
        as_of == 0 ? "SELECT id, identity_id, key, kind, data FROM credential ORDER BY id"
                   : "SELECT c.id, c.identity_id, c.key, c.kind, (SELECT data FROM entity_version v WHERE v.entity = "
                     "'credential' AND v.entity_id = c.id AND v.run_id <= ?1 ORDER BY v.run_id DESC LIMIT 1) "
                     "FROM credential c WHERE c.first_run <= ?1 ORDER BY c.id";
    auto cs = db_.prepare(cred_sql);
    if (!cs) return cs.error();
    if (as_of) cs->bind(1, as_of);
    std::map<int64_t, std::pair<size_t, size_t>> cred_index;
    auto cs_rows = each_row(*cs, [&](Statement& q) {
        auto it = index.find(q.column_int(1));
        if (it == index.end()) return;
        CredentialRow c;
        c.id = q.column_int(0);
        c.key = q.column_text(2);
        c.kind = q.column_text(3);
        c.data = nlohmann::json::parse(q.column_text(4), nullptr, false);
        auto& creds = out[it->second].credentials;
        cred_index[c.id] = {it->second, creds.size()};
        creds.push_back(std::move(c));
    });
    if (!cs_rows) return cs_rows.error();
    auto ls = db_.prepare("SELECT credential_id, finding_id FROM link ORDER BY finding_id");
    if (!ls) return ls.error();
    if (auto s =
            each_row(*ls,
                     [&](Statement& q) {
                         auto it = cred_index.find(q.column_int(0));
                         if (it != cred_index.end())
                             out[it->second.first].credentials[it->second.second].findings.push_back(q.column_int(1));
                     });
        !s)
        return s.error();
    auto os = db_.prepare(as_of == 0 ? "SELECT identity_id, source, owner, COALESCE(detail, '') FROM owner"
                                     : "SELECT identity_id, source, owner, COALESCE(detail, '') FROM owner "
                                       "WHERE run_id IS NULL OR run_id <= ?1");
    if (!os) return os.error();
    if (as_of) os->bind(1, as_of);
    auto os_rows = each_row(*os, [&](Statement& q) {
        auto it = index.find(q.column_int(0));
        if (it == index.end()) return;
        out[it->second].owners.push_back({q.column_text(2), q.column_text(1), q.column_text(3)});
    });
    if (!os_rows) return os_rows.error();
    auto ss =
        db_.prepare(as_of == 0 ? "SELECT DISTINCT s.entity_id, r.source FROM sighting s JOIN run r ON r.id = s.run_id "
                                 "WHERE s.entity = 'identity' ORDER BY r.source"
                               : "SELECT DISTINCT s.entity_id, r.source FROM sighting s JOIN run r ON r.id = s.run_id "
                                 "WHERE s.entity = 'identity' AND s.run_id <= ?1 ORDER BY r.source");
    if (!ss) return ss.error();
    if (as_of) ss->bind(1, as_of);
    auto ss_rows = each_row(*ss, [&](Statement& q) {
        auto it = index.find(q.column_int(0));
        if (it != index.end()) out[it->second].sources.push_back(q.column_text(1));
    });
    if (!ss_rows) return ss_rows.error();
    auto as =
        db_.prepare("SELECT identity_id, kind, reason, COALESCE(expires, ''), created_at FROM annotation ORDER BY id");
    if (!as) return as.error();
    auto as_rows = each_row(*as, [&](Statement& q) {
        auto it = index.find(q.column_int(0));
        if (it == index.end()) return;
        nlohmann::json a = {{"kind", q.column_text(1)}, {"reason", q.column_text(2)}, {"created_at", q.column_text(4)}};
        if (!q.column_text(3).empty()) a["expires"] = q.column_text(3);
        out[it->second].annotations.push_back(a);
    });
    if (!as_rows) return as_rows.error();
    // Cross-provider joins from what the exports say: IRSA role ARNs, GKE workload identity.
    std::map<std::string, size_t> by_arn, by_key;
    for (size_t i = 0; i < out.size(); ++i) {
        by_key[out[i].key] = i;
        if (out[i].data.contains("arn") && out[i].data["arn"].is_string())
            by_arn[out[i].data["arn"].get<std::string>()] = i;
    }
    for (size_t i = 0; i < out.size(); ++i) {
        const auto& d = out[i].data;
        auto relate = [&](std::optional<size_t> j, const std::string& rel, const std::string& back) {
            if (!j) return;
            out[i].related.emplace_back(out[*j].id, rel);
            out[*j].related.emplace_back(out[i].id, back);
        };
        if (d.contains("aws_role_arn") && d["aws_role_arn"].is_string()) {
            auto it = by_arn.find(d["aws_role_arn"].get<std::string>());
            relate(it == by_arn.end() ? std::nullopt : std::optional<size_t>(it->second), "assumes aws role (IRSA)",
                   "assumed by kubernetes service account");
        }
        if (d.contains("gcp_service_account") && d["gcp_service_account"].is_string()) {
            auto it = by_key.find("gcp:sa/" + d["gcp_service_account"].get<std::string>());
            relate(it == by_key.end() ? std::nullopt : std::optional<size_t>(it->second),
                   "impersonates gcp service account (workload identity)",
                   "impersonated by kubernetes service account");
        }
    }
    for (auto& r : out) {
        std::stable_sort(r.owners.begin(), r.owners.end(), [](const OwnerInfo& a, const OwnerInfo& b) {
            return source_rank(a.source) < source_rank(b.source);
        });
        if (!r.owners.empty()) r.owner = r.owners.front();
    }
    return out;
}

util::Expected<int64_t> Inventory::resolve(const std::string& id_or_key) {
    auto st = db_.prepare(
        "SELECT id FROM identity WHERE key = ?1 OR CAST(id AS TEXT) = ?1 OR name = ?1 ORDER BY "
        "(key = ?1) DESC, (CAST(id AS TEXT) = ?1) DESC LIMIT 2");
    if (!st) return st.error();
    st->bind(1, id_or_key);
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) return util::Error{id_or_key, "no such identity (use an id or key from nhi inventory list)"};
    return st->column_int(0);
}

util::Status Inventory::set_owner(int64_t identity, const std::string& owner) {
    auto st = db_.prepare(
        "INSERT INTO owner(identity_id, source, owner, detail, run_id) VALUES(?1, 'explicit', ?2, 'nhi inventory "
        "set-owner', NULL) "
        "ON CONFLICT(identity_id, source) DO UPDATE SET owner = excluded.owner");
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

}  // namespace nhi::db
