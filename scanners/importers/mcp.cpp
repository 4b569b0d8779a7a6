// MCP / agent client configs (Claude Desktop, Claude Code, Cursor, VS Code,
// Windsurf). Each server entry is an identity of actor `agent`; each place that
// holds a secret, or refers to one, is a credential. Literal values are kept
// only as SHA-256 + redacted preview, which is also how the same secret in two
// places is recognised as reuse.
#include "scanners/importers/parsers.hpp"

#include <cctype>
#include <cstring>
#include <optional>
#include <sstream>

#include <toml++/toml.h>

#include "db/model.hpp"
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

// One `${...}` reference in a value: where it starts and ends, and its
// `:-default` if any.
struct Ref {
    size_t begin = 0, end = 0;
    std::optional<std::string> fallback;
};

bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'; }

// The references ${env:X}, ${input:x}, ${X} and ${X:-default} in `v`, in order
// (plain code: no std::regex, whose recursion a long value overflows).
std::vector<Ref> references(const std::string& v) {
    std::vector<Ref> out;
    for (size_t at = v.find("${"); at != std::string::npos; at = v.find("${", at + 1)) {
        size_t i = at + 2;
        for (const char* pre : {"env:", "input:"})
            if (v.compare(i, std::strlen(pre), pre) == 0) {
                i += std::strlen(pre);
                break;
            }
        if (i >= v.size() || !(std::isalpha(static_cast<unsigned char>(v[i])) || v[i] == '_')) continue;
        while (i < v.size() && name_char(v[i])) ++i;
        Ref r;
        r.begin = at;
        if (v.compare(i, 2, ":-") == 0) {
            size_t close = v.find('}', i + 2);
            if (close == std::string::npos) continue;
            r.fallback = v.substr(i + 2, close - i - 2);
            i = close;
        }
        if (i >= v.size() || v[i] != '}') continue;
        r.end = i + 1;
        out.push_back(std::move(r));
        at = i;
    }
    return out;
}

// A value is a reference when everything secret in it comes from elsewhere:
// ${env:X}, ${X},
// ${input:x}. `${X:-default}` is a reference only if the default is not itself
// a literal.
bool is_reference(const std::string& v) {
    auto refs = references(v);
    if (refs.empty()) return false;
    size_t rest = v.size();
    for (const auto& r : refs) {
        if (r.fallback && (r.fallback->find('@') != std::string::npos || r.fallback->size() >= 16))
            return false;  // a DSN or key as default
        rest -= r.end - r.begin;
    }
    // "Bearer ${TOKEN}" is still a reference; "Bearer abc123..." is not.
    return rest < 16;
}

// `v` with every reference's default replaced by its redacted preview: a
// default is a literal, and literals are never stored.
std::string without_defaults(const std::string& v) {
    std::string out;
    size_t last = 0;
    for (const auto& r : references(v)) {
        if (!r.fallback || r.fallback->empty()) continue;
        const size_t def_at = v.find(":-", r.begin) + 2;
        out += v.substr(last, def_at - last) + db::redact(*r.fallback) + "}";
        last = r.end;
    }
    return out + v.substr(last);
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
        c.data["reference"] = without_defaults(value);
        for (const auto& r : references(value))
            if (r.fallback && !r.fallback->empty()) {
                c.data["default_sha256"] = util::sha256_hex(*r.fallback);
                c.data["default_redacted"] = db::redact(*r.fallback);
            }
    } else {
        c.data["secret_sha256"] = util::sha256_hex(value);
        c.data["redacted"] = db::redact(value);
    }
    c.data["revocation"] = ref ? "Rotate the secret at its issuer; the config only refers to it"
                               : "Rotate the secret at its issuer, then replace the literal with a "
                                 "${env:VAR} reference";
    b.credential(std::move(c));
}

// A URL's secrets: the userinfo password and the query values. `redacted` is
// the URL with each of them replaced by its redacted preview, the only form
// that is stored.
struct UrlSecrets {
    std::string redacted, password;
    std::vector<std::pair<std::string, std::string>> query;  // name, value
};

UrlSecrets url_secrets(const std::string& url) {
    UrlSecrets u;
    size_t scheme = url.find("://");
    size_t auth_begin = scheme == std::string::npos ? 0 : scheme + 3;
    size_t auth_end = url.find_first_of("/?#", auth_begin);
    if (auth_end == std::string::npos) auth_end = url.size();
    std::string out = url.substr(0, auth_begin);
    const std::string authority = url.substr(auth_begin, auth_end - auth_begin);
    if (auto at = authority.rfind('@'); scheme != std::string::npos && at != std::string::npos) {
        const std::string userinfo = authority.substr(0, at);
        if (auto colon = userinfo.find(':'); colon != std::string::npos) {
            u.password = userinfo.substr(colon + 1);
            out += userinfo.substr(0, colon + 1) + (is_reference(u.password) ? u.password : db::redact(u.password));
        } else {
            out += userinfo;
        }
        out += authority.substr(at);
    } else {
        out += authority;
    }
    size_t q = url.find('?', auth_end), frag = url.find('#', auth_end);
    if (q == std::string::npos || (frag != std::string::npos && frag < q)) {
        u.redacted = out + url.substr(auth_end);
        return u;
    }
    out += url.substr(auth_end, q + 1 - auth_end);
    const size_t qend = frag == std::string::npos ? url.size() : frag;
    bool first = true;
    for (auto part : util::split(std::string_view(url).substr(q + 1, qend - q - 1), '&')) {
        if (!first) out += "&";
        first = false;
        auto eq = part.find('=');
        if (eq == std::string_view::npos) {
            out += std::string(part);
            continue;
        }
        std::string name(part.substr(0, eq)), value(part.substr(eq + 1));
        out += name + "=" + (value.empty() || is_reference(value) ? value : db::redact(value));
        if (!value.empty()) u.query.emplace_back(name, value);
    }
    out += url.substr(qend);
    u.redacted = out;
    return u;
}

