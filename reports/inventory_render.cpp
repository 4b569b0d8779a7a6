#include "reports/inventory_render.hpp"
#include "reports/common.hpp"

#include <fmt/format.h>

#include <iterator>

namespace nhi::reports {
namespace {

// Every name and value printed as text goes through this: exports and scanned files are
// written by anyone, and a control character must not reach the terminal.
std::string P(std::string_view s) { return util::printable(s); }

// JSON string literal for `s` (UTF-8 passes through; control characters are escaped; a
// byte that is not UTF-8 becomes U+FFFD, as nlohmann's replace handler does, so the list
// stays valid JSON and to_json can parse it back).
void quote(std::string& out, std::string_view s) {
    out += '"';
    std::string fixed;
    if (!valid_utf8(s)) {
        fixed = json_dump(nlohmann::json(std::string(s)));
        out.append(fixed, 1, fixed.size() - 2);  // already a JSON literal: drop its quotes
        out += '"';
        return;
    }
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
                else out += char(c);
        }
    }
    out += '"';
}

void field(std::string& out, const char* key, std::string_view value, bool null_if_empty = true) {
    out += '"';
    out += key;
    out += "\":";
    if (value.empty() && null_if_empty) out += "null";
    else quote(out, value);
    out += ',';
}

// One identity as a JSON object, written directly: a list of 100,000 identities must not
// build 100,000 JSON trees. Stored data is embedded as the text SQLite holds.
void write_row(std::string& out, const db::IdentityRow& row, const IdentityFacts& f, const std::string& now) {
    fmt::format_to(std::back_inserter(out), "{{\"id\":{},", row.id);
    field(out, "key", row.key);
    field(out, "provider", row.provider);
    field(out, "kind", row.kind);
    field(out, "actor", row.actor);
    field(out, "name", row.name, false);
    field(out, "owner", f.owner);
    field(out, "owner_source", row.owner ? row.owner->source : "");
    out += "\"owners\":[";
    for (size_t i = 0; i < row.owners.size(); ++i) {
        out += i ? ",{" : "{";
        field(out, "owner", row.owners[i].owner, false);
        field(out, "source", row.owners[i].source, false);
        field(out, "detail", row.owners[i].detail, false);
        field(out, "confidence", owner_confidence(row.owners[i].source), false);
        out.back() = '}';
    }
    out += "],";
    field(out, "created", f.created);
    field(out, "last_used", f.last_used);
    field(out, "expires", f.expires);
    fmt::format_to(std::back_inserter(out), "\"never_expires\":{},\"credential_count\":{},\"active_credentials\":{},\"linked_findings\":{},",
                       f.never_expires ? "true" : "false", f.credentials, f.active, f.linked_findings);
    out += "\"sources\":[";
    for (size_t i = 0; i < row.sources.size(); ++i) {
        if (i) out += ',';
        quote(out, row.sources[i]);
    }
    out += "],\"data\":";
    out += row.data_text.empty() ? "null" : row.data_text;
    out += ",\"credentials\":[";
    for (size_t i = 0; i < row.credentials.size(); ++i) {
        const auto& c = row.credentials[i];
        fmt::format_to(std::back_inserter(out), "{}{{\"id\":{},", i ? "," : "", c.id);
        field(out, "key", c.key);
        field(out, "kind", c.kind);
        out += "\"data\":";
        out += c.data_text.empty() ? "null" : c.data_text;
        out += ",\"findings\":[";
        for (size_t k = 0; k < c.findings.size(); ++k) out += (k ? "," : "") + std::to_string(c.findings[k]);
        // Each linked finding's latest validation, by finding id, only when one was checked.
        bool any = false;
        for (size_t k = 0; k < c.findings.size() && k < c.validations.size(); ++k) {
            const auto& v = c.validations[k];
            if (!v.done()) continue;
            out += any ? "," : "],\"validations\":{";
            any = true;
            quote(out, std::to_string(c.findings[k]));
            out += ":{";
            field(out, "status", v.status, false);
            field(out, "checked_at", v.checked_at, false);
            out.back() = '}';
        }
        out += any ? "},\"reused_by\":[" : "],\"reused_by\":[";
        for (size_t k = 0; k < c.reused_by.size(); ++k) out += (k ? "," : "") + std::to_string(c.reused_by[k]);
        fmt::format_to(std::back_inserter(out), "],\"active\":{}}}", !is_active(c, now) ? "false" : "true");
    }
    out += "],\"annotations\":";
    out += row.annotations.is_null() ? "[]" : json_dump(row.annotations);
    out += ",\"related\":[";
    for (size_t i = 0; i < row.related.size(); ++i) {
        fmt::format_to(std::back_inserter(out), "{}{{\"id\":{},\"relation\":", i ? "," : "", row.related[i].first);
        quote(out, row.related[i].second);
        out += '}';
    }
    fmt::format_to(std::back_inserter(out), "],\"first_run\":{},\"changed_run\":{}}}", row.first_run, row.changed_run);
}

