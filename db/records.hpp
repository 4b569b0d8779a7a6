// What an importer produces from one export file: identities and the credentials they hold,
// as plain records. The datastore turns them into rows; importers never touch SQLite.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

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
};

struct CredentialRecord {
    std::string key;           // stable natural key
    std::string identity_key;  // the identity that holds it
    std::string kind;          // access-key, service-account-key, client-secret, certificate, token, ...
    nlohmann::json data = nlohmann::json::object();  // key_id, created, expires, last_used, status, revocation
};

struct ImportBatch {
    std::string format;
    std::vector<IdentityRecord> identities;
    std::vector<CredentialRecord> credentials;
    std::vector<std::string> warnings;

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
