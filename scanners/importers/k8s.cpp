// Kubernetes `kubectl get
// serviceaccounts,secrets,rolebindings,clusterrolebindings -A -o json`.
// ServiceAccounts are identities; legacy token Secrets their credentials;
// bindings become each SA's roles. Secret data is never copied: only which key
// holds what. Items are walked one at a time (a cluster's list can be hundreds
// of megabytes), twice: the first walk keeps only the bindings (an SA may come
// after the binding that names it), the second hands each SA over with its
// roles as soon as it is read. Memory follows the bindings, not the SAs or
// secrets.
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
    std::string kind, name;  // binding kind and name
    json grant;
};

// What the bindings grant: to one SA ("ns/name"), or to every SA of a namespace
// (the group system:serviceaccounts:NS). `met` says whether the SA was in the
// file; a binding to one that was not is a warning and a dangling binding.
struct Grants {
    struct Target {
        std::vector<Grant> grants;
        bool met = false;
    };
    std::map<std::string, Target> to_sa;
    std::map<std::string, std::vector<json>> to_namespace;

    void add(const json& item, const json& m) {
        const std::string kind = str(item, "kind"), ns = str(m, "namespace"), name = str(m, "name");
        const json ref = member(item, "roleRef", json::object());
        const json grant = {{"binding", kind + " " + (ns.empty() ? "" : ns + "/") + name},
                            {"role", str(ref, "kind") + "/" + str(ref, "name")}};
        for (const auto& s : member(item, "subjects", json::array())) {
            if (str(s, "kind") == "ServiceAccount")
                to_sa[str(s, "namespace") + "/" + str(s, "name")].grants.push_back({kind, name, grant});
            else if (str(s, "kind") == "Group" && str(s, "name").rfind("system:serviceaccounts:", 0) == 0)
                to_namespace[str(s, "name").substr(23)].push_back(grant);
        }
    }

    // The roles of SA `ns`/`name`, marking its bindings met.
    json roles(const std::string& ns, const std::string& name) {
        json out = json::array();
        if (auto it = to_sa.find(ns + "/" + name); it != to_sa.end()) {
            it->second.met = true;
            for (const auto& g : it->second.grants) out.push_back(g.grant);
        }
        if (auto it = to_namespace.find(ns); it != to_namespace.end())
            for (const auto& g : it->second) out.push_back(g);
        return out;
    }
};

bool is_binding(const std::string& kind) { return kind == "RoleBinding" || kind == "ClusterRoleBinding"; }

IdentityRecord service_account(const std::string& ns, const std::string& name) {
    IdentityRecord id;
    id.provider = "kubernetes";
    id.kind = "service-account";
    id.actor = "workload";
    id.name = ns + "/" + name;
    id.key = "k8s:sa/" + ns + "/" + name;
    id.data["namespace"] = ns;
    return id;
}

void add_service_account(ImportBatch& b, std::string_view path, const std::string& entry, const json& item,
                         const json& m, Grants& grants) {
    const std::string ns = str(m, "namespace"), name = str(m, "name");
    const json ann = member(m, "annotations", json::object()), labels = member(m, "labels", json::object());
    IdentityRecord id = service_account(ns, name);
    id.data["uid"] = str(m, "uid");
    id.data["created"] = date(b, path, entry, "metadata.creationTimestamp", m.value("creationTimestamp", json()));
    id.data["roles"] = grants.roles(ns, name);
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
    id.data["revocation"] = "kubectl delete serviceaccount " + util::shell_quote(name) + " -n " + util::shell_quote(ns);
    b.identity(std::move(id));
}

