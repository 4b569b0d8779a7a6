// Kubernetes `kubectl get
// serviceaccounts,secrets,rolebindings,clusterrolebindings -A -o json`.
// ServiceAccounts are identities; legacy token Secrets their credentials;
// bindings become each SA's roles. Secret data is never copied: only which key
// holds what. Items are walked one at a time (a cluster's list can be hundreds
// of megabytes); bindings are resolved after the walk because an SA may come
// after the binding that names it.
#include "scanners/importers/parsers.hpp"

#include "util/text.hpp"

namespace nhi::scanners::importers {
namespace {

using json = nlohmann::json;

json member(const json& j, const char* key, json fallback) {
    if (!j.is_object()) return fallback;
    auto it = j.find(key);
    return it != j.end() && it->type() == fallback.type() ? *it : fallback;
}

struct Grant {
    std::string target, kind,
        name;  // SA ns/name (or a namespace for a group), binding kind and name
    bool group = false;
    json grant;
};

}  // namespace

util::Expected<ImportBatch> parse_k8s_list(std::string_view path, Input& in) {
    ImportBatch b;
    b.format = "k8s-list";
    std::map<std::string, size_t> sa_index;
    std::vector<Grant> grants;
    auto on_item = [&](const std::string&, size_t at, const json& item) -> util::Status {
        const json m = member(item, "metadata", json::object());
        const std::string kind = str(item, "kind"), ns = str(m, "namespace"), name = str(m, "name");
        const json ann = member(m, "annotations", json::object()), labels = member(m, "labels", json::object());
        const std::string entry = "items entry " + std::to_string(at + 1) + " (" + kind + " " + ns + "/" + name + ")";
        if (kind == "ServiceAccount") {
            if (name.empty()) return skip(b, path, entry, "a ServiceAccount without metadata.name");
            IdentityRecord id;
            id.provider = "kubernetes";
            id.kind = "service-account";
            id.actor = "workload";
            id.name = ns + "/" + name;
            id.key = "k8s:sa/" + ns + "/" + name;
            id.data["namespace"] = ns;
            id.data["uid"] = str(m, "uid");
            id.data["created"] =
                date(b, path, entry, "metadata.creationTimestamp", m.value("creationTimestamp", json()));
            id.data["roles"] = json::array();
            if (auto o = owner_tag(ann)) {
                id.owner = o->second;
                id.owner_source = "k8s annotation " + o->first;
            } else if (auto l = owner_tag(labels)) {
                id.owner = l->second;
                id.owner_source = "k8s label " + l->first;
            }
            if (!str(ann, "eks.amazonaws.com/role-arn").empty())
                id.data["aws_role_arn"] = str(ann, "eks.amazonaws.com/role-arn");
            if (!str(ann, "iam.gke.io/gcp-service-account").empty())
                id.data["gcp_service_account"] = str(ann, "iam.gke.io/gcp-service-account");
            if (item.contains("automountServiceAccountToken") && item["automountServiceAccountToken"].is_boolean())
                id.data["automount_token"] = item["automountServiceAccountToken"];
            id.data["revocation"] =
                "kubectl delete serviceaccount " + util::shell_quote(name) + " -n " + util::shell_quote(ns);
            if (!sa_index.count(ns + "/" + name)) {
                sa_index[ns + "/" + name] = b.identities.size();
                b.identity(std::move(id));
            }
        } else if (kind == "Secret" && str(item, "type") == "kubernetes.io/service-account-token") {
            const std::string sa = str(ann, "kubernetes.io/service-account.name");
            CredentialRecord c;
            c.identity_key = "k8s:sa/" + ns + "/" + sa;
            c.kind = "service-account-token";
            c.key = "k8s:secret/" + ns + "/" + name;
            c.data["created"] =
                date(b, path, entry, "metadata.creationTimestamp", m.value("creationTimestamp", json()));
            c.data["legacy"] = true;
            c.data["never_expires"] = true;
            if (labels.contains("kubernetes.io/legacy-token-last-used"))
                c.data["last_used"] = date(b, path, entry, "kubernetes.io/legacy-token-last-used",
                                           labels["kubernetes.io/legacy-token-last-used"]);
            c.data["status"] = labels.contains("kubernetes.io/legacy-token-invalid-since") ? "invalid" : "active";
            c.data["revocation"] = "kubectl delete secret " + util::shell_quote(name) + " -n " + util::shell_quote(ns);
            b.credential(std::move(c));
        } else if (kind == "Secret") {
            // Not a credential of an SA, but say so if the last-applied annotation
            // leaks plaintext.
            if (str(ann, "kubectl.kubernetes.io/last-applied-configuration").find("stringData") != std::string::npos)
                b.warnings.push_back(warn(path, "secret " + ns + "/" + name +
                                                    " has plaintext stringData in its "
                                                    "last-applied-configuration annotation"));
        } else if (kind == "RoleBinding" || kind == "ClusterRoleBinding") {
            const json ref = member(item, "roleRef", json::object());
            for (const auto& s : member(item, "subjects", json::array())) {
                Grant g;
                g.kind = kind;
                g.name = name;
                g.grant = {{"binding", kind + " " + (ns.empty() ? "" : ns + "/") + name},
                           {"role", str(ref, "kind") + "/" + str(ref, "name")}};
                if (str(s, "kind") == "ServiceAccount") {
                    g.target = str(s, "namespace") + "/" + str(s, "name");
                } else if (str(s, "kind") == "Group" && str(s, "name").rfind("system:serviceaccounts:", 0) == 0) {
                    g.target = str(s, "name").substr(23);
                    g.group = true;
                } else {
                    continue;
                }
                grants.push_back(std::move(g));
            }
        }
        return util::ok_status();
    };
    TRY_ASSIGN(auto top, in.walk({"items"}, on_item, b));
    if (!top.is_object() || !top.contains("items") || !top["items"].is_array())
        return util::Error{std::string(path), "no `items` list; not kubectl -o json output"};
    for (auto& g : grants) {
        if (g.group) {
            for (auto& [key, idx] : sa_index)
                if (key.rfind(g.target + "/", 0) == 0) b.identities[idx].data["roles"].push_back(g.grant);
            continue;
        }
        auto it = sa_index.find(g.target);
        if (it != sa_index.end())
            b.identities[it->second].data["roles"].push_back(std::move(g.grant));
        else
            b.warnings.push_back(warn(path, g.kind + " " + g.name + " binds missing service account " + g.target));
    }
    return b;
}

}  // namespace nhi::scanners::importers
