#include "reports/diff.hpp"

#include <fmt/format.h>

#include "reports/common.hpp"
#include "reports/finding_render.hpp"

namespace nhi::reports {
namespace {

DiffEntry entry(const db::IdentityRow& r) { return {r.id, r.key, r.provider, r.kind, r.name, "", "", "", {}}; }

std::string owner_of(const db::IdentityRow& r) { return r.owner ? r.owner->owner : ""; }

// The dangling bindings of `rows` by row id.
std::map<int64_t, DanglingBinding> dangling_by_id(const std::vector<db::IdentityRow>& rows, const RiskConfig& cfg) {
    std::map<int64_t, DanglingBinding> out;
    for (auto& d : dangling_bindings(rows, cfg)) out.emplace(d.row->id, std::move(d));
    return out;
}

DiffEntry dangling_entry(const DanglingBinding& d, bool gone) {
    auto e = entry(*d.row);
    e.kind = "dangling-binding";
    e.name = d.member;
    for (const auto& role : d.roles) e.detail += (e.detail.empty() ? "" : ", ") + role;
    (gone ? e.before : e.after) = to_string(d.risk.tier);
    return e;
}

}  // namespace

Diff diff_inventories(const std::vector<db::IdentityRow>& before, const std::vector<db::IdentityRow>& after,
                      const std::map<int64_t, int64_t>& first_run, const RiskConfig& cfg, int64_t from_run,
                      const std::string& from_time, int64_t to_run, const std::string& to_time) {
    Diff d;
    d.from = from_run;
    d.to = to_run;
    d.from_time = from_time;
    d.to_time = to_time;
    const auto pop_before = population(before), pop_after = population(after);
    const auto dead_before = dangling_by_id(before, cfg), dead_after = dangling_by_id(after, cfg);
    for (const auto& [id, x] : dead_after)
        if (!dead_before.count(id)) d.dangling_added.push_back(dangling_entry(x, false));
    for (const auto& [id, x] : dead_before)
        if (!dead_after.count(id)) d.dangling_removed.push_back(dangling_entry(x, true));
    // Identities only: a row that is a dangling binding on one side is absent on that side
    // (an SA deleted with its binding left is removed, and one recreated is added).
    std::map<int64_t, const db::IdentityRow*> old_rows;
    for (const auto& r : before)
        if (!dead_before.count(r.id)) old_rows[r.id] = &r;
    std::map<int64_t, bool> seen;
    for (const auto& r : after) {
        if (dead_after.count(r.id)) continue;
        seen[r.id] = true;
        auto it = old_rows.find(r.id);
        // Newly exposed: a linked finding first seen after the `from` run.
        for (const auto& c : r.credentials)
            for (size_t i = 0; i < c.findings.size(); ++i)
                if (auto fr = first_run.find(c.findings[i]); fr != first_run.end() && fr->second > from_run) {
                    auto e = entry(r);
                    if (i < c.validations.size()) e.validation = c.validations[i];
                    // What the provider said of it (live, revoked), when --validate asked.
                    const std::string checked = validation_note(e.validation);
                    e.detail = c.kind + " " + c.key + " (finding #" + std::to_string(c.findings[i]) +
                               (checked.empty() ? "" : ", " + checked) + ")";
                    d.newly_exposed.push_back(e);
                }
        if (it == old_rows.end()) {
            d.added.push_back(entry(r));
            continue;
        }
        const auto& old = *it->second;
        // Each side is judged at its own time, so ageing alone can move a tier.
        auto t0 = assess(old, cfg, from_time, &pop_before).tier, t1 = assess(r, cfg, to_time, &pop_after).tier;
        if (t0 != t1) {
            auto e = entry(r);
            e.before = to_string(t0);
            e.after = to_string(t1);
            d.tier_changes.push_back(e);
        }
        const std::string o0 = owner_of(old), o1 = owner_of(r);
        if (o0 != o1) {
            auto e = entry(r);
            e.before = o0;
            e.after = o1;
            (o0.empty() ? d.owners_gained : o1.empty() ? d.owners_lost : d.owners_changed).push_back(e);
        }
    }
    for (const auto& r : before)
        if (!seen.count(r.id) && !dead_before.count(r.id)) d.removed.push_back(entry(r));
    return d;
}

void render_diff(const Diff& d, const std::string& format, std::ostream& out) {
    const std::vector<std::pair<const char*, const std::vector<DiffEntry>*>> sections = {
        {"added", &d.added},
        {"removed", &d.removed},
        {"tier_changes", &d.tier_changes},
        {"newly_exposed", &d.newly_exposed},
        {"owners_gained", &d.owners_gained},
        {"owners_lost", &d.owners_lost},
        {"owners_changed", &d.owners_changed},
        {"dangling_added", &d.dangling_added},
        {"dangling_removed", &d.dangling_removed}};
    if (format == "json") {
        nlohmann::json j = {{"from_run", d.from}, {"to_run", d.to == 0 ? nlohmann::json("now") : nlohmann::json(d.to)},
                            {"from_time", d.from_time}, {"to_time", d.to_time}};
        for (const auto& [name, list] : sections) {
            j[name] = nlohmann::json::array();
            for (const auto& e : *list) {
                nlohmann::json x = {{"id", e.id}, {"key", e.key}, {"provider", e.provider}, {"kind", e.kind}, {"name", e.name}};
                if (!e.before.empty() || !e.after.empty()) x["before"] = e.before, x["after"] = e.after;
                if (!e.detail.empty()) x["detail"] = e.detail;
                if (e.validation.done()) x["validation"] = validation_json(e.validation);
                j[name].push_back(x);
            }
        }
        out << json_dump(j, 2) << "\n";
        return;
    }
    if (format == "csv") {
        out << "change,id,provider,kind,name,before,after,detail\n";
        for (const auto& [name, list] : sections)
            for (const auto& e : *list)
                out << name << ',' << e.id << ',' << e.provider << ',' << e.kind << ',' << csv_cell(e.name) << ','
                    << csv_cell(e.before) << ',' << csv_cell(e.after) << ',' << csv_cell(e.detail) << "\n";
        return;
    }
    const bool md = format == "markdown";
    // Names and owners come from exports: escaped for the terminal, or for Markdown.
    auto esc = [md](std::string_view s) { return md ? md_text(s) : util::printable(s); };
    out << (md ? "# Changes since run " : "Changes since run ") << d.from << " (" << esc(d.from_time) << ") to "
        << (d.to ? "run " + std::to_string(d.to) : std::string("now")) << " (" << esc(d.to_time) << ")\n";
    const std::map<std::string, std::string> titles = {
        {"added", "Added identities"},       {"removed", "Removed identities"},
        {"tier_changes", "Tier changes"},    {"newly_exposed", "Newly exposed secrets"},
        {"owners_gained", "Owners gained"},  {"owners_lost", "Owners lost"},
        {"owners_changed", "Owners changed"}, {"dangling_added", "New dangling bindings"},
        {"dangling_removed", "Dangling bindings removed"}};
    for (const auto& [name, list] : sections) {
        out << (md ? "\n## " : "\n") << titles.at(name) << " (" << list->size() << ")\n";
        for (const auto& e : *list) {
            out << (md ? "- " : "  ") << esc(e.provider + " " + e.kind + " " + e.name);
            if (!e.before.empty() || !e.after.empty())
                out << ": " << esc(e.before.empty() ? "(none)" : e.before) << " -> "
                    << esc(e.after.empty() ? "(none)" : e.after);
            if (!e.detail.empty()) out << ": " << esc(e.detail);
            out << "\n";
        }
    }
}

}  // namespace nhi::reports
