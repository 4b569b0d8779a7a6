// Typed writes and reads of the inventory: identities, credentials, owners, annotations,
// links to scan findings, and their history across import runs.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <unordered_set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "db/database.hpp"
#include "db/model.hpp"
#include "db/records.hpp"

namespace nhi::db {

struct ApplyResult {
    int64_t run = 0;
    size_t identities = 0, credentials = 0;              // seen in the file
    size_t new_identities = 0, changed_identities = 0;
    size_t new_credentials = 0, changed_credentials = 0;
    size_t links = 0;                                    // new links to scan findings
    size_t skipped = 0;                                  // records refused (each has a warning)
    std::vector<std::string> warnings;                   // one per refused record, naming it
                                                         // (unless a warning callback took it)
};

class Statement;

/// One export file being merged into the inventory: records are written as the importer hands
/// them over, all inside one transaction, so memory does not grow with the file and nothing of
/// the file is kept unless finish() commits (destroying the session rolls back).
class ImportSession final : public RecordSink {
public:
    using WarningFn = std::function<void(const std::string&)>;
    /// Takes the write lock and records the run for `source`; warnings go to `on_warning` as
    /// they arise (none: into the result). Fails when the lock or SQLite does.
    static util::Expected<std::unique_ptr<ImportSession>> begin(Database& db, const std::string& source,
                                                                WarningFn on_warning = nullptr);
    ~ImportSession() override;

    /// Merges one identity; a record too deep to store is a warning. Fails on SQLite errors.
    util::Status identity(const IdentityRecord& rec) override;
    /// Merges one credential; one whose identity is not stored is a warning. Fails on SQLite errors.
    util::Status credential(const CredentialRecord& rec) override;
    void warning(const std::string& w) override;

    /// Links scan findings, counts what the run saw, records `format` and commits; fails (and
    /// keeps nothing) when SQLite does.
    util::Expected<ApplyResult> finish(const std::string& format);

private:
    struct Writers;  // the statements, prepared once per file
    ImportSession(Database& db, const std::string& source, WarningFn on_warning);
    util::Status record_owner(int64_t id, const IdentityRecord& rec);
    util::Expected<int64_t> holder(const CredentialRecord& rec);
    util::Status count_run(ApplyResult& r);

    Database& db_;
    std::string source_;
    WarningFn on_warning_;
    std::unique_ptr<Writers> w_;
    ApplyResult r_;
    std::unordered_set<std::string> refused_;  // identities refused (too deep): their credentials go too
};

struct OwnerInfo {
    std::string owner, source, detail;  // source: explicit | export | codeowners | git-author
};

struct CredentialRow {
    int64_t id = 0;
    std::string key, kind;
    std::string data_text;                     // the stored JSON, as text
    nlohmann::json data;                       // parsed, when load() was asked to
    std::string status, expires, last_used;    // the facts lists and filters need
    bool never_expires = false;
    std::vector<int64_t> findings;  // linked scan findings
    std::vector<Validation> validations;  // parallel to findings: each one's latest outcome (not done(): never checked)
    std::vector<int64_t> reused_by;  // other credentials holding the same secret or key id (reuse)
    std::vector<std::string> exposed_at;  // distinct paths where its linked findings were seen
};

struct IdentityRow {
    int64_t id = 0;
    std::string key, provider, kind, actor, name;
    std::string data_text;           // the stored JSON, as text
    nlohmann::json data;             // parsed, when load() was asked to
    std::string created, last_used;  // the facts lists and filters need
    std::optional<OwnerInfo> owner;   // the strongest source
    std::vector<OwnerInfo> owners;    // every source, strongest first
    std::vector<CredentialRow> credentials;
    std::vector<std::string> sources; // files that described it
    int64_t first_run = 0, changed_run = 0;
    nlohmann::json annotations;  // an array once there is one; null (none) avoids an allocation per row
    // Identities this one acts as or through: a k8s SA's IAM role (IRSA) or GCP SA (GKE
    // workload identity), and back.
    std::vector<std::pair<int64_t, std::string>> related;  // (identity id, relation)
};

class Inventory {
public:
    explicit Inventory(Database& db) : db_(db) {}

