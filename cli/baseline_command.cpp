// `nhi baseline create|update|import`: record the findings a team has accepted, so CI fails
// only on new ones. The scan itself is `nhi scan`'s (cli/scan_command.hpp).
#include "cli/baseline_command.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <set>

#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/fatal.hpp"
#include "cli/repo_paths.hpp"
#include "cli/scan_command.hpp"
#include "util/hash.hpp"
#include "util/text.hpp"

namespace nhi::cli {

rules::BaselineKey baseline_key(const db::Finding& f, const std::string& repo_prefix, bool sha1) {
    rules::BaselineKey k;
    k.path = join_repo_path(repo_prefix, f.path);
    k.scan_fingerprint = f.fingerprint;
    k.fingerprint = k.path == f.path ? f.fingerprint : db::fingerprint(f.rule_id, f.secret_sha256, k.path);
    k.secret_sha256 = f.secret_sha256;
    if (sha1 && !f.secret.empty()) k.secret_sha1 = util::sha1_hex(f.secret);
    k.line = f.line;
    return k;
}

void drop_baselined(const rules::Baseline& baseline, const std::string& repo_prefix, std::vector<db::Finding>& findings,
                    reports::ScanSummary& summary) {
    if (baseline.entries.empty()) return;
    const bool sha1 = baseline.needs_sha1();
    std::erase_if(findings, [&](const db::Finding& f) {
        bool known = baseline.contains(baseline_key(f, repo_prefix, sha1));
        summary.baselined += known;
        return known;
    });
}

namespace {

constexpr const char* kDefaultPath = ".nhi-baseline.json";

std::string plural(size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

// create: every finding becomes a native entry. update: the same, and says what changed
// against the old file, whose imported and format-1 entries that still match a finding are
// thereby rewritten as repository-relative fingerprints; the rest are no longer found.
int run_baseline(const ScanArgs& given, bool update) {
    std::string path = given.baseline.empty() ? kDefaultPath : given.baseline;
    ScanArgs a = given;
    if (a.paths.empty() && !a.git) a.paths.push_back(".");
    ScanResult r = execute_scan(a, /*use_baseline=*/false);
    rules::Baseline next;
    for (const auto& f : r.findings) {
        auto k = baseline_key(f, r.repo_prefix, false);
        next.add({rules::EntryKind::Native, k.fingerprint, f.rule_id, k.path});
    }
    size_t added = next.entries.size(), removed = 0, imported = 0, legacy = 0;
    if (update && std::filesystem::exists(path)) {
        auto old = take(rules::load_baseline(path));
        const bool sha1 = old.needs_sha1();
        std::set<const rules::BaselineEntry*> matched;
        std::set<std::string> new_ones;
        for (const auto& f : r.findings) {
            auto k = baseline_key(f, r.repo_prefix, sha1);
            if (const auto* e = old.match(k)) matched.insert(e);
            else new_ones.insert(k.fingerprint);
        }
        added = new_ones.size();
        removed = old.entries.size() - matched.size();
        for (const auto* e : matched) {
            imported += e->kind != rules::EntryKind::Native;
            legacy += e->legacy;
        }
    }
    if (auto s = rules::write_baseline(path, next); !s) throw Fatal(s.error());
    std::cout << util::printable(path) << ": " << next.entries.size() << " findings (" << added << " added, " << removed
              << " no longer found)";
    if (imported + legacy)
        std::cout << "; " << plural(imported + legacy, "entry", "entries")
                  << " rewritten as repository-relative fingerprints (" << imported << " imported, " << legacy
                  << " from baseline format 1)";
    std::cout << "\n";
    return kOk;
}

struct ImportArgs {
    std::string file;
    std::string from = "auto";
    std::string baseline;
};

int run_import(const ImportArgs& a) {
    namespace fs = std::filesystem;
    const std::string out = a.baseline.empty() ? kDefaultPath : a.baseline;
    auto format = a.from == "gitleaks"         ? rules::ImportFormat::Gitleaks
                  : a.from == "detect-secrets" ? rules::ImportFormat::DetectSecrets
                                               : rules::ImportFormat::Auto;
    // gitleaks and detect-secrets write paths relative to where they ran: the repository root,
    // as their documentation runs them (and CI does).
    std::string root = find_repo_root(".");
    if (root.empty()) {
        std::error_code ec;
        root = fs::current_path(ec).string();
    }
    auto got = take(rules::import_baseline(a.file, format, root));
    const char* from = rules::import_format_name(got.format);

    rules::Baseline b;
    if (fs::exists(out)) b = take(rules::load_baseline(out));
    // gitleaks lists a secret once per commit that holds it: one entry, the rest repeats.
    rules::Baseline seen;
    size_t by_kind[4] = {}, already = 0, repeated = 0, malformed = 0;
    for (auto& e : got.entries) {
        auto kind = e.kind;
        if (!seen.add(e)) ++repeated;
        else if (b.add(std::move(e))) ++by_kind[static_cast<int>(kind)];
        else ++already;
    }
    for (const auto& [why, n] : got.malformed) {
        malformed += n;
        std::string at;
        for (size_t i : got.malformed_at[why]) at += (at.empty() ? "" : ", ") + std::to_string(i);
        print_warning(a.file, fmt::format("{} skipped: {} ({}{}{})", plural(n, "entry", "entries"), why,
                                          n == 1 ? "entry " : "entries ", at, n > got.malformed_at[why].size() ? ", ..." : ""));
    }
    if (auto s = rules::write_baseline(out, b); !s) throw Fatal(s.error());

    size_t total = by_kind[1] + by_kind[2] + by_kind[3];
    std::cout << util::printable(out) << ": imported " << plural(total, "entry", "entries") << " from " << from << " "
              << util::printable(a.file) << ": " << by_kind[1] << " by (path, sha256), " << by_kind[2]
              << " by (path, sha1), " << by_kind[3] << " by (path, line); skipped " << already
              << " already in the baseline, " << repeated << " repeated, " << malformed << " malformed\n";
    if (got.redacted)
        std::cout << "note: " << plural(got.redacted, "secret was", "secrets were")
                  << " redacted (gitleaks --redact), so nothing could be hashed: matched by path and line only, "
                     "they stop matching when the line moves. `nhi baseline update` rewrites the entries that still "
                     "match as fingerprints.\n";
    return kOk;
}

}  // namespace

Runner add_baseline_command(CLI::App& app) {
    auto args = std::make_shared<ScanArgs>();
    auto imp = std::make_shared<ImportArgs>();
    auto* cmd = app.add_subcommand("baseline", "Record current findings as accepted, so CI fails only on new ones");
    cmd->require_subcommand(1);
    auto* create = cmd->add_subcommand("create", "Scan and write a baseline of every finding (replaces the file)");
    auto* update = cmd->add_subcommand("update", "Scan and rewrite the baseline: add new findings, drop fixed ones");
    add_scan_options(create, *args, true);
    add_scan_options(update, *args, true);
    auto* import = cmd->add_subcommand(
        "import", "Add another scanner's baseline (a gitleaks JSON report, a detect-secrets .secrets.baseline) to "
                  "nhi's, so its accepted findings stay hidden");
    import->add_option("file", imp->file, "The gitleaks report or detect-secrets baseline")->required();
    import->add_option("--from", imp->from, "Its format (auto: tell by its shape)")
        ->transform(choice({"auto", "gitleaks", "detect-secrets"}))
        ->capture_default_str();
    import->add_option("--baseline", imp->baseline, "Baseline file to add to (default .nhi-baseline.json)");
    return [args, imp, update, import] {
        if (import->parsed()) return run_import(*imp);
        return run_baseline(*args, update->parsed());
    };
}

}  // namespace nhi::cli
