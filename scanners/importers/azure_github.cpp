// Entra ID applications and service principals (az ad app/sp list), and GitHub
// deploy keys, app installations and fine-grained PATs. Lists are walked one
// record at a time.
#include "scanners/importers/parsers.hpp"

#include "util/text.hpp"

namespace nhi::scanners::importers {
namespace {

using json = nlohmann::json;
using util::shell_quote;

std::string entry_name(size_t at, const std::string& what) {
    return "entry " + std::to_string(at + 1) + (what.empty() ? "" : " (" + what + ")");
}

// passwordCredentials and keyCredentials of an app or SP; `on` is "app" or
// "sp".
void azure_credentials(const json& obj, const std::string& identity_key, const std::string& on,
                       const std::string& object_id, const std::string& entry, std::string_view path, ImportBatch& b) {
    for (const char* list : {"passwordCredentials", "keyCredentials"}) {
        const bool secret = list[0] == 'p';
        const json creds = obj.contains(list) && obj[list].is_array() ? obj[list] : json::array();
        for (const auto& c : creds) {
            CredentialRecord r;
            r.identity_key = identity_key;
            r.kind = secret ? "client-secret" : "certificate";
            const std::string key_id = str(c, "keyId");
            const std::string where = entry + " " + list + " " + key_id;
            r.key = "azure:" + on + "-credential/" + object_id + "/" + key_id;
            r.data["key_id"] = key_id;
            r.data["display_name"] = c.value("displayName", json());
            r.data["created"] = date(b, path, where, "startDateTime", c.value("startDateTime", json()));
            set_expiry(b, path, where, r.data, c.value("endDateTime", json()));
            if (!secret) r.data["usage"] = str(c, "usage");
            if (secret && c.value("hint", json()).is_string()) r.data["hint"] = str(c, "hint");
            r.data["revocation"] = on == "app" ? "az ad app credential delete --id " + shell_quote(str(obj, "appId")) +
                                                     " --key-id " + shell_quote(key_id) + (secret ? "" : " --cert")
                                               : "az ad sp credential delete --id " + shell_quote(object_id) +
                                                     " --key-id " + shell_quote(key_id) + (secret ? "" : " --cert");
            b.credential(std::move(r));
        }
    }
}

void azure_owner(const json& obj, IdentityRecord& id) {
    // Convention in list output: `notes` ("owner: x") or a tag "owner:x".
    const std::string notes = str(obj, "notes");
    if (auto at = notes.find("owner:"); at != std::string::npos) {
        std::string v = notes.substr(at + 6);
        v.erase(0, v.find_first_not_of(' '));
        id.owner = v.substr(0, v.find_first_of(" ;,\n"));
        id.owner_source = "azure notes owner:";
        return;
    }
    if (!obj.contains("tags") || !obj["tags"].is_array()) return;
    for (const auto& t : obj["tags"])
        if (t.is_string() && t.get<std::string>().rfind("owner:", 0) == 0) {
            id.owner = t.get<std::string>().substr(6);
            id.owner_source = "azure tag owner:";
        }
}

// The list a format walks is the document itself; anything else is the wrong
// export.
util::Status expect_list(const json& top, std::string_view path, const char* what) {
    if (top.is_array()) return util::ok_status();
    return util::Error{std::string(path), std::string("expected a JSON list (") + what + ")"};
}

}  // namespace

util::Status parse_azure_applications(std::string_view path, Input& in, ImportBatch& b) {
    b.format = "azure-applications";
    auto on_app = [&](const std::string&, size_t at, const json& app) -> util::Status {
        const std::string app_id = str(app, "appId");
        const std::string entry = entry_name(at, str(app, "displayName"));
        if (app_id.empty()) return skip(b, path, entry, "an application without `appId`");
        IdentityRecord id;
        id.provider = "azure";
        id.kind = "application";
        id.actor = "service";
        id.name = str(app, "displayName");
        id.key = "azure:app/" + app_id;
        id.data["app_id"] = app_id;
        id.data["object_id"] = str(app, "id");
        id.data["created"] = date(b, path, entry, "createdDateTime", app.value("createdDateTime", json()));
        id.data["required_resource_access"] = app.value("requiredResourceAccess", json::array());
        // web.implicitGrantSettings: tokens handed out by the implicit grant (reports: implicit-grant).
        const json web = app.value("web", json::object());
        if (web.is_object() && web.contains("implicitGrantSettings") && web["implicitGrantSettings"].is_object()) {
            const json& ig = web["implicitGrantSettings"];
            auto on = [&](const char* k) { return ig.contains(k) && ig[k].is_boolean() && ig[k].get<bool>(); };
            id.data["implicit_grant"] = {{"access_token", on("enableAccessTokenIssuance")},
                                         {"id_token", on("enableIdTokenIssuance")}};
        }
        azure_owner(app, id);
        azure_credentials(app, id.key, "app", str(app, "id"), entry, path, b);
        b.identity(std::move(id));
        return util::ok_status();
    };
    TRY_ASSIGN(auto top, in.walk({""}, on_app, b));
    TRY(expect_list(top, path, "az ad app list"));
    return util::ok_status();
}

util::Status parse_azure_service_principals(std::string_view path, Input& in, ImportBatch& b) {
    b.format = "azure-service-principals";
    auto on_sp = [&](const std::string&, size_t at, const json& sp) -> util::Status {
        const std::string oid = str(sp, "id");
        const std::string entry = entry_name(at, str(sp, "displayName"));
        if (oid.empty()) return skip(b, path, entry, "a service principal without `id`");
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
        id.data["revocation"] = managed ? "az role assignment delete --assignee " + shell_quote(oid) +
                                              "  # remove its role assignments, or turn the identity "
                                              "off on its resource"
                                        : "az ad sp update --id " + shell_quote(oid) + " --set accountEnabled=false";
        azure_owner(sp, id);
        azure_credentials(sp, id.key, "sp", oid, entry, path, b);
        b.identity(std::move(id));
        return util::ok_status();
    };
    TRY_ASSIGN(auto top, in.walk({""}, on_sp, b));
    TRY(expect_list(top, path, "az ad sp list"));
    return util::ok_status();
}

util::Status parse_azure_sp_owners(std::string_view path, Input& in, ImportBatch& b) {
    // No az command writes this file: it is `az ad sp owner list --id ID` for each service
    // principal, gathered as {"<SP object id>": [<that output>], ...} (README, Inventory).
    b.format = "azure-sp-owners";
    auto on_sp = [&](const std::string& sp_id, size_t at, const json& owners) -> util::Status {
        const std::string entry = sp_id.empty() ? entry_name(at, "") : "service principal " + sp_id;
        if (sp_id.empty() || !owners.is_array())
            return skip(b, path, entry, "not an id with a list of owners (az ad sp owner list output)");
        IdentityRecord id;
        id.provider = "azure";
        id.kind = "service-principal";
        id.actor = "service";
        id.name = sp_id;
        id.key = "azure:sp/" + sp_id;
        id.stub = true;  // the SP list describes it; this file only names its owners
        json names = json::array();
        for (const auto& o : owners)
            for (const char* field : {"userPrincipalName", "mail", "displayName", "id"})
                if (!str(o, field).empty()) {
                    names.push_back(str(o, field));
                    break;
                }
        id.data["owners"] = names;
        if (!names.empty()) {
            id.owner = names.front().get<std::string>();
            id.owner_source = "azure sp owner list";
        }
        b.identity(std::move(id));
        return util::ok_status();
    };
    TRY_ASSIGN(auto top, in.walk({kEveryMember}, on_sp, b));
    if (!top.is_object())
        return util::Error{std::string(path),
                           "expected a JSON object of service-principal ids to `az ad sp owner list` output"};
    return util::ok_status();
}

util::Status parse_github_deploy_keys(std::string_view path, Input& in, ImportBatch& b) {
    b.format = "github-deploy-keys";
    auto on_key = [&](const std::string&, size_t at, const json& k) -> util::Status {
        auto id_s = id_text(k.value("id", json()));
        if (!id_s)
            return skip(b, path, entry_name(at, str(k, "title")), "a deploy key without an integer `id` in range");
        const std::string url = str(k, "url"), entry = "deploy key " + *id_s;
        std::string repo;  // owner/repo from .../repos/OWNER/REPO/keys/ID
        if (auto at_r = url.find("/repos/"), keys = url.find("/keys/");
            at_r != std::string::npos && keys != std::string::npos && keys > at_r)
            repo = url.substr(at_r + 7, keys - at_r - 7);
        IdentityRecord id;
        id.provider = "github";
        id.kind = "deploy-key";
        id.actor = "workload";
        id.name = repo + ": " + str(k, "title");
        id.key = "github:deploy-key/" + *id_s;
        id.data["repository"] = repo;
        id.data["created"] = date(b, path, entry, "created_at", k.value("created_at", json()));
        id.data["last_used"] = date(b, path, entry, "last_used", k.value("last_used", json()));
        id.data["scopes"] = json::array({k.value("read_only", true) ? "read" : "write"});
        if (!str(k, "added_by").empty()) {
            id.owner = str(k, "added_by");
            id.owner_source = "github added_by";
        }
        CredentialRecord c;
        c.identity_key = id.key;
        c.kind = "ssh-deploy-key";
        c.key = "github:deploy-key-cred/" + *id_s;
        c.data["key_id"] = *id_s;
        c.data["created"] = id.data["created"];
        c.data["last_used"] = id.data["last_used"];
        c.data["never_expires"] = true;
        c.data["write"] = !k.value("read_only", true);
        c.data["revocation"] = "gh repo deploy-key delete " + shell_quote(*id_s) + " -R " + shell_quote(repo);
        b.credential(std::move(c));
        b.identity(std::move(id));
        return util::ok_status();
    };
    TRY_ASSIGN(auto top, in.walk({""}, on_key, b));
    TRY(expect_list(top, path, "GET /repos/{owner}/{repo}/keys"));
    return util::ok_status();
}

util::Status parse_github_app_installations(std::string_view path, Input& in, ImportBatch& b) {
    b.format = "github-app-installations";
    auto on_inst = [&](const std::string&, size_t at, const json& inst) -> util::Status {
        auto id_s = id_text(inst.value("id", json()));
        if (!id_s)
            return skip(b, path, "installations " + entry_name(at, str(inst, "app_slug")),
                        "an installation without an integer `id` in range");
        IdentityRecord id;
        id.provider = "github";
        id.kind = "app-installation";
        id.actor = "bot";
        id.name = str(inst, "app_slug");
        id.key = "github:installation/" + *id_s;
        const json app_id = inst.value("app_id", json());
        if (id_text(app_id))
            id.data["app_id"] = app_id;
        else if (!app_id.is_null())
            b.warnings.push_back(
                warn(path, "installation " + *id_s + ": `app_id` is not an integer in range; imported without it"));
        id.data["created"] = date(b, path, "installation " + *id_s, "created_at", inst.value("created_at", json()));
        id.data["permissions"] = inst.value("permissions", json::object());
        id.data["repository_selection"] = str(inst, "repository_selection");
        id.data["status"] = inst.value("suspended_at", json()).is_null() ? "active" : "suspended";
        id.data["revocation"] = "Org settings > GitHub Apps > " + id.name +
                                " > Suspend or Uninstall (DELETE /app/installations/" + *id_s + ")";
        b.identity(std::move(id));
        return util::ok_status();
    };
    TRY_ASSIGN(auto top, in.walk({"installations"}, on_inst, b));
    if (!top.is_object() || !top.contains("installations") || !top["installations"].is_array())
        return util::Error{std::string(path), "no `installations` list (GET /orgs/{org}/installations)"};
    return util::ok_status();
}

util::Status parse_github_fine_grained_pats(std::string_view path, Input& in, ImportBatch& b) {
    b.format = "github-fine-grained-pats";
    std::set<std::string> owners;
    auto on_token = [&](const std::string&, size_t at, const json& t) -> util::Status {
        const std::string login = str(t.value("owner", json::object()), "login");
        auto pat = id_text(t.value("id", json()));
        if (login.empty() || !pat)
            return skip(b, path, entry_name(at, str(t, "token_name")),
                        "a token without an integer id in range or owner.login");
        const std::string entry = "token " + *pat;
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
        c.key = "github:pat/" + *pat;
        c.data["key_id"] = *pat;
        c.data["name"] = str(t, "token_name");
        c.data["created"] = date(b, path, entry, "access_granted_at", t.value("access_granted_at", json()));
        c.data["last_used"] = date(b, path, entry, "token_last_used_at", t.value("token_last_used_at", json()));
        if (t.value("token_expires_at", json()).is_null())
            c.data["never_expires"] = true;
        else
            set_expiry(b, path, entry, c.data, t["token_expires_at"]);
        c.data["status"] = t.value("token_expired", false) ? "expired" : "active";
        c.data["permissions"] = t.value("permissions", json::object());
        c.data["repository_selection"] = str(t, "repository_selection");
        c.data["revocation"] = "POST /orgs/{org}/personal-access-tokens/" + *pat + " with {\"action\":\"revoke\"}";
        b.credential(std::move(c));
        return util::ok_status();
    };
    TRY_ASSIGN(auto top, in.walk({""}, on_token, b));
    TRY(expect_list(top, path, "GET /orgs/{org}/personal-access-tokens"));
    return util::ok_status();
}

}  // namespace nhi::scanners::importers
