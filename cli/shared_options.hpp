// Helpers shared by subcommands.
#pragma once
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "db/inventory.hpp"
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
std::string reference_time(const std::string& flag_value, const char* flag = "--now");

/// A point in the inventory's history from `--run N` or `--as-of TIME`: the run itself, or
/// the last run (import, set-owner, annotate, review, validate) that started at or before
/// TIME, 0 meaning "now" when that is the latest. Usage errors: both given, or no run yet
/// at TIME.
int64_t history_point(db::Inventory& inv, int64_t run, const std::string& as_of);

/// Fails with "did you mean" when `id` is not one of `rules`.
void require_rule_id(const std::string& id, const std::vector<rules::Rule>& rules, const std::string& where);

}  // namespace nhi::cli
