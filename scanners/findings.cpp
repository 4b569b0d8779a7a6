#include "scanners/findings.hpp"

#include <algorithm>

#include "rules/validators.hpp"
#include "util/text.hpp"

namespace nhi::scanners {

bool keeps_context(const rules::Rule* rule, std::string_view path, const nlohmann::json& hints) {
    if (!rule) return true;
    return rule->applies_to(path) && !rule->secretless() && !rules::is_weak(hints);
}

void drop_lone_context(std::vector<db::Finding>& findings, std::string_view path, const RuleOf& rule_of,
                       bool check_path) {
    // The lines of the secrets that make context worth keeping. The secret that would have may
    // also have been dropped for this path (an unquoted `token = Name.Builtin` in Python
    // source): context alone is not reported.
    std::vector<size_t> anchors;
    for (size_t i = 0; i < findings.size(); ++i) {
        const rules::Rule* rule = rule_of(i);
        bool keeps = check_path ? keeps_context(rule, path, findings[i].hints)
                                : (!rule || (!rule->secretless() && !rules::is_weak(findings[i].hints)));
        if (keeps) anchors.push_back(findings[i].line);
    }
    std::sort(anchors.begin(), anchors.end());
    // Context far from every secret is about something else: in a 2 GB log, one key would
    // otherwise make every host name and user name in its chunk a finding.
    auto near_secret = [&](size_t line) {
        auto it = std::lower_bound(anchors.begin(), anchors.end(), line > kContextLines ? line - kContextLines : 0);
        return it != anchors.end() && *it <= line + kContextLines;
    };
    size_t w = 0;
    for (size_t i = 0; i < findings.size(); ++i) {
        const rules::Rule* rule = rule_of(i);
        if (rule && rule->context && !near_secret(findings[i].line)) continue;
        if (w != i) findings[w] = std::move(findings[i]);  // never self-move: it empties the finding
        ++w;
    }
    findings.resize(w);
}

std::vector<db::Finding> to_findings(const rules::Engine& engine, const std::vector<rules::Match>& matches,
                                     std::string_view data, const std::string& path, bool path_scoped,
                                     const Placement& at) {
    // Matches come sorted by start; secrets start at or after their match, so sort by
    // secret offset for the single forward pass of the line counter.
    std::vector<const rules::Match*> order;
    order.reserve(matches.size());
    for (const auto& m : matches) order.push_back(&m);
    std::stable_sort(order.begin(), order.end(),
                     [](auto* a, auto* b) { return a->secret_start < b->secret_start; });
    const std::string_view scope = at.scope.empty() ? std::string_view(path) : at.scope;
    std::vector<db::Finding> out;
    std::vector<const rules::Rule*> rule_of;  // parallel to `out`
    out.reserve(matches.size());
    util::LineCounter lines(data);
    for (const auto* m : order) {
        auto [line, col] = lines.locate(m->secret_start);
        if (at.pinned) {
            line = at.line;
            col = at.column;
        } else {
            if (line == 1) col += at.base_col - 1;
            line += at.base_line - 1;
        }
        const auto& rule = engine.rules()[m->rule];
        if (path_scoped && !rule.applies_to(scope)) continue;
        out.push_back(db::make_finding(rule, data.substr(m->secret_start, m->secret_end - m->secret_start), path,
                                       line, col, m->hints));
        out.back().inner = std::string(at.inner);
        out.back().encoding = std::string(at.encoding);
        rule_of.push_back(&rule);
    }
    drop_lone_context(out, scope, [&](size_t i) { return rule_of[i]; }, path_scoped);
    return out;
}

void keep_most_specific(const rules::Engine& engine, std::vector<rules::Match>& matches) {
    const auto& rules = engine.rules();
    // Better is: not generic, then higher confidence, then listed first.
    auto better = [&](const rules::Match& a, const rules::Match& b) {
        const auto &ra = rules[a.rule], &rb = rules[b.rule];
        if (ra.generic != rb.generic) return !ra.generic;
        if (ra.confidence != rb.confidence) return ra.confidence > rb.confidence;
        return a.rule < b.rule;
    };
    auto same_span = [&](const rules::Match& a, const rules::Match& b) {
        if (rules[a.rule].context || rules[b.rule].context) return false;  // context is not a secret
        if (a.secret_start == b.secret_start && a.secret_end == b.secret_end) return true;
        const bool overlap = a.secret_start < b.secret_end && b.secret_start < a.secret_end;
        return overlap && rules[a.rule].generic && rules[b.rule].generic;
    };
    std::vector<bool> drop(matches.size(), false);
    // Matches are sorted by start, and a secret lies inside its match, so only the matches that
    // start before this one ends can share its span.
    for (size_t i = 0; i < matches.size(); ++i) {
        if (drop[i]) continue;
        for (size_t j = i + 1; j < matches.size() && matches[j].start < matches[i].end; ++j) {
            if (drop[j] || !same_span(matches[i], matches[j])) continue;
            if (better(matches[j], matches[i])) {
                drop[i] = true;
                break;
            }
            drop[j] = true;
        }
    }
    size_t k = 0;  // erase_if visits the elements in order, once each
    std::erase_if(matches, [&](const rules::Match&) { return drop[k++]; });
}

}  // namespace nhi::scanners
