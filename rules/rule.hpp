// The rule model: what one detector is, as written in rules/data/*.yml.
#pragma once
#include <string>
#include <vector>

#include "util/glob.hpp"

namespace nhi::rules {

// Info is for context findings (the user or host beside a secret): shown, never failing CI
// unless asked with --fail-on info.
enum class Severity { Info = 0, Low = 1, Medium = 2, High = 3, Critical = 4 };
enum class Confidence { Low = 1, Medium = 2, High = 3 };
// How a rule tells a random secret from words and identifiers: Shannon entropy against
// min_entropy, the token model (rules/token_model.hpp: "looks like words"), or both.
enum class TokenFilter { Entropy = 0, Ngram = 1, Both = 2 };

const char* to_string(Severity s);
const char* to_string(Confidence c);
/// Parses "low|medium|high|critical"; false on anything else.
bool parse_severity(const std::string& s, Severity& out);
bool parse_confidence(const std::string& s, Confidence& out);

/// What the identity behind a credential is, for the inventory.
struct NhiInfo {
    std::string provider;
    std::string kind;   // e.g. personal-access-token, api-key, private-key
    std::string actor;  // service | workload | agent | human-bot
};

struct Rule {
    std::string id;    // stable, e.g. nhi.github.pat
    std::string name;  // for people
    std::string pattern;    // PCRE2 syntax; group `secret` or group 1 is the secret
    std::string prefilter;  // optional Hyperscan pattern when `pattern` is too costly for it
    double min_entropy = 0.0;
    TokenFilter token_filter = TokenFilter::Entropy;  // what judges randomness (loader.cpp picks the default)
    std::string validator;  // offline structure check, empty for none
    Confidence confidence = Confidence::Medium;
    Severity severity = Severity::High;
    NhiInfo nhi;
    std::string revocation;
    std::vector<std::string> references;
    std::vector<std::string> examples;
    std::vector<std::string> negative_examples;
    // Why no negative example can be a near miss that the rule's own pattern rejects (see
    // `rules check`); empty for nearly every rule, which must have one.
    std::string negative_exempt;
    bool skip_placeholder_filter = false;  // for rules whose secrets legitimately look templated
    size_t max_length = 1024;  // longest match; bounds the confirmation window
    // Literal prefixes this rule owns (ghp_, xoxb-, ...). A generic rule stays quiet on a value
    // that starts with one: if the specific rule did not confirm it, its structure is wrong
    // (a bad checksum, a truncated token), so it is not a live credential.
    std::vector<std::string> claims;
    bool weak_is_secret = false;      // a filler word (admin, password) is a real, weak credential here
    bool generic = false;             // a keyword/assignment rule: subject to claims, UUID and code filters
    std::vector<std::string> paths;   // when set, findings only in files matching one of these globs
    std::vector<std::string> skip_paths;  // never report in files matching one of these globs
    // A context rule finds what a secret unlocks (user name, host, database, key id) rather
    // than a secret: its matches are kept only in a blob where a secret was found too.
    bool context = false;
    // A reference rule names an identity or resource (an ARN, an account id, a bucket, a
    // store's domain, a public key) rather than a secret: severity info, reported on its own,
    // never hiding a secret and never making context worth keeping.
    bool reference = false;
    /// Context and references are facts about identities, not secrets.
    bool secretless() const { return context || reference; }
    /// True when the rule applies to `path` (relative, '/'-separated).
    bool applies_to(std::string_view path) const;
    /// The same test with the rule's skip_paths and paths compiled once (see Engine).
    static bool applies_to(const util::GlobSet& skip, const util::GlobSet& only, std::string_view path);
    // The `validate:` block as canonical JSON (rules/validate_spec.hpp parses it); empty when
    // the provider offers no way to test a secret. Only built-in rules may have one.
    std::string validate;
    std::string source;        // file the rule came from, for errors
};

}  // namespace nhi::rules
