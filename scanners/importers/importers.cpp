#include "scanners/importers/importers.hpp"

#include <utility>

#include "scanners/importers/common.hpp"
#include "scanners/importers/parsers.hpp"

namespace nhi::scanners::importers {
namespace {

const std::vector<std::pair<std::string, Parser>>& table() {
    static const std::vector<std::pair<std::string, Parser>> t = {
        {"aws-credential-report", parse_aws_credential_report},
        {"aws-access-keys", parse_aws_access_keys},
        {"aws-authorization-details", parse_aws_authorization_details},
        {"gcp-service-accounts", parse_gcp_service_accounts},
        {"gcp-service-account-keys", parse_gcp_service_account_keys},
        {"gcp-service-account-key-file", parse_gcp_key_file},
        {"gcp-iam-policy", parse_gcp_iam_policy},
        {"azure-applications", parse_azure_applications},
        {"azure-service-principals", parse_azure_service_principals},
        {"k8s-list", parse_k8s_list},
        {"github-deploy-keys", parse_github_deploy_keys},
        {"github-app-installations", parse_github_app_installations},
        {"github-fine-grained-pats", parse_github_fine_grained_pats},
        {"mcp-config", parse_mcp_json},
        {"mcp-config-toml", parse_codex_toml},
    };
    return t;
}

bool has(const nlohmann::json& j, const char* k) { return j.is_object() && j.contains(k); }

// What a JSON list holds, from its first element.
std::string list_format(const nlohmann::json& first) {
    if (has(first, "email") && has(first, "uniqueId")) return "gcp-service-accounts";
    if (has(first, "keyType") || has(first, "validAfterTime")) return "gcp-service-account-keys";
    if (has(first, "servicePrincipalType")) return "azure-service-principals";
    if (has(first, "appId")) return "azure-applications";
    if (has(first, "read_only") && has(first, "key")) return "github-deploy-keys";
    if (has(first, "token_id") || has(first, "token_expires_at")) return "github-fine-grained-pats";
    return "";
}

// An empty list says nothing about itself; the conventional file names do.
std::string name_hint(std::string_view path) {
    std::string p(path);
    for (const auto& [needle, format] : std::vector<std::pair<std::string, std::string>>{
             {"service-account-keys", "gcp-service-account-keys"}, {"service-accounts", "gcp-service-accounts"},
             {"service-principals", "azure-service-principals"}, {"applications", "azure-applications"},
             {"deploy-keys", "github-deploy-keys"}, {"personal-access-tokens", "github-fine-grained-pats"},
             {"fine-grained-pats", "github-fine-grained-pats"}})
        if (p.find(needle) != std::string::npos) return format;
    return "";
}

}  // namespace

const std::vector<std::string>& format_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n;
        for (const auto& [name, fn] : table()) n.push_back(name);
        return n;
    }();
    return names;
}

util::Expected<std::string> detect_format(std::string_view path, std::string_view content) {
    size_t start = content.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
    if (start == std::string_view::npos) return util::Error{std::string(path), "empty file"};
    if (content.compare(start, 9, "user,arn,") == 0) return std::string("aws-credential-report");
    if (content[start] != '{' && content[start] != '[') {
        if (content.find("[mcp_servers") != std::string_view::npos) return std::string("mcp-config-toml");
        return util::Error{std::string(path), "not JSON or a credential-report CSV; pass --format NAME"};
    }
    auto j = parse_json(path, content, /*comments=*/true);
    if (!j) return j.error();
    if (j->is_array()) {
        if (j->empty()) {
            if (auto h = name_hint(path); !h.empty()) return h;
            return util::Error{std::string(path), "an empty list could be any export; pass --format NAME"};
        }
        if (auto f = list_format(j->front()); !f.empty()) return f;
        return util::Error{std::string(path), "a JSON list of unknown records; pass --format NAME"};
    }
    if (has(*j, "AccessKeyMetadata")) return std::string("aws-access-keys");
    if (has(*j, "UserDetailList") || has(*j, "RoleDetailList")) return std::string("aws-authorization-details");
    if (str(*j, "type") == "service_account" && has(*j, "private_key_id")) return std::string("gcp-service-account-key-file");
    if (has(*j, "bindings")) return std::string("gcp-iam-policy");
    if (has(*j, "items") && (str(*j, "kind") == "List" || str(*j, "apiVersion") == "v1")) return std::string("k8s-list");
    if (has(*j, "installations")) return std::string("github-app-installations");
    if (has(*j, "mcpServers") || has(*j, "servers")) return std::string("mcp-config");
    return util::Error{std::string(path), "unrecognised export; pass --format NAME (see nhi inventory import --help)"};
}

util::Expected<ImportBatch> parse_export(std::string_view path, std::string_view content, const std::string& format) {
    std::string f = format;
    if (f.empty() || f == "auto") {
        auto d = detect_format(path, content);
        if (!d) return d.error();
        f = *d;
    }
    for (const auto& [name, fn] : table())
        if (name == f) {
            try {
                return fn(path, content);
            } catch (const nlohmann::json::exception& e) {
                // A field of the wrong type deep inside a record: reject the file, name it.
                return util::Error{std::string(path), std::string("unexpected value: ") + e.what()};
            }
        }
    return util::Error{"--format", "unknown format `" + f + "`"};
}

}  // namespace nhi::scanners::importers
