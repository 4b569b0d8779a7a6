// What an importer produces from one export file: identities and the credentials they hold,
// as plain records. The datastore turns them into rows; importers never touch SQLite: they
// hand records to a RecordSink as they read them.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/expected.hpp"

namespace nhi::db {

struct IdentityRecord {
    std::string key;       // stable natural key, the same in every export that names it
    std::string provider;  // aws, gcp, azure, kubernetes, github, mcp
    std::string kind;      // iam-user, iam-role, service-account, service-principal, mcp-server, ...
    std::string actor;     // service | workload | agent | bot | human
    bool actor_known = true;  // false: a default guess that must not overwrite another export's
    std::string name;
    nlohmann::json data = nlohmann::json::object();  // facts: created, last_used, status, scopes, ...
    std::string owner;         // from tags, labels, annotations or descriptions in the export
    std::string owner_source;  // e.g. "aws tag owner", "k8s label team"
    std::string owner_class = "export";  // export | codeowners | git-author: how strong the owner is
    // Only named by this export (a key's service account, a policy member, a token's service
    // account): created when the inventory lacks it and marked `known_only_from` until an export
    // that describes it arrives; it never overwrites the provider, kind, name or actor that one
    // set. Exports can then be imported in any order.
    bool stub = false;
};

struct CredentialRecord {
    std::string key;           // stable natural key
    std::string identity_key;  // the identity that holds it
    std::string kind;          // access-key, service-account-key, client-secret, certificate, token, ...
    nlohmann::json data = nlohmann::json::object();  // key_id, created, expires, last_used, status, revocation
    // Fields of `data` that only fill a gap: another export knows them better (the credential
    // report's revocation lacks the key id that list-access-keys fills in), so whichever file
    // comes last, the better value stays.
    std::vector<std::string> weak_fields;
};

/// Where an importer's records go as it reads them (the inventory, one transaction per file),
/// so memory follows one record, not the file.
class RecordSink {
public:
    virtual ~RecordSink() = default;
    /// Merges one identity; fails only on a datastore error (a refused record is a warning).
    virtual util::Status identity(const IdentityRecord& r) = 0;
    /// Merges one credential; its identity must have been handed over first (or be stored).
    virtual util::Status credential(const CredentialRecord& r) = 0;
    /// A warning naming an entry that was skipped or read in part.
    virtual void warning(const std::string& w) = 0;
};

struct ImportBatch {
    std::string format;
    std::vector<IdentityRecord> identities;    // with a sink: only those not yet handed over
    std::vector<CredentialRecord> credentials;
    std::vector<std::string> warnings;
    RecordSink* sink = nullptr;  // none: everything stays here (tests, scan discovery)

    /// Hands the pending records to the sink, identities first (a credential's holder must
    /// exist before it), then the warnings, and clears them; without a sink, keeps them.
    /// Fails when the sink does.
    util::Status flush() {
        if (!sink) return util::ok_status();
        for (const auto& r : identities) TRY(sink->identity(r));
        for (const auto& r : credentials) TRY(sink->credential(r));
        for (const auto& w : warnings) sink->warning(w);
        identities.clear();
        credentials.clear();
        warnings.clear();
        return util::ok_status();
    }

    IdentityRecord& identity(IdentityRecord r) {
        identities.push_back(std::move(r));
        return identities.back();
    }
    CredentialRecord& credential(CredentialRecord r) {
        credentials.push_back(std::move(r));
        return credentials.back();
    }
};

}  // namespace nhi::db