util::Status add_token(ImportBatch& b, std::string_view path, const std::string& entry, const json& m) {
    const std::string ns = str(m, "namespace"), name = str(m, "name");
    const json ann = member(m, "annotations", json::object()), labels = member(m, "labels", json::object());
    const std::string sa = str(ann, "kubernetes.io/service-account.name");
    if (sa.empty()) return skip(b, path, entry, "a token Secret without kubernetes.io/service-account.name");
    // Its SA, named before it: the secrets may be exported apart from the SAs, or before them.
    IdentityRecord holder = service_account(ns, sa);
    holder.stub = true;
    b.identity(std::move(holder));
    CredentialRecord c;
    c.identity_key = "k8s:sa/" + ns + "/" + sa;
    c.kind = "service-account-token";
    c.key = "k8s:secret/" + ns + "/" + name;
    c.data["created"] = date(b, path, entry, "metadata.creationTimestamp", m.value("creationTimestamp", json()));
    c.data["legacy"] = true;
    c.data["never_expires"] = true;
    if (labels.contains("kubernetes.io/legacy-token-last-used"))
        c.data["last_used"] = date(b, path, entry, "kubernetes.io/legacy-token-last-used",
                                   labels["kubernetes.io/legacy-token-last-used"]);
    c.data["status"] = labels.contains("kubernetes.io/legacy-token-invalid-since") ? "invalid" : "active";
    c.data["revocation"] = "kubectl delete secret " + util::shell_quote(name) + " -n " + util::shell_quote(ns);
    b.credential(std::move(c));
    return util::ok_status();
}

}  // namespace

util::Status parse_k8s_list(std::string_view path, Input& in, ImportBatch& b) {
    b.format = "k8s-list";
    Grants grants;
    auto on_binding = [&](const std::string&, size_t, const json& item) -> util::Status {
        if (is_binding(str(item, "kind"))) grants.add(item, member(item, "metadata", json::object()));
        return util::ok_status();
    };
    TRY_ASSIGN(auto top, in.walk({"items"}, on_binding, b));
    if (!top.is_object() || !top.contains("items") || !top["items"].is_array())
        return util::Error{std::string(path), "no `items` list; not kubectl -o json output"};
    auto on_item = [&](const std::string&, size_t at, const json& item) -> util::Status {
        const json m = member(item, "metadata", json::object());
        const std::string kind = str(item, "kind"), ns = str(m, "namespace"), name = str(m, "name");
        const std::string entry = "items entry " + std::to_string(at + 1) + " (" + kind + " " + ns + "/" + name + ")";
        if (kind == "ServiceAccount") {
            if (name.empty()) return skip(b, path, entry, "a ServiceAccount without metadata.name");
            add_service_account(b, path, entry, item, m, grants);
        } else if (kind == "Secret" && str(item, "type") == "kubernetes.io/service-account-token") {
            return add_token(b, path, entry, m);
        } else if (kind == "Secret") {
            // Not a credential of an SA, but say so if the last-applied annotation
            // leaks plaintext.
            const json ann = member(m, "annotations", json::object());
            if (str(ann, "kubectl.kubernetes.io/last-applied-configuration").find("stringData") != std::string::npos)
                b.warnings.push_back(warn(path, "secret " + ns + "/" + name +
                                                    " has plaintext stringData in its "
                                                    "last-applied-configuration annotation"));
        }
        return util::ok_status();
    };
    TRY(in.walk({"items"}, on_item, b));
    // A binding to an SA the list does not hold is a dangling binding: the SA was deleted and
    // the grant left behind (a new SA of that name would inherit it). It is handed over as a
    // stub, so that the reports list it as a finding of its own (reports::is_dangling); an
    // export that describes the SA later clears the stub's known_only_from mark. Its grants go
    // under `dangling_bindings`, not `roles`, so that they never replace the roles the SA's
    // own export gives it.
    for (const auto& [target, t] : grants.to_sa) {
        if (t.met) continue;
        json dead = json::array();
        for (const auto& g : t.grants) {
            b.warnings.push_back(warn(path, g.kind + " " + g.name + " binds missing service account " + target));
            dead.push_back(g.grant);
        }
        const size_t slash = target.find('/');
        IdentityRecord id = service_account(target.substr(0, slash), target.substr(slash + 1));
        id.stub = true;
        id.data["dangling_bindings"] = std::move(dead);
        b.identity(std::move(id));
    }
    return util::ok_status();
}

}  // namespace nhi::scanners::importers
