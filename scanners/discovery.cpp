#include "scanners/discovery.hpp"

#include <yaml-cpp/yaml.h>

#include <map>
#include <regex>
#include <set>

#include "db/model.hpp"
#include "scanners/importers/common.hpp"
#include "scanners/importers/importers.hpp"
#include "util/hash.hpp"
#include "util/text.hpp"

namespace nhi::scanners {
namespace {

using importers::CredentialRecord;
using importers::IdentityRecord;
using importers::ImportBatch;

std::string base_name(std::string_view p) {
    auto s = p.rfind('/');
    return std::string(s == std::string_view::npos ? p : p.substr(s + 1));
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_yaml(std::string_view p) { return ends_with(p, ".yaml") || ends_with(p, ".yml"); }
bool is_workflow(std::string_view p) {
    return is_yaml(p) && (p.find(".github/workflows/") != std::string_view::npos);
}
bool is_mcp(std::string_view p) {
    const std::string b = base_name(p);
    return b == ".mcp.json" || b == "claude_desktop_config.json" || b == "mcp_config.json" ||
           (b == "mcp.json" && (p.find(".cursor/") != std::string_view::npos || p.find(".vscode/") != std::string_view::npos)) ||
           (b == "config.toml" && p.find(".codex/") != std::string_view::npos);
}
bool is_docker_config(std::string_view p) {
    const std::string b = base_name(p);
    return b == ".dockercfg" || (b == "config.json" && p.find(".docker/") != std::string_view::npos);
}

// Literal secrets are kept as SHA-256 (which links them to scan findings) and a preview.
void literal(CredentialRecord& c, std::string_view secret) {
    c.data["literal"] = true;
    c.data["secret_sha256"] = util::sha256_hex(secret);
    c.data["redacted"] = db::redact(secret);
}

void k8s_manifests(std::string_view path, std::string_view content, ImportBatch& b) {
    std::vector<YAML::Node> docs;
    try {
        docs = YAML::LoadAll(std::string(content));
    } catch (const YAML::Exception& e) {
        b.warnings.push_back(std::string(path) + ": invalid YAML at line " + std::to_string(e.mark.line + 1) + "; identities in it were not recorded");
        return;
    }
    for (const auto& d : docs) {
        if (!d.IsMap() || !d["kind"] || d["kind"].as<std::string>("") != "ServiceAccount" || !d["metadata"]) continue;
        const auto& m = d["metadata"];
        const std::string name = m["name"] ? m["name"].as<std::string>("") : "";
        if (name.empty()) continue;
        const std::string ns = m["namespace"] ? m["namespace"].as<std::string>("default") : "default";
        IdentityRecord id;
        id.provider = "kubernetes";
        id.kind = "service-account";
        id.actor = "workload";
        id.name = ns + "/" + name;
        id.key = "k8s:sa/" + ns + "/" + name;  // the key a cluster export gives it: the two merge
        id.data["namespace"] = ns;
        id.data["declared_in"] = std::string(path);
        for (const char* section : {"annotations", "labels"}) {
            if (!m[section] || !m[section].IsMap()) continue;
            nlohmann::json kv = nlohmann::json::object();
            for (const auto& it : m[section]) kv[it.first.as<std::string>("")] = it.second.as<std::string>("");
            if (kv.contains("eks.amazonaws.com/role-arn")) id.data["aws_role_arn"] = kv["eks.amazonaws.com/role-arn"];
            if (kv.contains("iam.gke.io/gcp-service-account")) id.data["gcp_service_account"] = kv["iam.gke.io/gcp-service-account"];
            if (id.owner.empty())
                if (auto o = importers::owner_tag(kv)) {
                    id.owner = o->second;
                    id.owner_source = std::string("manifest ") + section + " " + o->first;
                }
        }
        b.identity(std::move(id));
    }
}

// Terraform resources that create non-human identities or their credentials.
void terraform(std::string_view path, std::string_view content, ImportBatch& b) {
    static const std::map<std::string, std::tuple<const char*, const char*, bool>> kinds = {
        // type -> provider, kind, is a credential (of the identity its block references)
        {"aws_iam_user", {"aws", "iam-user", false}},
        {"aws_iam_role", {"aws", "iam-role", false}},
        {"aws_iam_access_key", {"aws", "access-key", true}},
        {"google_service_account", {"gcp", "service-account", false}},
        {"google_service_account_key", {"gcp", "service-account-key", true}},
        {"azuread_application", {"azure", "application", false}},
        {"azuread_service_principal", {"azure", "service-principal", false}},
        {"azuread_application_password", {"azure", "client-secret", true}},
        {"azuread_service_principal_password", {"azure", "client-secret", true}},
        {"azurerm_user_assigned_identity", {"azure", "managed-identity", false}},
        {"kubernetes_service_account", {"kubernetes", "service-account", false}},
        {"github_actions_secret", {"github", "actions-secret", true}},
    };
    static const std::regex block(R"re(resource\s+"([a-z0-9_]+)"\s+"([A-Za-z0-9_-]+)"\s*\{)re");
    struct Block {
        std::string type, name, body;
    };
    std::vector<Block> blocks;
    const std::string text(content);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), block); it != std::sregex_iterator(); ++it) {
        if (!kinds.count((*it)[1].str())) continue;
        // The body: up to the matching brace.
        size_t at = size_t(it->position() + it->length()), depth = 1, end = at;
        for (; end < text.size() && depth; ++end) depth += text[end] == '{' ? 1 : text[end] == '}' ? -1 : 0;
        blocks.push_back({(*it)[1].str(), (*it)[2].str(), text.substr(at, end - at)});
    }
    auto attr = [](const std::string& body, const char* name) {
        std::smatch m;
        std::regex re(std::string(R"((?:^|\n)\s*)") + name + R"re(\s*=\s*"([^"\n]*)")re");
        return std::regex_search(body, m, re) ? m[1].str() : std::string();
    };
    auto ref = [](const std::string& body) {  // first reference to another resource: TYPE.NAME
        std::smatch m;
        static const std::regex re(R"(\b((?:aws|google|azuread|azurerm|kubernetes)_[a-z_]+)\.([A-Za-z0-9_-]+)\.)");
        return std::regex_search(body, m, re) ? m[1].str() + "." + m[2].str() : std::string();
    };
    std::map<std::string, std::string> key_of;  // TYPE.NAME -> identity key
    const std::string where(path);
    for (const auto& bl : blocks) {
        auto [provider, kind, is_cred] = kinds.at(bl.type);
        if (is_cred) continue;
        IdentityRecord id;
        id.provider = provider;
        id.kind = kind;
        id.actor = bl.type == "azurerm_user_assigned_identity" || bl.type == "kubernetes_service_account" ? "workload" : "service";
        const std::string declared = attr(bl.body, bl.type == "google_service_account" ? "account_id" : "name");
        id.name = declared.empty() || declared.find("${") != std::string::npos ? bl.type + "." + bl.name : declared;
        id.key = bl.type == "aws_iam_user" && id.name == declared ? "aws:user/" + declared
               : bl.type == "aws_iam_role" && id.name == declared ? "aws:role/" + declared
                                                                  : "tf:" + where + "#" + bl.type + "." + bl.name;
        id.data["declared_in"] = where;
        id.data["terraform_address"] = bl.type + "." + bl.name;
        key_of[bl.type + "." + bl.name] = id.key;
        b.identity(std::move(id));
    }
    for (const auto& bl : blocks) {
        auto [provider, kind, is_cred] = kinds.at(bl.type);
        if (!is_cred) continue;
        CredentialRecord c;
        c.kind = kind;
        c.key = "tf:" + where + "#" + bl.type + "." + bl.name;
        c.data["declared_in"] = where;
        c.data["terraform_address"] = bl.type + "." + bl.name;
        c.data["in_terraform_state"] = true;  // the secret lands in state, readable by whoever reads state
        c.data["revocation"] = "Remove the resource (terraform destroy -target=" + bl.type + "." + bl.name +
                               ") and move to federation; rotate anything that read the state";
        const std::string target = ref(bl.body);
        if (auto it = key_of.find(target); it != key_of.end()) {
            c.identity_key = it->second;
        } else {
            // The holder is declared elsewhere: hang the credential on a placeholder identity.
            IdentityRecord id;
            id.provider = provider;
            id.kind = "terraform-reference";
            id.actor = "service";
            id.name = target.empty() ? bl.type + "." + bl.name : target;
            id.key = "tf:" + where + "#" + id.name;
            id.data["declared_in"] = where;
            c.identity_key = id.key;
            key_of[target] = id.key;
            b.identity(std::move(id));
        }
        b.credential(std::move(c));
    }
}

// A workflow is an identity that deploys: with static cloud keys from secrets, or with OIDC.
void workflow(std::string_view path, std::string_view content, ImportBatch& b) {
    const std::string text(content);
    IdentityRecord id;
    id.provider = "github";
    id.kind = "actions-workflow";
    id.actor = "workload";
    id.name = base_name(path);
    id.key = "github:workflow/" + std::string(path);
    id.data["declared_in"] = std::string(path);
    static const std::regex oidc(R"(id-token\s*:\s*write)");
    static const std::regex secret(R"(\$\{\{\s*secrets\.([A-Za-z0-9_]+)\s*\}\})");
    static const std::regex cloud(R"((AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)|GCP_SA_KEY|GOOGLE_CREDENTIALS|GOOGLE_APPLICATION_CREDENTIALS|GCLOUD_SERVICE_KEY|AZURE_CREDENTIALS|AZURE_CLIENT_SECRET|ARM_CLIENT_SECRET|SERVICE_ACCOUNT_KEY|.*_SA_KEY|.*_CREDENTIALS_JSON))", std::regex::icase);
    const bool uses_oidc = std::regex_search(text, oidc);
    id.data["oidc"] = uses_oidc;
    nlohmann::json static_keys = nlohmann::json::array();
    std::set<std::string> seen;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), secret); it != std::sregex_iterator(); ++it) {
        const std::string name = (*it)[1].str();
        if (name == "GITHUB_TOKEN" || !seen.insert(name).second) continue;
        const bool cloud_key = std::regex_match(name, cloud);
        if (cloud_key) static_keys.push_back(name);
        CredentialRecord c;
        c.identity_key = id.key;
        c.kind = cloud_key ? "static-cloud-key" : "actions-secret";
        c.key = id.key + "#secrets." + name;
        c.data["literal"] = false;
        c.data["reference"] = "secrets." + name;
        c.data["revocation"] = cloud_key ? "Replace the static key with OIDC federation (permissions: id-token: write), "
                                           "then delete the secret and revoke the key at the cloud provider"
                                         : "Rotate the secret at its issuer and update the repository secret";
        b.credential(std::move(c));
    }
    if (static_keys.empty() && !uses_oidc && b.credentials.empty()) return;  // deploys nothing we can see
    id.data["static_cloud_keys"] = static_keys;
    b.identity(std::move(id));
}

