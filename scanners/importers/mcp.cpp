// MCP / agent client configs (Claude Desktop, Claude Code, Cursor, VS Code, Windsurf). Each
// server entry is an identity of actor `agent`; each place that holds a secret, or refers to
// one, is a credential. Literal values are kept only as SHA-256 + redacted preview, which
// is also how the same secret in two places is recognised as reuse.
#include "scanners/importers/parsers.hpp"

#include <regex>
#include <sstream>

#include <toml++/toml.h>

#include "db/model.hpp"
#include "scanners/importers/common.hpp"
#include "util/hash.hpp"
#include "util/text.hpp"

namespace nhi::scanners::importers {
namespace {

bool secret_name(const std::string& name) {
    const std::string n = util::lower(name);
    for (const char* w : {"key", "token", "secret", "password", "passwd", "auth", "database_url", "dsn", "credential"})
        if (n.find(w) != std::string::npos) return true;
    return false;
}

// A value is a reference when everything secret in it comes from elsewhere: ${env:X}, ${X},
// ${input:x}. `${X:-default}` is a reference only if the default is not itself a literal.
bool is_reference(const std::string& v) {
    static const std::regex ref(R"(\$\{(?:env:|input:)?[A-Za-z_][A-Za-z0-9_.-]*(?::-([^}]*))?\})");
    std::string rest;
    auto begin = std::sregex_iterator(v.begin(), v.end(), ref);
    size_t last = 0;
    bool any = false;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
        any = true;
        if ((*it)[1].matched && (*it)[1].length() > 0) {
            const std::string def = (*it)[1].str();
            if (def.find('@') != std::string::npos || def.size() >= 16) return false;  // a DSN or key as default
        }
        rest += v.substr(last, size_t(it->position()) - last);
        last = size_t(it->position() + it->length());
    }
    rest += v.substr(last);
    // "Bearer ${TOKEN}" is still a reference; "Bearer abc123..." is not.
    return any && rest.size() < 16;
}

void add(ImportBatch& b, const IdentityRecord& id, const std::string& where, const std::string& value) {
    CredentialRecord c;
    c.identity_key = id.key;
    c.kind = "agent-secret";
    c.key = id.key + "#" + where;
    const bool ref = is_reference(value);
    c.data["location"] = where;
    c.data["literal"] = !ref;
    if (ref) {
        c.data["reference"] = value;
    } else {
        c.data["secret_sha256"] = util::sha256_hex(value);
        c.data["redacted"] = db::redact(value);
    }
    c.data["revocation"] = ref ? "Rotate the secret at its issuer; the config only refers to it"
                               : "Rotate the secret at its issuer, then replace the literal with a ${env:VAR} reference";
    b.credential(std::move(c));
}

void server(ImportBatch& b, std::string_view path, const std::string& client, const std::string& name,
            const nlohmann::json& s) {
    IdentityRecord id;
    id.provider = "mcp";
    id.kind = "mcp-server";
    id.actor = "agent";
    id.name = name;
    id.key = "mcp:" + std::string(path) + "#" + name;
    id.data["client"] = client;
    id.data["config"] = std::string(path);
    std::string url = str(s, "url");
    if (url.empty()) url = str(s, "serverUrl");
    if (!url.empty()) id.data["url"] = url;
    if (!str(s, "command").empty()) id.data["command"] = str(s, "command");
    id.data["transport"] = !str(s, "type").empty() ? str(s, "type") : (url.empty() ? "stdio" : "http");
    if (s.value("disabled", false)) id.data["status"] = "disabled";
    for (const char* env : {"env", "headers", "http_headers"}) {
        if (!s.contains(env) || !s[env].is_object()) continue;
        for (const auto& [k, v] : s[env].items())
            if (v.is_string() && secret_name(k)) add(b, id, std::string(env) + "." + k, v.get<std::string>());
    }
    auto args = s.value("args", nlohmann::json::array());
    for (size_t i = 0; i < args.size(); ++i) {
        if (!args[i].is_string()) continue;
        const std::string a = args[i].get<std::string>();
        static const std::regex userinfo(R"([a-z][a-z0-9+.-]*://[^/\s:@]+:[^@\s]+@)");
        if (std::regex_search(a, userinfo) || util::lower(a).rfind("authorization:", 0) == 0)
            add(b, id, "args[" + std::to_string(i) + "]", a);
    }
    static const std::regex query(R"([?&](?:api_?key|apikey|key|token|access_token|secret)=([^&#\s]+))", std::regex::icase);
    std::smatch m;
    if (std::regex_search(url, m, query)) add(b, id, "url query", m[1].str());
    if (!str(s, "envFile").empty()) add(b, id, "envFile", "${file:" + str(s, "envFile") + "}");
    // Codex: the secret's env-var name, never its value.
    if (!str(s, "bearer_token_env_var").empty()) add(b, id, "bearer_token_env_var", "${" + str(s, "bearer_token_env_var") + "}");
    if (s.contains("env_http_headers") && s["env_http_headers"].is_object())
        for (const auto& [k, v] : s["env_http_headers"].items())
            if (v.is_string()) add(b, id, "env_http_headers." + k, "${" + v.get<std::string>() + "}");
    b.identity(std::move(id));
}

nlohmann::json to_json(const toml::node& n) {
    if (auto t = n.as_table()) {
        nlohmann::json o = nlohmann::json::object();
        for (const auto& [k, v] : *t) o[std::string(k.str())] = to_json(v);
        return o;
    }
    if (auto a = n.as_array()) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& v : *a) arr.push_back(to_json(v));
        return arr;
    }
    if (auto v = n.as_string()) return v->get();
    if (auto v = n.as_integer()) return v->get();
    if (auto v = n.as_floating_point()) return v->get();
    if (auto v = n.as_boolean()) return v->get();
    std::ostringstream ss;  // dates and times: their TOML text
    if (auto v = n.as_date_time()) ss << *v;
    else if (auto v = n.as_date()) ss << *v;
    else if (auto v = n.as_time()) ss << *v;
    return ss.str();
}

}  // namespace

