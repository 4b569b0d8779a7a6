// `nhi scan PATH...`: files, directories and stdin.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>

#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "cli/shared_options.hpp"
#include "db/database.hpp"
#include "db/store.hpp"
#include "reports/finding_render.hpp"
#include "rules/engine.hpp"
#include "rules/hs_cache.hpp"
#include "scanners/filesystem.hpp"
#include "scanners/git_scan.hpp"

namespace nhi::cli {
namespace {

struct ScanArgs {
    std::vector<std::string> paths;
    std::string format = "text";
    std::string output;
    std::string fail_on = "low";
    std::vector<std::string> rule_paths;
    bool no_ignore = false;
    std::string max_file_size = "25M";
    unsigned jobs = 0;
    std::string db;
    bool no_db = false;
    bool store_secrets = false;
    bool show_secrets = false;
    bool no_progress = false;
    std::string color = "auto";
    bool git = false;
    bool all_refs = false;
    std::string since;
    bool staged = false;
    std::string branch;
};

util::Expected<uint64_t> parse_size(const std::string& s) {
    if (s.empty()) return util::Error{"--max-file-size", "empty"};
    size_t pos = 0;
    uint64_t n = 0;
    try {
        n = std::stoull(s, &pos);
    } catch (...) {
        return util::Error{"--max-file-size", "`" + s + "` is not a size (e.g. 500K, 25M, 1G)"};
    }
    std::string unit = s.substr(pos);
    uint64_t mul = 1;
    if (unit == "" || unit == "B") mul = 1;
    else if (unit == "K" || unit == "KiB" || unit == "k") mul = 1ull << 10;
    else if (unit == "M" || unit == "MiB" || unit == "m") mul = 1ull << 20;
    else if (unit == "G" || unit == "GiB" || unit == "g") mul = 1ull << 30;
    else return util::Error{"--max-file-size", "`" + s + "` is not a size (e.g. 500K, 25M, 1G)"};
    return n * mul;
}

// Where SARIF URIs are anchored: GitHub resolves them against the repository root, so a
// scan of a subdirectory of a checkout gets that subdirectory as a prefix.
std::string repo_prefix(const std::vector<std::string>& paths) {
    namespace fs = std::filesystem;
    if (paths.size() != 1 || paths[0] == "-") return "";
    std::error_code ec;
    fs::path root = fs::weakly_canonical(fs::absolute(paths[0], ec), ec);
    if (ec || !fs::is_directory(root, ec)) return "";
    for (fs::path p = root; !p.empty(); p = p.parent_path()) {
        if (fs::exists(p / ".git", ec)) {
            auto rel = fs::relative(root, p, ec).generic_string();
            return (ec || rel == ".") ? "" : rel + "/";
        }
        if (p == p.parent_path()) break;
    }
    return "";
}

int run_scan(const ScanArgs& a) {
    using Clock = std::chrono::steady_clock;
    auto t0 = Clock::now();
    rules::Severity threshold = rules::Severity::Low;
    bool never_fail = a.fail_on == "none";
    if (!never_fail && !rules::parse_severity(a.fail_on, threshold))
        throw util::Fatal({"--fail-on", "expected none, low, medium, high or critical"});
    uint64_t max_size = util::take(parse_size(a.max_file_size));
    std::vector<std::string> paths = a.paths;
    if (!a.git && (a.all_refs || a.staged || !a.since.empty() || !a.branch.empty()))
        throw util::Fatal({"usage", "--all-refs, --since, --staged and --branch go with --git"});
    if (a.git && paths.empty()) paths.push_back(".");
    if (paths.empty()) throw util::Fatal({"usage", "nothing to scan: give a PATH, - for stdin, or --git"});
    if (a.staged && (a.all_refs || !a.since.empty() || !a.branch.empty()))
        throw util::Fatal({"usage", "--staged scans the index; it does not combine with --all-refs, --since or --branch"});

    auto engine = load_engine(a.rule_paths);

    std::unique_ptr<db::Database> database;
    int64_t run_id = 0;
    if (!a.no_db) {
        database = util::take(db::Database::open(db::resolve_path(a.db)));
        std::string source;
        for (const auto& p : paths) source += (source.empty() ? "" : " ") + p;
        run_id = util::take(db::Store(*database).begin_run(a.git ? "scan-git" : "scan", source, engine->rules_hash()));
    }

    scanners::FileScanOptions opts;
    opts.paths = paths;
    opts.use_ignore = !a.no_ignore;
    opts.max_file_size = max_size;
    opts.jobs = a.jobs;

    std::mutex mu;
    std::vector<db::Finding> findings;
    size_t warnings_shown = 0;
    constexpr size_t kMaxWarnings = 20;
    scanners::ScanSinks sinks;
    sinks.findings = [&](std::vector<db::Finding>&& batch) {
        std::lock_guard lock(mu);
        for (auto& f : batch) findings.push_back(std::move(f));
    };
    sinks.warning = [&](const util::Error& e) {
        std::lock_guard lock(mu);
        if (warnings_shown++ < kMaxWarnings) print_warning(e.what, e.why);
    };

    scanners::ScanStats stats;
    util::Status status = util::ok_status();
    {
        Progress progress(stats, !a.no_progress && Progress::wanted());
        if (a.git) {
            scanners::GitScanOptions go;
            go.repos = paths;
            go.all_refs = a.all_refs;
            go.since = a.since;
            go.staged = a.staged;
            go.branch = a.branch;
            go.max_blob_size = max_size;
            go.jobs = a.jobs;
            go.store_secrets = a.store_secrets;
            std::unique_ptr<db::Store> store;
            if (database) store = std::make_unique<db::Store>(*database);
            status = scanners::scan_git(go, *engine, store.get(), run_id, stats, sinks);
        } else {
            status = scanners::scan_paths(opts, *engine, stats, sinks);
        }
    }
    if (warnings_shown > kMaxWarnings)
        print_warning("", std::to_string(warnings_shown - kMaxWarnings) + " more warnings not shown");

    std::sort(findings.begin(), findings.end(), [](const db::Finding& x, const db::Finding& y) {
        return std::tie(x.path, x.line, x.column, x.rule_id) < std::tie(y.path, y.line, y.column, y.rule_id);
    });

    reports::ScanSummary summary;
    summary.files_scanned = stats.files_scanned;
    summary.bytes_scanned = stats.bytes_scanned;
    summary.skipped_binary = stats.skipped_binary;
    summary.skipped_too_large = stats.skipped_too_large;
    summary.skipped_ignored = stats.skipped_ignored;
    summary.skipped_symlink = stats.skipped_symlink;
    summary.skipped_special = stats.skipped_special;
    summary.errors = stats.errors;
    summary.git = a.git;
    summary.commits = stats.commits;
    summary.blobs_known = stats.blobs_known;
    summary.submodules = stats.submodules;
    summary.shallow = stats.shallow;
    summary.rules = engine->rules().size();
    summary.run_id = run_id;

    if (database) {
        db::Store store(*database);
        if (auto s = store.record_findings(run_id, findings, a.store_secrets); !s) throw util::Fatal(s.error());
        nlohmann::json js = summary.to_json();
        js["findings"] = findings.size();
        if (auto s = store.finish_run(run_id, status ? "ok" : "failed", js); !s) throw util::Fatal(s.error());
    }
    // Exit 2 only when nothing could be scanned; partial failures were warnings.
    if (!status) throw util::Fatal(status.error());
    summary.seconds = std::chrono::duration<double>(Clock::now() - t0).count();

    std::ofstream file;
    if (!a.output.empty()) {
        file.open(a.output, std::ios::binary | std::ios::trunc);
        if (!file) throw util::Fatal({a.output, "cannot write output file"});
    }
    std::ostream& out = a.output.empty() ? std::cout : file;
    reports::RenderOptions ro;
    ro.show_secrets = a.show_secrets;
    ro.color = a.output.empty() && (a.color == "always" || (a.color == "auto" && ::isatty(STDOUT_FILENO)));
    if (a.format == "text") reports::render_text(out, findings, summary, ro);
    else if (a.format == "json") reports::render_json(out, findings, summary, ro);
    else if (a.format == "jsonl") reports::render_jsonl(out, findings, ro);
    else reports::render_sarif(out, findings, engine->rules(), a.git ? "" : repo_prefix(paths));
    out.flush();
    if (!out) throw util::Fatal({a.output.empty() ? "stdout" : a.output, "write failed"});
    // Machine formats keep stdout clean; a one-line summary goes to stderr for people.
    if (a.format != "text" && !a.no_progress && ::isatty(STDERR_FILENO))
        std::cerr << "nhi: " << findings.size() << " findings in " << summary.files_scanned << " files\n";

    if (never_fail) return kOk;
    for (const auto& f : findings)
        if (f.severity >= threshold) return kFindings;
    return kOk;
}

}  // namespace

Runner add_scan_command(CLI::App& app) {
    auto args = std::make_shared<ScanArgs>();
    auto* cmd = app.add_subcommand("scan", "Scan files, directories or stdin (-) for secrets");
    cmd->add_option("paths", args->paths, "Files or directories to scan; - reads stdin; with --git, repositories (default .)");
    cmd->add_option("-f,--format", args->format, "Output format")
        ->check(CLI::IsMember({"text", "json", "jsonl", "sarif"}))
        ->capture_default_str();
    cmd->add_option("-o,--output", args->output, "Write the report to FILE instead of stdout");
    cmd->add_option("--fail-on", args->fail_on,
                    "Exit 1 when a finding has at least this severity (none|low|medium|high|critical)")
        ->check(CLI::IsMember({"none", "low", "medium", "high", "critical"}))
        ->capture_default_str();
    cmd->add_option("--rules", args->rule_paths, "Extra rule file or directory of *.yml (repeatable)");
    cmd->add_flag("--no-ignore", args->no_ignore, "Do not honour .gitignore files");
    cmd->add_option("--max-file-size", args->max_file_size, "Skip (and count) files larger than this")
        ->capture_default_str();
    cmd->add_option("-j,--jobs", args->jobs, "Worker threads (default: one per core)");
    cmd->add_option("--db", args->db, "Datastore path (default $NHI_DB or ./.nhi/nhi.db)");
    cmd->add_flag("--no-db", args->no_db, "Do not record this run in the datastore");
    cmd->add_flag("--store-secrets", args->store_secrets,
                  "Also store plaintext secrets in the datastore (default: SHA-256 and redacted preview only)");
    cmd->add_flag("--show-secrets", args->show_secrets, "Print plaintext secrets in the output");
    cmd->add_flag("--no-progress", args->no_progress, "Never draw the progress line");
    auto* git = cmd->add_flag("--git", args->git, "Scan the git history of the repositories given (every blob once)");
    cmd->add_flag("--all-refs", args->all_refs, "With --git: all refs (pull refs, notes, stash), not only branches and tags")
        ->needs(git);
    cmd->add_option("--since", args->since, "With --git: only commits not reachable from REV (pull requests)")->needs(git);
    cmd->add_flag("--staged", args->staged, "With --git: scan what is staged in the index (pre-commit)")->needs(git);
    cmd->add_option("--branch", args->branch, "With --git: only the history of this branch")->needs(git);
    cmd->add_option("--color", args->color, "Colour text output")
        ->check(CLI::IsMember({"auto", "always", "never"}))
        ->capture_default_str();
    return [args] { return run_scan(*args); };
}

}  // namespace nhi::cli
