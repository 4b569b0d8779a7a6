// Subcommand registration: each command adds its options to a CLI11 subcommand and
// returns the function that runs it after parsing.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>

namespace nhi::cli {

using Runner = std::function<int()>;

Runner add_scan_command(CLI::App& app);
Runner add_rules_command(CLI::App& app);
Runner add_baseline_command(CLI::App& app);
Runner add_inventory_command(CLI::App& app);
Runner add_report_command(CLI::App& app);

}  // namespace nhi::cli