util::Expected<ImportBatch> parse_codex_toml(std::string_view path, std::string_view content) {
    toml::table root;
    try {
        root = toml::parse(content, path);
    } catch (const toml::parse_error& e) {
        return util::Error{std::string(path), "invalid TOML at line " + std::to_string(e.source().begin.line) +
                                                  ", column " + std::to_string(e.source().begin.column) + ": " +
                                                  std::string(e.description())};
    }
    auto servers = root["mcp_servers"].as_table();
    if (!servers) return util::Error{std::string(path), "no [mcp_servers] table; not a Codex config"};
    ImportBatch b;
    b.format = "mcp-config";
    for (const auto& [name, node] : *servers) {
        if (!node.is_table()) return util::Error{std::string(path), "mcp_servers." + std::string(name.str()) + " is not a table"};
        server(b, path, "codex", std::string(name.str()), to_json(node));
    }
    return b;
}

util::Expected<ImportBatch> parse_mcp_json(std::string_view path, std::string_view content) {
    // VS Code's mcp.json is JSONC; comments are harmless in the other clients' files too.
    auto j = parse_json(path, content, /*comments=*/true);
    if (!j) return j.error();
    const char* root = j->contains("mcpServers") ? "mcpServers" : (j->contains("servers") ? "servers" : nullptr);
    if (!root || !(*j)[root].is_object())
        return util::Error{std::string(path), "no `mcpServers` or `servers` object; not an MCP client config"};
    std::string client = "mcp";
    const std::string p(path);
    if (p.find("claude_desktop") != std::string::npos) client = "claude-desktop";
    else if (p.find("cursor") != std::string::npos) client = "cursor";
    else if (p.find("windsurf") != std::string::npos || p.find("mcp_config") != std::string::npos) client = "windsurf";
    else if (p.find("vscode") != std::string::npos || std::string(root) == "servers") client = "vscode";
    else if (p.find(".mcp.json") != std::string::npos) client = "claude-code";
    ImportBatch b;
    b.format = "mcp-config";
    for (const auto& [name, s] : (*j)[root].items()) {
        if (!s.is_object()) return util::Error{std::string(path), "server `" + name + "` is not an object"};
        server(b, path, client, name, s);
    }
    return b;
}

}  // namespace nhi::scanners::importers