// A login to a package or container registry, with the literal secret the file holds.
IdentityRecord& registry_login(ImportBatch& b, const char* provider, const char* key_prefix, std::string_view path,
                               const std::string& registry, const char* credential_kind, const char* suffix,
                               const std::string& secret, const std::string& revocation) {
    IdentityRecord id;
    id.provider = provider;
    id.kind = "registry-login";
    id.actor = "service";
    id.name = registry;
    id.key = key_prefix + std::string(path) + "#" + registry;
    id.data["declared_in"] = std::string(path);
    CredentialRecord c;
    c.identity_key = id.key;
    c.kind = credential_kind;
    c.key = id.key + suffix;
    literal(c, secret);
    c.data["revocation"] = revocation;
    b.credential(std::move(c));
    return b.identity(std::move(id));
}

void docker_config(std::string_view path, std::string_view content, ImportBatch& b) {
    auto j = nlohmann::json::parse(content.begin(), content.end(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        b.warnings.push_back(std::string(path) + ": not valid JSON; registry credentials in it were not recorded");
        return;
    }
    const nlohmann::json& auths = j.contains("auths") ? j["auths"] : j;  // .dockercfg has no "auths"
    if (!auths.is_object()) return;
    for (const auto& [registry, entry] : auths.items()) {
        if (!entry.is_object() || !entry.contains("auth") || !entry["auth"].is_string() || entry["auth"].get<std::string>().empty()) continue;
        auto& id = registry_login(b, "registry", "docker:", path, registry, "registry-password", "#auth",
                                  entry["auth"].get<std::string>(),
                                  "Revoke the password or token at " + registry + ", then docker logout " + registry);
        if (auto user = util::base64_decode(entry["auth"].get<std::string>()); user && user->find(':') != std::string::npos)
            id.data["user"] = user->substr(0, user->find(':'));
    }
}

void npmrc(std::string_view path, std::string_view content, ImportBatch& b) {
    static const std::regex token(R"((?:^|\n)\s*(//[^\s:]+/?):_authToken\s*=\s*([^\s]+))");
    const std::string text(content);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), token); it != std::sregex_iterator(); ++it) {
        const std::string registry = (*it)[1].str(), value = (*it)[2].str();
        if (value.find("${") != std::string::npos) continue;  // a reference, not a credential in the file
        registry_login(b, "npm", "npmrc:", path, registry, "registry-token", "#_authToken", value,
                       "npm token revoke ID (npmjs.com > Access Tokens), or revoke it at the registry");
    }
}

}  // namespace

bool discoverable(std::string_view p) {
    return ends_with(p, ".tf") || is_yaml(p) || is_mcp(p) || is_docker_config(p) || base_name(p) == ".npmrc";
}

ImportBatch discover(std::string_view path, std::string_view content) {
    ImportBatch b;
    b.format = "repository";
    if (ends_with(path, ".tf")) {
        if (content.find("resource") != std::string_view::npos) terraform(path, content, b);
    } else if (is_workflow(path)) {
        workflow(path, content, b);
    } else if (is_yaml(path)) {
        if (content.find("ServiceAccount") != std::string_view::npos) k8s_manifests(path, content, b);
    } else if (is_mcp(path)) {
        auto parsed = importers::parse_export(path, content, "");
        if (parsed) b = std::move(parsed).value();
        else b.warnings.push_back(parsed.error().what + ": " + parsed.error().why + "; agents in it were not recorded");
        b.format = "repository";
    } else if (is_docker_config(path)) {
        docker_config(path, content, b);
    } else if (base_name(path) == ".npmrc") {
        npmrc(path, content, b);
    }
    return b;
}

}  // namespace nhi::scanners
