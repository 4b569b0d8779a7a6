// Renderers for scan findings: text for people, JSON/JSONL for pipelines, SARIF for code
// scanning. Secrets appear only redacted unless the caller asks for plaintext.
#pragma once
#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "db/model.hpp"
#include "rules/rule.hpp"

namespace nhi::reports {

struct ScanSummary {
    uint64_t files_scanned = 0, bytes_scanned = 0;
    uint64_t skipped_binary = 0, skipped_too_large = 0, skipped_ignored = 0, skipped_symlink = 0,
             skipped_special = 0;
    uint64_t errors = 0;
    uint64_t warnings = 0;  // every warning the scan gave, shown or not
    uint64_t match_limit_hits = 0, engine_errors = 0;  // blobs whose matching stopped early
    uint64_t allowlisted = 0, baselined = 0;  // found but not reported
    std::vector<std::pair<std::string, uint64_t>> allow_comments;  // suppressed inline, by comment form
    uint64_t discovered_identities = 0;       // declared in config files, recorded in the inventory
    double seconds = 0;
    size_t rules = 0;
    int64_t run_id = 0;
    bool git = false;
    uint64_t commits = 0, blobs_known = 0, submodules = 0;
    bool shallow = false;
    uint64_t staged_in_head = 0;  // --staged: left out, HEAD's version of the file already held them
    // Unpacking: archives opened, files inside them scanned, encoded texts decoded, and what
    // was not unpacked by reason ("nested too deep", "encrypted", "compression ratio", ...).
    uint64_t archives = 0, archive_entries = 0, decoded = 0, skipped_depth = 0;
    std::vector<std::pair<std::string, uint64_t>> skipped_archive;  // by archive skip reason
    // --validate: distinct secrets tried and their outcomes (validate::Counts).
    struct Validation {
        uint64_t checked = 0, live = 0, revoked = 0, unknown = 0, error = 0;
    } validation;
    std::vector<std::pair<std::string, uint64_t>> unpack_skip_list() const;  // the non-zero ones
    uint64_t unpack_skips() const;
    nlohmann::json to_json() const;
};

struct RenderOptions {
    bool show_secrets = false;
    bool color = false;
    bool quiet = false;  // text: the findings only, no summary
    // text: list findings outside live code (tests, fixtures, docs, ...) one by one too; by
    // default each such context is one summary line, so the first screen is live code.
    bool all_contexts = false;
};

/// The version of the JSON and JSONL output contract (docs/schemas/); raised on a breaking change.
inline constexpr int kSchemaVersion = 1;

/// A validation outcome as the `validation` object of JSON, JSONL and SARIF properties:
/// status, checked_at, http_status, reason and the identity fields learned.
nlohmann::json validation_json(const db::Validation& v);
/// A validation outcome in words: "live (checked 2026-12-01T10:00:00Z, HTTP 200, login octo)",
/// "revoked (checked ..., HTTP 401)", "unknown (timeout, checked ...)"; "" when not validated.
std::string validation_note(const db::Validation& v);

/// One finding as the JSON object of the jsonl/json contract.
nlohmann::json finding_json(const db::Finding& f, const RenderOptions& o);

void render_text(std::ostream& out, const std::vector<db::Finding>& findings, const ScanSummary& s,
                 const RenderOptions& o);
void render_json(std::ostream& out, const std::vector<db::Finding>& findings, const ScanSummary& s,
                 const RenderOptions& o);
void render_jsonl(std::ostream& out, const std::vector<db::Finding>& findings, const RenderOptions& o);
struct SarifOptions {
    std::string uri_prefix;       // prepended to every URI (the scanned directory inside its repository)
    size_t max_results = 25000;   // GitHub code scanning rejects runs with more
};

/// SARIF 2.1.0 as GitHub code scanning accepts it: one rule entry per rule id seen,
/// partialFingerprints unique per result, URIs relative to %SRCROOT%, at most `max_results`
/// results (the most severe). Returns how many findings were left out.
size_t render_sarif(std::ostream& out, const std::vector<db::Finding>& findings, const std::vector<rules::Rule>& rules,
                    const SarifOptions& o);

/// "1 commit", "2 commits": `n` and the noun in the right number.
std::string count_of(uint64_t n, const std::string& one, const std::string& many);

/// "1.5 MiB"-style size.
std::string human_bytes(uint64_t n);

}  // namespace nhi::reports