// `scheme://user:pass@` anywhere in an argument (a DSN on a command line).
bool has_userinfo(const std::string& a) {
    for (size_t at = a.find("://"); at != std::string::npos; at = a.find("://", at + 1)) {
        size_t end = a.find_first_of("/ \t", at + 3);
        const std::string auth = a.substr(at + 3, end == std::string::npos ? std::string::npos : end - at - 3);
        auto amp = auth.rfind('@'), colon = auth.find(':');
        if (amp != std::string::npos && colon != std::string::npos && colon < amp && colon > 0) return true;
    }
    return false;
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
    const UrlSecrets secrets = url_secrets(url);
    if (!url.empty()) id.data["url"] = secrets.redacted;
    if (!str(s, "command").empty()) id.data["command"] = str(s, "command");
    if (url.empty() && str(s, "command").empty())
        b.warnings.push_back(warn(path, "server `" + name + "` has neither command nor url; it may be cut short"));
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
        if (has_userinfo(a) || util::lower(a).rfind("authorization:", 0) == 0)
            add(b, id, "args[" + std::to_string(i) + "]", a);
    }
    if (!secrets.password.empty()) add(b, id, "url userinfo", secrets.password);
    for (const auto& [name, value] : secrets.query)
        if (secret_name(name)) add(b, id, "url query " + name, value);
    if (!str(s, "envFile").empty()) add(b, id, "envFile", "${file:" + str(s, "envFile") + "}");
    // Codex: the secret's env-var name, never its value.
    if (!str(s, "bearer_token_env_var").empty())
        add(b, id, "bearer_token_env_var", "${" + str(s, "bearer_token_env_var") + "}");
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
    if (auto v = n.as_date_time())
        ss << *v;
    else if (auto v = n.as_date())
        ss << *v;
    else if (auto v = n.as_time())
        ss << *v;
    return ss.str();
}

}  // namespace

util::Status parse_codex_toml(std::string_view path, Input& in, ImportBatch& b) {
    TRY_ASSIGN(auto content, in.text());
    toml::table root;
    try {
        root = toml::parse(content, path);
    } catch (const toml::parse_error& e) {
        // toml++ descriptions can quote the input ("saw '...'"), which may be a
        // secret: keep only the text before any quote.
        std::string why(e.description());
        why = why.substr(0, std::min({why.find('\''), why.find('"'), why.find(", saw"), why.find(" saw ")}));
        while (!why.empty() && (why.back() == ' ' || why.back() == ',' || why.back() == ':')) why.pop_back();
        return util::Error{std::string(path), "invalid TOML at line " + std::to_string(e.source().begin.line) +
                                                  ", column " + std::to_string(e.source().begin.column) +
                                                  (why.empty() ? "" : ": " + why)};
    }
    auto servers = root["mcp_servers"].as_table();
    if (!servers) return util::Error{std::string(path), "no [mcp_servers] table; not a Codex config"};
    // A file cut short at a line boundary is still valid TOML, and would import
    // only the servers before the cut. Editors and codex end the file with a
    // newline; without one the file is treated as truncated rather than read as a
    // quiet partial.
    if (!content.empty() && content.back() != '\n')
        return util::Error{std::string(path), "ends without a newline, so it looks truncated (" +
                                                  std::to_string(servers->size()) +
                                                  " servers before the cut); re-export it, or end it with a newline"};
    b.format = "mcp-config";
    for (const auto& [name, node] : *servers) {
        if (!node.is_table()) {
            b.warnings.push_back(warn(path, "mcp_servers." + std::string(name.str()) + " is not a table; skipped"));
            continue;
        }
        server(b, path, "codex", std::string(name.str()), to_json(node));
    }
    return util::ok_status();
}

util::Status parse_mcp_json(std::string_view path, Input& in, ImportBatch& b) {
    // VS Code's mcp.json is JSONC; comments are harmless in the other clients'
    // files too.
    TRY_ASSIGN(auto j, in.document(/*comments=*/true));
    const char* root = j.contains("mcpServers") ? "mcpServers" : (j.contains("servers") ? "servers" : nullptr);
    if (!root || !j[root].is_object())
        return util::Error{std::string(path), "no `mcpServers` or `servers` object; not an MCP client config"};
    std::string client = "mcp";
    const std::string p(path);
    if (p.find("claude_desktop") != std::string::npos)
        client = "claude-desktop";
    else if (p.find("cursor") != std::string::npos)
        client = "cursor";
    else if (p.find("windsurf") != std::string::npos || p.find("mcp_config") != std::string::npos)
        client = "windsurf";
    else if (p.find("vscode") != std::string::npos || std::string(root) == "servers")
        client = "vscode";
    else if (p.find(".mcp.json") != std::string::npos)
        client = "claude-code";
    b.format = "mcp-config";
    for (const auto& [name, s] : j[root].items()) {
        if (!s.is_object()) {
            b.warnings.push_back(warn(path, "server `" + name + "` is not an object; skipped"));
            continue;
        }
        const size_t identities = b.identities.size(), credentials = b.credentials.size();
        try {
            server(b, path, client, name, s);
        } catch (const nlohmann::json::exception&) {
            b.identities.resize(identities);  // nothing of a half-read server is kept
            b.credentials.resize(credentials);
            b.warnings.push_back(warn(path, "server `" + name + "` has a field of an unexpected type; skipped"));
        }
    }
    return util::ok_status();
}

}  // namespace nhi::scanners::importers
