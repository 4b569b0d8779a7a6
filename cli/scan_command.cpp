// `nhi scan` (files, directories, stdin, git history): the scan pipeline `nhi baseline`
// (cli/baseline_command.cpp) shares through cli/scan_command.hpp.
#include <optional>
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <atomic>
#include <cerrno>

#include "cli/baseline_command.hpp"
#include "cli/cli.hpp"
#include "cli/fatal.hpp"
#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "cli/repo_paths.hpp"
#include "cli/scan_command.hpp"
#include "cli/shared_options.hpp"
#include "db/database.hpp"
#include "db/inventory.hpp"
#include "scanners/codeowners.hpp"
#include "db/store.hpp"
#include "reports/finding_render.hpp"
#include "rules/baseline.hpp"
#include "rules/config.hpp"
#include "rules/path_context.hpp"
#include "rules/engine.hpp"
#include "scanners/filesystem.hpp"
#include "scanners/findings.hpp"
#include "scanners/git_scan.hpp"
#include "util/atomic_file.hpp"
#include "validate/validate.hpp"
#include "util/text.hpp"

namespace nhi::cli {
namespace {

util::Expected<uint64_t> parse_size(const std::string& option, const std::string& s) {
    auto n = util::parse_size(s);
    if (!n) return util::Error{option, n.error().why};
    return n;
}

rules::RepoConfig load_repo_config(const ScanArgs& a, const std::vector<std::string>& paths) {
    if (a.no_config) return {};
    std::string path = a.config;
    if (path.empty() && paths.size() == 1 && paths[0] != "-") path = rules::find_config(paths[0]);
    if (path.empty()) return {};
    return take(rules::load_config(path));
}

// Unpacking: the flags win over .nhi.yml, which wins over the defaults.
scanners::UnpackOptions unpack_options(const ScanArgs& a, const rules::RepoConfig& c) {
    scanners::UnpackOptions u;
    u.decode = a.no_decode ? false : c.decode.value_or(true);
    u.archives = a.no_archives ? false : c.archives.value_or(true);
    u.max_depth = a.max_depth ? *a.max_depth : c.max_depth.value_or(u.max_depth);
    if (!a.max_decoded_size.empty()) u.max_decoded_size = take(parse_size("--max-decoded-size", a.max_decoded_size));
    else if (c.max_decoded_size) u.max_decoded_size = *c.max_decoded_size;
    return u;
}

// What a scan runs with: the inputs, the rules, the repository config and the baseline.
struct ScanSetup {
    std::vector<std::string> paths;
    std::optional<uint64_t> max_size;  // --max-file-size, when given
    scanners::UnpackOptions unpack;
    rules::RepoConfig config;
    std::shared_ptr<const rules::Engine> engine;
    rules::Baseline baseline;
};

// Checks the arguments and loads the config, the rules and (with `use_baseline`) the baseline.
ScanSetup set_up_scan(const ScanArgs& a, bool use_baseline) {
    ScanSetup s;
    if (!a.max_file_size.empty()) s.max_size = take(parse_size("--max-file-size", a.max_file_size));
    s.paths = a.paths;
    if (a.all_staged && !a.staged) throw Fatal({"usage", "--all-staged goes with --staged"});
    if (!a.git && (a.all_refs || a.staged || !a.since.empty() || !a.branch.empty()))
        throw Fatal({"usage", "--all-refs, --since, --staged and --branch go with --git"});
    if (a.git && s.paths.empty()) s.paths.push_back(".");
    if (s.paths.empty()) throw Fatal({"usage", "nothing to scan: give a PATH, - for stdin, or --git"});
    if (a.staged && (a.all_refs || !a.since.empty() || !a.branch.empty()))
        throw Fatal({"usage", "--staged scans the index; it does not combine with --all-refs, --since or --branch"});

    s.config = load_repo_config(a, s.paths);
    s.unpack = unpack_options(a, s.config);
    std::vector<std::string> rule_paths = a.rule_paths;
    rule_paths.insert(rule_paths.end(), s.config.extra_rules.begin(), s.config.extra_rules.end());
    s.engine = load_engine(rule_paths, s.config.disabled_rules);
    for (const auto& ra : s.config.allow_rules)
        require_rule_id(ra.rule, s.engine->rules(), s.config.source + ": allow.rules");

    std::string bpath = a.baseline.empty() ? s.config.baseline : a.baseline;
    if (!use_baseline || bpath.empty()) return s;
    if (!a.baseline.empty() || std::filesystem::exists(bpath)) s.baseline = take(rules::load_baseline(bpath));
    else print_warning(bpath, "baseline named in " + s.config.source + " does not exist (nhi baseline create writes it)");
    return s;
}

// The datastore and this scan's run in it; no datastore with --no-db.
struct Recording {
    std::unique_ptr<db::Database> database;
    int64_t run_id = 0;
    /// Everything scanned, space-separated: the run's source.
    static std::string source(const std::vector<std::string>& paths) {
        std::string out;
        for (const auto& p : paths) out += (out.empty() ? "" : " ") + p;
        return out;
    }
};

Recording begin_recording(const ScanArgs& a, const ScanSetup& s) {
    Recording r;
    if (a.no_db) return r;
    r.database = open_datastore(a.db);
    r.run_id = take(db::Store(*r.database).begin_run(a.git ? "scan-git" : "scan", Recording::source(s.paths),
                                                           s.engine->rules_hash()));
    return r;
}

// Ctrl-C during a scan: the handler only sets a flag and wakes a watcher thread (nothing else is
// safe in a handler); the watcher marks the run `interrupted` through a connection of its own
// (SQLite serialises it with the scan's writes, whose open transaction rolls back) and exits
// 130, as a shell reports a SIGINT. Without a datastore it only exits.
std::atomic<bool> g_interrupted{false};
int g_wake[2] = {-1, -1};

extern "C" void on_sigint(int) {
    g_interrupted = true;
    const char b = 'i';
    [[maybe_unused]] auto n = ::write(g_wake[1], &b, 1);
}

class InterruptGuard {
public:
    InterruptGuard(std::string db_path, int64_t run) {
        if (::pipe(g_wake) != 0) return;  // no guard: Ctrl-C kills the process as before
        watcher_ = std::thread([db_path = std::move(db_path), run] {
            char b = 0;
            while (::read(g_wake[0], &b, 1) < 0 && errno == EINTR) {}
            if (b != 'i') return;  // the scan ended first
            if (run > 0)
                if (auto database = db::Database::open(db_path); database)
                    (void)db::Store(**database).finish_run(run, "interrupted", nlohmann::json{{"interrupted", true}});
            const char msg[] = "\nnhi: interrupted\n";
            [[maybe_unused]] auto n = ::write(STDERR_FILENO, msg, sizeof msg - 1);
            ::_exit(130);
        });
        struct sigaction sa {};
        sa.sa_handler = on_sigint;
        sigemptyset(&sa.sa_mask);
        ::sigaction(SIGINT, &sa, &old_);
        armed_ = true;
    }
    ~InterruptGuard() {
        if (!watcher_.joinable()) return;
        if (armed_) ::sigaction(SIGINT, &old_, nullptr);
        const char b = 'd';
        [[maybe_unused]] auto n = ::write(g_wake[1], &b, 1);
        watcher_.join();
        ::close(g_wake[0]);
        ::close(g_wake[1]);
    }
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

private:
    std::thread watcher_;
    struct sigaction old_ {};
    bool armed_ = false;
};

// Gathers what the scanner reports from its threads; prints the first warnings.
class Collector {
public:
    std::vector<db::Finding> findings;
    std::vector<db::ImportBatch> discovered;  // identities the tree declares

