// Matches to findings, for the directory and the git scanner alike: 1-based line and column,
// path-scoped rules, and the one rule for context (a host, a user name, a database): it is
// reported only beside a secret.
#pragma once
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "db/model.hpp"
#include "rules/engine.hpp"
#include "rules/rule.hpp"

namespace nhi::scanners {

/// True when a finding of `rule` at `path` (with its validator `hints`) is a secret that keeps
/// the context beside it: the rule applies there, is neither context nor a reference, and the
/// value is not weak. A null rule (one removed since the finding was made) counts as a secret.
bool keeps_context(const rules::Rule* rule, std::string_view path, const nlohmann::json& hints);

/// Gives the rule of the i-th finding (null when unknown).
using RuleOf = std::function<const rules::Rule*(size_t i)>;

/// The hint a finding gets when its file says a tool generated it; the scan command then gives
/// a finding in what its path alone calls source the path context "generated".
inline constexpr const char* kGeneratedHint = "generated_file";

/// How far (in lines) context may be from the secret it describes and still be reported.
inline constexpr size_t kContextLines = 40;

/// Removes the context findings of one blob at one `path` that have no secret keeping context
/// (keeps_context; without `check_path`, whatever the rule's paths say) within kContextLines
/// lines. The others keep their order.
void drop_lone_context(std::vector<db::Finding>& findings, std::string_view path, const RuleOf& rule_of,
                       bool check_path = true);

/// Where one text sits in what the user sees, for to_findings: the text may be a chunk of a
/// larger one, an archive entry, or a decoded span of an outer text.
struct Placement {
    std::string_view scope;          // the path path-scoped rules see (the entry's own path); empty: `path`
    size_t base_line = 1, base_col = 1;  // where the text's first byte is in its file
    bool pinned = false;             // a decoded text: every finding at (line, column) of the span
    size_t line = 0, column = 0;
    std::string_view inner, encoding;  // copied into each finding
};

/// Turns one blob's matches into findings with 1-based line and column, sorted by secret
/// offset. With `path_scoped`, drops matches of rules whose `paths` do not cover `path`, and
/// then context no secret is left beside (git applies both per path instead).
std::vector<db::Finding> to_findings(const rules::Engine& engine, const std::vector<rules::Match>& matches,
                                     std::string_view data, const std::string& path, bool path_scoped = true,
                                     const Placement& at = {});

/// One finding per span: where several rules matched the same secret bytes (or two generic
/// rules overlapping ones), keeps the most specific match: a provider rule before a generic
/// one, then the higher confidence, then the rule listed first. The others keep their order.
void keep_most_specific(const rules::Engine& engine, std::vector<rules::Match>& matches);

}  // namespace nhi::scanners
