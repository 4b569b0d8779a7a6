// AWS get-account-authorization-details: users and roles with their
// permissions, trust policies and tags. Policy documents arrive decoded (CLI)
// or percent-encoded (raw API).
#include "scanners/importers/parsers.hpp"

#include <map>
#include <optional>

#include "util/text.hpp"

namespace nhi::scanners::importers {
namespace {

// A policy document as JSON, whether the export decoded it or left it
// percent-encoded.
nlohmann::json policy_document(const nlohmann::json& doc) {
    if (doc.is_object()) return doc;
    if (!doc.is_string()) return nullptr;
    auto decoded = percent_decode(doc.get<std::string>());
    // The same limits as the export itself: a document is input too.
    auto j = parse_json("policy document", decoded);
    return j ? std::move(*j) : nlohmann::json();
}

// Actions a document allows, as strings (Action may be a string or a list;
// NotAction is recorded with a "not:" prefix because it grants everything
// else).
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

// What users and roles share: name, ARN, path, creation, permissions and owner
// tags.
std::optional<IdentityRecord> iam_entity(const nlohmann::json& e, const char* kind, const char* actor,
                                         const char* name_field, const char* key_prefix, const char* inline_list,
                                         ImportBatch& b, std::string_view path) {
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
    id.data["created"] =
        date(b, path, std::string(kind) + " " + id.name, "CreateDate", e.value("CreateDate", nlohmann::json()));
    permissions(e, inline_list, id.data);
    owner_from_tags(e, id);
    return id;
}

// Adds what the groups in `list` grant to a user's policies and actions.
void add_groups(const nlohmann::json& list, const std::map<std::string, nlohmann::json>& groups, nlohmann::json& data) {
    for (const auto& g : list)
        if (auto it = g.is_string() ? groups.find(g.get<std::string>()) : groups.end(); it != groups.end()) {
            for (const auto& p : it->second["policies"])
                data["policies"].push_back("group " + it->first + ": " + p.get<std::string>());
            for (const auto& a : it->second["actions"]) data["actions"].push_back(a);
        }
}

}  // namespace

util::Status parse_aws_authorization_details(std::string_view path, Input& in, ImportBatch& b) {
    b.format = "aws-authorization-details";
    const std::set<std::string> lists = {"UserDetailList", "RoleDetailList", "GroupDetailList", "Policies"};
    // What each group grants; its members get it too. Groups may come after their
    // members (key order means nothing; the CLI writes users first), so a first walk
    // keeps only the groups (an account holds at most a few hundred) and the second
    // hands each user and role over as soon as it is read.
    std::map<std::string, nlohmann::json> groups;
    auto on_group = [&](const std::string& list, size_t, const nlohmann::json& e) -> util::Status {
        if (list != "GroupDetailList") return util::ok_status();
        nlohmann::json data = nlohmann::json::object();
        permissions(e, "GroupPolicyList", data);
        groups[str(e, "GroupName")] = data;
        return util::ok_status();
    };
    TRY_ASSIGN(auto top, in.walk(lists, on_group, b));
    if (!top.is_object() || (!top.contains("UserDetailList") && !top.contains("RoleDetailList")))
        return util::Error{std::string(path),
                           "no UserDetailList or RoleDetailList; not "
                           "get-account-authorization-details output"};
    auto on_record = [&](const std::string& list, size_t at, const nlohmann::json& e) -> util::Status {
        const std::string entry = list + " entry " + std::to_string(at + 1);
        if (list == "UserDetailList") {
            auto id = iam_entity(e, "iam-user", "service", "UserName", "aws:user/", "UserPolicyList", b, path);
            if (!id) return skip(b, path, entry, "no UserName");
            if (e.contains("GroupList") && e["GroupList"].is_array()) add_groups(e["GroupList"], groups, id->data);
            b.identity(std::move(*id));
        } else if (list == "RoleDetailList") {
            auto id = iam_entity(e, "iam-role", "workload", "RoleName", "aws:role/", "RolePolicyList", b, path);
            if (!id) return skip(b, path, entry, "no RoleName");
            id->data["service_linked"] = str(e, "Path").rfind("/aws-service-role/", 0) == 0;
            id->data["trust_policy"] = policy_document(e.value("AssumeRolePolicyDocument", nlohmann::json()));
            if (e.contains("RoleLastUsed") && e["RoleLastUsed"].is_object())
                id->data["last_used"] = date(b, path, "iam-role " + id->name, "RoleLastUsed.LastUsedDate",
                                             e["RoleLastUsed"].value("LastUsedDate", nlohmann::json()));
            id->data["revocation"] = "aws iam delete-role --role-name " + util::shell_quote(id->name) +
                                     "  # first detach/delete its policies (aws iam "
                                     "detach-role-policy / delete-role-policy) and "
                                     "revoke its sessions in the console";
            b.identity(std::move(*id));
        }
        // Groups were read in the first walk; Policies are managed policy versions, not
        // identities; both are walked past one at a time.
        return util::ok_status();
    };
    TRY(in.walk(lists, on_record, b));
    if (top.value("IsTruncated", false))
        b.warnings.push_back(std::string(path) + ": IsTruncated is true; this is one page");
    return util::ok_status();
}

}  // namespace nhi::scanners::importers
