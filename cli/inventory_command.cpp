// `nhi inventory import|list|show|set-owner|annotate`.
#include <filesystem>
#include <iostream>

#include "cli/cli.hpp"
#include "cli/fatal.hpp"
#include "cli/commands.hpp"
#include "cli/shared_options.hpp"
#include "db/database.hpp"
#include "db/inventory.hpp"
#include "reports/finding_render.hpp"
#include "reports/inventory_render.hpp"
#include "scanners/importers/importers.hpp"
#include "util/text.hpp"
#include "util/time.hpp"

namespace nhi::cli {
namespace {

constexpr uintmax_t kMaxExport = uintmax_t(1) << 30;  // 1 GiB: larger is not an export we know

struct InventoryArgs {
    std::string db;
    std::vector<std::string> files;
    std::string export_format;    // import: force a format
    std::string format = "text";  // list/show: output format
    std::string provider, kind, actor, owner, source, now, as_of, id, value, note_kind = "note", reason, expires;
    bool no_owner = false;
    int expiring_within = -1, unused_for = -1;
    int64_t run = 0;
};

// What can be said about an export before reading it. The importer then reads
// it itself, record by record for the JSON lists, so the file is never held
// whole in memory here.
util::Status check_export(const std::string& path) {
    std::error_code ec;
    auto st = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(st)) return util::Error{path, "no such file"};
    if (std::filesystem::is_directory(st)) return util::Error{path, "is a directory; name the export files"};
    auto size = std::filesystem::file_size(path, ec);
    if (!ec && size > kMaxExport) return util::Error{path, "larger than 1 GiB; not an export nhi knows"};
    return util::ok_status();
}

// The reference time: --now, else the --as-of point in history, else the clock.
std::string now_of(const InventoryArgs& a) { return reference_time(a.now.empty() ? a.as_of : a.now); }

}  // namespace

std::string reference_time(const std::string& flag_value, const char* flag) {
    if (flag_value.empty()) return util::format_utc(util::now_unix());
    auto t = util::parse_iso8601(flag_value);
    if (!t) throw Fatal({flag, "expected an ISO-8601 time such as 2025-06-16T09:00:00Z"});
    return util::format_utc(*t);
}

int64_t history_point(db::Inventory& inv, int64_t run, const std::string& as_of) {
    if (as_of.empty()) return run;
    if (run) throw Fatal({"--as-of", "--run and --as-of both name a point in history; give one"});
    const std::string at = reference_time(as_of, "--as-of");
    const int64_t found = take(inv.run_at(at));
    if (found == 0) throw Fatal({"--as-of", "no inventory as of " + at + ": nothing was recorded by then"});
    // The latest run is "now": a report as of now may still be recorded as a review.
    return found == take(inv.run_at("9999-12-31T23:59:59Z")) ? 0 : found;  // the newest run of all
}

