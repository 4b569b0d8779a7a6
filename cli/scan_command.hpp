// The scan pipeline `nhi scan` and `nhi baseline` share: the options both take and the scan
// itself (cli/scan_command.cpp).
#pragma once
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "db/model.hpp"
#include "reports/finding_render.hpp"
#include "rules/engine.hpp"
#include "rules/path_context.hpp"

namespace nhi::cli {

struct ScanArgs {
    std::vector<std::string> paths;
    std::string format = "text";
    std::string output;
    std::string fail_on = "low";
    std::vector<std::string> rule_paths;
    bool no_ignore = false;
    std::string max_file_size;  // empty: no limit for files, 128M for git blobs
    bool no_decode = false;
    bool no_archives = false;
    std::optional<unsigned> max_depth;
    std::string max_decoded_size;
    unsigned jobs = 0;
    std::string db;
    bool no_db = false;
    bool store_secrets = false;
    bool show_secrets = false;
    bool no_progress = false;
    bool quiet = false;    // no warnings, no progress, no summary: the findings only
    bool verbose = false;  // also name every file not scanned and why
    std::string color = "auto";
    size_t sarif_max_results = 25000;
    bool git = false;
    bool all_refs = false;
    std::string since;
    bool staged = false;
    bool all_staged = false;
    std::string branch;
    std::string config;
    bool no_config = false;
    std::string baseline;
    std::vector<std::string> no_fail_in;  // path contexts whose findings never fail the run
    bool validate = false;    // try each secret at its provider (docs/VALIDATION.md)
    bool only_valid = false;  // report only secrets confirmed live
    bool all_contexts = false;  // text: list tests, fixtures, docs... one by one, not as a summary
};

/// What a scan found and counted.
struct ScanResult {
    std::shared_ptr<const rules::Engine> engine;
    std::set<rules::PathContext> no_fail_in;  // --no-fail-in and no_fail_in: in .nhi.yml
    std::vector<db::Finding> findings;  // after allowlists and baseline
    reports::ScanSummary summary;
    std::vector<std::string> paths;
    std::string repo_prefix;  // what makes `findings`' paths relative to the repository root
};

/// Runs the scan the arguments describe; `use_baseline` is false when writing one. Gives up
/// (throws Fatal) on usage errors and when nothing could be scanned.
ScanResult execute_scan(const ScanArgs& a, bool use_baseline);

/// Adds the options that choose what is scanned and how; `for_baseline` words --baseline as
/// the file to write.
void add_scan_options(CLI::App* cmd, ScanArgs& args, bool for_baseline);

}  // namespace nhi::cli
