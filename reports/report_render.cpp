#include "reports/report_render.hpp"
#include "reports/common.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "reports/finding_render.hpp"
#include "reports/inventory_render.hpp"
#include "util/time.hpp"

namespace nhi::reports {
namespace {

// Data in a text page or a Markdown page: names, owners, reasons and revocation steps come
// from exports anyone could have written (see md_text and util::printable).
std::string P(std::string_view s) { return util::printable(s); }
std::string esc(bool markdown, std::string_view s) { return markdown ? md_text(s) : util::printable(s); }

std::string upper(const char* s) {
    std::string u(s);
    for (auto& c : u) c = char(std::toupper(static_cast<unsigned char>(c)));
    return u;
}

// The first revocation step known for an identity: a credential's, else the identity's.
std::string revocation(const db::IdentityRow& r) {
    for (const auto& c : r.credentials)
        if (auto rv = json_text(c.data, "revocation"); !rv.empty()) return rv;
    return json_text(r.data, "revocation");
}

// The factors once per id, with their count and every instance's reason (README: "where a
// factor repeats, it is shown once with its count").
// What every report JSON document starts with: the contract version, the reference time and the
// run it describes (null: the inventory as it is now).
nlohmann::json report_head(const ReportOptions& o) {
    return {{"schema_version", kReportSchemaVersion},
            {"as_of", o.now},
            {"run", o.run > 0 ? nlohmann::json(o.run) : nlohmann::json(nullptr)}};
}

nlohmann::json factors_json(const Assessment& risk) {
    nlohmann::json factors = nlohmann::json::array();
    for (const auto& g : group_factors(risk)) {
        nlohmann::json reasons = nlohmann::json::array();
        for (const auto* x : g.all) reasons.push_back(x->reason);
        const FactorSpec* spec = factor_spec(g.first->id);
        factors.push_back({{"id", g.first->id}, {"owasp", g.first->owasp}, {"weight", g.first->weight},
                           {"count", g.all.size()}, {"floor", to_string(g.first->floor)},
                           {"source", spec ? spec->source : ""}, {"reason", g.first->reason}, {"reasons", reasons}});
    }
    return factors;
}

// Each scan finding that exposes one of the identity's credentials, with its latest
// validation outcome (null: never checked); null when there is none (most identities).
nlohmann::json exposures_json(const db::IdentityRow& r) {
    nlohmann::json out;
    for (const auto& c : r.credentials)
        for (size_t i = 0; i < c.findings.size(); ++i) {
            const bool checked = i < c.validations.size() && c.validations[i].done();
            out.push_back({{"credential", c.key}, {"finding", c.findings[i]},
                           {"validation", checked ? validation_json(c.validations[i]) : nlohmann::json()}});
        }
    return out;
}

nlohmann::json assessed_json(const Assessed& a, const std::string& now) {
    const auto& r = *a.row;
    auto f = derive(r, now);
    nlohmann::json j = {{"type", "identity"},   {"id", r.id},           {"key", r.key},
            {"provider", r.provider}, {"kind", r.kind},
            {"actor", r.actor},     {"name", r.name},
            {"tier", to_string(a.risk.tier)}, {"score", a.risk.score}, {"score_tier", to_string(a.risk.score_tier)},
            {"raised_by", a.risk.raised}, {"how", a.risk.how},
            {"factors", factors_json(a.risk)},   {"owner", f.owner.empty() ? nlohmann::json() : nlohmann::json(f.owner)},
            {"owner_source", r.owner ? nlohmann::json(r.owner->source) : nlohmann::json()},
            {"accepted_risk", a.risk.accepted.empty() ? nlohmann::json() : nlohmann::json(a.risk.accepted)},
            {"revocation", revocation(r)}};
    if (auto e = exposures_json(r); !e.is_null()) j["exposures"] = std::move(e);
    return j;
}

nlohmann::json dangling_json(const DanglingBinding& d) {
    return {{"type", "dangling-binding"}, {"id", d.row->id}, {"key", d.row->key}, {"provider", d.row->provider},
            {"member", d.member},         {"roles", d.roles},   {"sources", d.row->sources},
            {"tier", to_string(d.risk.tier)}, {"score", d.risk.score}, {"score_tier", to_string(d.risk.score_tier)},
            {"raised_by", d.risk.raised}, {"how", d.risk.how}, {"factors", factors_json(d.risk)},
            {"revocation", d.revocation}};
}

// Text lines for one assessment's factors: each id once, with its count, then how the score
// and tier were reached.
void factor_lines(const Assessment& risk, std::ostream& out) {
    for (const auto& g : group_factors(risk)) {
        const auto* x = g.first;
        const std::string count = g.all.size() > 1 ? " x" + std::to_string(g.all.size()) : "";
        out << fmt::format("         {:<5} {:<32} +{:<3} {}\n", x->owasp, x->id + count, x->weight, P(x->reason));
        for (size_t i = 1; i < g.all.size(); ++i) out << fmt::format("         {:<5} {:<32}      {}\n", "", "", P(g.all[i]->reason));
    }
    out << "         how: " << P(risk.how) << "\n";
}

}  // namespace

std::vector<Assessed> assess_all(const std::vector<db::IdentityRow>& rows, const RiskConfig& cfg, const std::string& now) {
    std::vector<Assessed> out;
    out.reserve(rows.size());
    const auto others = population(rows);
    for (const auto& r : rows)
        if (!is_dangling(r)) out.push_back({&r, assess(r, cfg, now, &others)});
    std::stable_sort(out.begin(), out.end(), [](const Assessed& a, const Assessed& b) {
        return a.risk.tier != b.risk.tier ? a.risk.tier > b.risk.tier : a.risk.score > b.risk.score;
    });
    return out;
}

void report_risk(const std::vector<Assessed>& items, const ReportOptions& o, std::ostream& out,
                 const std::vector<DanglingBinding>& dangling) {
    std::vector<const Assessed*> shown;
    for (const auto& a : items)
        if (a.risk.tier >= o.min_tier) shown.push_back(&a);
    std::vector<const DanglingBinding*> dead;
    for (const auto& d : dangling)
        if (d.risk.tier >= o.min_tier) dead.push_back(&d);
    if (o.format == "json") {
        // One identity per line, streamed like `inventory list`: 100,000 identities must not
        // become one JSON tree and one 60 MB string first. Dangling bindings follow as
        // entries of their own ("type": "dangling-binding").
        // The head is written first and the rows streamed into its last key.
        std::string head = json_dump(report_head(o));
        out << head.substr(0, head.size() - 1) << ",\"rows\":[";
        size_t n = 0;
        for (const auto* a : shown) out << (n++ ? ",\n" : "\n") << json_dump(assessed_json(*a, o.now));
        for (const auto* d : dead) out << (n++ ? ",\n" : "\n") << json_dump(dangling_json(*d));
        out << "\n]}\n";
        return;
    }
    if (o.format == "csv") {
        out << "tier,score,id,provider,kind,actor,name,owner,factors,revocation\n";
        for (const auto* a : shown) {
            std::string fs;
            for (const auto& g : group_factors(a->risk))
                fs += (fs.empty() ? "" : "; ") + g.first->owasp + " " + g.first->id +
                      (g.all.size() > 1 ? " x" + std::to_string(g.all.size()) : "");
            auto f = derive(*a->row, o.now);
            out << to_string(a->risk.tier) << ',' << a->risk.score << ',' << a->row->id << ',' << a->row->provider << ','
                << a->row->kind << ',' << a->row->actor << ',' << csv_cell(a->row->name) << ',' << csv_cell(f.owner) << ','
                << csv_cell(fs) << ',' << csv_cell(revocation(*a->row)) << "\n";
        }
        for (const auto* d : dead)
            out << to_string(d->risk.tier) << ',' << d->risk.score << ",," << d->row->provider << ",dangling-binding,,"
                << csv_cell(d->member) << ",," << csv_cell("NHI1 dangling-binding") << ",\n";
        return;
    }
    if (o.format == "markdown") {
        out << "# NHI risk report\n\nAs of " << o.now << ". " << count_of(shown.size(), "identity", "identities") << " at or above tier "
            << to_string(o.min_tier) << ".\n\n| tier | identity | owner | factors | revoke |\n|---|---|---|---|---|\n";
        for (const auto* a : shown) {
            std::string fs;
            for (const auto& g : group_factors(a->risk))
                for (const auto* x : g.all)
                    fs += (fs.empty() ? "" : "<br>") + md_text(x->owasp + " " + x->reason);
            fs += "<br>" + md_text("how: " + a->risk.how);
            auto f = derive(*a->row, o.now);
            out << "| " << to_string(a->risk.tier) << " | " << md_text(a->row->provider + " " + a->row->kind + " " + a->row->name)
                << " | " << md_text(f.owner.empty() ? "(none)" : f.owner) << " | " << fs << " | " << md_text(revocation(*a->row))
                << " |\n";
        }
        for (const auto* d : dead)
            out << "| " << to_string(d->risk.tier) << " | " << md_text("dangling binding " + d->member) << " | (deleted) | "
                << md_text(d->risk.factors.front().owasp + " " + d->risk.factors.front().reason) << " | |\n";
        return;
    }
    for (const auto* a : shown) {
        auto f = derive(*a->row, o.now);
        out << fmt::format("{:<8} {} {} {}  (id {}, score {})\n", upper(to_string(a->risk.tier)), P(a->row->provider),
                           P(a->row->kind), P(a->row->name), a->row->id, a->risk.score);
        out << "         owner: " << (f.owner.empty() ? "(none)" : P(f.owner) + " [" + P(a->row->owner->source) + "]")
            << "\n";
        factor_lines(a->risk, out);
        if (!a->risk.accepted.empty()) out << "         accepted risk: " << P(a->risk.accepted) << "\n";
        if (auto rv = revocation(*a->row); !rv.empty()) out << "         revoke: " << P(rv) << "\n";
    }
    for (const auto* d : dead) {
        out << fmt::format("{:<8} dangling binding {}  (score {})\n", upper(to_string(d->risk.tier)), P(d->member), d->risk.score);
        factor_lines(d->risk, out);
    }
    std::map<Tier, size_t> counts;
    for (const auto& a : items) ++counts[a.risk.tier];
    out << fmt::format("{}: {} critical, {} high, {} medium, {} low\n", count_of(items.size(), "identity", "identities"),
                       counts[Tier::Critical],
                       counts[Tier::High], counts[Tier::Medium], counts[Tier::Low]);
    if (!dangling.empty())
        out << count_of(dangling.size(), "dangling binding", "dangling bindings") << " to deleted or missing service accounts\n";
}

void report_owners(const std::vector<Assessed>& items, const ReportOptions& o, std::ostream& out,
                   const std::vector<DanglingBinding>& dangling) {
    // Gaps: no owner at all, or one known only from a weak signal (a git author).
    struct Gap {
        const Assessed* a;
        std::string why;
    };
    std::map<std::string, std::vector<Gap>> by_source;
    std::map<std::string, size_t> teams;
    size_t owned = 0;
    for (const auto& a : items) {
        const auto& r = *a.row;
        std::string source = r.sources.empty() ? "(unknown)" : r.sources.front();
        if (!r.owner) {
            by_source[source].push_back({&a, "no owner"});
        } else if (r.owner->source == "git-author") {
            by_source[source].push_back({&a, "weak: only a git author (" + r.owner->owner + ")"});
        } else {
            ++owned;
            ++teams[r.owner->owner];
        }
    }
    size_t gaps = items.size() - owned;
    if (o.format == "json") {
        nlohmann::json j = report_head(o);
        j.update({{"identities", items.size()}, {"owned", owned}, {"gaps", gaps}, {"by_source", nlohmann::json::object()},
                  {"teams", teams}, {"dangling_bindings", nlohmann::json::array()}});
        // A deleted member has no owner to find: its binding is a finding of its own.
        for (const auto& d : dangling) j["dangling_bindings"].push_back(dangling_json(d));
        for (const auto& [src, list] : by_source)
            for (const auto& g : list) {
                auto e = assessed_json(*g.a, o.now);
                e["gap"] = g.why;
                j["by_source"][src].push_back(e);
            }
        out << json_dump(j, 2) << "\n";
        return;
    }
    if (o.format == "csv") {
        out << "source,id,provider,kind,name,gap,tier\n";
        for (const auto& [src, list] : by_source)
            for (const auto& g : list)
                out << csv_cell(src) << ',' << g.a->row->id << ',' << g.a->row->provider << ',' << g.a->row->kind << ','
                    << csv_cell(g.a->row->name) << ',' << csv_cell(g.why) << ',' << to_string(g.a->risk.tier) << "\n";
        for (const auto& d : dangling)
            out << csv_cell(d.row->sources.empty() ? "(unknown)" : d.row->sources.front()) << ",," << d.row->provider
                << ",dangling-binding," << csv_cell(d.member) << ",deleted member," << to_string(d.risk.tier) << "\n";
        return;
    }
    const bool markdown = o.format == "markdown";
    out << (markdown ? "# Ownership gaps\n\n" : "")
        << fmt::format("{} of {} {} a trusted owner; {}.\n", owned, count_of(items.size(), "identity", "identities"),
                       items.size() == 1 ? "has" : "have", count_of(gaps, "gap", "gaps"));
    for (const auto& [src, list] : by_source) {
        out << (markdown ? "\n## " : "\n") << esc(markdown, src) << " (" << list.size() << ")\n";
        for (const auto& g : list)
            out << (markdown ? "- " : "  ")
                << esc(markdown, g.a->row->provider + " " + g.a->row->kind + " " + g.a->row->name) << " (id "
                << g.a->row->id << ", " << to_string(g.a->risk.tier) << "): " << esc(markdown, g.why) << "\n";
    }
    if (!dangling.empty()) {
        out << (markdown ? "\n## Dangling bindings (" : "\ndangling bindings (") << dangling.size() << ")\n";
        for (const auto& d : dangling)
            out << (markdown ? "- " : "  ") << esc(markdown, d.member) << " (" << to_string(d.risk.tier)
                << "): " << esc(markdown, d.risk.factors.front().reason) << "\n";
    }
    if (!teams.empty()) {
        out << (markdown ? "\n## Identities per owner\n\n" : "\nidentities per owner:\n");
        for (const auto& [t, n] : teams) out << (markdown ? "- " : "  ") << esc(markdown, t) << ": " << n << "\n";
    }
}

void report_expiry(const std::vector<Assessed>& items, const RiskConfig& cfg, const ReportOptions& o, std::ostream& out) {
    auto soon = util::parse_iso8601(o.now);
    const std::string horizon = util::format_utc((soon ? *soon : 0) + int64_t(o.expiring_days) * 86400);
    struct Line {
        std::string bucket;
        const db::IdentityRow* row;
        const db::CredentialRow* cred;
        std::string when;
    };
    std::vector<Line> lines;
    for (const auto& a : items)
        for (const auto& c : a.row->credentials) {
            const std::string st = c.status;
            if (st == "inactive" || st == "disabled" || st == "invalid" || st == "deleted") continue;
            if (!c.expires.empty() && c.expires < o.now) lines.push_back({"expired", a.row, &c, c.expires});
            else if (!c.expires.empty() && c.expires <= horizon) lines.push_back({"expiring", a.row, &c, c.expires});
            else if (c.never_expires) lines.push_back({"never-expires", a.row, &c, ""});
            for (const auto& f : a.risk.factors)
                if (f.id == "rotation-overdue" && f.credential == c.id)
                    lines.push_back({"rotation-overdue", a.row, &c, json_text(c.data, "last_rotated").empty()
                                                                        ? json_text(c.data, "created") : json_text(c.data, "last_rotated")});
        }
    if (o.format == "json") {
        nlohmann::json j = report_head(o);
        // Keys are snake_case; the buckets keep their factor names elsewhere.
        auto key = [](std::string b) {
            std::replace(b.begin(), b.end(), '-', '_');
            return b;
        };
        for (const char* b : {"expired", "expiring", "never-expires", "rotation-overdue"}) j[key(b)] = nlohmann::json::array();
        for (const auto& l : lines)
            j[key(l.bucket)].push_back({{"identity", l.row->id}, {"name", l.row->name}, {"provider", l.row->provider},
                                   {"credential", l.cred->key}, {"kind", l.cred->kind},
                                   {"date", l.when.empty() ? nlohmann::json() : nlohmann::json(l.when)},
                                   {"revocation", json_text(l.cred->data, "revocation")}});
        j["expiring_within_days"] = o.expiring_days;
        j["rotation_days"] = cfg.rotation_days;
        out << json_dump(j, 2) << "\n";
        return;
    }
    if (o.format == "csv") {
        out << "bucket,identity,provider,name,credential,kind,date\n";
        for (const auto& l : lines)
            out << l.bucket << ',' << l.row->id << ',' << l.row->provider << ',' << csv_cell(l.row->name) << ','
                << csv_cell(l.cred->key) << ',' << l.cred->kind << ',' << l.when << "\n";
        return;
    }
    const bool markdown = o.format == "markdown";
    const std::map<std::string, std::string> titles = {
        {"expired", "Expired but still present"},
        {"expiring", fmt::format("Expiring within {} days", o.expiring_days)},
        {"never-expires", "Never expiring"},
        {"rotation-overdue", fmt::format("Rotation overdue (older than {} days)", cfg.rotation_days)}};
    for (const char* b : {"expired", "expiring", "never-expires", "rotation-overdue"}) {
        size_t n = std::count_if(lines.begin(), lines.end(), [&](const Line& l) { return l.bucket == b; });
        out << (markdown ? "\n## " : "\n") << titles.at(b) << " (" << n << ")\n";
        for (const auto& l : lines)
            if (l.bucket == b)
                out << (markdown ? "- " : "  ") << (l.when.empty() ? "" : esc(markdown, l.when.substr(0, 10)) + "  ")
                    << esc(markdown, l.row->provider + " " + l.row->name) << ": "
                    << esc(markdown, l.cred->kind + " " + l.cred->key) << "\n";
    }
}

void report_summary(const std::vector<Assessed>& items, const ReportOptions& o, std::ostream& out,
                    const std::vector<DanglingBinding>& dangling) {
    std::map<std::string, size_t> providers, actors;
    std::map<Tier, size_t> tiers;
    size_t owned = 0, expiry_known = 0, with_creds = 0, exposed = 0, live = 0;
    for (const auto& a : items) {
        ++providers[a.row->provider];
        ++actors[a.row->actor];
        ++tiers[a.risk.tier];
        if (a.row->owner && a.row->owner->source != "git-author") ++owned;
        auto f = derive(*a.row, o.now);
        if (f.active) {
            ++with_creds;
            if (!f.expires.empty() || f.never_expires) ++expiry_known;
        }
        // Exposed: an exposure that stands (a revoked one is resolved); live: the provider
        // accepted a leaked secret when it was checked.
        const auto has = [&](const char* id) {
            return std::any_of(a.risk.factors.begin(), a.risk.factors.end(), [&](const Factor& x) { return x.id == id; });
        };
        if (has("exposed") || has("exposed-live")) ++exposed;
        if (has("exposed-live")) ++live;
    }
    auto pct = [](size_t a, size_t b) { return b ? 100.0 * double(a) / double(b) : 100.0; };
    if (o.format == "json") {
        nlohmann::json top = nlohmann::json::array();
        for (size_t i = 0; i < items.size() && i < o.top; ++i) top.push_back(assessed_json(items[i], o.now));
        nlohmann::json t = nlohmann::json::object();
        for (auto [k, v] : tiers) t[to_string(k)] = v;
        nlohmann::json j = report_head(o);
        j.update({{"identities", items.size()}, {"providers", providers}, {"actors", actors},
                  {"tiers", t}, {"owner_coverage", pct(owned, items.size())},
                  {"expiry_known", pct(expiry_known, with_creds)}, {"exposed_identities", exposed},
                  {"live_exposed_identities", live},
                  {"dangling_bindings", dangling.size()},
                  {"top_risks", top}});
        out << json_dump(j, 2)
            << "\n";
        return;
    }
    if (o.format == "csv") {  // one measure per row, for a spreadsheet that tracks reviews
        out << "section,name,value\n";
        out << "total,identities," << items.size() << "\n";
        for (Tier t : {Tier::Critical, Tier::High, Tier::Medium, Tier::Low}) out << "tier," << to_string(t) << ',' << tiers[t] << "\n";
        for (const auto& [k, v] : providers) out << "provider," << csv_cell(k) << ',' << v << "\n";
        for (const auto& [k, v] : actors) out << "actor," << csv_cell(k) << ',' << v << "\n";
        out << fmt::format("coverage,owner_percent,{:.1f}\ncoverage,expiry_known_percent,{:.1f}\n", pct(owned, items.size()),
                           pct(expiry_known, with_creds));
        out << "exposure,identities_with_exposed_secret," << exposed << "\n";
        out << "exposure,identities_with_live_exposed_secret," << live << "\n";
        out << "exposure,dangling_bindings," << dangling.size() << "\n";
        for (size_t i = 0; i < items.size() && i < o.top; ++i)
            out << "top_risk," << csv_cell(items[i].row->provider + " " + items[i].row->name) << ','
                << to_string(items[i].risk.tier) << "\n";
        return;
    }
    const bool markdown = o.format == "markdown";
    out << (markdown ? "# NHI quarterly review\n\n" : "NHI quarterly review\n") << "As of " << o.now << ": "
        << items.size() << " non-human identities.\n\n";
    out << "Tiers: " << tiers[Tier::Critical] << " critical, " << tiers[Tier::High] << " high, " << tiers[Tier::Medium]
        << " medium, " << tiers[Tier::Low] << " low.\n";
    out << fmt::format("Owner coverage: {:.0f}% ({} of {}). Expiry known for {:.0f}% of identities with active credentials. "
                       "{} identities have a credential exposed in code or history{}.\n",
                       pct(owned, items.size()), owned, items.size(), pct(expiry_known, with_creds), exposed,
                       live ? fmt::format(" ({} confirmed live by validation)", live) : "");
    if (!dangling.empty())
        out << dangling.size() << " binding(s) name a deleted or missing service account (`nhi report risk` lists them).\n";
    out << (markdown ? "\n## By provider\n\n" : "\nBy provider: ");
    for (const auto& [k, v] : providers)
        out << (markdown ? "- " + md_text(k) + ": " + std::to_string(v) + "\n" : P(k) + " " + std::to_string(v) + "  ");
    out << (markdown ? "\n## By actor\n\n" : "\nBy actor: ");
    for (const auto& [k, v] : actors)
        out << (markdown ? "- " + md_text(k) + ": " + std::to_string(v) + "\n" : P(k) + " " + std::to_string(v) + "  ");
    out << (markdown ? "\n## Top risks\n\n" : "\n\nTop risks:\n");
    for (size_t i = 0; i < items.size() && i < o.top; ++i) {
        const auto& a = items[i];
        out << (markdown ? "1. " : "  ") << upper(to_string(a.risk.tier)) << " "
            << esc(markdown, a.row->provider + " " + a.row->name) << ": "
            << (a.risk.factors.empty() ? "" : esc(markdown, a.risk.factors.front().owasp + " " + a.risk.factors.front().reason))
            << "\n";
    }
}

}  // namespace nhi::reports