    bool quiet = false;    // count warnings, print none
    bool verbose = false;  // name each skipped file

    /// Sinks into this collector; `discover` asks for declared identities too.
    scanners::ScanSinks sinks(bool discover) {
        scanners::ScanSinks k;
        k.findings = [this](std::vector<db::Finding>&& batch) {
            std::lock_guard lock(mu_);
            for (auto& f : batch) findings.push_back(std::move(f));
        };
        k.warning = [this](const util::Error& e) {
            std::lock_guard lock(mu_);
            warn(e.what, e.why);
        };
        k.rule_warning = [this](const util::Error& e) {  // few, and about the rules: shown unless --quiet
            std::lock_guard lock(mu_);
            ++rule_warnings_;
            if (!quiet) print_warning(e.what, e.why);
        };
        if (verbose)
            k.skipped = [this](const std::string& path, const char* reason) {
                std::lock_guard lock(mu_);
                std::cerr << "nhi: skipped " << util::printable(path) << ": " << reason << "\n";
            };
        if (discover)
            k.discovered = [this](db::ImportBatch&& b) {
                std::lock_guard lock(mu_);
                for (const auto& w : b.warnings) warn("", w);
                discovered.push_back(std::move(b));
            };
        return k;
    }
    /// Every warning given, shown or not.
    size_t count() const { return shown_ + rule_warnings_; }
    /// Says how many warnings were not shown.
    void finish() {
        if (!quiet && shown_ > kMaxWarnings) print_warning("", std::to_string(shown_ - kMaxWarnings) + " more warnings not shown");
    }

private:
    static constexpr size_t kMaxWarnings = 20;
    // Every warning goes through print_warning, which keeps names from the tree printable.
    void warn(const std::string& what, const std::string& why) {
        if (shown_++ < kMaxWarnings && !quiet) print_warning(what, why);
    }
    std::mutex mu_;
    size_t shown_ = 0;
    size_t rule_warnings_ = 0;
};

// Runs the directory or the history scanner.
util::Status run_scanner(const ScanArgs& a, const ScanSetup& s, const Recording& rec, scanners::ScanStats& stats,
                         const scanners::ScanSinks& sinks) {
    Progress progress(stats, !a.no_progress && !a.quiet && Progress::wanted());
    if (!a.git) {
        scanners::FileScanOptions opts;
        opts.paths = s.paths;
        opts.use_ignore = !a.no_ignore;
        opts.max_file_size = s.max_size.value_or(0);
        opts.unpack = s.unpack;
        opts.jobs = a.jobs;
        return scanners::scan_paths(opts, *s.engine, stats, sinks);
    }
    scanners::GitScanOptions go;
    go.repos = s.paths;
    go.all_refs = a.all_refs;
    go.since = a.since;
    go.staged = a.staged;
    go.all_staged = a.all_staged;
    go.branch = a.branch;
    if (s.max_size) go.max_blob_size = *s.max_size ? *s.max_size : UINT64_MAX;  // 0: no limit
    go.unpack = s.unpack;
    go.jobs = a.jobs;
    go.store_secrets = a.store_secrets;
    std::unique_ptr<db::Store> store;
    if (rec.database) store = std::make_unique<db::Store>(*rec.database);
    return scanners::scan_git(go, *s.engine, store.get(), rec.run_id, stats, sinks);
}

// Allowlisted findings are not secrets: neither reported nor recorded. Globs in .nhi.yml are
// relative to its directory, so a scan of a subdirectory prefixes paths. Sorts what is left.
void drop_allowlisted(const ScanArgs& a, const ScanSetup& s, std::vector<db::Finding>& findings,
                      reports::ScanSummary& summary) {
    std::string prefix;
    if (!s.config.source.empty())
        prefix = prefix_under(scan_base(s.paths, a.git), std::filesystem::path(s.config.source).parent_path().string());
    std::erase_if(findings, [&](const db::Finding& f) {
        bool allowed = s.config.allowed(f.rule_id, join_repo_path(prefix, f.path), f.secret_sha256);
        summary.allowlisted += allowed;
        return allowed;
    });
    // Live code first: the first screen a user triages is not test data (rules/path_context).
    // Within a context, secrets before the info findings that stand alone (weak or documentation
    // values, references); context (a host beside a secret) stays under its secret.
    std::set<std::string> context_rules;
    for (const auto& r : s.engine->rules())
        if (r.context) context_rules.insert(r.id);
    auto aside = [&](const db::Finding& f) {
        return f.severity == rules::Severity::Info && !context_rules.count(f.rule_id);
    };
    std::sort(findings.begin(), findings.end(), [&](const db::Finding& x, const db::Finding& y) {
        const bool ax = aside(x), ay = aside(y);
        return std::tie(x.path_context, ax, x.path, x.line, x.column, x.rule_id) <
               std::tie(y.path_context, ay, y.path, y.line, y.column, y.rule_id);
    });
}

// Says what kind of file each finding is in, and lowers the confidence of those a known test
// layout makes certain fixtures (a key under tests/certs/), saying why in the hints.
void classify_paths(std::vector<db::Finding>& findings) {
    for (auto& f : findings) {
        f.path_context = rules::path_context(f.path);
        if (f.path_context == rules::PathContext::Source && f.hints.is_object() &&
            f.hints.value(scanners::kGeneratedHint, false))
            f.path_context = rules::PathContext::Generated;
        auto why = rules::fixture_reason(f.rule_id, f.path, f.path_context);
        if (why.empty()) continue;
        f.confidence = rules::Confidence::Low;
        if (!f.hints.is_object()) f.hints = nlohmann::json::object();
        f.hints["fixture"] = why;
    }
}

// The contexts --no-fail-in and `no_fail_in:` name, checked.
std::set<rules::PathContext> no_fail_contexts(const ScanArgs& a, const rules::RepoConfig& c) {
    std::set<rules::PathContext> out;
    for (const auto* list : {&a.no_fail_in, &c.no_fail_in})
        for (const auto& name : *list) {
            auto ctx = rules::parse_path_context(name);
            if (!ctx)
                throw Fatal({"--no-fail-in", "unknown path context `" + name +
                                                 "` (known: source, example, test, fixture, docs, vendor, generated)"});
            out.insert(*ctx);
        }
    return out;
}

// Copies the scanner's counters into the summary.
void summarise(const scanners::ScanStats& stats, bool git, size_t rules, int64_t run_id, reports::ScanSummary& s) {
    s.files_scanned = stats.files_scanned;
    s.bytes_scanned = stats.bytes_scanned;
    s.skipped_binary = stats.skipped_binary;
    s.skipped_too_large = stats.skipped_too_large;
    s.skipped_ignored = stats.skipped_ignored;
    s.skipped_symlink = stats.skipped_symlink;
    s.skipped_special = stats.skipped_special;
    s.errors = stats.errors;
    s.match_limit_hits = stats.match_limit_hits;
    s.engine_errors = stats.engine_errors;
    s.git = git;
    s.commits = stats.commits;
    s.blobs_known = stats.blobs_known;
    s.submodules = stats.submodules;
    s.shallow = stats.shallow;
    s.staged_in_head = stats.staged_in_head;
    s.archives = stats.archives;
    s.archive_entries = stats.archive_entries;
    s.decoded = stats.decoded;
    s.skipped_depth = stats.skipped_depth;
    for (size_t i = 0; i < rules::kAllowForms; ++i)
        s.allow_comments.push_back({rules::allow_form_name(rules::AllowForm(i)), stats.allowed_inline[i]});
    for (size_t i = 0; i < std::size(stats.skipped_archive); ++i)
        s.skipped_archive.push_back({scanners::archive::skip_name(scanners::archive::Skip(i)), stats.skipped_archive[i]});
    s.rules = rules;
    s.run_id = run_id;
}

// Records the identities the tree declares, owned by CODEOWNERS where they name no owner,
// and links leaked key ids and secrets the inventory knows. Returns the number of links.
size_t link_inventory(db::Inventory& inventory, const ScanSetup& s, int64_t run_id,
                      std::vector<db::ImportBatch>& discovered, reports::ScanSummary& summary) {
    std::optional<scanners::CodeOwners> codeowners;
    if (!s.paths.empty() && s.paths.front() != "-") codeowners = scanners::CodeOwners::find(s.paths.front());
    auto owners_of = [&](const std::string& path) { return codeowners ? codeowners->owners_of(path) : std::string(); };
    if (!discovered.empty()) {
        auto applied = inventory.apply(scanners::merge_declared(std::move(discovered), owners_of),
                                       "nhi scan " + Recording::source(s.paths));
        if (!applied) throw Fatal(applied.error());
        for (const auto& w : applied->warnings) print_warning("", w);
        summary.discovered_identities = applied->identities;
    }
    // Where a leak the inventory knows was found says who probably owns it.
    auto links = inventory.relink();
    if (!links) throw Fatal(links.error());
    if (auto st = inventory.owners_from_findings(run_id, owners_of); !st) throw Fatal(st.error());
    return *links;
}

// Records the findings, the inventory and the run's summary in the datastore.
void record_run(const ScanArgs& a, const ScanSetup& s, Recording& rec, const std::vector<db::Finding>& findings,
                std::vector<db::ImportBatch>& discovered, reports::ScanSummary& summary, bool ok) {
    if (!rec.database) return;
    db::Store store(*rec.database);
    if (auto st = store.record_findings(rec.run_id, findings, a.store_secrets); !st) throw Fatal(st.error());
    db::Inventory inventory(*rec.database);
    size_t links = link_inventory(inventory, s, rec.run_id, discovered, summary);
    nlohmann::json js = summary.to_json();
    js["inventory_links"] = links;
    js["findings"] = findings.size();
    if (auto st = store.finish_run(rec.run_id, ok ? "ok" : "failed", js); !st) throw Fatal(st.error());
}

// --validate (or `validate: true`), unless .nhi.yml says `validate: false`: a repository can
// keep its test secrets from being tried, never add a target.
bool validation_on(const ScanArgs& a, const rules::RepoConfig& c) {
    if (c.validate == false) {
        if (a.validate && !a.quiet) print_warning(c.source, "validate: false; --validate is ignored for this repository");
        if (a.only_valid) throw Fatal({"--only-valid", "validation is off (" + c.source + " says validate: false)"});
        return false;
    }
    if (a.only_valid && !a.validate && c.validate != true) throw Fatal({"--only-valid", "needs --validate"});
    return a.validate || c.validate == true;
}

// Asks each provider about the secrets found, while their plaintext is in memory; the
// findings keep the outcome (db::Validation), and nothing of a secret is logged.
void validate_live(const ScanArgs& a, const ScanSetup& s, std::vector<db::Finding>& findings,
                   reports::ScanSummary& summary) {
    validate::Options o;
    if (auto st = validate::options_from_environment(o); !st) throw Fatal(st.error());
    std::map<std::string, const rules::Rule*> by_id;
    for (const auto& r : s.engine->rules()) by_id[r.id] = &r;
    auto rule_of = [&](const std::string& id) -> const rules::Rule* {
        auto it = by_id.find(id);
        return it == by_id.end() ? nullptr : it->second;
    };
    std::mutex mu;
    uint64_t warned = 0;
    auto warning = [&](const util::Error& e) {
        std::lock_guard lock(mu);
        ++warned;
        if (!a.quiet) print_warning(e.what, e.why);
    };
    if (!a.quiet && !a.no_progress && ::isatty(STDERR_FILENO))
        std::cerr << "nhi: validating the secrets found (at most " << o.concurrency << " requests at once)\n";
    const validate::Counts c = validate::validate_findings(findings, rule_of, o, warning);
    summary.validation = {c.checked, c.live, c.revoked, c.unknown, c.error};
    summary.warnings += warned;
}

}  // namespace

ScanResult execute_scan(const ScanArgs& a, bool use_baseline) {
    auto t0 = std::chrono::steady_clock::now();
    ScanSetup setup = set_up_scan(a, use_baseline);
    Recording rec = begin_recording(a, setup);
    InterruptGuard interrupt(rec.database ? db::resolve_path(a.db) : "", rec.run_id);

    Collector collected;
    collected.quiet = a.quiet;
    collected.verbose = a.verbose;
    scanners::ScanStats stats;
    util::Status status = run_scanner(a, setup, rec, stats, collected.sinks(rec.database && !a.git));
    collected.finish();

    ScanResult result;
    result.paths = setup.paths;
    result.engine = setup.engine;
    result.no_fail_in = no_fail_contexts(a, setup.config);
    auto& findings = collected.findings;
    classify_paths(findings);
    drop_allowlisted(a, setup, findings, result.summary);
    summarise(stats, a.git, setup.engine->rules().size(), rec.run_id, result.summary);
    result.summary.warnings = collected.count();
    if (validation_on(a, setup.config)) validate_live(a, setup, findings, result.summary);
    record_run(a, setup, rec, findings, collected.discovered, result.summary, status.ok());
    // Exit 2 only when nothing could be scanned; partial failures were warnings.
    if (!status) throw Fatal(status.error());

    // Baselined findings are real but accepted: recorded above, not reported.
    result.repo_prefix = repo_prefix(setup.paths, a.git);
    drop_baselined(setup.baseline, result.repo_prefix, findings, result.summary);
    if (a.only_valid) std::erase_if(findings, [](const db::Finding& f) { return f.validation.status != "live"; });
    result.summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    result.findings = std::move(findings);
    return result;
}

namespace {

// --color auto: a terminal that can show colour, unless NO_COLOR (https://no-color.org) is set.
bool colour_wanted() {
    const char* no_color = std::getenv("NO_COLOR");
    const char* term = std::getenv("TERM");
    return ::isatty(STDOUT_FILENO) && !(no_color && *no_color) && !(term && std::string_view(term) == "dumb");
}

// A pre-commit hook that blocks a commit says how to get past it when the finding is not a leak.
void print_staged_hint() {
    std::cerr << "nhi: the staged change adds secrets; revoke and remove them, or if a finding is not a secret:\n"
                 "  allow it on its line with a comment containing nhi:allow,\n"
                 "  or allow the rule or path under `allow:` in .nhi.yml,\n"
                 "  or accept today's findings with `nhi baseline create` (then `nhi scan --baseline`).\n";
}

int run_scan(const ScanArgs& a) {
    rules::Severity threshold = rules::Severity::Low;
    bool never_fail = a.fail_on == "none";
    if (!never_fail && !rules::parse_severity(a.fail_on, threshold))
        throw Fatal({"--fail-on", "expected none, info, low, medium, high or critical"});
    ScanResult r = execute_scan(a, /*use_baseline=*/true);

    // -o goes through a temp file: a failed scan never truncates the last good output.
    auto output = take(util::Output::open(a.output));
    std::ostream& out = output->stream();
    reports::RenderOptions ro;
    ro.show_secrets = a.show_secrets;
    ro.quiet = a.quiet;
    ro.all_contexts = a.all_contexts;
    ro.color = a.output.empty() && (a.color == "always" || (a.color == "auto" && colour_wanted()));
    if (a.format == "text") reports::render_text(out, r.findings, r.summary, ro);
    else if (a.format == "json") reports::render_json(out, r.findings, r.summary, ro);
    else if (a.format == "jsonl") reports::render_jsonl(out, r.findings, ro);
    else {
        reports::SarifOptions so;
        so.uri_prefix = r.repo_prefix;
        so.max_results = a.sarif_max_results;
        if (size_t left = reports::render_sarif(out, r.findings, r.engine->rules(), so))
            print_warning("sarif", fmt::format("{} of {} findings left out (the least severe): --sarif-max-results is {}; "
                                               "GitHub code scanning rejects runs of more than 25000 results",
                                               left, r.findings.size(), a.sarif_max_results));
    }
    take(output->commit());
    // Machine formats keep stdout clean; a one-line summary goes to stderr for people.
    if (a.format != "text" && !a.no_progress && !a.quiet && ::isatty(STDERR_FILENO))
        std::cerr << "nhi: " << r.findings.size() << " findings in " << r.summary.files_scanned << " files\n";

    if (never_fail) return kOk;
    size_t excused = 0;
    for (const auto& f : r.findings) {
        if (f.severity < threshold) continue;
        if (r.no_fail_in.count(f.path_context)) {
            ++excused;
            continue;
        }
        if (a.staged) print_staged_hint();
        return kFindings;
    }
    if (excused && !a.quiet)
        std::cerr << "nhi: " << excused << (excused == 1 ? " finding" : " findings")
                  << " at or above --fail-on left out of the exit code by --no-fail-in\n";
    return kOk;
}

}  // namespace

void add_scan_options(CLI::App* cmd, ScanArgs& args, bool for_baseline) {
    cmd->add_option("paths", args.paths, "Files or directories to scan; - reads stdin; with --git, repositories (default .)");
    cmd->add_option("--rules", args.rule_paths, "Extra rule file or directory of *.yml (repeatable)");
    cmd->add_option("--config", args.config, "Repository config file (default: .nhi.yml in the scanned root or its repository)");
    cmd->add_flag("--no-config", args.no_config, "Ignore .nhi.yml");
    cmd->add_flag("--no-ignore", args.no_ignore, "Do not honour .gitignore files");
    cmd->add_option("--max-file-size", args.max_file_size,
                    "Skip (and count) files larger than this, e.g. 500M (default: no limit for files, since text is "
                    "scanned in chunks; 128M for git blobs, which are read whole)");
    cmd->add_flag("--no-decode", args.no_decode, "Do not decode base64, percent, \\u escapes or UTF-16 text");
    cmd->add_flag("--no-archives", args.no_archives, "Do not open archives and compressed files (zip, jar, tar, gz, ...)");
    cmd->add_option("--max-depth", args.max_depth, "Archives and encodings unpacked around a text, at most (default 4)")
        ->check(CLI::Range(0u, 99u));
    cmd->add_option("--max-decoded-size", args.max_decoded_size,
                    "Bytes one archive may expand to before the rest is skipped, e.g. 1G (default 4G)");
    cmd->add_option("-j,--jobs", args.jobs, "Worker threads (default: one per core)");
    cmd->add_option("--db", args.db, "Datastore path (default $NHI_DB or ./.nhi/nhi.db)");
    cmd->add_flag("--no-db", args.no_db, "Do not record this run in the datastore");
    cmd->add_flag("--no-progress", args.no_progress, "Never draw the progress line");
    auto* quiet = cmd->add_flag("-q,--quiet", args.quiet,
                                "Print the findings only: no warnings (still counted), progress or summary");
    cmd->add_flag("-v,--verbose", args.verbose, "Also name each file not scanned and why (binary, too large)")
        ->excludes(quiet);
    auto* git = cmd->add_flag("--git", args.git, "Scan the git history of the repositories given (every blob once)");
    cmd->add_flag("--all-refs", args.all_refs, "With --git: all refs (pull refs, notes, stash), not only branches and tags")
        ->needs(git);
    cmd->add_option("--since", args.since, "With --git: only commits not reachable from REV (pull requests)")->needs(git);
    cmd->add_flag("--staged", args.staged,
                  "With --git: scan what is staged in the index (pre-commit); reports only secrets the change adds, "
                  "not those HEAD's version of the same file already holds")
        ->needs(git);
    cmd->add_flag("--all-staged", args.all_staged, "With --staged: report every secret in the staged files");
    cmd->add_option("--branch", args.branch, "With --git: only the history of this branch")->needs(git);
    cmd->add_option("--baseline", args.baseline,
                    for_baseline ? "Baseline file to write (default .nhi-baseline.json)"
                                 : "Hide findings listed in this baseline file (default: `baseline` in .nhi.yml)");
}

Runner add_scan_command(CLI::App& app) {
    auto args = std::make_shared<ScanArgs>();
    auto* cmd = app.add_subcommand("scan", "Scan files, directories, stdin (-) or git history for secrets");
    add_scan_options(cmd, *args, false);
    cmd->add_option("-f,--format", args->format, "Output format")
        ->transform(choice({"text", "json", "jsonl", "sarif"}))
        ->capture_default_str();
    cmd->add_option("-o,--output", args->output, "Write the report to FILE instead of stdout");
    cmd->add_option("--sarif-max-results", args->sarif_max_results,
                    "At most this many SARIF results, the most severe (GitHub rejects more than 25000 per run)")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd->add_option("--fail-on", args->fail_on,
                    "Exit 1 when a finding has at least this severity (none|info|low|medium|high|critical); "
                    "info also counts context, references (ARNs, buckets) and weak or documentation values")
        ->transform(choice({"none", "info", "low", "medium", "high", "critical"}))
        ->capture_default_str();
    cmd->add_option("--no-fail-in", args->no_fail_in,
                    "Findings in these path contexts are reported but never fail the run: source, example, test, "
                    "fixture, docs, vendor, generated (comma-separated; also `no_fail_in:` in .nhi.yml)")
        ->delimiter(',');
    cmd->add_flag("--store-secrets", args->store_secrets,
                  "Also store plaintext secrets in the datastore (default: SHA-256 and redacted preview only)");
    cmd->add_flag("--show-secrets", args->show_secrets, "Print plaintext secrets in the output");
    cmd->add_flag("--validate", args->validate,
                  "Ask each provider whether the secrets found are live, and whose they are (off by default; sends "
                  "each secret only to its rule's own https host; only the outcome is stored; see docs/VALIDATION.md)");
    cmd->add_flag("--only-valid", args->only_valid, "With --validate: report only the secrets confirmed live");
    cmd->add_flag("--all-contexts", args->all_contexts,
                  "Text output: list findings in tests, fixtures, docs, examples, vendored and generated files one by "
                  "one (default: one summary line per context after the findings in live code)");
    cmd->add_option("--color", args->color, "Colour text output (auto: on a terminal, unless NO_COLOR is set or TERM=dumb)")
        ->transform(choice({"auto", "always", "never"}))
        ->capture_default_str();
    return [args] { return run_scan(*args); };
}

}  // namespace nhi::cli