namespace {

// One file, streamed into one transaction: records are written as they are read,
// so memory does not grow with the file, and a file rejected midway leaves the
// datastore as it was. Warnings are printed as they arise. Returns false (with
// the error printed) when the file was rejected.
bool import_one(db::Database& database, const std::string& file, const std::string& format) {
    if (auto s = check_export(file); !s) {
        print_error(s.error().what, s.error().why);
        return false;
    }
    // Keys and the run log use the absolute path, so `./x.json` and `/abs/x.json`
    // are one source; messages keep the path as the user typed it.
    std::error_code ec;
    const std::string canonical = std::filesystem::weakly_canonical(file, ec).string();
    const std::string source = ec ? file : canonical;
    auto fail = [&](util::Error e) {
        if (e.what == source) e.what = file;
        print_error(e.what, e.why);
        return false;
    };
    size_t warnings = 0;
    auto session = db::ImportSession::begin(database, source, [&](const std::string& w) {
        print_warning("", w);
        ++warnings;
    });
    if (!session) return fail(session.error());
    auto parsed = scanners::importers::import_file(file, source, format, **session);
    if (!parsed) return fail(parsed.error());
    auto r = (*session)->finish(*parsed);
    if (!r) return fail(r.error());
    std::cerr << file << ": " << *parsed << ", " << reports::count_of(r->identities, "identity", "identities")
              << " (" << r->new_identities << " new, " << r->changed_identities << " changed), "
              << reports::count_of(r->credentials, "credential", "credentials") << " ("
              << r->new_credentials << " new, " << r->changed_credentials << " changed)"
              << (r->links ? ", " + std::to_string(r->links) + " linked to scan findings" : "")
              << (r->skipped ? ", " + std::to_string(r->skipped) + " not stored" : "") << ", run " << r->run
              << (warnings ? ", " + reports::count_of(warnings, "warning", "warnings") : "") << "\n";
    return true;
}

int import(const InventoryArgs& a) {
    auto database = open_datastore(a.db);
    // Each file stands alone: a bad one is named and counted, the good ones are
    // kept.
    std::vector<std::string> rejected;
    for (const auto& file : a.files) {
        bool ok = false;
        try {
            ok = import_one(*database, file, a.export_format);
        } catch (const std::exception& e) {
            // Whatever a lower layer let escape ends this file, not the whole import.
            print_error(file, std::string("internal: ") + e.what());
        }
        if (!ok) rejected.push_back(file);
    }
    if (!rejected.empty() && a.files.size() > 1)
        print_error("inventory import", std::to_string(rejected.size()) + " of " + std::to_string(a.files.size()) +
                                            " files rejected (" + rejected.front() +
                                            (rejected.size() > 1 ? ", ..." : "") + "); the others were imported");
    return rejected.empty() ? kOk : kError;
}

bool keep(const db::IdentityRow& r, const reports::IdentityFacts& f, const InventoryArgs& a, int64_t now) {
    if (!a.provider.empty() && r.provider != a.provider) return false;
    if (!a.kind.empty() && r.kind != a.kind) return false;
    if (!a.actor.empty() && r.actor != a.actor) return false;
    if (a.no_owner && !f.owner.empty()) return false;
    if (!a.owner.empty() && util::lower(f.owner).find(util::lower(a.owner)) == std::string::npos) return false;
    if (!a.source.empty()) {
        bool any = false;
        for (const auto& s : r.sources) any |= s.find(a.source) != std::string::npos;
        if (!any) return false;
    }
    if (a.expiring_within >= 0) {
        auto exp = util::parse_iso8601(f.expires);
        if (!exp || *exp < now || *exp > now + int64_t(a.expiring_within) * 86400) return false;
    }
    if (a.unused_for >= 0) {
        // Never used counts as unused once the identity is older than the window.
        const std::string& basis = f.last_used.empty() ? f.created : f.last_used;
        auto t = util::parse_iso8601(basis);
        if (t && *t > now - int64_t(a.unused_for) * 86400) return false;
    }
    return true;
}

int list(const InventoryArgs& a) {
    const std::string now = now_of(a);
    const int64_t now_t = *util::parse_iso8601(now);
    auto database = open_datastore(a.db);
    db::Inventory inv(*database);
    const int64_t run = history_point(inv, a.run, a.as_of);
    const bool text_only = a.format == "text" || a.format == "csv";
    auto rows = take(inv.load(run, text_only ? db::Inventory::Detail::Facts : db::Inventory::Detail::Text));
    std::vector<const db::IdentityRow*> kept;
    kept.reserve(rows.size());
    for (const auto& r : rows)
        if (keep(r, reports::derive(r, now), a, now_t)) kept.push_back(&r);
    reports::render_inventory(kept, a.format, now, std::cout);
    return kOk;
}

int show(const InventoryArgs& a) {
    auto database = open_datastore(a.db);
    db::Inventory inv(*database);
    int64_t id = take(inv.resolve(a.id));
    const int64_t run = history_point(inv, a.run, a.as_of);
    auto rows = take(inv.load(run));
    for (const auto& r : rows)
        if (r.id == id) {
            reports::render_identity(r, take(inv.history(id)), take(inv.code_references(r, run)),
                                     a.format, now_of(a), std::cout);
            return kOk;
        }
    throw Fatal({a.id, a.as_of.empty() ? "not present as of run " + std::to_string(run) : "not present as of " + a.as_of});
}

int set_owner(const InventoryArgs& a) {
    auto database = open_datastore(a.db);
    db::Inventory inv(*database);
    int64_t id = take(inv.resolve(a.id));
    if (a.value.empty()) throw Fatal({"set-owner", "the owner must not be empty"});
    if (auto s = inv.set_owner(id, a.value); !s) throw Fatal(s.error());
    std::cerr << "identity " << id << ": owner set to " << a.value << " (explicit, strongest source)\n";
    return kOk;
}

int annotate(const InventoryArgs& a) {
    auto database = open_datastore(a.db);
    db::Inventory inv(*database);
    int64_t id = take(inv.resolve(a.id));
    std::string expires;
    if (!a.expires.empty()) {
        auto t = util::parse_iso8601(a.expires);
        if (!t) throw Fatal({"--expires", "expected a date such as 2026-03-31"});
        expires = util::format_utc(*t);
    }
    if (a.note_kind == "accepted-risk" && expires.empty())
        throw Fatal({"--expires", "an accepted risk needs an expiry, so that it is reviewed again"});
    if (auto s = inv.annotate(id, a.note_kind, a.reason, expires); !s) throw Fatal(s.error());
    std::cerr << "identity " << id << ": " << a.note_kind << " recorded\n";
    return kOk;
}

}  // namespace