std::string day(const std::string& ts) {
    return util::printable(ts.size() >= 10 ? ts.substr(0, 10) : (ts.empty() ? "-" : ts));
}

// A column of the text table: escaped for the terminal, then cut to `width` bytes with `~`,
// never inside a UTF-8 sequence.
std::string column(const std::string& raw, size_t width) {
    std::string s = util::printable(raw);
    if (s.size() <= width) return s;
    size_t cut = width - 1;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    return s.substr(0, cut) + "~";
}

}  // namespace

const char* owner_confidence(const std::string& source) {
    if (source == "explicit" || source == "export") return "high";
    if (source == "codeowners") return "medium";
    return "low";
}

IdentityFacts derive(const db::IdentityRow& row, const std::string& now) {
    IdentityFacts f;
    if (row.owner) {
        f.owner = row.owner->owner;
        f.owner_source = row.owner->source + (row.owner->detail.empty() ? "" : " (" + row.owner->detail + ")");
    }
    f.created = row.created;
    f.last_used = row.last_used;
    f.credentials = row.credentials.size();
    for (const auto& c : row.credentials) {
        f.linked_findings += c.findings.size();
        if (c.last_used > f.last_used) f.last_used = c.last_used;
        if (!is_active(c, now)) continue;
        ++f.active;
        if (c.never_expires) f.never_expires = true;
        if (!c.expires.empty() && (f.expires.empty() || c.expires < f.expires)) f.expires = c.expires;
    }
    return f;
}

nlohmann::json to_json(const db::IdentityRow& row, const std::string& now) {
    std::string text;
    write_row(text, row, derive(row, now), now);
    return nlohmann::json::parse(text);
}

