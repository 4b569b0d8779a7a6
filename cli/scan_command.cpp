// `nhi scan` (files, directories, stdin, git history) and `nhi baseline create|update`,
// which share one scan pipeline.
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
#include "db/inventory.hpp"
#include "scanners/codeowners.hpp"
#include "db/store.hpp"
#include "reports/finding_render.hpp"
#include "rules/baseline.hpp"
#include "rules/config.hpp"
#include "rules/engine.hpp"
#include "scanners/filesystem.hpp"
#include "scanners/git_scan.hpp"
#include "util/atomic_file.hpp"

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
    std::string config;
    bool no_config = false;
    std::string baseline;
};

struct ScanResult {
    std::shared_ptr<const rules::Engine> engine;
    std::vector<db::Finding> findings;  // after allowlists and baseline
    reports::ScanSummary summary;
    std::vector<std::string> paths;
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

rules::RepoConfig load_repo_config(const ScanArgs& a, const std::vector<std::string>& paths) {
    if (a.no_config) return {};
    std::string path = a.config;
    if (path.empty() && paths.size() == 1 && paths[0] != "-") path = rules::find_config(paths[0]);
    if (path.empty()) return {};
    return util::take(rules::load_config(path));
}

/// Runs the scan the arguments describe; `use_baseline` is false when writing one.
ScanResult execute_scan(const ScanArgs& a, bool use_baseline) {
    using Clock = std::chrono::steady_clock;
    auto t0 = Clock::now();
    uint64_t max_size = util::take(parse_size(a.max_file_size));
    std::vector<std::string> paths = a.paths;
    if (!a.git && (a.all_refs || a.staged || !a.since.empty() || !a.branch.empty()))
        throw util::Fatal({"usage", "--all-refs, --since, --staged and --branch go with --git"});
    if (a.git && paths.empty()) paths.push_back(".");
    if (paths.empty()) throw util::Fatal({"usage", "nothing to scan: give a PATH, - for stdin, or --git"});
    if (a.staged && (a.all_refs || !a.since.empty() || !a.branch.empty()))
        throw util::Fatal({"usage", "--staged scans the index; it does not combine with --all-refs, --since or --branch"});

    rules::RepoConfig config = load_repo_config(a, paths);
    std::vector<std::string> rule_paths = a.rule_paths;
    rule_paths.insert(rule_paths.end(), config.extra_rules.begin(), config.extra_rules.end());
    ScanResult result;
    result.paths = paths;
    result.engine = load_engine(rule_paths, config.disabled_rules);
    const auto& engine = result.engine;
    for (const auto& ra : config.allow_rules) require_rule_id(ra.rule, engine->rules(), config.source + ": allow.rules");

    rules::Baseline baseline;
    if (use_baseline) {
        std::string bpath = a.baseline.empty() ? config.baseline : a.baseline;
        if (!bpath.empty()) {
            if (!a.baseline.empty() || std::filesystem::exists(bpath)) baseline = util::take(rules::load_baseline(bpath));
            else print_warning(bpath, "baseline named in " + config.source + " does not exist (nhi baseline create writes it)");
        }
    }

    std::unique_ptr<db::Database> database;
    int64_t run_id = 0;
    if (!a.no_db) {
        database = util::take(db::Database::open(db::resolve_path(a.db)));
        std::string source;
        for (const auto& p : paths) source += (source.empty() ? "" : " ") + p;
        run_id = util::take(db::Store(*database).begin_run(a.git ? "scan-git" : "scan", source, engine->rules_hash()));
    }

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
    // Identities the tree declares (manifests, Terraform, workflows, agent configs) go to the
    // inventory with the findings; they need the datastore.
    std::vector<db::ImportBatch> discovered;
    if (database && !a.git)
        sinks.discovered = [&](db::ImportBatch&& b) {
            std::lock_guard lock(mu);
            for (const auto& w : b.warnings)
                if (warnings_shown++ < kMaxWarnings) print_warning("", w);
            discovered.push_back(std::move(b));
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
            scanners::FileScanOptions opts;
            opts.paths = paths;
            opts.use_ignore = !a.no_ignore;
            opts.max_file_size = max_size;
            opts.jobs = a.jobs;
            status = scanners::scan_paths(opts, *engine, stats, sinks);
        }
    }
    if (warnings_shown > kMaxWarnings)
        print_warning("", std::to_string(warnings_shown - kMaxWarnings) + " more warnings not shown");