Runner add_inventory_command(CLI::App& app) {
    auto args = std::make_shared<InventoryArgs>();
    auto* cmd = app.add_subcommand("inventory",
                                   "Import cloud, cluster, GitHub and agent-config exports "
                                   "into one inventory of non-human identities");
    cmd->require_subcommand(1);
    auto db_opt = [&](CLI::App* c) {
        c->add_option("--db", args->db, "Datastore path (default $NHI_DB, else ./.nhi/nhi.db)");
    };
    std::string formats;
    for (const auto& f : scanners::importers::format_names()) formats += (formats.empty() ? "" : ", ") + f;

    auto* imp = cmd->add_subcommand("import",
                                    "Import export files (format detected; each file all-or-nothing, one run "
                                    "each; a bad file does not stop the others)");
    imp->add_option("files", args->files, "Export files")->required();
    imp->add_option("--format", args->export_format, "Force the format: " + formats)
        ->transform(choice(scanners::importers::format_names()));
    imp->footer("Formats: " + formats +
                ". Re-importing a file changes nothing. Each file is imported or "
                "rejected on its own: when one "
                "is rejected the others are still imported, the rejected ones are named, "
                "and the exit code is 2. "
                "An entry that cannot be read is skipped with a warning naming it. "
                "Files may come in any order: an export that only names an identity (a key's "
                "service account) creates it, marked known_only_from, until its own export "
                "describes it. Records are written as they are read, so memory does not grow "
                "with the file.");
    db_opt(imp);

    auto* ls = cmd->add_subcommand("list", "List identities with owner, credentials, expiry and last use");
    ls->add_option("-f,--format", args->format, "Output format")
        ->transform(choice({"text", "json", "jsonl", "csv"}));
    ls->add_option("--provider", args->provider, "Only this provider (aws, gcp, azure, kubernetes, github, mcp)");
    ls->add_option("--kind", args->kind, "Only this kind (iam-user, service-account, mcp-server, ...)");
    ls->add_option("--actor", args->actor, "Only this actor type (service, workload, agent, bot, human)");
    ls->add_option("--owner", args->owner, "Only identities whose owner contains this text");
    ls->add_flag("--no-owner", args->no_owner, "Only identities without any known owner");
    ls->add_option("--expiring-within", args->expiring_within,
                   "Only identities with an active credential expiring within DAYS");
    ls->add_option("--unused-for", args->unused_for, "Only identities not used for DAYS (never used counts)");
    ls->add_option("--source", args->source, "Only identities described by an import whose file path contains this");
    ls->add_option("--run", args->run, "The inventory as it stood after this run (default: now)");
    ls->add_option("--as-of", args->as_of,
                   "The inventory as it stood at this ISO-8601 time (the last run by then), judged at that time");
    ls->add_option("--now", args->now, "Reference time for expiry and staleness, ISO-8601 (default: the clock)");
    db_opt(ls);

    auto* sh = cmd->add_subcommand("show",
                                   "Everything known about one identity: "
                                   "credentials, owners, links, history");
    sh->add_option("id", args->id, "Identity id, key or name")->required();
    sh->add_option("-f,--format", args->format, "Output format")->transform(choice({"text", "json"}));
    sh->add_option("--run", args->run, "As it stood after this run");
    sh->add_option("--as-of", args->as_of, "As it stood at this ISO-8601 time (the last run by then)");
    sh->add_option("--now", args->now, "Reference time, ISO-8601 (default: the clock)");
    db_opt(sh);

    auto* so = cmd->add_subcommand("set-owner", "Set an identity's owner explicitly (the strongest owner source)");
    so->add_option("id", args->id, "Identity id, key or name")->required();
    so->add_option("owner", args->value, "Owner (team or person)")->required();
    db_opt(so);

    auto* an = cmd->add_subcommand("annotate", "Record triage on an identity: accepted risk, false positive or a note");
    an->add_option("id", args->id, "Identity id, key or name")->required();
    an->add_option("--kind", args->note_kind, "accepted-risk, false-positive or note")
        ->transform(choice({"accepted-risk", "false-positive", "note"}));
    an->add_option("--reason", args->reason, "Why (required)")->required();
    an->add_option("--expires", args->expires, "When the annotation lapses (required for accepted-risk)");
    db_opt(an);

    return [=] {
        if (imp->parsed()) return import(*args);
        if (ls->parsed()) return list(*args);
        if (sh->parsed()) return show(*args);
        if (so->parsed()) return set_owner(*args);
        return annotate(*args);
    };
}

}  // namespace nhi::cli
