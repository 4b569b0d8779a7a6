// Helpers shared by subcommands.
#pragma once
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "rules/engine.hpp"

namespace nhi::cli {

/// Loads built-in plus user rules, drops `disabled` ones (unknown ids fail with a
/// suggestion) and builds the engine (using the on-disk cache); gives up with a one-line
/// error on invalid rules.
std::shared_ptr<const rules::Engine> load_engine(const std::vector<std::string>& extra_rule_paths,
                                                 const std::set<std::string>& disabled = {});

/// Opens the datastore --db (or $NHI_DB, or ./.nhi/nhi.db) names; where this creates its
/// directory, writes a `.gitignore` of `*` in it, so a datastore inside a checkout is never
/// committed. Gives up with a one-line error when it cannot be opened.
std::unique_ptr<db::Database> open_datastore(const std::string& flag_value);

/// `--now` as UTC text: the clock when empty, else the ISO-8601 time given (or a usage error).
std::string reference_time(const std::string& flag_value);

/// Fails with "did you mean" when `id` is not one of `rules`.
void require_rule_id(const std::string& id, const std::vector<rules::Rule>& rules, const std::string& where);

}  // namespace nhi::cli
