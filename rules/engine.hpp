// The detector engine: one Hyperscan block-mode database of every rule finds candidate
// end offsets; each rule's PCRE2 (JIT) pattern confirms them on a bounded window and
// extracts the secret; entropy, placeholder, validator and inline-allow checks follow.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "rules/loader.hpp"
#include "rules/rule.hpp"
#include "util/expected.hpp"

struct hs_database;
struct hs_scratch;

namespace nhi::rules {

/// One confirmed detection in a blob, in byte offsets.
struct Match {
    size_t rule = 0;  // index into Engine::rules()
    size_t start = 0, end = 0;                // whole match
    size_t secret_start = 0, secret_end = 0;  // the secret
    nlohmann::json hints;                     // what the validator decoded
    // A default or documentation password (classify_value: Weak), or a token whose checksum
    // fails (kInvalidHint): reported at severity info, never hiding another match and never
    // counted as the secret that makes context worth keeping.
    bool weak = false;
};

/// Why candidates were dropped, for `rules check` and debugging.
enum class Rejection { None, Entropy, Placeholder, Validator, InlineAllow, Generic, Words };

struct EngineOptions {
    std::string cache_dir;  // where compiled databases are kept; empty disables the cache
};

class Engine;
class Worker;

/// A rule's PCRE2 matches in one blob past this many are not confirmed: the blob is named in
/// an end-of-scan warning instead (yara's "too many matches").
inline constexpr uint32_t kMaxMatchesPerRule = 1000;

/// What stopped matching early on the last blob a Worker scanned (Worker::last_report()).
/// Scanners count and warn, so nothing is dropped silently:
///     auto matches = worker.scan(data, false, &path);
///     const auto& rep = worker.last_report();
///     if (rep.hit_limit()) ++stats.match_limit_hits;
///     if (rep.failed()) ++stats.engine_errors;
///     for (const auto& w : rules::report_warnings(engine, rep, path)) sinks.warning(w);
struct ScanReport {
    std::vector<size_t> limit_rules;  // rules whose PCRE2 hit its match, depth, heap or JIT stack limit
    std::vector<size_t> error_rules;  // rules whose PCRE2 failed for another reason
    std::string engine_error;         // why hs_scan failed; empty when it did not
    bool hit_limit() const { return !limit_rules.empty(); }
    bool failed() const { return !engine_error.empty() || !error_rules.empty(); }
    bool clean() const { return !hit_limit() && !failed(); }
};

/// One warning per problem in `report`, naming `path` and the rule ids, never content;
/// empty for a clean report.
std::vector<util::Error> report_warnings(const Engine& engine, const ScanReport& report, const std::string& path);

/// The inline comments that suppress a match on a line: `nhi:allow` on it, `nhi:allow-next-line`
/// on the line before, and for teams migrating from other scanners `gitleaks:allow` and
/// detect-secrets' `pragma: allowlist secret` on it.
enum class AllowForm : uint8_t { Nhi, NhiNextLine, Gitleaks, DetectSecrets };
inline constexpr size_t kAllowForms = 4;
/// The comment text of `form`, for summaries ("nhi:allow-next-line").
const char* allow_form_name(AllowForm form);

/// How many matches each allow comment suppressed, indexed by AllowForm.
struct AllowCounts {
    uint64_t by_form[kAllowForms] = {};
    uint64_t operator[](AllowForm f) const { return by_form[size_t(f)]; }
    uint64_t total() const { return by_form[0] + by_form[1] + by_form[2] + by_form[3]; }
    void merge(const AllowCounts& other) {
        for (size_t i = 0; i < kAllowForms; ++i) by_form[i] += other.by_form[i];
    }
};

/// The allow comment that suppresses the match at [start, end) of `data` whose secret starts
/// at `secret_start` (the next-line form looks above the secret's line), or nullopt.
std::optional<AllowForm> inline_allow(std::string_view data, size_t start, size_t end, size_t secret_start);

/// Per-rule cost over every blob one Worker scanned (Worker::rule_stats()). Kept per worker so
/// the hot path takes no lock; merge the workers' at the end of a scan and pass the sum to
/// rule_warnings.
struct RuleStats {
    struct PerRule {
        uint64_t confirm_ns = 0;    // time in its PCRE2 confirmation and filters
        uint64_t windows = 0;       // windows its Hyperscan hits opened for PCRE2 to confirm
        uint64_t capped_blobs = 0;  // blobs where it matched more than kMaxMatchesPerRule times
        uint64_t limit_blobs = 0;   // blobs where its PCRE2 hit a limit
        std::string first_capped;   // the first capped blob's path, when the scan named one
    };
    std::vector<PerRule> rules;  // by rule index; empty until a worker scanned something
    uint64_t scan_ns = 0;        // time in Worker::scan
    AllowCounts allowed;         // matches suppressed by an inline allow comment, per form
    void merge(const RuleStats& other);
};

/// A rule is called slow when its confirmation took at least this share of the matching
/// time, and at least kSlowRuleMinNs of it (so a tiny scan never warns).
inline constexpr double kSlowRuleShare = 0.5;
inline constexpr uint64_t kSlowRuleMinNs = 1'000'000'000;

/// End-of-scan warnings, at most one of each kind per rule: it matched too often in some blob, or it is slow
/// (its pattern hit a PCRE2 limit, or took a large share of the matching time). Empty when none.
std::vector<util::Error> rule_warnings(const Engine& engine, const RuleStats& stats);

class Engine {
public:
    /// Compiles (or loads from the cache) the Hyperscan database and every PCRE2 pattern.
    /// Fails naming the rule whose pattern does not compile.
    static util::Expected<std::shared_ptr<const Engine>> create(RuleSet rules, const EngineOptions& options);
    ~Engine();

