#include "reports/finding_render.hpp"
#include "reports/common.hpp"
#include "reports/revocation.hpp"
#include "rules/validators.hpp"
#include "util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>

namespace nhi::reports {

std::string count_of(uint64_t n, const std::string& one, const std::string& many) {
    return fmt::format("{} {}", n, n == 1 ? one : many);
}

std::string human_bytes(uint64_t n) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = double(n);
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        ++u;
    }
    return u == 0 ? fmt::format("{} B", n) : fmt::format("{:.1f} {}", v, units[u]);
}

std::vector<std::pair<std::string, uint64_t>> ScanSummary::unpack_skip_list() const {
    std::vector<std::pair<std::string, uint64_t>> out;
    if (skipped_depth) out.push_back({"nested too deep", skipped_depth});
    for (const auto& [reason, n] : skipped_archive)
        if (n) out.push_back({reason, n});
    return out;
}

uint64_t ScanSummary::unpack_skips() const {
    uint64_t n = 0;
    for (const auto& [_, c] : unpack_skip_list()) n += c;
    return n;
}

nlohmann::json ScanSummary::to_json() const {
    return {{"files_scanned", files_scanned},
            {"bytes_scanned", bytes_scanned},
            {"skipped",
             {{"binary", skipped_binary},
              {"too_large", skipped_too_large},
              {"ignored", skipped_ignored},
              {"symlink", skipped_symlink},
              {"special", skipped_special}}},
            {"unpacked", {{"archives", archives}, {"archive_entries", archive_entries}, {"decoded", decoded}}},
            {"not_unpacked", [&] {
                 nlohmann::json j = nlohmann::json::object();
                 for (auto [reason, count] : unpack_skip_list()) {  // keys are snake_case: "nested_too_deep"
                     std::replace(reason.begin(), reason.end(), ' ', '_');
                     j[reason] = count;
                 }
                 return j;
             }()},
            {"errors", errors},
            {"warnings", warnings},
            {"match_limit_hits", match_limit_hits},
            {"engine_errors", engine_errors},
            {"allowlisted", allowlisted},
            {"allow_comments", [&] {
                 nlohmann::json j = nlohmann::json::object();
                 // snake_case keys, as everywhere in the JSON: "gitleaks:allow" -> gitleaks_allow.
                 for (const auto& [form, n] : allow_comments) {
                     std::string key;
                     for (char c : form) {
                         const bool word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
                         if (word) key += c;
                         else if (!key.empty() && key.back() != '_') key += '_';
                     }
                     j[key] = n;
                 }
                 return j;
             }()},
            {"baselined", baselined},
            {"validation",
             {{"checked", validation.checked},
              {"live", validation.live},
              {"revoked", validation.revoked},
              {"unknown", validation.unknown},
              {"error", validation.error}}},
            {"staged_in_head", staged_in_head},
            {"discovered_identities", discovered_identities},
            {"seconds", seconds},
            {"rules", rules},
            {"run_id", run_id},
            {"git", git ? nlohmann::json{{"commits", commits},
                                         {"blobs_scanned", files_scanned},
                                         {"blobs_already_scanned", blobs_known},
                                         {"submodules_skipped", submodules},
                                         {"shallow", shallow}}
                        : nlohmann::json(nullptr)}};
}

nlohmann::json validation_json(const db::Validation& v) {
    return {{"status", v.status},
            {"checked_at", v.checked_at},
            {"http_status", v.http_status},
            {"reason", v.reason},
            {"identity", v.identity.is_object() ? v.identity : nlohmann::json::object()}};
}

std::string validation_note(const db::Validation& v) {
    if (!v.done()) return "";
    std::string note = v.status + " (";
    if (!v.reason.empty()) note += v.reason + ", ";
    note += "checked " + v.checked_at;
    if (v.http_status) note += ", HTTP " + std::to_string(v.http_status);
    // Who the provider says the credential is: the first of the fields that name it.
    for (const char* k : {"arn", "login", "email", "name", "user_id", "account", "team"}) {
        auto it = v.identity.is_object() ? v.identity.find(k) : v.identity.end();
        if (it != v.identity.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) {
            note += std::string(", ") + k + " " + it->get<std::string>();
            break;
        }
    }
    return note + ")";
}

