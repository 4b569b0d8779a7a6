// `nhi report risk|owners|expiry|summary|diff`.
#include <filesystem>
#include <iostream>
#include <optional>

#include "cli/cli.hpp"
#include "cli/fatal.hpp"
#include "cli/commands.hpp"
#include "cli/shared_options.hpp"
#include "db/database.hpp"
#include "db/inventory.hpp"
#include "reports/diff.hpp"
#include "reports/html.hpp"
#include "reports/report_render.hpp"
#include "util/atomic_file.hpp"
#include "util/time.hpp"

namespace nhi::cli {
namespace {

struct ReportArgs {
    std::string db, format = "text", now, as_of, fail_on = "none", min_tier = "low", output;
    int64_t run = 0, from = -1, to = 0;
    bool record = false;
    int expiring_days = 30, top = 10;
    reports::RiskConfig risk;
    std::vector<std::string> weights, floors;  // --weight ID=N, --floor ID=TIER
};

// The HTML review: charts, the table, the trend across recorded reviews and what changed
// since the last one.
void write_html(db::Inventory& inv, const std::vector<reports::Assessed>& items, const std::vector<db::IdentityRow>& rows,
                const ReportArgs& a, const reports::ReportOptions& o, const std::vector<reports::DanglingBinding>& dangling,
                std::ostream& out) {
    reports::HtmlReport rep;
    rep.dangling = &dangling;
    rep.items = &items;
    rep.now = o.now;
    rep.min_tier = o.min_tier;
    const auto reviews = take(inv.runs("review"));
    constexpr size_t kTrendPoints = 12;
    for (size_t i = reviews.size() > kTrendPoints - 1 ? reviews.size() - (kTrendPoints - 1) : 0; i < reviews.size(); ++i) {
        const auto& r = reviews[i];
        if (a.run && r.id > a.run) break;
        const std::string label = r.time.substr(0, 10);
        if (r.stats.is_object() && r.stats.contains("tiers")) {
            rep.trend.push_back(reports::trend_point_from_json(r.stats, label));
        } else {  // a review recorded without stats: rebuild it
            auto then = take(inv.load(r.id));
            rep.trend.push_back(reports::trend_point(reports::assess_all(then, a.risk, r.time), label));
        }
    }
    rep.trend.push_back(reports::trend_point(items, a.run ? "run " + std::to_string(a.run) : "now"));
    std::optional<reports::Diff> diff;
    if (!reviews.empty() && !a.run) {
        const auto& last = reviews.back();
        auto before = take(inv.load(last.id));
        diff = reports::diff_inventories(before, rows, take(inv.finding_first_runs()), a.risk, last.id,
                                         a.now.empty() ? last.time : o.now, 0, o.now);
        diff->from_time = last.time;
        rep.since_review = &*diff;
    }
    reports::report_html(rep, out);
}

int run_report(ReportArgs a, const std::string& which) {
    for (const auto& w : a.weights)
        if (auto s = reports::set_weight(a.risk, w); !s) throw Fatal(s.error());
    for (const auto& f : a.floors)
        if (auto s = reports::set_floor(a.risk, f); !s) throw Fatal(s.error());
    reports::ReportOptions o;
    o.format = a.format;
    o.now = reference_time(a.now.empty() ? a.as_of : a.now);
    if (!reports::parse_tier(a.min_tier, o.min_tier)) throw Fatal({"--min-tier", "expected low, medium, high or critical"});
    reports::Tier fail_tier = reports::Tier::Low;
    const bool gate = a.fail_on != "none";
    if (gate && !reports::parse_tier(a.fail_on, fail_tier))
        throw Fatal({"--fail-on", "expected none, low, medium, high or critical"});
    o.expiring_days = a.expiring_days;
    o.top = size_t(std::max(a.top, 0));


    // A report on nothing must say so, not print clean figures ("100% have an owner"); and
    // asking for one must not create the datastore it reports on.
    const std::string path = db::resolve_path(a.db);
    if (std::error_code ec; !std::filesystem::exists(path, ec))
        throw Fatal({path, "no datastore here: import exports first (nhi inventory import FILE...) or pass --db"});
    auto database = take(db::Database::open(path));
    db::Inventory inv(*database);
    // --as-of TIME is the inventory as it stood then (triage included), judged at TIME.
    a.run = history_point(inv, a.run, a.as_of);
    o.run = a.run;
    if (a.record && a.run)
        throw Fatal({"--record", "records the inventory as it is now; it cannot be combined with --run or a past --as-of"});
    if (which == "diff") {
        int64_t from = a.from;
        if (from < 0) {
            from = take(inv.latest_run("review"));
            if (from == 0)
                throw Fatal({"--from", "no review recorded yet: pass --from RUN, or mark one with "
                                             "`nhi report summary --record`"});
        }
        const std::string from_time = take(inv.run_time(from));
        if (from_time.empty()) throw Fatal({"--from", "no run " + std::to_string(from)});
        std::string to_time = o.now;
        if (a.to) {
            to_time = take(inv.run_time(a.to));
            if (to_time.empty()) throw Fatal({"--to", "no run " + std::to_string(a.to)});
        }
        auto before = take(inv.load(from)), after = take(inv.load(a.to));
        // With --now both sides are judged at that time (reproducible); otherwise each at its own.
        auto d = reports::diff_inventories(before, after, take(inv.finding_first_runs()), a.risk, from,
                                           a.now.empty() ? from_time : o.now, a.to, to_time);
        d.from_time = from_time;
        auto out = take(util::Output::open(a.output));
        reports::render_diff(d, a.format, out->stream());
        take(out->commit());
        return kOk;
    }
    auto rows = take(inv.load(a.run));
    if (rows.empty())
        throw Fatal({path, a.run ? "no inventory as of run " + std::to_string(a.run) + (a.as_of.empty() ? "" : " (" + a.as_of + ")")
                                 : std::string("the datastore holds no inventory: import exports first (nhi inventory import FILE...)")});
    auto items = reports::assess_all(rows, a.risk, o.now);
    const auto dangling = reports::dangling_bindings(rows, a.risk);
    auto out = take(util::Output::open(a.output));
    if (a.format == "html") write_html(inv, items, rows, a, o, dangling, out->stream());
    else if (which == "risk") reports::report_risk(items, o, out->stream(), dangling);
    else if (which == "owners") reports::report_owners(items, o, out->stream(), dangling);
    else if (which == "expiry") reports::report_expiry(items, a.risk, o, out->stream());
    else reports::report_summary(items, o, out->stream(), dangling);
    take(out->commit());
    if (which == "summary" && a.record) {
        // The tier counts go with the review, so later trend charts need not rebuild it.
        int64_t review = take(inv.record_run("review", "nhi report summary", to_json(reports::trend_point(items, ""))));
        std::cerr << "recorded this review as run " << review << " (nhi report diff compares against it)\n";
    }

    // The pipeline gate: exit 1 when an identity (not accepted away) reaches the tier.
    if (gate) {
        for (const auto& i : items)
            if (i.risk.tier >= fail_tier) return kFindings;
        for (const auto& d : dangling)
            if (d.risk.tier >= fail_tier) return kFindings;
    }
    return kOk;
}

}  // namespace

Runner add_report_command(CLI::App& app) {
    auto args = std::make_shared<ReportArgs>();
    auto* cmd = app.add_subcommand("report", "Reports on the inventory: risk tiers with reasons, ownership gaps, expiry, the quarterly summary");
    cmd->require_subcommand(1);
    std::vector<std::pair<CLI::App*, std::string>> subs;
    for (auto [name, help] : std::vector<std::pair<std::string, std::string>>{
             {"risk", "Identities by risk tier, each with its factors (OWASP NHI ids), owner and revocation path"},
             {"owners", "Ownership gaps: no owner, or only a weak signal (git author), grouped by source"},
             {"expiry", "Expired, expiring soon, never expiring, and rotation overdue credentials"},
             {"summary", "The quarterly review on one page: counts, tiers, coverage, top risks"},
             {"diff", "What changed since a run (default: the last recorded review): added, removed, tiers, exposures, owners"}}) {
        auto* s = cmd->add_subcommand(name, help);
        // HTML is the whole review document, so only the review's own commands offer it.
        const bool html = name == "summary" || name == "risk";
        s->add_option("-f,--format", args->format,
                      html ? "Output format (html: the review as one self-contained page with charts)" : "Output format")
            ->transform(html ? choice({"text", "json", "csv", "markdown", "html"})
                             : choice({"text", "json", "csv", "markdown"}));
        s->add_option("-o,--output", args->output, "Write the report to FILE (replaced only when complete)");
        s->add_option("--db", args->db, "Datastore path (default $NHI_DB, else ./.nhi/nhi.db)");
        s->add_option("--now", args->now, "Reference time for expiry and staleness, ISO-8601 (default: the clock)");
        if (name != "diff") {  // a diff names its own two runs and gates on nothing
            s->add_option("--run", args->run, "Report on the inventory as it stood after this run");
            s->add_option("--as-of", args->as_of,
                          "Report on the inventory as it stood at this ISO-8601 time (the last run by then, "
                          "set-owner and annotate included), judged at that time");
            s->add_option("--fail-on", args->fail_on,
                          "Exit 1 if any identity is at or above this tier (none, low, medium, high, critical)");
        }
        s->add_option("--rotation-days", args->risk.rotation_days, "Rotation is overdue after this many days")->capture_default_str();
        s->add_option("--unused-days", args->risk.unused_days, "Unused for this many days is stale")->capture_default_str();
        s->add_option("--weight", args->weights, "Replace a factor's weight: FACTOR=N (repeatable; factors in README)");
        s->add_option("--floor", args->floors, "Replace a factor's floor tier: FACTOR=TIER, none for no floor (repeatable)");
        subs.emplace_back(s, name);
    }
    subs[0].first->add_option("--min-tier", args->min_tier, "Only show identities at or above this tier");
    subs[2].first->add_option("--within", args->expiring_days, "Expiring-soon window in days")->capture_default_str();
    subs[3].first->add_option("--top", args->top, "How many top risks to list")->capture_default_str();
    subs[3].first->add_flag("--record", args->record, "Record this as a review, the baseline of the next `report diff`");
    subs[4].first->add_option("--from", args->from, "Compare from this run (default: the last recorded review)");
    subs[4].first->add_option("--to", args->to, "Compare to this run (default: now)");
    return [=]() -> int {
        for (const auto& [s, name] : subs)
            if (s->parsed()) return run_report(*args, name);
        return kError;
    };
}

}  // namespace nhi::cli