void render_inventory(const std::vector<const db::IdentityRow*>& rows, const std::string& format,
                      const std::string& now, std::ostream& out) {
    if (format == "json" || format == "jsonl") {
        const bool lines = format == "jsonl";
        std::string buf;
        if (!lines) out << "[\n";
        for (size_t i = 0; i < rows.size(); ++i) {
            buf.clear();
            write_row(buf, *rows[i], derive(*rows[i], now), now);
            if (!lines && i + 1 < rows.size()) buf += ',';
            buf += '\n';
            out << buf;
        }
        if (!lines) out << "]\n";
        return;
    }
    if (format == "csv") {
        out << "id,key,provider,kind,actor,name,owner,owner_source,credentials,active_credentials,created,last_used,"
               "expires,never_expires,linked_findings\n";
        for (const auto* rp : rows) {
            const auto& r = *rp;
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
    for (const auto* rp : rows) {
        const auto& r = *rp;
        auto f = derive(r, now);
        std::string name = column(r.name, 34);
        std::string owner = f.owner.empty() ? "(none)" : column(f.owner, 24);
        std::string exp = f.never_expires ? "never" : day(f.expires);
        out << fmt::format("{:>5}  {:<10} {:<18} {:<8} {:<34} {:<24} {:>5}  {:<10} {:<10}\n", r.id, P(r.provider),
                           P(r.kind), P(r.actor), name, owner, fmt::format("{}/{}", f.active, f.credentials), exp, day(f.last_used));
    }
    out << rows.size() << " identities\n";
}

void render_identity(const db::IdentityRow& row,
                     const std::vector<std::tuple<int64_t, std::string, nlohmann::json>>& history,
                     const std::vector<db::Inventory::CodeReference>& references, const std::string& format,
                     const std::string& now, std::ostream& out) {
    if (format == "json") {
        auto j = to_json(row, now);
        nlohmann::json refs = nlohmann::json::array();
        for (const auto& r : references) refs.push_back({{"path", r.path}, {"line", r.line}});
        j["referenced_at"] = refs;
        nlohmann::json h = nlohmann::json::array();
        for (const auto& [run, at, data] : history) h.push_back({{"run", run}, {"at", at}, {"data", data}});
        j["history"] = h;
        out << json_dump(j, 2) << "\n";
        return;
    }
    auto f = derive(row, now);
    out << P(row.name) << "  [" << P(row.provider) << " " << P(row.kind) << ", actor " << P(row.actor) << "]\n"
        << "  id " << row.id << ", key " << P(row.key) << "\n";
    if (row.owners.empty()) out << "  owner: (none)\n";
    for (const auto& o : row.owners)
        out << "  owner: " << P(o.owner) << "  (source " << P(o.source) << ", confidence " << owner_confidence(o.source)
            << (o.detail.empty() ? "" : ", " + P(o.detail)) << ")\n";
    if (!f.created.empty()) out << "  created: " << P(f.created) << "\n";
    if (!f.last_used.empty()) out << "  last used: " << P(f.last_used) << "\n";
    for (const auto& [k, v] : row.data.items()) {
        if (k == "created" || k == "last_used" || v.is_null()) continue;
        std::string s = v.is_string() ? v.get<std::string>() : json_dump(v);
        if (s.size() > 160) s = s.substr(0, 157) + "...";
        out << "  " << P(k) << ": " << P(s) << "\n";
    }
    out << "  credentials (" << f.active << " active of " << f.credentials << "):\n";
    for (const auto& c : row.credentials) {
        out << "    - " << P(c.kind) << "  " << P(c.key) << (!is_active(c, now) ? "  [inactive]" : "") << "\n";
        for (const char* k : {"key_id", "created", "expires", "last_used", "last_rotated", "status", "redacted", "reference", "location"})
            if (auto v = json_text(c.data, k); !v.empty()) out << "        " << k << ": " << P(v) << "\n";
        if (c.never_expires) out << "        expires: never\n";
        if (!c.findings.empty()) {
            out << "        exposed by scan findings:";
            for (size_t i = 0; i < c.findings.size(); ++i) {
                out << " #" << c.findings[i];
                // The provider's verdict on that secret, when one was asked for (--validate).
                if (i < c.validations.size() && c.validations[i].done())
                    out << " (" << P(c.validations[i].status) << ", checked " << P(c.validations[i].checked_at) << ")";
            }
            out << "\n";
        }
        if (!c.reused_by.empty()) {
            out << "        reused: the same secret is held by credential";
            for (auto id : c.reused_by) out << " #" << id;
            out << "\n";
        }
        if (auto rv = json_text(c.data, "revocation"); !rv.empty()) out << "        revoke: " << P(rv) << "\n";
    }
    if (auto rv = json_text(row.data, "revocation"); !rv.empty()) out << "  revoke identity: " << P(rv) << "\n";
    for (const auto& a : row.annotations)
        out << "  annotation: " << P(json_text(a, "kind")) << ": " << P(json_text(a, "reason"))
            << (a.contains("expires") ? " (until " + P(json_text(a, "expires")) + ")" : "") << "\n";
    for (const auto& [id, how] : row.related) out << "  related: " << P(how) << ": identity " << id << "\n";
    // Before revoking or changing it, the places that name it (policies, deploy configs).
    if (!references.empty()) {
        out << "  referenced in scanned code (" << references.size() << "):\n";
        for (const auto& r : references) out << "    " << P(r.path) << ":" << r.line << "\n";
    }
    out << "  sources:";
    for (const auto& s : row.sources) out << " " << P(s);
    out << "\n  history:\n";
    for (const auto& [run, at, data] : history) out << "    run " << run << " at " << P(at) << "\n";
}

}  // namespace nhi::reports
