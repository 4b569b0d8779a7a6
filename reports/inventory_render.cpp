#include "reports/inventory_render.hpp"

#include <fmt/format.h>

namespace nhi::reports {
namespace {

std::string text(const nlohmann::json& j, const char* key) {
    if (!j.is_object()) return "";
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

bool inactive(const nlohmann::json& d, const std::string& now) {
    const std::string st = text(d, "status");
    if (st == "inactive" || st == "disabled" || st == "expired" || st == "invalid" || st == "deleted") return true;
    const std::string exp = text(d, "expires");
    return !exp.empty() && exp < now;
}

std::string csv_cell(const std::string& v) {
    if (v.find_first_of(",\"\n") == std::string::npos) return v;
    std::string out = "\"";
    for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string day(const std::string& ts) { return ts.size() >= 10 ? ts.substr(0, 10) : (ts.empty() ? "-" : ts); }

}  // namespace

IdentityFacts derive(const db::IdentityRow& row, const std::string& now) {
    IdentityFacts f;
    if (row.owner) {
        f.owner = row.owner->owner;
        f.owner_source = row.owner->source + (row.owner->detail.empty() ? "" : " (" + row.owner->detail + ")");
    }
    f.created = text(row.data, "created");
    f.last_used = text(row.data, "last_used");
    f.credentials = row.credentials.size();
    for (const auto& c : row.credentials) {
        f.linked_findings += c.findings.size();
        const std::string used = text(c.data, "last_used");
        if (used > f.last_used) f.last_used = used;
        if (inactive(c.data, now)) continue;
        ++f.active;
        if (c.data.value("never_expires", false)) f.never_expires = true;
        const std::string exp = text(c.data, "expires");
        if (!exp.empty() && (f.expires.empty() || exp < f.expires)) f.expires = exp;
    }
    return f;
}

nlohmann::json to_json(const db::IdentityRow& row, const std::string& now) {
    auto f = derive(row, now);
    nlohmann::json creds = nlohmann::json::array();
    for (const auto& c : row.credentials)
        creds.push_back({{"id", c.id}, {"key", c.key}, {"kind", c.kind}, {"data", c.data}, {"findings", c.findings},
                         {"active", !inactive(c.data, now)}});
    nlohmann::json owners = nlohmann::json::array();
    for (const auto& o : row.owners) owners.push_back({{"owner", o.owner}, {"source", o.source}, {"detail", o.detail}});
    return {{"id", row.id},
            {"key", row.key},
            {"provider", row.provider},
            {"kind", row.kind},
            {"actor", row.actor},
            {"name", row.name},
            {"owner", f.owner.empty() ? nlohmann::json() : nlohmann::json(f.owner)},
            {"owner_source", f.owner.empty() ? nlohmann::json() : nlohmann::json(row.owner->source)},
            {"owners", owners},
            {"created", f.created.empty() ? nlohmann::json() : nlohmann::json(f.created)},
            {"last_used", f.last_used.empty() ? nlohmann::json() : nlohmann::json(f.last_used)},
            {"expires", f.expires.empty() ? nlohmann::json() : nlohmann::json(f.expires)},
            {"never_expires", f.never_expires},
            {"credential_count", f.credentials},
            {"active_credentials", f.active},
            {"linked_findings", f.linked_findings},
            {"sources", row.sources},
            {"data", row.data},
            {"credentials", creds},
            {"annotations", row.annotations},
            {"related", [&] {
                 nlohmann::json rel = nlohmann::json::array();
                 for (const auto& [id, how] : row.related) rel.push_back({{"id", id}, {"relation", how}});
                 return rel;
             }()},
            {"first_run", row.first_run},
            {"changed_run", row.changed_run}};
}

void render_inventory(const std::vector<db::IdentityRow>& rows, const std::string& format, const std::string& now,
                      std::ostream& out) {
    if (format == "json") {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& r : rows) arr.push_back(to_json(r, now));
        out << arr.dump(2) << "\n";
        return;
    }
    if (format == "jsonl") {
        for (const auto& r : rows) out << to_json(r, now).dump() << "\n";
        return;
    }
    if (format == "csv") {
        out << "id,key,provider,kind,actor,name,owner,owner_source,credentials,active_credentials,created,last_used,"
               "expires,never_expires,linked_findings\n";
        for (const auto& r : rows) {
            auto f = derive(r, now);
            out << r.id << ',' << csv_cell(r.key) << ',' << r.provider << ',' << r.kind << ',' << r.actor << ','
                << csv_cell(r.name) << ',' << csv_cell(f.owner) << ',' << csv_cell(f.owner_source) << ','
                << f.credentials << ',' << f.active << ',' << f.created << ',' << f.last_used << ',' << f.expires
                << ',' << (f.never_expires ? "true" : "false") << ',' << f.linked_findings << "\n";
        }
        return;
    }
    out << fmt::format("{:>5}  {:<10} {:<18} {:<8} {:<34} {:<24} {:>5}  {:<10} {:<10}\n", "ID", "PROVIDER", "KIND",
                       "ACTOR", "NAME", "OWNER", "CREDS", "EXPIRES", "LAST USED");
    for (const auto& r : rows) {
        auto f = derive(r, now);
        std::string name = r.name.size() > 34 ? r.name.substr(0, 33) + "~" : r.name;
        std::string owner = f.owner.empty() ? "(none)" : (f.owner.size() > 24 ? f.owner.substr(0, 23) + "~" : f.owner);
        std::string exp = f.never_expires ? "never" : day(f.expires);
        out << fmt::format("{:>5}  {:<10} {:<18} {:<8} {:<34} {:<24} {:>5}  {:<10} {:<10}\n", r.id, r.provider, r.kind,
                           r.actor, name, owner, fmt::format("{}/{}", f.active, f.credentials), exp, day(f.last_used));
    }
    out << rows.size() << " identities\n";
}

void render_identity(const db::IdentityRow& row,
                     const std::vector<std::tuple<int64_t, std::string, nlohmann::json>>& history,
                     const std::string& format, const std::string& now, std::ostream& out) {
    if (format == "json") {
        auto j = to_json(row, now);
        nlohmann::json h = nlohmann::json::array();
        for (const auto& [run, at, data] : history) h.push_back({{"run", run}, {"at", at}, {"data", data}});
        j["history"] = h;
        out << j.dump(2) << "\n";
        return;
    }
    auto f = derive(row, now);
    out << row.name << "  [" << row.provider << " " << row.kind << ", actor " << row.actor << "]\n"
        << "  id " << row.id << ", key " << row.key << "\n";
    if (row.owners.empty()) out << "  owner: (none)\n";
    for (const auto& o : row.owners)
        out << "  owner: " << o.owner << "  (source " << o.source << (o.detail.empty() ? "" : ", " + o.detail) << ")\n";
    if (!f.created.empty()) out << "  created: " << f.created << "\n";
    if (!f.last_used.empty()) out << "  last used: " << f.last_used << "\n";
    for (const auto& [k, v] : row.data.items()) {
        if (k == "created" || k == "last_used" || v.is_null()) continue;
        std::string s = v.is_string() ? v.get<std::string>() : v.dump();
        if (s.size() > 160) s = s.substr(0, 157) + "...";
        out << "  " << k << ": " << s << "\n";
    }
    out << "  credentials (" << f.active << " active of " << f.credentials << "):\n";
    for (const auto& c : row.credentials) {
        out << "    - " << c.kind << "  " << c.key << (inactive(c.data, now) ? "  [inactive]" : "") << "\n";
        for (const char* k : {"key_id", "created", "expires", "last_used", "last_rotated", "status", "redacted", "reference", "location"})
            if (auto v = text(c.data, k); !v.empty()) out << "        " << k << ": " << v << "\n";
        if (c.data.value("never_expires", false)) out << "        expires: never\n";
        if (!c.findings.empty()) {
            out << "        exposed by scan findings:";
            for (auto id : c.findings) out << " #" << id;
            out << "\n";
        }
        if (auto rv = text(c.data, "revocation"); !rv.empty()) out << "        revoke: " << rv << "\n";
    }
    if (auto rv = text(row.data, "revocation"); !rv.empty()) out << "  revoke identity: " << rv << "\n";
    for (const auto& a : row.annotations)
        out << "  annotation: " << a.value("kind", "") << ": " << a.value("reason", "")
            << (a.contains("expires") ? " (until " + a["expires"].get<std::string>() + ")" : "") << "\n";
    for (const auto& [id, how] : row.related) out << "  related: " << how << ": identity " << id << "\n";
    out << "  sources:";
    for (const auto& s : row.sources) out << " " << s;
    out << "\n  history:\n";
    for (const auto& [run, at, data] : history) out << "    run " << run << " at " << at << "\n";
}

}  // namespace nhi::reports