nlohmann::json finding_json(const db::Finding& f, const RenderOptions& o) {
    nlohmann::json j = {{"schema_version", kSchemaVersion},
                        {"rule", f.rule_id},
                        {"rule_name", f.rule_name},
                        {"path", f.path},
                        {"line", f.line},
                        {"column", f.column},
                        {"secret_sha256", f.secret_sha256},
                        {"fingerprint", f.fingerprint},
                        {"redacted", f.redacted},
                        {"severity", rules::to_string(f.severity)},
                        {"confidence", rules::to_string(f.confidence)},
                        {"provider", f.provider},
                        {"kind", f.kind},
                        {"actor", f.actor},
                        {"path_context", rules::to_string(f.path_context)}};
    // A path that is not UTF-8 (a Latin-1 file name) cannot be a JSON string as it is: `path`
    // holds it with U+FFFD for each bad byte, and `path_escaped` the exact bytes in the
    // terminal-escaped form (\xNN, backslash doubled), so a pipeline can still find the file.
    if (!valid_utf8(f.path)) j["path_escaped"] = util::printable(f.path);
    if (!f.inner.empty()) {
        j["file"] = f.path.substr(0, f.path.size() - std::min(f.path.size(), f.inner.size()));
        j["entry"] = f.inner.substr(1);  // the "!"-separated chain inside the file
    }
    if (!f.encoding.empty()) j["encoding"] = f.encoding;
    if (!f.revocation.empty()) j["revocation"] = filled_revocation(f, o.show_secrets);
    if (!f.hints.is_null() && !f.hints.empty()) j["hints"] = f.hints;
    if (f.validation.done()) j["validation"] = validation_json(f.validation);
    if (o.show_secrets) j["secret"] = f.secret;
    if (!f.commit.empty()) {
        j["commit"] = f.commit;
        j["author"] = f.author;
        j["author_email"] = f.author_email;
        j["date"] = f.date;
        j["committer"] = f.committer;
        j["in_head"] = f.in_head == 1;
        nlohmann::json occ = nlohmann::json::array();
        for (const auto& o2 : f.occurrences)
        {
            nlohmann::json e = {{"commit", o2.commit}, {"path", o2.path}, {"line", o2.line}, {"column", o2.column}};
            if (!valid_utf8(o2.path)) e["path_escaped"] = util::printable(o2.path);
            occ.push_back(std::move(e));
        }
        j["occurrences"] = std::move(occ);
    }
    return j;
}

namespace {

const char* severity_color(rules::Severity s) {
    switch (s) {
        case rules::Severity::Critical: return "\x1b[1;35m";
        case rules::Severity::High: return "\x1b[1;31m";
        case rules::Severity::Medium: return "\x1b[33m";
        case rules::Severity::Low: return "\x1b[36m";
        case rules::Severity::Info: return "\x1b[2m";
    }
    return "";
}

}  // namespace

