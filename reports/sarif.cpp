#include <algorithm>
#include <fmt/format.h>

#include <map>

#include "reports/common.hpp"
#include "reports/finding_render.hpp"
#include "reports/revocation.hpp"
#include "rules/revocation.hpp"

namespace nhi::reports {
namespace {

// RFC 3986 path encoding for the characters that appear in file names and break URIs.
std::string uri_encode(std::string_view path) {
    std::string out;
    for (unsigned char c : path) {
        if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') out.push_back(char(c));
        else out += fmt::format("%{:02X}", c);
    }
    return out;
}

const char* level(rules::Severity s) {
    switch (s) {
        case rules::Severity::Critical:
        case rules::Severity::High: return "error";
        case rules::Severity::Medium: return "warning";
        case rules::Severity::Low:
        case rules::Severity::Info: return "note";
    }
    return "warning";
}

// GitHub maps this property to its critical/high/medium/low labels.
const char* security_severity(rules::Severity s) {
    switch (s) {
        case rules::Severity::Critical: return "9.5";
        case rules::Severity::High: return "8.0";
        case rules::Severity::Medium: return "5.5";
        case rules::Severity::Low: return "3.0";
        case rules::Severity::Info: return "0.0";
    }
    return "5.5";
}

// What a history finding's message adds: the commit that holds it, and its path there.
std::string history_note(const db::Finding& f) {
    if (f.commit.empty() || f.commit == "staged" || f.in_head == 1) return "";
    return fmt::format("; only in history: commit {}, {} as of that commit", f.commit.substr(0, 12), f.path);
}

// The most severe findings first, then in their given order, so a capped run keeps what matters.
std::vector<const db::Finding*> kept(const std::vector<db::Finding>& findings, size_t max_results) {
    std::vector<const db::Finding*> order;
    for (const auto& f : findings) order.push_back(&f);
    if (order.size() <= max_results) return order;
    std::stable_sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->severity > b->severity; });
    order.resize(max_results);
    // Back to the input order among those kept.
    std::sort(order.begin(), order.end());
    return order;
}

}  // namespace

size_t render_sarif(std::ostream& out, const std::vector<db::Finding>& findings, const std::vector<rules::Rule>& rules,
                    const SarifOptions& o) {
    const std::string& uri_prefix = o.uri_prefix;
    std::map<std::string, const rules::Rule*> by_id;
    for (const auto& r : rules) by_id[r.id] = &r;
    std::map<std::string, size_t> index;  // rule id -> position in driver.rules
    std::map<std::string, size_t> seen;   // fingerprint -> occurrences so far
    nlohmann::json driver_rules = nlohmann::json::array();
    nlohmann::json results = nlohmann::json::array();
    const auto shown = kept(findings, o.max_results);
    for (const auto* fp : shown) {
        const db::Finding& f = *fp;
        auto it = index.find(f.rule_id);
        if (it == index.end()) {
            const rules::Rule* r = by_id.count(f.rule_id) ? by_id[f.rule_id] : nullptr;
            // The rule's help is shared by its results: its template's slots print as markers
            // (KEY_ID, USER); each result's properties carry its own filled step.
            std::string help = r && !r->revocation.empty()
                                   ? "Revoke: " + rules::fill_revocation(r->revocation, [](std::string_view) { return std::string(); })
                                   : "Revoke and rotate the secret.";
            nlohmann::json rule = {
                {"id", f.rule_id},
                {"name", f.rule_name},
                {"shortDescription", {{"text", f.rule_name}}},
                {"fullDescription", {{"text", f.rule_name + " found in source. Secrets in code leak (OWASP NHI2)."}}},
                {"help", {{"text", help}}},
                {"defaultConfiguration", {{"level", level(r ? r->severity : f.severity)}}},
                {"properties",
                 {{"tags", {"security", "secret", f.provider}},
                  {"security-severity", security_severity(r ? r->severity : f.severity)}}}};
            if (r && !r->references.empty()) rule["helpUri"] = r->references.front();
            index[f.rule_id] = driver_rules.size();
            driver_rules.push_back(std::move(rule));
            it = index.find(f.rule_id);
        }
        // A rule's findings differ in severity (a weak or documentation value is info): each
        // result carries its own, so an info note is not shown as the rule's alert level.
        nlohmann::json props = {{"redacted", f.redacted},
                                {"secret_sha256", f.secret_sha256},
                                {"fingerprint", f.fingerprint},
                                {"severity", rules::to_string(f.severity)},
                                {"security-severity", security_severity(f.severity)}};
        if (!f.commit.empty()) {
            props["commit"] = f.commit;
            props["author"] = f.author;
            props["date"] = f.date;
            props["in_head"] = f.in_head == 1;
        }
        // Inside an archive the file is the archive, and the line is the entry's: the entry and
        // its line go to properties, the location names the archive alone.
        std::string file = f.path.substr(0, f.path.size() - std::min(f.path.size(), f.inner.size()));
        // stdin has no file: a plain name, not a percent-encoded "<stdin>".
        std::string uri = file == "<stdin>" ? "stdin" : uri_encode(uri_prefix + file);
        nlohmann::json physical = {{"artifactLocation", {{"uri", uri}, {"uriBaseId", "%SRCROOT%"}}}};
        if (f.inner.empty()) physical["region"] = {{"startLine", f.line}, {"startColumn", f.column}};
        else {
            props["entry"] = f.inner.substr(1);
            props["entry_line"] = f.line;
        }
        if (!f.encoding.empty()) props["encoding"] = f.encoding;
        props["path_context"] = rules::to_string(f.path_context);
        if (!f.revocation.empty()) props["revocation"] = filled_revocation(f, /*show_secrets=*/false);
        if (f.validation.done()) props["validation"] = validation_json(f.validation);
        results.push_back({
            {"properties", props},
            {"ruleId", f.rule_id},
            {"ruleIndex", it->second},
            {"level", level(f.severity)},
            {"message", {{"text", fmt::format("{} ({}){}", f.rule_name, f.redacted, history_note(f))}}},
            {"locations",
             {{{"physicalLocation", physical}}}},
            // The baseline fingerprint is the same for one secret twice in a file; code scanning
            // needs one per result, so the occurrence number is part of it.
            {"partialFingerprints", {{"nhiFingerprint/v2", fmt::format("{}:{}", f.fingerprint, ++seen[f.fingerprint])}}},
        });
    }
    nlohmann::json doc = {
        {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
        {"version", "2.1.0"},
        {"runs",
         {{{"tool",
            {{"driver",
              {{"name", "nhi"},
               {"version", NHI_VERSION},
               {"rules", driver_rules}}}}},
           {"results", results},
           {"properties", {{"results_total", findings.size()}, {"results_omitted", findings.size() - shown.size()}}}}}}};
    // Authors and rule names need not be UTF-8; the URI is percent-encoded from the raw bytes,
    // so the path stays exact while other strings get U+FFFD for bad bytes.
    out << json_dump(doc, 2) << "\n";
    return findings.size() - shown.size();
}

}  // namespace nhi::reports
