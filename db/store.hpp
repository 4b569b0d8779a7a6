// Typed writes and reads of runs and findings.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "db/database.hpp"
#include "db/model.hpp"

namespace nhi::db {

/// Columns of a validation row aliased `v` (status, checked_at, http_status, reason, identity),
/// for a query that reads them with read_validation.
inline constexpr const char* kValidationColumns = "v.status, v.checked_at, v.http_status, v.reason, v.identity";
/// The validation outcome whose columns (kValidationColumns) start at `first`; not done() when
/// they are NULL (never checked).
Validation read_validation(const Statement& st, int first);

class Store {
public:
    explicit Store(Database& db) : db_(db) {}

    /// Records the start of a run; returns its id.
    util::Expected<int64_t> begin_run(const std::string& kind, const std::string& source,
                                      const std::string& rules_hash);
    /// Marks a run finished with its counters.
    util::Status finish_run(int64_t run, const std::string& status, const nlohmann::json& stats);

    /// Writes findings and their occurrences in one transaction, and each finding's validation
    /// outcome when it has one (never the secret). The plaintext secret is written only when
    /// `store_secrets` is true.
    util::Status record_findings(int64_t run, const std::vector<Finding>& findings, bool store_secrets);

    // --- live validation. Outcomes are keyed by (rule_id, secret_sha256) with history: a
    // re-check adds a row, the latest wins. ---

    /// Records one validation outcome of (rule_id, secret_sha256) at `run` (0: no run); an
    /// outcome already recorded (same status and time) is not added twice. Any part of the
    /// reason or identity that holds `secret` (when given) is replaced before it is stored.
    /// Does nothing for an outcome that is not done(); fails on SQLite errors.
    util::Status record_validation(int64_t run, const std::string& rule_id, const std::string& secret_sha256,
                                   const Validation& v, const std::string& secret = "");
    /// The latest outcome of (rule_id, secret_sha256), not done() when it was never checked.
    util::Expected<Validation> latest_validation(const std::string& rule_id, const std::string& secret_sha256);
    /// Every stored finding whose plaintext was kept (--store-secrets), once per path where it
    /// was last seen (line, column, fingerprint, commit of that occurrence), with its hints and
    /// latest validation: what `nhi validate` re-checks. Only the stored facts are filled in;
    /// the caller applies the rule (name, provider, severity). Ordered by path, line.
    util::Expected<std::vector<Finding>> kept_secrets();

    // --- git history. Object ids are the raw 20 bytes. ---

    /// A match stored for a blob, as a later run reads it back.
    struct StoredMatch {
        std::string rule_id, secret_sha256, redacted, secret;  // secret empty unless stored
        std::string inner, encoding;                           // as in Finding
        size_t line = 0, column = 0;
        nlohmann::json hints;
        Validation validation;  // the latest outcome of (rule_id, secret_sha256), if any
    };
    enum class BlobStatus { Scanned = 0, Binary = 1, TooLarge = 2, Unreadable = 3 };
    struct BlobRecord {
        std::string oid;
        uint64_t size = 0;
        BlobStatus status = BlobStatus::Scanned;
        std::vector<Finding> findings;
    };
    struct Origin {
        std::string oid, commit, path, author, author_email, date, committer;
    };
    struct OriginMatch {
        Origin origin;
        StoredMatch match;
    };
    struct Tip {
        std::string ref, commit;
    };
    struct KnownBlob {
        std::string oid;
        bool has_matches = false;
    };

    /// The small id of a rule set, created on first use.
    util::Expected<int64_t> rules_id(const std::string& rules_hash);
    /// Every blob scanned with rule set `rules`, in one query (a rescan checks them in memory).
    util::Expected<std::vector<KnownBlob>> known_blobs(int64_t rules);
    /// Writes scanned blobs with their findings (one transaction per call).
    util::Status record_blobs(int64_t run, int64_t rules, const std::vector<BlobRecord>& blobs, bool store_secrets);
    /// The matches stored for blob `oid` under rule set `rules`, by line; fails on SQLite errors.
    util::Expected<std::vector<StoredMatch>> blob_matches(const std::string& oid, int64_t rules);
    /// Every stored match of blobs that `repo` introduced, with their origin.
    util::Expected<std::vector<OriginMatch>> origin_matches(const std::string& repo, int64_t rules);
    /// Records where `repo` introduced each blob (the first origin is kept), in one transaction.
    util::Status record_origins(const std::string& repo, const std::vector<Origin>& origins);
    /// Ref tips of the last full scan of `repo` with `rules_hash` (empty if none).
    util::Expected<std::vector<Tip>> repo_tips(const std::string& repo, const std::string& rules_hash);
    /// Replaces the remembered ref tips of `repo`, in one transaction.
    util::Status set_repo_tips(const std::string& repo, const std::string& rules_hash, const std::vector<Tip>& tips);

    /// Number of rows in a table, for tests and summaries.
    util::Expected<int64_t> count(const std::string& table);

private:
    Database& db_;
};

}  // namespace nhi::db
