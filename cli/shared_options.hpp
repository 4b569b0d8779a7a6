// Helpers shared by subcommands.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "rules/engine.hpp"

namespace nhi::cli {

/// Loads built-in plus user rules and builds the engine (using the on-disk cache); gives
/// up with a one-line error on invalid rules.
std::shared_ptr<const rules::Engine> load_engine(const std::vector<std::string>& extra_rule_paths);

}  // namespace nhi::cli
