// Entra ID applications and service principals (az ad app/sp list), and GitHub deploy keys,
// app installations and fine-grained PATs.
#include "scanners/importers/parsers.hpp"

#include "scanners/importers/common.hpp"

namespace nhi::scanners::importers {
namespace {

// passwordCredentials and keyCredentials of an app or SP; `on` is "app" or "sp".
void azure_credentials(const nlohmann::json& obj, const std::string& identity_key, const std::string& on,
                       const std::string& object_id, ImportBatch& b) {
    for (const char* list : {"passwordCredentials", "keyCredentials"}) {
        const bool secret = list[0] == 'p';
        for (const auto& c : obj.value(list, nlohmann::json::array())) {
            CredentialRecord r;
            r.identity_key = identity_key;
            r.kind = secret ? "client-secret" : "certificate";
            const std::string key_id = str(c, "keyId");
            r.key = "azure:" + on + "-credential/" + object_id + "/" + key_id;
            r.data["key_id"] = key_id;
            r.data["display_name"] = c.value("displayName", nlohmann::json());
            r.data["created"] = utc(c.value("startDateTime", nlohmann::json()));
            set_expiry(r.data, c.value("endDateTime", nlohmann::json()));
            if (!secret) r.data["usage"] = str(c, "usage");
            if (secret && c.value("hint", nlohmann::json()).is_string()) r.data["hint"] = str(c, "hint");
            r.data["revocation"] = on == "app" ? "az ad app credential delete --id " + str(obj, "appId") +
                                                     " --key-id " + key_id + (secret ? "" : " --cert")
                                               : "az ad sp credential delete --id " + object_id + " --key-id " +
                                                     key_id + (secret ? "" : " --cert");
            b.credential(std::move(r));
        }
    }
}

void azure_owner(const nlohmann::json& obj, IdentityRecord& id) {
    // Convention in list output: `notes` ("owner: x") or a tag "owner:x".
    const std::string notes = str(obj, "notes");
    if (auto at = notes.find("owner:"); at != std::string::npos) {
        std::string v = notes.substr(at + 6);
        v.erase(0, v.find_first_not_of(' '));
        id.owner = v.substr(0, v.find_first_of(" ;,\n"));
        id.owner_source = "azure notes owner:";
        return;
    }
    for (const auto& t : obj.value("tags", nlohmann::json::array()))
        if (t.is_string() && t.get<std::string>().rfind("owner:", 0) == 0) {
            id.owner = t.get<std::string>().substr(6);
            id.owner_source = "azure tag owner:";
        }
}

}  // namespace

util::Expected<ImportBatch> parse_azure_applications(std::string_view path, std::string_view content) {
    auto j = parse_json(path, content);
    if (!j) return j.error();
    if (!j->is_array()) return util::Error{std::string(path), "expected a JSON list (az ad app list)"};
    ImportBatch b;
    b.format = "azure-applications";
    const auto& list_app = *j;
    for (size_t at_app = 0; at_app < list_app.size(); ++at_app) {
        const auto& app = list_app[at_app];
        const std::string app_id = str(app, "appId");
        if (app_id.empty())
            return util::Error{std::string(path),
                               "entry " + std::to_string(at_app + 1) + ": an application without `appId`"};
        IdentityRecord id;
        id.provider = "azure";
        id.kind = "application";
        id.actor = "service";
        id.name = str(app, "displayName");
        id.key = "azure:app/" + app_id;
        id.data["app_id"] = app_id;
        id.data["object_id"] = str(app, "id");
        id.data["created"] = utc(app.value("createdDateTime", nlohmann::json()));
        id.data["required_resource_access"] = app.value("requiredResourceAccess", nlohmann::json::array());
        azure_owner(app, id);
        azure_credentials(app, id.key, "app", str(app, "id"), b);
        b.identity(std::move(id));
    }
    return b;
}

util::Expected<ImportBatch> parse_azure_service_principals(std::string_view path, std::string_view content) {
    auto j = parse_json(path, content);
    if (!j) return j.error();
    if (!j->is_array()) return util::Error{std::string(path), "expected a JSON list (az ad sp list)"};
    ImportBatch b;
    b.format = "azure-service-principals";
    const auto& list_sp = *j;
    for (size_t at_sp = 0; at_sp < list_sp.size(); ++at_sp) {
        const auto& sp = list_sp[at_sp];
        const std::string oid = str(sp, "id");
        if (oid.empty())
            return util::Error{std::string(path),
                               "entry " + std::to_string(at_sp + 1) + ": a service principal without `id`"};
        IdentityRecord id;
        id.provider = "azure";
        const bool managed = str(sp, "servicePrincipalType") == "ManagedIdentity";
        id.kind = managed ? "managed-identity" : "service-principal";
        id.actor = managed ? "workload" : "service";
        id.name = str(sp, "displayName");
        id.key = "azure:sp/" + oid;
        id.data["app_id"] = str(sp, "appId");
        id.data["status"] = sp.value("accountEnabled", true) ? "enabled" : "disabled";
        id.data["first_party"] = str(sp, "appOwnerOrganizationId") == "f8cdef31-a31e-4b4a-93e4-5f571e91255a";
        id.data["revocation"] = managed ? "Remove its role assignments (az role assignment delete --assignee " + oid +
                                              ") or turn the identity off on its resource"
                                        : "az ad sp update --id " + oid + " --set accountEnabled=false";
        azure_owner(sp, id);
        azure_credentials(sp, id.key, "sp", oid, b);
        b.identity(std::move(id));
    }
    return b;
}

util::Expected<ImportBatch> parse_github_deploy_keys(std::string_view path, std::string_view content) {
    auto j = parse_json(path, content);
    if (!j) return j.error();
    if (!j->is_array()) return util::Error{std::string(path), "expected a JSON list (GET /repos/{owner}/{repo}/keys)"};
    ImportBatch b;
    b.format = "github-deploy-keys";
    const auto& list_k = *j;
    for (size_t at_k = 0; at_k < list_k.size(); ++at_k) {
        const auto& k = list_k[at_k];
        if (!k.contains("id") || !k["id"].is_number())
            return util::Error{std::string(path),
                               "entry " + std::to_string(at_k + 1) + ": a deploy key without numeric `id`"};
        const std::string id_s = std::to_string(k["id"].get<int64_t>()), url = str(k, "url");
        std::string repo;  // owner/repo from .../repos/OWNER/REPO/keys/ID
        if (auto at = url.find("/repos/"); at != std::string::npos)
            repo = url.substr(at + 7, url.find("/keys/") - at - 7);
        IdentityRecord id;
        id.provider = "github";
        id.kind = "deploy-key";
        id.actor = "workload";
        id.name = repo + ": " + str(k, "title");
        id.key = "github:deploy-key/" + id_s;
        id.data["repository"] = repo;
        id.data["created"] = utc(k.value("created_at", nlohmann::json()));
        id.data["last_used"] = utc(k.value("last_used", nlohmann::json()));
        id.data["scopes"] = nlohmann::json::array({k.value("read_only", true) ? "read" : "write"});
        if (!str(k, "added_by").empty()) {
            id.owner = str(k, "added_by");
            id.owner_source = "github added_by";
        }
        CredentialRecord c;
        c.identity_key = id.key;
        c.kind = "ssh-deploy-key";
        c.key = "github:deploy-key-cred/" + id_s;
        c.data["key_id"] = id_s;
        c.data["created"] = id.data["created"];
        c.data["last_used"] = id.data["last_used"];
        c.data["never_expires"] = true;
        c.data["write"] = !k.value("read_only", true);
        c.data["revocation"] = "gh repo deploy-key delete " + id_s + " -R " + repo;
        b.credential(std::move(c));
        b.identity(std::move(id));
    }
    return b;
}

util::Expected<ImportBatch> parse_github_app_installations(std::string_view path, std::string_view content) {
    auto j = parse_json(path, content);
    if (!j) return j.error();
    if (!j->is_object() || !j->contains("installations") || !(*j)["installations"].is_array())
        return util::Error{std::string(path), "no `installations` list (GET /orgs/{org}/installations)"};
    ImportBatch b;
    b.format = "github-app-installations";
    const auto& list_in = (*j)["installations"];
    for (size_t at_in = 0; at_in < list_in.size(); ++at_in) {
        const auto& in = list_in[at_in];
        if (!in.contains("id") || !in["id"].is_number())
            return util::Error{std::string(path),
                               "entry " + std::to_string(at_in + 1) + ": an installation without numeric `id`"};
        const std::string id_s = std::to_string(in["id"].get<int64_t>());
        IdentityRecord id;
        id.provider = "github";
        id.kind = "app-installation";
        id.actor = "bot";
        id.name = str(in, "app_slug");
        id.key = "github:installation/" + id_s;
        id.data["app_id"] = in.value("app_id", nlohmann::json());
        id.data["created"] = utc(in.value("created_at", nlohmann::json()));
        id.data["permissions"] = in.value("permissions", nlohmann::json::object());
        id.data["repository_selection"] = str(in, "repository_selection");
        id.data["status"] = in.value("suspended_at", nlohmann::json()).is_null() ? "active" : "suspended";
        id.data["revocation"] = "Org settings > GitHub Apps > " + id.name +
                                " > Suspend or Uninstall (DELETE /app/installations/" + id_s + ")";
        b.identity(std::move(id));
    }
    return b;
}

util::Expected<ImportBatch> parse_github_fine_grained_pats(std::string_view path, std::string_view content) {
    auto j = parse_json(path, content);
    if (!j) return j.error();
    if (!j->is_array())
        return util::Error{std::string(path), "expected a JSON list (GET /orgs/{org}/personal-access-tokens)"};
    ImportBatch b;
    b.format = "github-fine-grained-pats";
    std::set<std::string> owners;
    const auto& list_t = *j;
    for (size_t at_t = 0; at_t < list_t.size(); ++at_t) {
        const auto& t = list_t[at_t];
        const std::string login = str(t.value("owner", nlohmann::json::object()), "login");
        if (login.empty() || !t.contains("id"))
            return util::Error{std::string(path),
                               "entry " + std::to_string(at_t + 1) + ": a token without id or owner.login"};
        const std::string pat = std::to_string(t["id"].get<int64_t>());
        if (owners.insert(login).second) {
            IdentityRecord id;
            id.provider = "github";
            id.kind = "user-with-pat";
            id.actor = "human";
            id.name = login;
            id.key = "github:user/" + login;
            id.owner = login;
            id.owner_source = "github token owner";
            b.identity(std::move(id));
        }
        CredentialRecord c;
        c.identity_key = "github:user/" + login;
        c.kind = "fine-grained-pat";
        c.key = "github:pat/" + pat;
        c.data["key_id"] = pat;
        c.data["name"] = str(t, "token_name");
        c.data["created"] = utc(t.value("access_granted_at", nlohmann::json()));
        c.data["last_used"] = utc(t.value("token_last_used_at", nlohmann::json()));
        if (t.value("token_expires_at", nlohmann::json()).is_null())
            c.data["never_expires"] = true;
        else
            set_expiry(c.data, t["token_expires_at"]);
        c.data["status"] = t.value("token_expired", false) ? "expired" : "active";
        c.data["permissions"] = t.value("permissions", nlohmann::json::object());
        c.data["repository_selection"] = str(t, "repository_selection");
        c.data["revocation"] = "POST /orgs/{org}/personal-access-tokens/" + pat + " with {\"action\":\"revoke\"}";
        b.credential(std::move(c));
    }
    return b;
}

}  // namespace nhi::scanners::importers