    /// Records one import as a run and merges its records (identities first), all in one
    /// transaction (an ImportSession): a failure leaves the datastore as it was. Re-applying
    /// the same batch changes nothing but the run log.
    util::Expected<ApplyResult> apply(const db::ImportBatch& batch, const std::string& source);

    /// How much of each entity's stored JSON load() returns: only the extracted facts
    /// (created, last used, expiry, status), also its text, or also the parsed tree. Listing
    /// 100,000 identities must not build 100,000 JSON trees.
    enum class Detail { Facts, Text, Parsed };

    /// Every identity with owners, credentials and links; `as_of_run` rebuilds the state as
    /// it stood after that run (0 = now).
    util::Expected<std::vector<IdentityRow>> load(int64_t as_of_run = 0, Detail detail = Detail::Parsed);

    /// The identity a numeric id, natural key or name names; fails when none does, or when a
    /// name (no id or key) names several, listing their ids, providers and keys.
    util::Expected<int64_t> resolve(const std::string& id_or_key);

    /// Sets the explicit owner of an identity (the strongest source) as a run of kind set-owner,
    /// ending the explicit owner before it at that run; fails on SQLite errors.
    util::Status set_owner(int64_t identity, const std::string& owner);
    /// Adds an annotation (accepted-risk, false-positive, note; `expires` may be empty) as a run
    /// of kind annotate: load() as of an earlier run leaves it out.
    util::Status annotate(int64_t identity, const std::string& kind, const std::string& reason,
                          const std::string& expires);

    /// Versions of one identity, oldest first: (run id, run time, data).
    util::Expected<std::vector<std::tuple<int64_t, std::string, nlohmann::json>>> history(int64_t identity);

    /// Where scanned code names this identity (its ARN or service-account e-mail, found by a
    /// reference rule): distinct (path, line), as of `as_of_run` (0 = now).
    struct CodeReference {
        std::string path;
        int64_t line = 0;
    };
    util::Expected<std::vector<CodeReference>> code_references(const IdentityRow& row, int64_t as_of_run = 0);

    /// Joins scan findings to credentials (key id or literal secret hashes), and live-validated
    /// findings to the identity their outcome names (ARN, login, e-mail), creating it marked
    /// known_only_from ["validation"] when the inventory lacks it. Returns new links; fails on
    /// SQLite errors.
    util::Expected<size_t> relink();

    /// When a run started (UTC text), or "" for an unknown run.
    util::Expected<std::string> run_time(int64_t run);
    /// The latest run of any kind that started at or before `time` (ISO 8601 UTC), or 0.
    util::Expected<int64_t> run_at(const std::string& time);
    /// The latest run of `kind` (e.g. "review"), or 0.
    util::Expected<int64_t> latest_run(const std::string& kind);
    /// Records a run of `kind` (a review) with its stats (JSON, may be null) and returns its id.
    util::Expected<int64_t> record_run(const std::string& kind, const std::string& source,
                                       const nlohmann::json& stats = nullptr);
    struct RunInfo {
        int64_t id = 0;
        std::string kind, source, time;
        nlohmann::json stats;  // null when the run recorded none
    };
    /// Every run of `kind`, oldest first.
    util::Expected<std::vector<RunInfo>> runs(const std::string& kind);
    /// The run in which each scan finding was first seen.
    util::Expected<std::map<int64_t, int64_t>> finding_first_runs();

    /// Weak owner signals for identities whose credentials run `run` found exposed: the
    /// CODEOWNERS entry for the file (`codeowners(path)`, empty for none) and the git author
    /// who introduced it.
    util::Status owners_from_findings(int64_t run, const std::function<std::string(const std::string&)>& codeowners);

private:
    Database& db_;
};

}  // namespace nhi::db