    // Allowlisted findings are not secrets: they are neither reported nor recorded. Globs
    // in .nhi.yml are relative to its directory, so a scan of a subdirectory prefixes paths.
    std::string prefix;
    if (!config.source.empty() && !a.git && paths.size() == 1 && paths[0] != "-") {
        namespace fs = std::filesystem;
        std::error_code ec;
        auto rel = fs::relative(fs::weakly_canonical(fs::absolute(paths[0], ec), ec),
                                fs::weakly_canonical(fs::absolute(fs::path(config.source).parent_path(), ec), ec), ec)
                       .generic_string();
        if (!ec && rel != "." && rel.rfind("..", 0) != 0) prefix = rel + "/";
    }
    auto& s = result.summary;
    std::erase_if(findings, [&](const db::Finding& f) {
        bool allowed = config.allowed(f.rule_id, prefix + f.path, f.secret_sha256);
        s.allowlisted += allowed;
        return allowed;
    });
    std::sort(findings.begin(), findings.end(), [](const db::Finding& x, const db::Finding& y) {
        return std::tie(x.path, x.line, x.column, x.rule_id) < std::tie(y.path, y.line, y.column, y.rule_id);
    });

    s.files_scanned = stats.files_scanned;
    s.bytes_scanned = stats.bytes_scanned;
    s.skipped_binary = stats.skipped_binary;
    s.skipped_too_large = stats.skipped_too_large;
    s.skipped_ignored = stats.skipped_ignored;
    s.skipped_symlink = stats.skipped_symlink;
    s.skipped_special = stats.skipped_special;
    s.errors = stats.errors;
    s.git = a.git;
    s.commits = stats.commits;
    s.blobs_known = stats.blobs_known;
    s.submodules = stats.submodules;
    s.shallow = stats.shallow;
    s.rules = engine->rules().size();
    s.run_id = run_id;

    if (database) {
        db::Store store(*database);
        if (auto st = store.record_findings(run_id, findings, a.store_secrets); !st) throw util::Fatal(st.error());
        db::Inventory inventory(*database);
        std::optional<scanners::CodeOwners> codeowners;
        if (!paths.empty() && paths.front() != "-") codeowners = scanners::CodeOwners::find(paths.front());
        auto owners_of = [&](const std::string& path) { return codeowners ? codeowners->owners_of(path) : std::string(); };
        if (!discovered.empty()) {
            db::ImportBatch all;
            all.format = "repository";
            for (auto& b : discovered) {
                for (auto& id : b.identities) {
                    if (id.owner.empty() && id.data.contains("declared_in")) {
                        id.owner = owners_of(id.data["declared_in"].get<std::string>());
                        id.owner_class = "codeowners";
                        id.owner_source = "CODEOWNERS for " + id.data["declared_in"].get<std::string>();
                    }
                    all.identities.push_back(std::move(id));
                }
                for (auto& c : b.credentials) all.credentials.push_back(std::move(c));
            }
            std::string source = "nhi scan";
            for (const auto& p : paths) source += " " + p;
            auto applied = inventory.apply(all, source);
            if (!applied) throw util::Fatal(applied.error());
            for (const auto& w : applied->warnings) print_warning("", w);
            s.discovered_identities = applied->identities;
        }
        // A leaked key id or secret that the inventory already knows becomes a link, and
        // where it was found says who probably owns it.
        auto links = inventory.relink();
        if (!links) throw util::Fatal(links.error());
        if (auto st = inventory.owners_from_findings(run_id, owners_of); !st) throw util::Fatal(st.error());
        nlohmann::json js = s.to_json();
        js["inventory_links"] = *links;
        js["findings"] = findings.size();
        if (auto st = store.finish_run(run_id, status ? "ok" : "failed", js); !st) throw util::Fatal(st.error());
    }
    // Exit 2 only when nothing could be scanned; partial failures were warnings.
    if (!status) throw util::Fatal(status.error());

    // Baselined findings are real but accepted: recorded above, not reported.
    std::erase_if(findings, [&](const db::Finding& f) {
        bool known = baseline.contains(f.fingerprint);
        s.baselined += known;
        return known;
    });
    s.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    result.findings = std::move(findings);
    return result;
}

int run_scan(const ScanArgs& a) {
    rules::Severity threshold = rules::Severity::Low;
    bool never_fail = a.fail_on == "none";
    if (!never_fail && !rules::parse_severity(a.fail_on, threshold))
        throw util::Fatal({"--fail-on", "expected none, info, low, medium, high or critical"});
    ScanResult r = execute_scan(a, /*use_baseline=*/true);

    // -o goes through a temp file: a failed scan never truncates the last good output.
    auto output = util::take(util::Output::open(a.output));
    std::ostream& out = output->stream();
    reports::RenderOptions ro;
    ro.show_secrets = a.show_secrets;
    ro.color = a.output.empty() && (a.color == "always" || (a.color == "auto" && ::isatty(STDOUT_FILENO)));
    if (a.format == "text") reports::render_text(out, r.findings, r.summary, ro);
    else if (a.format == "json") reports::render_json(out, r.findings, r.summary, ro);
    else if (a.format == "jsonl") reports::render_jsonl(out, r.findings, ro);
    else reports::render_sarif(out, r.findings, r.engine->rules(), a.git ? "" : repo_prefix(r.paths));
    util::take(output->commit());
    // Machine formats keep stdout clean; a one-line summary goes to stderr for people.
    if (a.format != "text" && !a.no_progress && ::isatty(STDERR_FILENO))
        std::cerr << "nhi: " << r.findings.size() << " findings in " << r.summary.files_scanned << " files\n";

    if (never_fail) return kOk;
    for (const auto& f : r.findings)
        if (f.severity >= threshold) return kFindings;
    return kOk;
}

