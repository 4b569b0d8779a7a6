#include "rules/check.hpp"

#include <fmt/format.h>

namespace nhi::rules {
namespace {

const char* describe(Rejection r) {
    switch (r) {
        case Rejection::Entropy: return "below min_entropy";
        case Rejection::Placeholder: return "treated as a placeholder";
        case Rejection::Validator: return "rejected by the validator";
        case Rejection::InlineAllow: return "suppressed by an allow comment (nhi:allow, nhi:allow-next-line, gitleaks:allow, pragma: allowlist secret)";
        case Rejection::Generic: return "a generic rule skips UUIDs and values claimed by a specific rule";
        case Rejection::Words: return "looks like words (the token model's token_filter)";
        case Rejection::None: break;
    }
    return "pattern did not match";
}

// Weak values (a default password) are reported at severity info, not as secrets: an
// example must be found as a secret, and a negative example may at most be found as weak.
bool has_rule(const std::vector<Match>& ms, size_t rule) {
    for (const auto& m : ms)
        if (m.rule == rule && !m.weak) return true;
    return false;
}

bool has_secret(const std::vector<Match>& ms) {
    for (const auto& m : ms)
        if (!m.weak) return true;
    return false;
}

}  // namespace

std::vector<CheckFailure> check_rules(const Engine& engine) {
    std::vector<CheckFailure> failures;
    auto made = engine.make_worker();
    if (!made) return {{made.error().what, made.error().why}};
    auto& worker = made.value();
    const auto& rules = engine.rules();
    for (size_t i = 0; i < rules.size(); ++i) {
        const Rule& r = rules[i];
        for (size_t k = 0; k < r.examples.size(); ++k) {
            const std::string& ex = r.examples[k];
            Rejection why = Rejection::None;
            bool alone = has_secret(worker->scan_rule(i, ex, &why));
            auto all = worker->scan(ex, /*keep_lone_context=*/true);
            bool full = has_rule(all, i);
            if (!alone) {
                failures.push_back({r.id, fmt::format("example {} not detected: {}", k + 1, describe(why))});
            } else if (!full) {
                // Either a more confident rule took the secret, or Hyperscan never saw it.
                std::string by;
                for (const auto& m : all)
                    if (rules[m.rule].confidence > r.confidence) by = rules[m.rule].id;
                failures.push_back({r.id, by.empty() ? fmt::format("example {} confirmed by PCRE2 but missed by the "
                                                                   "Hyperscan pass (check max_length or prefilter)", k + 1)
                                                     : fmt::format("example {} is shadowed by the more confident rule {}",
                                                                   k + 1, by)});
            }
        }
        for (size_t k = 0; k < r.negative_examples.size(); ++k) {
            const std::string& ex = r.negative_examples[k];
            if (has_secret(worker->scan_rule(i, ex)) || has_rule(worker->scan(ex, /*keep_lone_context=*/true), i))
                failures.push_back({r.id, fmt::format("negative example {} was detected", k + 1)});
        }
    }
    return failures;
}

}  // namespace nhi::rules
