#include "rules/check.hpp"

#include <cctype>

#include <fmt/format.h>

#include "rules/filters.hpp"

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

// A negative "reaches the pattern" when the rule's own pattern, entropy floor or validator
// turns it down. Rejections by the shared filters (placeholder, inline allow, the generic
// rules' claims) would turn it down whatever the rule's pattern said, so they prove nothing:
// a rule whose negatives are all `${TOKEN}` and `xxxx` passes with `.+` as its pattern.
bool own_rejection(Rejection why) {
    return why == Rejection::None || why == Rejection::Entropy || why == Rejection::Validator;
}

}  // namespace

bool has_literal_word(std::string_view text, const Rule& r) {
    // Words end at spaces, quotes, markup and the punctuation of assignments, calls and URLs
    // (`user:password@host`), so a host such as example.test does not hide the password.
    static constexpr std::string_view kBreaks = " \t\r\n'\"`=,;()[]<>:@";
    size_t i = 0;
    while (i < text.size()) {
        size_t b = text.find_first_not_of(kBreaks, i);
        if (b == std::string_view::npos) break;
        size_t e = text.find_first_of(kBreaks, b);
        if (e == std::string_view::npos) e = text.size();
        std::string_view w = text.substr(b, e - b);
        i = e;
        if (w.size() < 8) continue;
        // Random tokens have digits, or mixed case throughout (hf_ tokens are letters only).
        size_t upper = 0, lower = 0;
        for (char c : w) {
            upper += std::isupper(static_cast<unsigned char>(c)) ? 1 : 0;
            lower += std::islower(static_cast<unsigned char>(c)) ? 1 : 0;
        }
        if (w.find_first_of("0123456789") == std::string_view::npos && (upper < 3 || lower < 3)) continue;
        if (r.skip_placeholder_filter || classify_value(w, r.weak_is_secret, r.secretless()) == ValueClass::Secret)
            return true;
    }
    return false;
}

std::vector<CheckFailure> check_rules(const Engine& engine) {
    std::vector<CheckFailure> failures;
    auto made = engine.make_worker();
    if (!made) return {{made.error().what, made.error().why, CheckKind::Engine}};
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
                failures.push_back(
                    {r.id, fmt::format("example {} not detected: {}", k + 1, describe(why)), CheckKind::Example});
            } else if (!full) {
                // Either a more confident rule took the secret, or Hyperscan never saw it.
                std::string by;
                for (const auto& m : all)
                    if (rules[m.rule].confidence > r.confidence) by = rules[m.rule].id;
                failures.push_back({r.id, by.empty() ? fmt::format("example {} confirmed by PCRE2 but missed by the "
                                                                   "Hyperscan pass (check max_length or prefilter)", k + 1)
                                                     : fmt::format("example {} is shadowed by the more confident rule {}",
                                                                   k + 1, by),
                                    CheckKind::Example});
            }
        }
        bool near_miss = false;
        for (size_t k = 0; k < r.negative_examples.size(); ++k) {
            const std::string& ex = r.negative_examples[k];
            Rejection why = Rejection::None;
            if (has_secret(worker->scan_rule(i, ex, &why)) || has_rule(worker->scan(ex, /*keep_lone_context=*/true), i))
                failures.push_back({r.id, fmt::format("negative example {} was detected", k + 1), CheckKind::Negative});
            else if (own_rejection(why) && has_literal_word(ex, r))
                near_miss = true;
        }
        if (!near_miss && r.negative_exempt.empty())
            failures.push_back({r.id,
                                "no negative example reaches the pattern (all are placeholders): add a near miss "
                                "(one character short, outside the alphabet, a wrong checksum, glued into a longer "
                                "run) or a `negative_exempt:` reason",
                                CheckKind::NoNearMiss});
    }
    return failures;
}

}  // namespace nhi::rules