    const std::vector<Rule>& rules() const { return rules_.rules; }
    const std::string& rules_hash() const { return rules_.hash; }
    /// True when the Hyperscan database came from the on-disk cache.
    bool loaded_from_cache() const { return from_cache_; }

    /// A scanner for one thread, owning its Hyperscan scratch and PCRE2 match data; fails
    /// when they cannot be allocated.
    util::Expected<std::unique_ptr<Worker>> make_worker() const;

    /// For generic rules: true when `secret` is only an identifier (a UUID) or starts with a
    /// prefix that a specific rule owns (so that rule, not a keyword rule, decides on it).
    bool generic_rejects(std::string_view secret) const;

    struct Impl;

private:
    Engine() = default;
    RuleSet rules_;
    bool from_cache_ = false;
    std::unique_ptr<Impl> impl_;
    friend class Worker;
};

class Worker {
public:
    ~Worker();
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    /// All confirmed matches in `data`, sorted by offset. Never throws on content. Context
    /// matches are dropped when nothing else matched, unless `keep_lone_context` (rules check).
    /// `path` (relative, '/'-separated) selects the path-scoped rules (`paths:`) that apply;
    /// without one, every path-scoped rule runs. With `apply_skip_paths`, a rule whose
    /// `skip_paths:` cover `path` is not matched at all; without it (a git blob, which may
    /// live at several paths) the caller applies skip_paths to each path (Rule::applies_to).
    /// What stopped matching early is in last_report() afterwards: check it after every scan.
    std::vector<Match> scan(std::string_view data, bool keep_lone_context = false,
                            const std::string* path = nullptr, bool apply_skip_paths = true);

    /// What stopped matching early in the last scan() or scan_rule(); clean when nothing did.
    const ScanReport& last_report() const;
    /// Per-rule time and caps over every scan so far, for rule_warnings after merging.
    const RuleStats& rule_stats() const;
    /// Matches suppressed by each inline allow comment over every scan so far (the same
    /// figures as rule_stats().allowed): sum the workers' for the summary.
    const AllowCounts& allow_counts() const;

    /// Runs one rule alone over `data` and says why its first candidate was dropped, if it
    /// was; for `rules check`.
    std::vector<Match> scan_rule(size_t rule, std::string_view data, Rejection* first_rejection = nullptr);

    struct State;

private:
    friend class Engine;
    explicit Worker(const Engine& engine);
    // Runs one Hyperscan database over `data` and confirms its hits into `out`.
    void scan_database(const hs_database* db, std::string_view data, std::vector<Match>& out);
    const Engine& engine_;
    std::unique_ptr<State> state_;
};

}  // namespace nhi::rules
