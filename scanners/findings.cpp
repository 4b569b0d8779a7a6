#include "scanners/findings.hpp"

#include <algorithm>

#include "rules/validators.hpp"
#include "util/text.hpp"

namespace nhi::scanners {

bool keeps_context(const rules::Rule* rule, std::string_view path, const nlohmann::json& hints) {
    if (!rule) return true;
    return rule->applies_to(path) && !rule->secretless() && !rules::is_weak(hints);
}

void drop_lone_context(std::vector<db::Finding>& findings, std::string_view path, const RuleOf& rule_of) {
    for (size_t i = 0; i < findings.size(); ++i)
        if (keeps_context(rule_of(i), path, findings[i].hints)) return;
    // The secret that made context worth keeping may have been dropped for this path (an
    // unquoted `token = Name.Builtin` in Python source): context alone is not reported.
    size_t w = 0;
    for (size_t i = 0; i < findings.size(); ++i) {
        const rules::Rule* rule = rule_of(i);
        if (rule && rule->context) continue;
        if (w != i) findings[w] = std::move(findings[i]);  // never self-move: it empties the finding
        ++w;
    }
    findings.resize(w);
}

std::vector<db::Finding> to_findings(const rules::Engine& engine, const std::vector<rules::Match>& matches,
                                     std::string_view data, const std::string& path, bool path_scoped) {
    // Matches come sorted by start; secrets start at or after their match, so sort by
    // secret offset for the single forward pass of the line counter.
    std::vector<const rules::Match*> order;
    order.reserve(matches.size());
    for (const auto& m : matches) order.push_back(&m);
    std::stable_sort(order.begin(), order.end(),
                     [](auto* a, auto* b) { return a->secret_start < b->secret_start; });
    std::vector<db::Finding> out;
    std::vector<const rules::Rule*> rule_of;  // parallel to `out`
    out.reserve(matches.size());
    util::LineCounter lines(data);
    for (const auto* m : order) {
        auto [line, col] = lines.locate(m->secret_start);
        const auto& rule = engine.rules()[m->rule];
        if (path_scoped && !rule.applies_to(path)) continue;
        out.push_back(db::make_finding(rule, data.substr(m->secret_start, m->secret_end - m->secret_start), path,
                                       line, col, m->hints));
        rule_of.push_back(&rule);
    }
    if (path_scoped) drop_lone_context(out, path, [&](size_t i) { return rule_of[i]; });
    return out;
}

}  // namespace nhi::scanners
