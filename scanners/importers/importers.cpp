#include "scanners/importers/importers.hpp"

#include <cctype>
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
        {"azure-sp-owners", parse_azure_sp_owners},
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
    for (const auto& [needle, format] :
         std::vector<std::pair<std::string, std::string>>{{"service-account-keys", "gcp-service-account-keys"},
                                                          {"service-accounts", "gcp-service-accounts"},
                                                          {"service-principals", "azure-service-principals"},
                                                          {"applications", "azure-applications"},
                                                          {"deploy-keys", "github-deploy-keys"},
                                                          {"personal-access-tokens", "github-fine-grained-pats"},
                                                          {"fine-grained-pats", "github-fine-grained-pats"}})
        if (p.find(needle) != std::string::npos) return format;
    return "";
}

// A map of service-principal id to owner lists starts `{"<GUID>": [`: told from
// the head, so that detection does not walk a large map.
bool sp_owner_map(std::string_view s, size_t at) {
    auto skip_ws = [&] {
        while (at < s.size() && (s[at] == ' ' || s[at] == '\t' || s[at] == '\r' || s[at] == '\n')) ++at;
    };
    if (at >= s.size() || s[at++] != '{') return false;
    skip_ws();
    if (at >= s.size() || s[at++] != '"') return false;
    size_t n = 0;
    for (; at < s.size() && s[at] != '"'; ++at, ++n)
        if (!std::isxdigit(static_cast<unsigned char>(s[at])) && s[at] != '-') return false;
    if (n != 36 || at >= s.size()) return false;
    ++at;
    skip_ws();
    if (at >= s.size() || s[at++] != ':') return false;
    skip_ws();
    return at < s.size() && s[at] == '[';
}

// Detection's walk stops at the first element of a top-level list; this marks
// that stop.
const char* const kStop = "\x01stop";

}  // namespace

const std::vector<std::string>& format_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n;
        for (const auto& [name, fn] : table()) n.push_back(name);
        return n;
    }();
    return names;
}

namespace {

util::Expected<std::string> detect(std::string_view path, Input& in) {
    TRY_ASSIGN(auto head, in.head(size_t(1) << 16));
    std::string_view content(head);
    size_t start = content.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
    if (start == std::string_view::npos) {
        if (head.size() < (size_t(1) << 16)) return util::Error{std::string(path), "empty file"};
        return util::Error{std::string(path), "not JSON or a credential-report CSV; pass --format NAME"};
    }
    if (content.compare(start, 9, "user,arn,") == 0) return std::string("aws-credential-report");
    if (content.compare(start, 12, "[mcp_servers") == 0) return std::string("mcp-config-toml");
    if (sp_owner_map(content, start)) return std::string("azure-sp-owners");
    if (content[start] != '{' && content[start] != '[') {
        TRY_ASSIGN(auto text, in.text());
        if (text.find("[mcp_servers") != std::string_view::npos) return std::string("mcp-config-toml");
        return util::Error{std::string(path), "not JSON or a credential-report CSV; pass --format NAME"};
    }
    // One walk with the large lists streamed past (their elements are not kept),
    // stopping at the first element of a top-level list: memory stays small
    // whatever the file's size.
    std::optional<nlohmann::json> first;
    std::string decided;  // a format the first record of a top-level member settles
    db::ImportBatch scratch;
    auto on_record = [&](const std::string& list, size_t, const nlohmann::json& r) -> util::Status {
        if (list.empty()) {
            first = r;
            return util::Error{"", kStop};
        }
        // Without this a huge `items` list would be walked to its end before the real walk.
        if (list == "items" && has(r, "kind") && has(r, "apiVersion"))
            decided = "k8s-list";
        else if (list == "UserDetailList" || list == "RoleDetailList")
            decided = "aws-authorization-details";
        else if (list == "installations" && has(r, "app_slug"))
            decided = "github-app-installations";
        else if (list == "bindings" && has(r, "role"))
            decided = "gcp-iam-policy";
        return decided.empty() ? util::ok_status() : util::Status(util::Error{"", kStop});
    };
    auto top = in.walk(
        {"", "items", "installations", "bindings", "UserDetailList", "RoleDetailList", "GroupDetailList", "Policies"},
        on_record, scratch, /*comments=*/true);
    if (!top && top.error().why != kStop) return top.error();
    if (!decided.empty()) return decided;
    if (first) {
        if (auto f = list_format(*first); !f.empty()) return f;
        return util::Error{std::string(path), "a JSON list of unknown records; pass --format NAME"};
    }
    const nlohmann::json& j = *top;
    if (j.is_array()) {
        if (auto h = name_hint(path); !h.empty()) return h;
        return util::Error{std::string(path), "an empty list could be any export; pass --format NAME"};
    }
    if (has(j, "AccessKeyMetadata")) return std::string("aws-access-keys");
    if (has(j, "UserDetailList") || has(j, "RoleDetailList")) return std::string("aws-authorization-details");
    if (str(j, "type") == "service_account" && has(j, "private_key_id"))
        return std::string("gcp-service-account-key-file");
    if (has(j, "bindings")) return std::string("gcp-iam-policy");
    if (has(j, "items") && (str(j, "kind") == "List" || str(j, "apiVersion") == "v1")) return std::string("k8s-list");
    if (has(j, "installations")) return std::string("github-app-installations");
    if (has(j, "mcpServers") || has(j, "servers")) return std::string("mcp-config");
    return util::Error{std::string(path),
                       "unrecognised export; pass --format NAME (see nhi "
                       "inventory import --help)"};
}

// Parses into `b` (whose sink, if any, receives the records as they are read).
util::Status parse_input(std::string_view path, Input& in, const std::string& format, ImportBatch& b) {
    // Nothing a parser meets may escape as an exception: a type error in a
    // document-level field (IsTruncated: "yes") or an allocation failure becomes
    // this file's error.
    try {
        std::string f = format;
        if (f.empty() || f == "auto") {
            TRY_ASSIGN(f, detect(path, in));
        }
        for (const auto& [name, fn] : table())
            if (name == f) {
                TRY(fn(path, in, b));
                return b.flush();
            }
        return util::Error{"--format", "unknown format `" + f + "`"};
    } catch (const nlohmann::json::exception& e) {
        std::string why = e.what();
        if (auto cut = why.find("] "); cut != std::string::npos) why = why.substr(cut + 2);
        return util::Error{std::string(path), "unexpected value: " + why};
    } catch (const std::exception&) {
        return util::Error{std::string(path), "out of memory while importing"};
    }
}

}  // namespace

util::Expected<std::string> detect_format(std::string_view path, std::string_view content) {
    Input in = Input::memory(content, path);
    return detect(path, in);
}

util::Expected<ImportBatch> parse_export(std::string_view path, std::string_view content, const std::string& format) {
    Input in = Input::memory(content, path);
    ImportBatch b;
    TRY(parse_input(path, in, format, b));
    return b;
}

util::Expected<std::string> import_file(const std::string& open_path, std::string_view name, const std::string& format,
                                        db::RecordSink& sink) {
    TRY_ASSIGN(auto in, Input::file(open_path, name));
    ImportBatch b;
    b.sink = &sink;
    TRY(parse_input(name, in, format, b));
    return b.format;
}

}  // namespace nhi::scanners::importers
