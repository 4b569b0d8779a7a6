// Subcommand registration: each command adds its options to a CLI11 subcommand and
// returns the function that runs it after parsing.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace nhi::cli {

using Runner = std::function<int()>;

/// A validator for an option taking one of `values`: case-insensitive (`SARIF` is `sarif`),
/// and a wrong value fails with "expected one of ..." and a "did you mean" when one is close.
CLI::Validator choice(std::vector<std::string> values);

Runner add_scan_command(CLI::App& app);
Runner add_rules_command(CLI::App& app);
Runner add_baseline_command(CLI::App& app);
Runner add_inventory_command(CLI::App& app);
Runner add_report_command(CLI::App& app);
Runner add_validate_command(CLI::App& app);

}  // namespace nhi::cli
