// AWS get-account-authorization-details: users and roles with their permissions, trust
// policies and tags. Policy documents arrive decoded (CLI) or percent-encoded (raw API).
#include "scanners/importers/parsers.hpp"

#include <map>
#include <optional>

#include "scanners/importers/common.hpp"

namespace nhi::scanners::importers {
namespace {

// A policy document as JSON, whether the export decoded it or left it percent-encoded.
nlohmann::json policy_document(const nlohmann::json& doc) {
    if (doc.is_object()) return doc;
    if (!doc.is_string()) return nullptr;
    auto decoded = percent_decode(doc.get<std::string>());
    auto j = nlohmann::json::parse(decoded, nullptr, /*allow_exceptions=*/false);
    return j.is_discarded() ? nlohmann::json() : j;
}

// Actions a document allows, as strings (Action may be a string or a list; NotAction is
// recorded with a "not:" prefix because it grants everything else).
void collect_actions(const nlohmann::json& doc, nlohmann::json& out) {
    if (!doc.is_object() || !doc.contains("Statement")) return;
    nlohmann::json st = doc["Statement"];
    if (st.is_object()) st = nlohmann::json::array({st});
    for (const auto& s : st) {
        if (!s.is_object() || str(s, "Effect") != "Allow") continue;
        for (const char* field : {"Action", "NotAction"}) {
            if (!s.contains(field)) continue;
            nlohmann::json a = s[field];
            if (a.is_string()) a = nlohmann::json::array({a});
            for (const auto& x : a)
                if (x.is_string()) out.push_back(std::string(field[0] == 'N' ? "not:" : "") + x.get<std::string>());
        }
    }
}

void permissions(const nlohmann::json& e, const char* inline_list, nlohmann::json& data) {
    nlohmann::json actions = nlohmann::json::array(), policies = nlohmann::json::array();
    if (e.contains(inline_list) && e[inline_list].is_array())
        for (const auto& p : e[inline_list]) {
            policies.push_back("inline:" + str(p, "PolicyName"));
            collect_actions(policy_document(p.value("PolicyDocument", nlohmann::json())), actions);
        }
    if (e.contains("AttachedManagedPolicies") && e["AttachedManagedPolicies"].is_array())
        for (const auto& p : e["AttachedManagedPolicies"]) policies.push_back(str(p, "PolicyArn"));
    data["policies"] = policies;
    data["actions"] = actions;
    if (e.contains("GroupList")) data["groups"] = e["GroupList"];
    if (e.contains("PermissionsBoundary"))
        data["permissions_boundary"] = e["PermissionsBoundary"].value("PermissionsBoundaryArn", "");
}

void owner_from_tags(const nlohmann::json& e, IdentityRecord& id) {
    if (!e.contains("Tags") || !e["Tags"].is_array()) return;
    nlohmann::json kv = nlohmann::json::object();
    for (const auto& t : e["Tags"]) kv[str(t, "Key")] = str(t, "Value");
    id.data["tags"] = kv;
    if (auto o = owner_tag(kv)) {
        id.owner = o->second;
        id.owner_source = "aws tag " + o->first;
    }
}

// What users and roles share: name, ARN, path, creation, permissions and owner tags.
std::optional<IdentityRecord> iam_entity(const nlohmann::json& e, const char* kind, const char* actor,
                                         const char* name_field, const char* key_prefix, const char* inline_list) {
    IdentityRecord id;
    id.provider = "aws";
    id.kind = kind;
    id.actor = actor;
    id.name = str(e, name_field);
    if (id.name.empty()) return std::nullopt;
    id.key = key_prefix + id.name;
    id.actor_known = std::string(kind) != "iam-user";  // users: only the credential report can tell people apart
    id.data["arn"] = str(e, "Arn");
    id.data["path"] = str(e, "Path");
    id.data["created"] = utc(e.value("CreateDate", nlohmann::json()));
    permissions(e, inline_list, id.data);
    owner_from_tags(e, id);
    return id;
}

}  // namespace

util::Expected<ImportBatch> parse_aws_authorization_details(std::string_view path, std::string_view content) {
    auto j = parse_json(path, content);
    if (!j) return j.error();
    if (!j->is_object() || (!j->contains("UserDetailList") && !j->contains("RoleDetailList")))
        return util::Error{std::string(path),
                           "no UserDetailList or RoleDetailList; not get-account-authorization-details output"};
    ImportBatch b;
    b.format = "aws-authorization-details";
    // What each group grants; its members get it too.
    std::map<std::string, nlohmann::json> groups;
    for (const auto& g : j->value("GroupDetailList", nlohmann::json::array())) {
        nlohmann::json data = nlohmann::json::object();
        permissions(g, "GroupPolicyList", data);
        groups[str(g, "GroupName")] = data;
    }
    const auto& list_u = j->value("UserDetailList", nlohmann::json::array());
    for (size_t at_u = 0; at_u < list_u.size(); ++at_u) {
        const auto& u = list_u[at_u];
        auto id = iam_entity(u, "iam-user", "service", "UserName", "aws:user/", "UserPolicyList");
        if (!id)
            return util::Error{std::string(path),
                               "entry " + std::to_string(at_u + 1) + ": a UserDetailList entry has no UserName"};
        for (const auto& g : u.value("GroupList", nlohmann::json::array()))
            if (auto it = g.is_string() ? groups.find(g.get<std::string>()) : groups.end(); it != groups.end()) {
                for (const auto& p : it->second["policies"])
                    id->data["policies"].push_back("group " + it->first + ": " + p.get<std::string>());
                for (const auto& a : it->second["actions"]) id->data["actions"].push_back(a);
            }
        b.identity(std::move(*id));
    }
    const auto& list_r = j->value("RoleDetailList", nlohmann::json::array());
    for (size_t at_r = 0; at_r < list_r.size(); ++at_r) {
        const auto& r = list_r[at_r];
        auto id = iam_entity(r, "iam-role", "workload", "RoleName", "aws:role/", "RolePolicyList");
        if (!id)
            return util::Error{std::string(path),
                               "entry " + std::to_string(at_r + 1) + ": a RoleDetailList entry has no RoleName"};
        id->data["service_linked"] = str(r, "Path").rfind("/aws-service-role/", 0) == 0;
        id->data["trust_policy"] = policy_document(r.value("AssumeRolePolicyDocument", nlohmann::json()));
        if (r.contains("RoleLastUsed") && r["RoleLastUsed"].is_object())
            id->data["last_used"] = utc(r["RoleLastUsed"].value("LastUsedDate", nlohmann::json()));
        id->data["revocation"] =
            "Detach/delete its policies (aws iam detach-role-policy / delete-role-policy), revoke "
            "sessions in the console, then aws iam delete-role --role-name " +
            id->name;
        b.identity(std::move(*id));
    }
    if (j->value("IsTruncated", false))
        b.warnings.push_back(std::string(path) + ": IsTruncated is true; this is one page");
    return b;
}

}  // namespace nhi::scanners::importers
