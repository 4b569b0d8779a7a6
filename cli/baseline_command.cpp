// `nhi baseline create|update`: record the findings a team has accepted, so CI fails only on
// new ones. The scan itself is `nhi scan`'s (cli/scan_command.hpp).
#include <filesystem>
#include <iostream>

#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/fatal.hpp"
#include "cli/scan_command.hpp"
#include "rules/baseline.hpp"
#include "util/text.hpp"

namespace nhi::cli {
namespace {

int run_baseline(const ScanArgs& a, bool update) {
    std::string path = a.baseline.empty() ? ".nhi-baseline.json" : a.baseline;
    ScanResult r = execute_scan(a, /*use_baseline=*/false);
    rules::Baseline next;
    for (const auto& f : r.findings) next.entries.insert({f.fingerprint, f.rule_id, f.path});
    size_t added = next.entries.size(), removed = 0;
    if (update && std::filesystem::exists(path)) {
        auto old = take(rules::load_baseline(path));
        added = 0;
        for (const auto& e : next.entries) added += !old.contains(e.fingerprint);
        for (const auto& e : old.entries) removed += !next.contains(e.fingerprint);
    }
    if (auto s = rules::write_baseline(path, next); !s) throw Fatal(s.error());
    std::cout << util::printable(path) << ": " << next.entries.size() << " findings (" << added << " added, " << removed
              << " no longer found)\n";
    return kOk;
}
}  // namespace

Runner add_baseline_command(CLI::App& app) {
    auto args = std::make_shared<ScanArgs>();
    auto* cmd = app.add_subcommand("baseline", "Record current findings as accepted, so CI fails only on new ones");
    cmd->require_subcommand(1);
    auto* create = cmd->add_subcommand("create", "Scan and write a baseline of every finding (replaces the file)");
    auto* update = cmd->add_subcommand("update", "Scan and rewrite the baseline: add new findings, drop fixed ones");
    add_scan_options(create, *args, true);
    add_scan_options(update, *args, true);
    return [args, update] { return run_baseline(*args, update->parsed()); };
}

}  // namespace nhi::cli
