// The repository configuration file (.nhi.yml): allowlists, disabled rules, extra rules
// and a baseline, kept in the repository so every developer and CI run agree.
#pragma once
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "util/expected.hpp"

namespace nhi::rules {

struct RepoConfig {
    std::string source;                      // the file it came from, for messages
    std::vector<std::string> allow_paths;    // globs: findings under these paths are not reported
    struct RuleAllow {
        std::string rule;
        std::vector<std::string> paths;      // empty: the rule is allowed everywhere
    };
    std::vector<RuleAllow> allow_rules;
    std::set<std::string> allow_secrets;     // SHA-256 hex of secrets accepted as not secret
    std::set<std::string> disabled_rules;    // rule ids never run
    std::vector<std::string> extra_rules;    // rule files or directories (relative to the file)
    std::string baseline;                    // baseline file (relative to the file), may be empty
    // Unpacking, as --no-decode, --no-archives, --max-depth and --max-decoded-size (which win).
    std::optional<bool> decode, archives;
    std::optional<unsigned> max_depth;
    std::optional<uint64_t> max_decoded_size;
    // Live validation: true turns it on as --validate does; false turns it off even then, so
    // a repository can keep its (test) secrets from being tried. A repository can never add or
    // redirect a validation target: only built-in rules declare them.
    std::optional<bool> validate;
    std::vector<std::string> no_fail_in;  // path contexts (rules/path_context) that never fail a run

    /// True when a finding of `rule` at `path` with this secret hash is allowlisted.
    bool allowed(std::string_view rule, std::string_view path, std::string_view secret_sha256) const;
};

/// Parses a config file's text; `base_dir` resolves its relative paths. Fails naming the
/// file and the key on unknown keys or wrong types, so a typo never silently allows less.
util::Expected<RepoConfig> parse_config(std::string_view name, std::string_view text, const std::string& base_dir);

/// Reads `path`; fails if it cannot be read or parsed.
util::Expected<RepoConfig> load_config(const std::string& path);

/// The config that applies to a scan root: `.nhi.yml` (or `.nhi.yaml`) in the root, else
/// in the git working tree that contains it. Empty string when there is none.
std::string find_config(const std::string& root);

}  // namespace nhi::rules
