// GCP: service accounts, their keys, key files, and the project IAM policy.
// Service accounts are keyed by email (gcp:sa/EMAIL), keys by key id
// (gcp:sa-key/KEYID), which is also a key file's private_key_id: importing both
// joins them.
#include "scanners/importers/parsers.hpp"

#include "util/text.hpp"

namespace nhi::scanners::importers {
namespace {

IdentityRecord service_account(const std::string& email) {
    IdentityRecord id;
    id.provider = "gcp";
    id.kind = "service-account";
    id.actor = "workload";
    id.name = email;
    id.key = "gcp:sa/" + email;
    id.data["email"] = email;
    auto at = email.find('@');
    if (at != std::string::npos) {
        auto dot = email.find('.', at);
        id.data["project"] = email.substr(at + 1, dot == std::string::npos ? std::string::npos : dot - at - 1);
    }
    return id;
}

std::string key_revoke(const std::string& key_id, const std::string& email) {
    return "gcloud iam service-accounts keys disable " + util::shell_quote(key_id) +
           " --iam-account=" + util::shell_quote(email) + "  # or: keys delete";
}

}  // namespace

util::Status parse_gcp_service_accounts(std::string_view path, Input& in, ImportBatch& b) {
    b.format = "gcp-service-accounts";
    auto on_sa = [&](const std::string&, size_t at, const nlohmann::json& sa) -> util::Status {
        const std::string email = str(sa, "email");
        if (email.empty()) return skip(b, path, "entry " + std::to_string(at + 1), "a service account without `email`");
        IdentityRecord id = service_account(email);
        id.data["unique_id"] = str(sa, "uniqueId");
        id.data["display_name"] = str(sa, "displayName");
        id.data["status"] = sa.value("disabled", false) ? "disabled" : "enabled";  // omitted when false
        const std::string desc = str(sa, "description");
        if (!desc.empty()) id.data["description"] = desc;
        // Convention: owner=VALUE inside the free-text description.
        if (auto o = desc.find("owner="); o != std::string::npos) {
            auto end = desc.find_first_of(" ;,\n", o + 6);
            id.owner = desc.substr(o + 6, end == std::string::npos ? std::string::npos : end - o - 6);
            id.owner_source = "gcp description owner=";
        }
        id.data["google_managed"] = email.find("-compute@developer.gserviceaccount.com") != std::string::npos ||
                                    email.find("@appspot.gserviceaccount.com") != std::string::npos;
        id.data["revocation"] = "gcloud iam service-accounts disable " + util::shell_quote(email) + "  # or: delete";
        b.identity(std::move(id));
        return util::ok_status();
    };
    TRY_ASSIGN(auto top, in.walk({""}, on_sa, b));
    if (!top.is_array()) return util::Error{std::string(path), "expected a JSON list of service accounts"};
    return util::ok_status();
}

util::Status parse_gcp_service_account_keys(std::string_view path, Input& in, ImportBatch& b) {
    b.format = "gcp-service-account-keys";
    std::set<std::string> emails;
    auto on_key = [&](const std::string&, size_t at, const nlohmann::json& k) -> util::Status {
        const std::string name = str(k, "name");
        auto sa = name.find("/serviceAccounts/"), keys = name.find("/keys/");
        if (sa == std::string::npos || keys == std::string::npos || keys < sa)
            return skip(b, path, "entry " + std::to_string(at + 1),
                        "a key whose `name` is not "
                        "projects/P/serviceAccounts/EMAIL/keys/KEYID");
        const std::string email = name.substr(sa + 17, keys - sa - 17);
        const std::string key_id = name.substr(keys + 6), entry = "key " + key_id;
        // The key's holder, named before the key so that the key can be stored when the
        // service-account list has not been imported (yet). One list is one SA's keys.
        if (emails.insert(email).second) {
            IdentityRecord holder = service_account(email);
            holder.stub = true;
            b.identity(std::move(holder));
        }
        CredentialRecord c;
        c.identity_key = "gcp:sa/" + email;
        c.kind = "service-account-key";
        c.key = "gcp:sa-key/" + key_id;
        c.data["key_id"] = key_id;
        c.data["key_type"] = str(k, "keyType");
        c.data["key_origin"] = str(k, "keyOrigin");
        c.data["user_managed"] = str(k, "keyType") == "USER_MANAGED";
        c.data["created"] = date(b, path, entry, "validAfterTime", k.value("validAfterTime", nlohmann::json()));
        set_expiry(b, path, entry, c.data, k.value("validBeforeTime", nlohmann::json()));
        c.data["status"] = k.value("disabled", false) ? "disabled" : "enabled";
        if (k.contains("disableReason")) c.data["disable_reason"] = str(k, "disableReason");
        c.data["revocation"] = c.data["user_managed"].get<bool>()
                                   ? key_revoke(key_id, email)
                                   : "System-managed: Google rotates it; cannot be deleted";
        b.credential(std::move(c));
        return util::ok_status();
    };
    TRY_ASSIGN(auto top, in.walk({""}, on_key, b));
    if (!top.is_array()) return util::Error{std::string(path), "expected a JSON list of keys"};
    return util::ok_status();
}

util::Status parse_gcp_key_file(std::string_view path, Input& in, ImportBatch& b) {
    TRY_ASSIGN(auto j, in.document());
    if (str(j, "type") != "service_account" || str(j, "client_email").empty() || str(j, "private_key_id").empty())
        return util::Error{std::string(path), "not a service-account key file (type, client_email, private_key_id)"};
    b.format = "gcp-service-account-key-file";
    const std::string email = str(j, "client_email"), key_id = str(j, "private_key_id");
    IdentityRecord id = service_account(email);
    id.data["unique_id"] = str(j, "client_id");
    id.stub = true;  // a key file names its SA; the SA list describes it
    b.identity(std::move(id));
    CredentialRecord c;
    c.identity_key = "gcp:sa/" + email;
    c.kind = "service-account-key";
    c.key = "gcp:sa-key/" + key_id;
    c.data["key_id"] = key_id;
    c.data["user_managed"] = true;
    c.data["distributed_file"] = std::string(path);  // a key file on disk is a distributed credential
    c.data["revocation"] = key_revoke(key_id, email);
    b.credential(std::move(c));
    return util::ok_status();
}

util::Status parse_gcp_iam_policy(std::string_view path, Input& in, ImportBatch& b) {
    b.format = "gcp-iam-policy";
    // Each member's roles come from every binding that names it, so members are handed
    // over after the walk. A policy holds at most 1,500 members (a GCP limit), so this
    // stays small.
    std::map<std::string, IdentityRecord> seen;
    auto on_binding = [&](const std::string&, size_t, const nlohmann::json& binding) -> util::Status {
        const std::string role = str(binding, "role");
        for (const auto& m : binding.value("members", nlohmann::json::array())) {
            if (!m.is_string()) continue;
            std::string member = m.get<std::string>();
            bool deleted = member.rfind("deleted:", 0) == 0;
            if (deleted) member = member.substr(8);
            if (member.rfind("serviceAccount:", 0) != 0) continue;
            std::string email = member.substr(15);
            email = email.substr(0, email.find('?'));  // deleted:serviceAccount:EMAIL?uid=N
            auto it = seen.find(email);
            if (it == seen.end()) {
                IdentityRecord id = service_account(email);
                id.stub = true;  // a member is named by the policy; the SA list describes it
                id.data["roles"] = nlohmann::json::array();
                if (deleted) id.data["status"] = "deleted";
                id.data["google_agent"] =
                    email.rfind("service-", 0) == 0 && email.find("@gcp-sa-") != std::string::npos;
                it = seen.emplace(email, std::move(id)).first;
            }
            nlohmann::json grant = {{"role", role}};
            if (binding.contains("condition")) grant["condition"] = binding["condition"];
            it->second.data["roles"].push_back(grant);
        }
        return util::ok_status();
    };
    TRY_ASSIGN(auto top, in.walk({"bindings"}, on_binding, b));
    if (!top.is_object() || !top.contains("bindings") || !top["bindings"].is_array())
        return util::Error{std::string(path), "no `bindings` list; not get-iam-policy output"};
    for (auto& [email, id] : seen) b.identity(std::move(id));
    return util::ok_status();
}

}  // namespace nhi::scanners::importers
