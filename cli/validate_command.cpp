// `nhi validate`: re-checks, at their providers, the findings whose plaintext the datastore
// kept (a scan with --store-secrets). By default nhi keeps no plaintext, so there is nothing
// to re-send: the command then says so and how to validate during a scan instead.
#include <fmt/format.h>
#include <unistd.h>

#include <iostream>
#include <map>
#include <mutex>

#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/fatal.hpp"
#include "cli/shared_options.hpp"
#include "db/inventory.hpp"
#include "db/store.hpp"
#include "reports/finding_render.hpp"
#include "rules/path_context.hpp"
#include "util/text.hpp"
#include "validate/validate.hpp"

namespace nhi::cli {
namespace {

struct ValidateArgs {
    std::string db;
    std::string format = "text";
    std::vector<std::string> rule_paths;
    bool quiet = false;
};

// Prints the outcome of each re-checked finding: one line each in text, the scan's JSON shape
// otherwise.
void print_outcomes(const ValidateArgs& a, const std::vector<db::Finding>& findings,
                    const reports::ScanSummary& summary) {
    reports::RenderOptions ro;
    ro.quiet = a.quiet;
    if (a.format == "json") {
        reports::render_json(std::cout, findings, summary, ro);
        return;
    }
    for (const auto& f : findings)
        std::cout << fmt::format("{:<8} {}:{}  {}  {}\n", f.validation.status, util::printable(f.path), f.line,
                                 util::printable(f.rule_id), util::printable(reports::validation_note(f.validation)));
    if (!a.quiet)
        std::cout << fmt::format("\n{} re-checked: {} live, {} revoked, {} unknown, {} error\n",
                                 summary.validation.checked, summary.validation.live, summary.validation.revoked,
                                 summary.validation.unknown, summary.validation.error);
}

int run_validate(const ValidateArgs& a) {
    auto database = open_datastore(a.db);
    db::Store store(*database);
    auto kept = take(store.kept_secrets());
    if (kept.empty()) {
        print_error("validate", "no stored secret to re-check: nhi keeps no plaintext unless a scan ran with "
                                "--store-secrets. Validate while scanning instead: nhi scan PATH --validate");
        return kError;
    }
    auto engine = load_engine(a.rule_paths);
    std::map<std::string, const rules::Rule*> by_id;
    for (const auto& r : engine->rules()) by_id[r.id] = &r;
    for (auto& f : kept) {
        if (auto it = by_id.find(f.rule_id); it != by_id.end()) db::apply_rule(f, *it->second);
        f.path_context = rules::path_context(f.path);
    }

    validate::Options o;
    if (auto st = validate::options_from_environment(o); !st) throw Fatal(st.error());
    std::mutex mu;
    auto warning = [&](const util::Error& e) {
        std::lock_guard lock(mu);
        if (!a.quiet) print_warning(e.what, e.why);
    };
    auto rule_of = [&](const std::string& id) -> const rules::Rule* {
        auto it = by_id.find(id);
        return it == by_id.end() ? nullptr : it->second;
    };
    const auto counts = validate::validate_findings(kept, rule_of, o, warning);

    // A run of its own, so reports see when each outcome was learned (--run, --as-of).
    const int64_t run = take(store.begin_run("validate", db::resolve_path(a.db), engine->rules_hash()));
    std::erase_if(kept, [](const db::Finding& f) { return !f.validation.done(); });
    for (const auto& f : kept)
        if (auto st = store.record_validation(run, f.rule_id, f.secret_sha256, f.validation, f.secret); !st)
            throw Fatal(st.error());
    db::Inventory inventory(*database);
    const size_t links = take(inventory.relink());
    reports::ScanSummary summary;
    summary.validation = {counts.checked, counts.live, counts.revoked, counts.unknown, counts.error};
    summary.run_id = run;
    take(store.finish_run(run, "ok",
                          {{"validation", {{"checked", counts.checked}, {"live", counts.live}, {"revoked", counts.revoked},
                                           {"unknown", counts.unknown}, {"error", counts.error}}},
                           {"inventory_links", links}}));
    print_outcomes(a, kept, summary);
    return counts.live ? kFindings : kOk;
}

}  // namespace

Runner add_validate_command(CLI::App& app) {
    auto args = std::make_shared<ValidateArgs>();
    auto* cmd = app.add_subcommand(
        "validate", "Re-check at their providers the secrets a scan kept (--store-secrets); exit 1 if one is live");
    cmd->add_option("--db", args->db, "Datastore path (default $NHI_DB or ./.nhi/nhi.db)");
    cmd->add_option("--rules", args->rule_paths, "Extra rule file or directory of *.yml (repeatable)");
    cmd->add_option("-f,--format", args->format, "Output format")
        ->transform(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    cmd->add_flag("-q,--quiet", args->quiet, "The outcomes only: no warnings or summary");
    return [args] { return run_validate(*args); };
}

}  // namespace nhi::cli