void render_text(std::ostream& out, const std::vector<db::Finding>& findings, const ScanSummary& s,
                 const RenderOptions& o) {
    const char* reset = o.color ? "\x1b[0m" : "";
    const char* dim = o.color ? "\x1b[2m" : "";
    std::map<rules::Severity, size_t, std::greater<>> by_sev;
    // Paths, names, authors and rule strings (user rule files too) reach a terminal: each is
    // escaped, so a file name with a newline or an ESC sequence cannot forge a finding line,
    // clear the screen or retitle the terminal.
    using util::printable;
    // With --validate, a column says each finding's outcome ("-": its rule cannot be checked).
    const bool validated = std::any_of(findings.begin(), findings.end(), [](const db::Finding& f) { return f.validation.done(); });
    auto status_col = [&](const db::Finding& f) {
        return validated ? fmt::format("{:<8} ", f.validation.done() ? printable(f.validation.status) : "-") : std::string();
    };
    // Findings come live code first (the scan orders them by path context); each later group
    // gets a heading, so test data is never mistaken for the code above it.
    static const char* const kGroup[rules::kPathContexts] = {
        "in source", "in examples", "in tests", "in test fixtures", "in documentation", "in vendored code",
        "in generated files"};
    std::optional<rules::PathContext> group;
    // Outside live code, unless --all-contexts: counts by severity and the first few files.
    struct Aside {
        size_t n = 0;
        std::map<rules::Severity, size_t, std::greater<>> by_sev;
        std::vector<std::string> files;
        size_t more_files = 0;
    };
    std::map<rules::PathContext, Aside> aside;
    for (const auto& f : findings) {
        ++by_sev[f.severity];
        if (!o.all_contexts && f.path_context != rules::PathContext::Source) {
            Aside& a = aside[f.path_context];
            ++a.n;
            ++a.by_sev[f.severity];
            if (std::find(a.files.begin(), a.files.end(), f.path) == a.files.end()) {
                if (a.files.size() < 3) a.files.push_back(f.path);
                else ++a.more_files;  // a file may count twice here; "more" is only a hint
            }
            continue;
        }
        if (group != f.path_context) {
            if (group || f.path_context != rules::PathContext::Source)
                out << fmt::format("{}-- {} --{}\n", dim, kGroup[size_t(f.path_context)], reset);
            group = f.path_context;
        }
        // An encoded secret is pointed at where its encoded form is: `secret.yaml:7:9 (base64)`.
        const std::string path = printable(f.path), name = printable(f.rule_name),
                          how = f.encoding.empty() ? "" : " (" + printable(f.encoding) + ")",
                          shown = printable(o.show_secrets ? f.secret : f.redacted);
        // Context, references and weak values: one quiet line each (context sits under its secret).
        if (f.severity == rules::Severity::Info) {
            const char* why = rules::is_invalid(f.hints) ? " (checksum fails: not a live token)"
                              : rules::is_weak(f.hints)  ? " (weak or documentation value)"
                                                         : "";
            out << fmt::format("{}{:<8} {}{}:{}:{}{}  {}{}  {}{}\n", dim, "info", status_col(f), path, f.line, f.column,
                               how, name, why, shown, reset);
            continue;
        }
        out << fmt::format("{}{:<8}{} {}{}:{}:{}{}  {}\n", o.color ? severity_color(f.severity) : "",
                           rules::to_string(f.severity), reset, status_col(f), path, f.line, f.column, how, name);
        out << fmt::format("         {}{}  {}  ({}, {} confidence){}\n", dim,
                           shown, printable(f.rule_id), printable(f.provider),
                           rules::to_string(f.confidence), reset);
        if (!f.commit.empty())
            out << fmt::format("         {}commit {} by {} on {}{}; {}{}\n", dim, printable(f.commit.substr(0, 12)),
                               printable(f.author), printable(f.date.substr(0, 10)),
                               f.occurrences.size() > 1 ? fmt::format(" ({} blobs)", f.occurrences.size()) : "",
                               f.in_head == 1 ? "still in HEAD" : "only in history", reset);
        // The provider's answer (identity fields included) is data from outside: escaped too.
        if (f.validation.done())
            out << fmt::format("         {}validation: {}{}\n", dim, printable(validation_note(f.validation)), reset);
        if (!f.revocation.empty())
            out << fmt::format("         {}revoke: {}{}\n", dim, printable(filled_revocation(f, o.show_secrets)), reset);
    }
    for (const auto& [ctx, a] : aside) {
        std::string sev_of;
        for (const auto& [k, n] : a.by_sev) sev_of += fmt::format("{}{} {}", sev_of.empty() ? "" : ", ", n, rules::to_string(k));
        std::string files;
        for (const auto& p : a.files) files += (files.empty() ? "" : ", ") + printable(p);
        if (a.more_files) files += ", ...";
        out << fmt::format("{}-- {}: {} ({}) in {} --{}\n", dim, kGroup[size_t(ctx)],
                           count_of(a.n, "finding", "findings"), sev_of, files, reset);
    }
    if (!aside.empty() && !o.quiet) out << fmt::format("{}(--all-contexts lists them one by one){}\n", dim, reset);
    if (o.quiet) return;
    if (!findings.empty()) out << "\n";
    std::string sev;
    for (const auto& [k, n] : by_sev) sev += fmt::format("{}{} {}", sev.empty() ? "" : ", ", n, rules::to_string(k));
    if (s.git)
        out << fmt::format("{}{} in {}: {} scanned ({}), {} already scanned, in {:.2f}s with {} rules\n",
                           count_of(findings.size(), "finding", "findings"), sev.empty() ? "" : " (" + sev + ")",
                           count_of(s.commits, "commit", "commits"), count_of(s.files_scanned, "blob", "blobs"),
                           human_bytes(s.bytes_scanned), s.blobs_known, s.seconds, s.rules);
    else
        out << fmt::format("{} finding{}{} in {} file{} ({}) in {:.2f}s with {} rules\n", findings.size(),
                           findings.size() == 1 ? "" : "s", sev.empty() ? "" : " (" + sev + ")", s.files_scanned,
                           s.files_scanned == 1 ? "" : "s", human_bytes(s.bytes_scanned), s.seconds, s.rules);
    if (s.shallow) out << "history is partial (shallow clone)\n";
    if (s.discovered_identities)
        out << fmt::format("inventory: {} declared in config files recorded (nhi inventory list --source \"nhi scan\")\n",
                           count_of(s.discovered_identities, "identity", "identities"));
    if (const auto& v = s.validation; v.checked)
        out << fmt::format("validation: {} checked: {} live, {} revoked, {} unknown, {} error{}\n",
                           count_of(v.checked, "secret", "secrets"), v.live, v.revoked, v.unknown, v.error,
                           v.error == 1 ? "" : "s");
    if (s.allowlisted || s.baselined)
        out << fmt::format("not reported: {} allowlisted by .nhi.yml, {} in the baseline\n", s.allowlisted,
                           s.baselined);
    {
        std::string forms;
        for (const auto& [form, n] : s.allow_comments)
            if (n) forms += fmt::format("{}{} {}", forms.empty() ? "" : ", ", n, form);
        if (!forms.empty()) out << fmt::format("not reported: allowed by comments: {}\n", forms);
    }
    if (s.staged_in_head)
        out << fmt::format("not reported: {} already in HEAD's version of the file (--all-staged shows {})\n",
                           s.staged_in_head, s.staged_in_head == 1 ? "it" : "them");
    uint64_t skipped = s.skipped_binary + s.skipped_too_large + s.skipped_ignored + s.skipped_symlink + s.skipped_special;
    if (skipped)
        out << fmt::format("skipped: {} binary, {} too large, {} ignored, {} symlinks, {} special files\n",
                           s.skipped_binary, s.skipped_too_large, s.skipped_ignored, s.skipped_symlink,
                           s.skipped_special);
    if (s.archives || s.decoded)
        out << fmt::format("unpacked: {} archive{} ({} files inside scanned), {} encoded text{} decoded\n", s.archives,
                           s.archives == 1 ? "" : "s", s.archive_entries, s.decoded, s.decoded == 1 ? "" : "s");
    if (uint64_t n = s.unpack_skips(); n) {
        std::string why;
        for (const auto& [reason, count] : s.unpack_skip_list())
            why += fmt::format("{}{} {}", why.empty() ? "" : ", ", count, reason);
        out << fmt::format("not unpacked: {} (see warnings above)\n", why);
    }
    if (s.errors) out << fmt::format("{} path{} could not be read (see warnings above)\n", s.errors, s.errors == 1 ? "" : "s");
    if (s.match_limit_hits || s.engine_errors)
        out << fmt::format("matching stopped early: {} at the match limit, {} engine errors (see warnings above)\n",
                           s.match_limit_hits, s.engine_errors);
}

void render_json(std::ostream& out, const std::vector<db::Finding>& findings, const ScanSummary& s,
                 const RenderOptions& o) {
    nlohmann::json doc = {{"schema_version", kSchemaVersion},
                          {"version", NHI_VERSION},
                          {"findings", nlohmann::json::array()},
                          {"summary", s.to_json()}};
    for (const auto& f : findings) doc["findings"].push_back(finding_json(f, o));
    out << json_dump(doc, 2) << "\n";
}

void render_jsonl(std::ostream& out, const std::vector<db::Finding>& findings, const RenderOptions& o) {
    for (const auto& f : findings) out << json_dump(finding_json(f, o)) << "\n";
}

}  // namespace nhi::reports