int run_baseline(const ScanArgs& a, bool update) {
    std::string path = a.baseline.empty() ? ".nhi-baseline.json" : a.baseline;
    ScanResult r = execute_scan(a, /*use_baseline=*/false);
    rules::Baseline next;
    for (const auto& f : r.findings) next.entries.insert({f.fingerprint, f.rule_id, f.path});
    size_t added = next.entries.size(), removed = 0;
    if (update && std::filesystem::exists(path)) {
        auto old = util::take(rules::load_baseline(path));
        added = 0;
        for (const auto& e : next.entries) added += !old.contains(e.fingerprint);
        for (const auto& e : old.entries) removed += !next.contains(e.fingerprint);
    }
    if (auto s = rules::write_baseline(path, next); !s) throw util::Fatal(s.error());
    std::cout << path << ": " << next.entries.size() << " findings (" << added << " added, " << removed
              << " no longer found)\n";
    return kOk;
}

void add_scan_options(CLI::App* cmd, ScanArgs& args, bool for_baseline) {
    cmd->add_option("paths", args.paths, "Files or directories to scan; - reads stdin; with --git, repositories (default .)");
    cmd->add_option("--rules", args.rule_paths, "Extra rule file or directory of *.yml (repeatable)");
    cmd->add_option("--config", args.config, "Repository config file (default: .nhi.yml in the scanned root or its repository)");
    cmd->add_flag("--no-config", args.no_config, "Ignore .nhi.yml");
    cmd->add_flag("--no-ignore", args.no_ignore, "Do not honour .gitignore files");
    cmd->add_option("--max-file-size", args.max_file_size, "Skip (and count) files larger than this")->capture_default_str();
    cmd->add_option("-j,--jobs", args.jobs, "Worker threads (default: one per core)");
    cmd->add_option("--db", args.db, "Datastore path (default $NHI_DB or ./.nhi/nhi.db)");
    cmd->add_flag("--no-db", args.no_db, "Do not record this run in the datastore");
    cmd->add_flag("--no-progress", args.no_progress, "Never draw the progress line");
    auto* git = cmd->add_flag("--git", args.git, "Scan the git history of the repositories given (every blob once)");
    cmd->add_flag("--all-refs", args.all_refs, "With --git: all refs (pull refs, notes, stash), not only branches and tags")
        ->needs(git);
    cmd->add_option("--since", args.since, "With --git: only commits not reachable from REV (pull requests)")->needs(git);
    cmd->add_flag("--staged", args.staged, "With --git: scan what is staged in the index (pre-commit)")->needs(git);
    cmd->add_option("--branch", args.branch, "With --git: only the history of this branch")->needs(git);
    cmd->add_option("--baseline", args.baseline,
                    for_baseline ? "Baseline file to write (default .nhi-baseline.json)"
                                 : "Hide findings listed in this baseline file (default: `baseline` in .nhi.yml)");
}

}  // namespace

Runner add_scan_command(CLI::App& app) {
    auto args = std::make_shared<ScanArgs>();
    auto* cmd = app.add_subcommand("scan", "Scan files, directories, stdin (-) or git history for secrets");
    add_scan_options(cmd, *args, false);
    cmd->add_option("-f,--format", args->format, "Output format")
        ->check(CLI::IsMember({"text", "json", "jsonl", "sarif"}))
        ->capture_default_str();
    cmd->add_option("-o,--output", args->output, "Write the report to FILE instead of stdout");
    cmd->add_option("--fail-on", args->fail_on,
                    "Exit 1 when a finding has at least this severity (none|info|low|medium|high|critical); "
                    "info also counts context, references (ARNs, buckets) and weak or documentation values")
        ->check(CLI::IsMember({"none", "info", "low", "medium", "high", "critical"}))
        ->capture_default_str();
    cmd->add_flag("--store-secrets", args->store_secrets,
                  "Also store plaintext secrets in the datastore (default: SHA-256 and redacted preview only)");
    cmd->add_flag("--show-secrets", args->show_secrets, "Print plaintext secrets in the output");
    cmd->add_option("--color", args->color, "Colour text output")
        ->check(CLI::IsMember({"auto", "always", "never"}))
        ->capture_default_str();
    return [args] { return run_scan(*args); };
}

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
