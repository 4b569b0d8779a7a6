// The detector engine: one Hyperscan block-mode database of every rule finds candidate
// end offsets; each rule's PCRE2 (JIT) pattern confirms them on a bounded window and
// extracts the secret; entropy, placeholder, validator and inline-allow checks follow.
#pragma once
#include <memory>
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
    // A default or documentation password (classify_value: Weak): reported at severity
    // info, never counted as the secret that makes context worth keeping.
    bool weak = false;
};

/// Why candidates were dropped, for `rules check` and debugging.
enum class Rejection { None, Entropy, Placeholder, Validator, InlineAllow, Generic };

struct EngineOptions {
    std::string cache_dir;  // where compiled databases are kept; empty disables the cache
};

class Worker;

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

    /// A scanner for one thread: owns its Hyperscan scratch and PCRE2 match data.
    std::unique_ptr<Worker> make_worker() const;

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
    explicit Worker(const Engine& engine);
    ~Worker();
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    /// All confirmed matches in `data`, sorted by offset. Never throws on content. Context
    /// matches are dropped when nothing else matched, unless `keep_lone_context` (rules check).
    /// `path` (relative, '/'-separated) selects the path-scoped rules (`paths:`) that apply;
    /// without one, every path-scoped rule runs.
    std::vector<Match> scan(std::string_view data, bool keep_lone_context = false,
                            const std::string* path = nullptr);

    /// Runs one rule alone over `data` and says why its first candidate was dropped, if it
    /// was; for `rules check`.
    std::vector<Match> scan_rule(size_t rule, std::string_view data, Rejection* first_rejection = nullptr);

    struct State;

private:
    // Runs one Hyperscan database over `data` and confirms its hits into `out`.
    void scan_database(const hs_database* db, std::string_view data, std::vector<Match>& out);
    const Engine& engine_;
    std::unique_ptr<State> state_;
};

}  // namespace nhi::rules
