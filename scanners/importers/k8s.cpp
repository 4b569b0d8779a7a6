// Kubernetes `kubectl get serviceaccounts,secrets,rolebindings,clusterrolebindings -A -o json`.
// ServiceAccounts are identities; legacy token Secrets their credentials; bindings become
// each SA's roles. Secret data is never copied: only which key holds what.
#include "scanners/importers/parsers.hpp"

#include "scanners/importers/common.hpp"

namespace nhi::scanners::importers {

util::Expected<ImportBatch> parse_k8s_list(std::string_view path, std::string_view content) {
    auto j = parse_json(path, content);
    if (!j) return j.error();
    if (!j->is_object() || !j->contains("items") || !(*j)["items"].is_array())
        return util::Error{std::string(path), "no `items` list; not kubectl -o json output"};
    ImportBatch b;
    b.format = "k8s-list";
    std::map<std::string, size_t> sa_index;
    auto meta = [](const nlohmann::json& item) { return item.value("metadata", nlohmann::json::object()); };
    const auto& list_item = (*j)["items"];
    for (size_t at_item = 0; at_item < list_item.size(); ++at_item) {
        const auto& item = list_item[at_item];
        if (str(item, "kind") != "ServiceAccount") continue;
        auto m = meta(item);
        const std::string ns = str(m, "namespace"), name = str(m, "name");
        if (name.empty())
            return util::Error{std::string(path),
                               "entry " + std::to_string(at_item + 1) + ": a ServiceAccount without metadata.name"};
        IdentityRecord id;
        id.provider = "kubernetes";
        id.kind = "service-account";
        id.actor = "workload";
        id.name = ns + "/" + name;
        id.key = "k8s:sa/" + ns + "/" + name;
        id.data["namespace"] = ns;
        id.data["uid"] = str(m, "uid");
        id.data["created"] = utc(m.value("creationTimestamp", nlohmann::json()));
        id.data["roles"] = nlohmann::json::array();
        auto ann = m.value("annotations", nlohmann::json::object());
        auto labels = m.value("labels", nlohmann::json::object());
        if (auto o = owner_tag(ann)) {
            id.owner = o->second;
            id.owner_source = "k8s annotation " + o->first;
        } else if (auto l = owner_tag(labels)) {
            id.owner = l->second;
            id.owner_source = "k8s label " + l->first;
        }
        if (ann.contains("eks.amazonaws.com/role-arn")) id.data["aws_role_arn"] = ann["eks.amazonaws.com/role-arn"];
        if (ann.contains("iam.gke.io/gcp-service-account"))
            id.data["gcp_service_account"] = ann["iam.gke.io/gcp-service-account"];
        if (item.contains("automountServiceAccountToken"))
            id.data["automount_token"] = item["automountServiceAccountToken"];
        id.data["revocation"] = "kubectl delete serviceaccount " + name + " -n " + ns;
        sa_index[ns + "/" + name] = b.identities.size();
        b.identity(std::move(id));
    }
    for (const auto& item : (*j)["items"]) {
        auto m = meta(item);
        const std::string kind = str(item, "kind"), ns = str(m, "namespace"), name = str(m, "name");
        if (kind == "Secret" && str(item, "type") == "kubernetes.io/service-account-token") {
            auto ann = m.value("annotations", nlohmann::json::object());
            auto labels = m.value("labels", nlohmann::json::object());
            const std::string sa = str(ann, "kubernetes.io/service-account.name");
            CredentialRecord c;
            c.identity_key = "k8s:sa/" + ns + "/" + sa;
            c.kind = "service-account-token";
            c.key = "k8s:secret/" + ns + "/" + name;
            c.data["created"] = utc(m.value("creationTimestamp", nlohmann::json()));
            c.data["legacy"] = true;
            c.data["never_expires"] = true;
            if (labels.contains("kubernetes.io/legacy-token-last-used"))
                c.data["last_used"] = utc(labels["kubernetes.io/legacy-token-last-used"]);
            c.data["status"] = labels.contains("kubernetes.io/legacy-token-invalid-since") ? "invalid" : "active";
            c.data["revocation"] = "kubectl delete secret " + name + " -n " + ns;
            b.credential(std::move(c));
        } else if (kind == "Secret") {
            // Not a credential of an SA, but say so if the last-applied annotation leaks plaintext.
            auto ann = m.value("annotations", nlohmann::json::object());
            if (str(ann, "kubectl.kubernetes.io/last-applied-configuration").find("stringData") != std::string::npos)
                b.warnings.push_back(std::string(path) + ": secret " + ns + "/" + name +
                                     " has plaintext stringData in its last-applied-configuration annotation");
        } else if (kind == "RoleBinding" || kind == "ClusterRoleBinding") {
            auto ref = item.value("roleRef", nlohmann::json::object());
            for (const auto& s : item.value("subjects", nlohmann::json::array())) {
                std::string target;
                if (str(s, "kind") == "ServiceAccount") target = str(s, "namespace") + "/" + str(s, "name");
                nlohmann::json grant = {{"binding", kind + " " + (ns.empty() ? "" : ns + "/") + name},
                                        {"role", str(ref, "kind") + "/" + str(ref, "name")}};
                if (!target.empty()) {
                    auto it = sa_index.find(target);
                    if (it != sa_index.end())
                        b.identities[it->second].data["roles"].push_back(grant);
                    else
                        b.warnings.push_back(std::string(path) + ": " + kind + " " + name +
                                             " binds missing service account " + target);
                } else if (str(s, "kind") == "Group" && str(s, "name").rfind("system:serviceaccounts:", 0) == 0) {
                    const std::string gns = str(s, "name").substr(23);
                    for (auto& [key, idx] : sa_index)
                        if (key.rfind(gns + "/", 0) == 0) b.identities[idx].data["roles"].push_back(grant);
                }
            }
        }
    }
    return b;
}

}  // namespace nhi::scanners::importers
