#include "scanners/discovery.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <set>
#include <sstream>

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

// Bounds on what discovery parses. Discovery runs on every config-looking file of a tree
// that may be hostile, so a file past a bound is refused with a warning rather than parsed.
constexpr size_t kMaxConfigBytes = 4u << 20;  // a 4 MiB manifest bundle is already huge
constexpr size_t kMaxDepth = 64;              // YAML and JSON nesting
constexpr size_t kMaxYamlAliases = 1000;
constexpr size_t kMaxYamlNodes = 250'000;     // yaml-cpp keeps a few hundred bytes per node
constexpr size_t kMaxYamlDocuments = 10'000;
constexpr size_t kMaxTfBodyBytes = 16 * kMaxConfigBytes;  // the resource bodies of a file, together

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

// ---- Warnings -------------------------------------------------------------------------
// A warning names the file and a 1-based line and column, never input bytes: the bytes
// around a parse error are often the secret itself.

// `PATH: WHAT at line L, column C; THEN`.
void warn_at(ImportBatch& b, std::string_view path, size_t line, size_t column, const std::string& what,
             const std::string& then) {
    b.warnings.push_back(std::string(path) + ": " + what + " at line " + std::to_string(line) + ", column " +
                         std::to_string(column) + "; " + then);
}

// A problem with the file as a whole: `PATH: WHAT; THEN`.
void warn(ImportBatch& b, std::string_view path, const std::string& what, const std::string& then) {
    b.warnings.push_back(std::string(path) + ": " + what + "; " + then);
}

void warn_at_offset(ImportBatch& b, std::string_view path, std::string_view content, size_t offset,
                    const std::string& what, const std::string& then) {
    auto [line, column] = util::LineCounter(content).locate(std::min(offset, content.size()));
    warn_at(b, path, line, column, what, then);
}

// yaml-cpp marks are 0-based, and -1 when unknown.
void warn_at_mark(ImportBatch& b, std::string_view path, const YAML::Mark& m, const std::string& what,
                  const std::string& then) {
    if (m.is_null()) warn(b, path, what, then);
    else warn_at(b, path, size_t(m.line) + 1, size_t(m.column) + 1, what, then);
}

// ---- Plain text scanning ----------------------------------------------------------------
// No std::regex: libstdc++ matches recursively, and a 40 KB token overflows a worker's stack.

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }
bool is_word(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }
bool is_lower_or_underscore(char c) { return (c >= 'a' && c <= 'z') || c == '_'; }
bool is_tf_type(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }
bool is_tf_name(char c) { return is_word(c) || c == '-'; }

template <class Pred>
size_t skip_while(std::string_view s, size_t i, Pred pred) {
    while (i < s.size() && pred(s[i])) ++i;
    return i;
}
size_t skip_spaces(std::string_view s, size_t i) { return skip_while(s, i, is_space); }

bool at(std::string_view s, size_t i, std::string_view literal) { return s.substr(std::min(i, s.size())).starts_with(literal); }

// `"TOKEN"` at i whose characters all satisfy pred (at least one): the end, or npos.
template <class Pred>
size_t quoted_token(std::string_view s, size_t i, Pred pred) {
    if (!at(s, i, "\"")) return std::string_view::npos;
    size_t end = skip_while(s, i + 1, pred);
    return end > i + 1 && at(s, end, "\"") ? end + 1 : std::string_view::npos;
}

// Calls fn(i, first) for line starts i (0, and after each '\n'), where `first` is the first
// non-space at or after i, until fn returns false. The matches here all begin with `^\s*`,
// so the line starts inside one run of blank lines land on the same `first` and only the
// first of them is tried: else a file of blank lines would cost quadratic time.
template <class Fn>
void for_each_line_start(std::string_view s, Fn fn) {
    for (size_t i = 0;;) {
        const size_t first = skip_spaces(s, i);
        if (!fn(i, first)) return;
        const size_t nl = s.find('\n', first);
        if (nl == std::string_view::npos) return;
        i = nl + 1;
    }
}

// Text copied from a file into a record, as util::printable renders it. Records are stored
// as JSON, which must be UTF-8, and their names are printed; the file's bytes may be any.
// Names that are valid in their system (DNS labels, IAM names, URLs) come out unchanged.
std::string text(std::string_view s) { return util::printable(s); }

// Literal secrets are kept as SHA-256 (which links them to scan findings) and a preview.
void literal(CredentialRecord& c, std::string_view secret) {
    c.data["literal"] = true;
    c.data["secret_sha256"] = util::sha256_hex(secret);
    c.data["redacted"] = text(db::redact(secret));  // the preview may cut a byte sequence, or the token be any bytes
}

// ---- YAML loading -------------------------------------------------------------------------

struct YamlRefused {
    YAML::Mark mark;
    std::string why;
};

// A first pass over the events that bounds what LoadAll may build. yaml-cpp 0.7's LoadAll
// never ends on some malformed input (`- a:\n  b\n"c",`): the parser keeps reporting new
// documents at the same position, and memory grows until the process dies.
class YamlBounds : public YAML::EventHandler {
public:
    void OnDocumentStart(const YAML::Mark& m) override {
        if (documents_ > 0 && m.pos <= last_start_) throw YamlRefused{m, "the YAML parser stopped making progress"};
        if (++documents_ > kMaxYamlDocuments) throw YamlRefused{m, "more than " + std::to_string(kMaxYamlDocuments) + " YAML documents"};
        last_start_ = m.pos;
    }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& m, YAML::anchor_t) override { node(m); }
    void OnAlias(const YAML::Mark& m, YAML::anchor_t) override {
        if (++aliases_ > kMaxYamlAliases) throw YamlRefused{m, "more than " + std::to_string(kMaxYamlAliases) + " YAML aliases"};
        node(m);
    }
    void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t, const std::string&) override { node(m); }
    void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override { open(m); }
    void OnSequenceEnd() override { --depth_; }
    void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override { open(m); }
    void OnMapEnd() override { --depth_; }

private:
    void node(const YAML::Mark& m) {
        if (++nodes_ > kMaxYamlNodes) throw YamlRefused{m, "more than " + std::to_string(kMaxYamlNodes) + " YAML nodes"};
    }
    void open(const YAML::Mark& m) {
        node(m);
        if (++depth_ > kMaxDepth) throw YamlRefused{m, "YAML nested deeper than " + std::to_string(kMaxDepth) + " levels"};
    }
    size_t documents_ = 0, aliases_ = 0, nodes_ = 0, depth_ = 0;
    int last_start_ = -1;
};

// The documents of `content`, or nullopt (with a warning) when it is invalid or past a bound.
std::optional<std::vector<YAML::Node>> load_yaml(std::string_view path, std::string_view content, ImportBatch& b) {
    const std::string not_recorded = "identities in it were not recorded";
    const std::string yaml(content);
    try {
        std::istringstream in(yaml);
        YAML::Parser parser(in);
        YamlBounds bounds;
        while (parser.HandleNextDocument(bounds)) {
        }
        return YAML::LoadAll(yaml);  // the same parser on the same bytes: now known to end
    } catch (const YamlRefused& r) {
        warn_at_mark(b, path, r.mark, r.why, not_recorded);
    } catch (const YAML::Exception& e) {
        warn_at_mark(b, path, e.mark, "invalid YAML", not_recorded);  // e.what() may quote the input
    } catch (const std::bad_alloc&) {
        warn(b, path, "out of memory parsing YAML", not_recorded);
    }
    return std::nullopt;
}

// ---- Kubernetes manifests -----------------------------------------------------------------
// yaml-cpp throws on operator[] of a scalar and on the type of a missing key, so every
// access goes through these two.

// `n[key]` when `n` is a map; an undefined node otherwise.
YAML::Node field(const YAML::Node& n, const char* key) {
    if (!n.IsDefined() || !n.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
    return n[key];
}

// The text of a scalar node; nullopt when the node is missing or not a scalar.
std::optional<std::string> scalar(const YAML::Node& n) {
    if (!n.IsDefined() || !n.IsScalar()) return std::nullopt;
    return n.Scalar();
}

// Labels and annotations: cloud role bindings and the owner tag.
void metadata_tags(std::string_view path, const YAML::Node& m, IdentityRecord& id, ImportBatch& b) {
    for (const char* section : {"annotations", "labels"}) {
        const YAML::Node tags = field(m, section);
        if (!tags.IsDefined() || tags.IsNull()) continue;
        if (!tags.IsMap()) {
            warn_at_mark(b, path, tags.Mark(), std::string("metadata.") + section + " is not a mapping", "it was ignored");
            continue;
        }
        nlohmann::json kv = nlohmann::json::object();
        size_t skipped = 0;
        for (const auto& it : tags) {
            auto k = scalar(it.first), v = scalar(it.second);
            if (k && v) kv[text(*k)] = text(*v);
            else ++skipped;
        }
        if (skipped)
            warn_at_mark(b, path, tags.Mark(), std::to_string(skipped) + " entries of metadata." + section + " are not text", "they were ignored");
        if (kv.contains("eks.amazonaws.com/role-arn")) id.data["aws_role_arn"] = kv["eks.amazonaws.com/role-arn"];
        if (kv.contains("iam.gke.io/gcp-service-account")) id.data["gcp_service_account"] = kv["iam.gke.io/gcp-service-account"];
        if (id.owner.empty())
            if (auto o = importers::owner_tag(kv)) {
                id.owner = o->second;
                id.owner_source = std::string("manifest ") + section + " " + o->first;
            }
    }
}

// One document: a ServiceAccount becomes an identity; a malformed one a warning.
void service_account(std::string_view path, const YAML::Node& d, ImportBatch& b) {
    if (!d.IsDefined() || !d.IsMap() || scalar(field(d, "kind")) != "ServiceAccount") return;
    const std::string dropped = "the ServiceAccount was not recorded";
    const YAML::Node m = field(d, "metadata");
    if (!m.IsDefined() || !m.IsMap()) {
        warn_at_mark(b, path, m.IsDefined() ? m.Mark() : d.Mark(), "metadata is not a mapping", dropped);
        return;
    }
    const auto name = scalar(field(m, "name"));
    if (!name || name->empty()) {
        warn_at_mark(b, path, m.Mark(), "metadata.name is missing or not text", dropped);
        return;
    }
    const YAML::Node ns_node = field(m, "namespace");
    std::string ns = "default";
    if (ns_node.IsDefined() && !ns_node.IsNull()) {
        auto v = scalar(ns_node);
        if (!v) {
            warn_at_mark(b, path, ns_node.Mark(), "metadata.namespace is not text", dropped);
            return;
        }
        ns = text(*v);
    }
    IdentityRecord id;
    id.provider = "kubernetes";
    id.kind = "service-account";
    id.actor = "workload";
    id.name = ns + "/" + text(*name);
    id.key = "k8s:sa/" + ns + "/" + text(*name);  // the key a cluster export gives it: the two merge
    id.data["namespace"] = ns;
    id.data["declared_in"] = std::string(path);
    metadata_tags(path, m, id, b);
    b.identity(std::move(id));
}

void k8s_manifests(std::string_view path, std::string_view content, ImportBatch& b) {
    auto docs = load_yaml(path, content, b);
    if (!docs) return;
    for (const auto& d : *docs) {
        try {
            service_account(path, d, b);
        } catch (const YAML::Exception& e) {  // a yaml-cpp corner the checks above missed
            warn_at_mark(b, path, e.mark, "unexpected YAML structure", "the document was not recorded");
        }
    }
}

// ---- Terraform ------------------------------------------------------------------------------

using TfKinds = std::map<std::string, std::tuple<const char*, const char*, bool>>;

const TfKinds& terraform_kinds() {
    static const TfKinds kinds = {
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
    return kinds;
}

struct TfBlock {
    std::string type, name;
    std::string_view body;  // after the `{`, through the matching `}` (or to the end)
};

// `resource "TYPE" "NAME" {` at i (i at "resource"): the type, name and the end of the `{`.
std::optional<std::tuple<std::string_view, std::string_view, size_t>> resource_header(std::string_view t, size_t i) {
    size_t p = i + std::string_view("resource").size();
    size_t q = skip_spaces(t, p);
    if (q == p) return std::nullopt;
    size_t type_end = quoted_token(t, q, is_tf_type);
    if (type_end == std::string_view::npos) return std::nullopt;
    size_t r = skip_spaces(t, type_end);
    if (r == type_end) return std::nullopt;
    size_t name_end = quoted_token(t, r, is_tf_name);
    if (name_end == std::string_view::npos) return std::nullopt;
    size_t brace = skip_spaces(t, name_end);
    if (!at(t, brace, "{")) return std::nullopt;
    return std::tuple{t.substr(q + 1, type_end - q - 2), t.substr(r + 1, name_end - r - 2), brace + 1};
}

// For each of the (sorted) `opens`, the position after its matching `}`, or the end of the
// text when it has none; one pass, so a file of unclosed blocks costs linear time.
std::map<size_t, size_t> brace_ends(std::string_view t, const std::vector<size_t>& opens) {
    std::map<size_t, size_t> end_of;
    for (size_t o : opens) end_of[o] = t.size();
    std::vector<size_t> stack;  // positions of the open braces
    for (size_t i = 0; i < t.size(); ++i) {
        if (t[i] == '{') {
            stack.push_back(i);
        } else if (t[i] == '}' && !stack.empty()) {
            if (auto it = end_of.find(stack.back()); it != end_of.end()) it->second = i + 1;
            stack.pop_back();
        }
    }
    return end_of;
}

// The blocks of the resource types in terraform_kinds(), in file order. Each body is read
// whole by the attribute readers, so nested or unclosed blocks (a body runs to the end of
// the file) would cost quadratic time: the bodies share a budget.
std::vector<TfBlock> terraform_blocks(std::string_view path, std::string_view t, ImportBatch& b) {
    std::vector<std::tuple<std::string, std::string, size_t>> headers;  // type, name, body start
    for (size_t i = t.find("resource"); i != std::string_view::npos; i = t.find("resource", i)) {
        auto h = resource_header(t, i);
        if (!h) {
            ++i;
            continue;
        }
        auto [type, name, body] = *h;
        if (terraform_kinds().count(std::string(type))) headers.emplace_back(std::string(type), std::string(name), body);
        i = body;
    }
    std::vector<size_t> opens;
    for (const auto& h : headers) opens.push_back(std::get<2>(h) - 1);
    auto ends = brace_ends(t, opens);
    std::vector<TfBlock> blocks;
    size_t budget = kMaxTfBodyBytes;
    for (auto& [type, name, body] : headers) {
        const size_t size = ends[body - 1] - body;
        if (size > budget) {
            warn_at_offset(b, path, t, body - 1, "resource blocks nested or unclosed past " + std::to_string(kMaxTfBodyBytes >> 20) + " MiB of bodies",
                           "this and later resources were not recorded");
            break;
        }
        budget -= size;
        blocks.push_back({type, name, t.substr(body, size)});
    }
    return blocks;
}

// The first `NAME = "VALUE"` that starts a line of the body (a value of one line).
std::string tf_attribute(std::string_view body, std::string_view name) {
    std::string found;
    for_each_line_start(body, [&](size_t, size_t p) {
        if (!at(body, p, name)) return true;
        p = skip_spaces(body, p + name.size());
        if (!at(body, p, "=")) return true;
        p = skip_spaces(body, p + 1);
        if (!at(body, p, "\"")) return true;
        size_t end = body.find_first_of("\"\n", p + 1);
        if (end == std::string_view::npos || body[end] != '"') return true;
        found = std::string(body.substr(p + 1, end - p - 1));
        return false;
    });
    return found;
}

// The first reference to another resource in the body: TYPE.NAME (of `TYPE.NAME.attribute`).
std::string tf_reference(std::string_view body) {
    static constexpr std::string_view providers[] = {"aws_", "google_", "azuread_", "azurerm_", "kubernetes_"};
    for (size_t i = 0; i < body.size(); ++i) {
        if (i > 0 && is_word(body[i - 1])) continue;  // \b
        for (auto prefix : providers) {
            if (!at(body, i, prefix)) continue;
            size_t type_end = skip_while(body, i + prefix.size(), is_lower_or_underscore);
            if (type_end == i + prefix.size() || !at(body, type_end, ".")) continue;
            size_t name_end = skip_while(body, type_end + 1, is_tf_name);
            if (name_end == type_end + 1 || !at(body, name_end, ".")) continue;
            return std::string(body.substr(i, name_end - i));
        }
    }
    return {};
}

void terraform_identities(const std::string& where, const std::vector<TfBlock>& blocks,
                          std::map<std::string, std::string>& key_of, ImportBatch& b) {
    for (const auto& bl : blocks) {
        auto [provider, kind, is_cred] = terraform_kinds().at(bl.type);
        if (is_cred) continue;
        IdentityRecord id;
        id.provider = provider;
        id.kind = kind;
        id.actor = bl.type == "azurerm_user_assigned_identity" || bl.type == "kubernetes_service_account" ? "workload" : "service";
        const std::string declared = text(tf_attribute(bl.body, bl.type == "google_service_account" ? "account_id" : "name"));
        id.name = declared.empty() || declared.find("${") != std::string::npos ? bl.type + "." + bl.name : declared;
        id.key = bl.type == "aws_iam_user" && id.name == declared ? "aws:user/" + declared
               : bl.type == "aws_iam_role" && id.name == declared ? "aws:role/" + declared
                                                                  : "tf:" + where + "#" + bl.type + "." + bl.name;
        id.data["declared_in"] = where;
        id.data["terraform_address"] = bl.type + "." + bl.name;
        key_of[bl.type + "." + bl.name] = id.key;
        b.identity(std::move(id));
    }
}

void terraform_credentials(const std::string& where, const std::vector<TfBlock>& blocks,
                           std::map<std::string, std::string>& key_of, ImportBatch& b) {
    for (const auto& bl : blocks) {
        auto [provider, kind, is_cred] = terraform_kinds().at(bl.type);
        if (!is_cred) continue;
        CredentialRecord c;
        c.kind = kind;
        c.key = "tf:" + where + "#" + bl.type + "." + bl.name;
        c.data["declared_in"] = where;
        c.data["terraform_address"] = bl.type + "." + bl.name;
        c.data["in_terraform_state"] = true;  // the secret lands in state, readable by whoever reads state
        c.data["revocation"] = "Remove the resource (terraform destroy -target=" + bl.type + "." + bl.name +
                               ") and move to federation; rotate anything that read the state";
        const std::string target = tf_reference(bl.body);
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

// Terraform resources that create non-human identities or their credentials.
void terraform(std::string_view path, std::string_view content, ImportBatch& b) {
    const auto blocks = terraform_blocks(path, content, b);
    std::map<std::string, std::string> key_of;  // TYPE.NAME -> identity key
    const std::string where(path);
    terraform_identities(where, blocks, key_of, b);
    terraform_credentials(where, blocks, key_of, b);
}

// ---- GitHub Actions workflows -----------------------------------------------------------------

// `id-token: write` anywhere (spaces allowed around the colon).
bool uses_oidc(std::string_view t) {
    for (size_t i = t.find("id-token"); i != std::string_view::npos; i = t.find("id-token", i + 1)) {
        size_t p = skip_spaces(t, i + std::string_view("id-token").size());
        if (at(t, p, ":") && at(t, skip_spaces(t, p + 1), "write")) return true;
    }
    return false;
}

// The NAME of every `${{ secrets.NAME }}`, in order.
std::vector<std::string> secret_references(std::string_view t) {
    std::vector<std::string> names;
    for (size_t i = t.find("${{"); i != std::string_view::npos; i = t.find("${{", i)) {
        size_t p = skip_spaces(t, i + 3);
        if (!at(t, p, "secrets.")) {
            ++i;
            continue;
        }
        p += std::string_view("secrets.").size();
        size_t end = skip_while(t, p, is_word);
        size_t close = skip_spaces(t, end);
        if (end == p || !at(t, close, "}}")) {
            ++i;
            continue;
        }
        names.emplace_back(t.substr(p, end - p));
        i = close + 2;
    }
    return names;
}

// A secret name that holds a static cloud credential (case-insensitive).
bool is_cloud_key(std::string_view name) {
    static const std::set<std::string, std::less<>> exact = {
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "GCP_SA_KEY", "GOOGLE_CREDENTIALS",
        "GOOGLE_APPLICATION_CREDENTIALS", "GCLOUD_SERVICE_KEY", "AZURE_CREDENTIALS", "AZURE_CLIENT_SECRET",
        "ARM_CLIENT_SECRET", "SERVICE_ACCOUNT_KEY"};
    std::string upper(name);
    for (char& c : upper)
        if (c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
    return exact.count(upper) || ends_with(upper, "_SA_KEY") || ends_with(upper, "_CREDENTIALS_JSON");
}

// A workflow is an identity that deploys: with static cloud keys from secrets, or with OIDC.
void workflow(std::string_view path, std::string_view content, ImportBatch& b) {
    IdentityRecord id;
    id.provider = "github";
    id.kind = "actions-workflow";
    id.actor = "workload";
    id.name = base_name(path);
    id.key = "github:workflow/" + std::string(path);
    id.data["declared_in"] = std::string(path);
    const bool oidc = uses_oidc(content);
    id.data["oidc"] = oidc;
    nlohmann::json static_keys = nlohmann::json::array();
    std::set<std::string> seen;
    for (const auto& name : secret_references(content)) {
        if (name == "GITHUB_TOKEN" || !seen.insert(name).second) continue;
        const bool cloud_key = is_cloud_key(name);
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
    if (static_keys.empty() && !oidc && b.credentials.empty()) return;  // deploys nothing we can see
    id.data["static_cloud_keys"] = static_keys;
    b.identity(std::move(id));
}

// ---- Registry logins ------------------------------------------------------------------------

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

// The offset where JSON nesting first passes `limit` (strings skipped), or npos. nlohmann
// parses depth iteratively, but every later recursive walk of the value (dump, compare,
// our readers) would not be.
size_t json_too_deep(std::string_view t, size_t limit) {
    size_t depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < t.size(); ++i) {
        const char c = t[i];
        if (in_string) {
            if (c == '\\') ++i;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > limit) return i;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return std::string_view::npos;
}

// A validating pass that keeps where and why the parse failed; it builds nothing.
struct JsonCheck : nlohmann::json::json_sax_t {
    size_t error_at = std::string_view::npos;
    bool out_of_range = false;
    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t&) override { return true; }
    bool string(string_t&) override { return true; }
    bool binary(binary_t&) override { return true; }
    bool start_object(std::size_t) override { return true; }
    bool key(string_t&) override { return true; }
    bool end_object() override { return true; }
    bool start_array(std::size_t) override { return true; }
    bool end_array() override { return true; }
    bool parse_error(std::size_t position, const std::string&, const nlohmann::json::exception& ex) override {
        error_at = position > 0 ? position - 1 : 0;  // nlohmann counts the bytes read
        out_of_range = ex.id == 406;                 // number overflow
        return false;
    }
};

// The JSON value of `content`, or nullopt with a warning giving line and column.
std::optional<nlohmann::json> parse_json(std::string_view path, std::string_view content, ImportBatch& b,
                                         const std::string& not_recorded) {
    if (size_t deep = json_too_deep(content, kMaxDepth); deep != std::string_view::npos) {
        warn_at_offset(b, path, content, deep, "JSON nested deeper than " + std::to_string(kMaxDepth) + " levels", not_recorded);
        return std::nullopt;
    }
    JsonCheck check;
    bool ok = false;
    try {
        ok = nlohmann::json::sax_parse(content.begin(), content.end(), &check);
    } catch (const nlohmann::json::exception&) {  // the handler returns false, so nlohmann should not throw
    }
    if (!ok) {
        warn_at_offset(b, path, content, check.error_at == std::string_view::npos ? 0 : check.error_at,
                       check.out_of_range ? "a number out of range" : "invalid JSON", not_recorded);
        return std::nullopt;
    }
    auto j = nlohmann::json::parse(content.begin(), content.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
        warn(b, path, "invalid JSON", not_recorded);
        return std::nullopt;
    }
    return j;
}

// The user name of a docker `auth` (base64 of USER:PASSWORD). Its bytes may be any (a user
// that decodes to bytes >= 0x80 broke the JSON dump), so it is stored through text().
std::optional<std::string> docker_user(const std::string& auth) {
    auto decoded = util::base64_decode(auth);
    if (!decoded || decoded->find(':') == std::string::npos) return std::nullopt;
    return text(decoded->substr(0, decoded->find(':')));
}

void docker_config(std::string_view path, std::string_view content, ImportBatch& b) {
    const std::string not_recorded = "registry credentials in it were not recorded";
    auto parsed = parse_json(path, content, b, not_recorded);
    if (!parsed) return;
    const nlohmann::json& j = *parsed;
    if (!j.is_object()) {
        warn(b, path, "not a JSON object", not_recorded);
        return;
    }
    const nlohmann::json& auths = j.contains("auths") ? j["auths"] : j;  // .dockercfg has no "auths"
    if (!auths.is_object()) return;
    for (const auto& [registry, entry] : auths.items()) {
        if (!entry.is_object() || !entry.contains("auth") || !entry["auth"].is_string() || entry["auth"].get<std::string>().empty()) continue;
        const std::string auth = entry["auth"].get<std::string>();
        auto& id = registry_login(b, "registry", "docker:", path, registry, "registry-password", "#auth", auth,
                                  "Revoke the password or token at " + registry + ", then docker logout " + registry);
        if (auto user = docker_user(auth)) id.data["user"] = *user;
    }
}

// `//REGISTRY/:_authToken=VALUE` at p (the first non-space of a line), or nullopt; `end` is after VALUE.
struct NpmToken {
    std::string_view registry, value;
    size_t end;
};
std::optional<NpmToken> npm_token_at(std::string_view t, size_t p) {
    if (!at(t, p, "//")) return std::nullopt;
    size_t reg_end = skip_while(t, p + 2, [](char c) { return !is_space(c) && c != ':'; });
    if (reg_end == p + 2 || !at(t, reg_end, ":_authToken")) return std::nullopt;
    size_t q = skip_spaces(t, reg_end + std::string_view(":_authToken").size());
    if (!at(t, q, "=")) return std::nullopt;
    size_t v = skip_spaces(t, q + 1);
    size_t v_end = skip_while(t, v, [](char c) { return !is_space(c); });
    if (v_end == v) return std::nullopt;
    return NpmToken{t.substr(p, reg_end - p), t.substr(v, v_end - v), v_end};
}

void npmrc(std::string_view path, std::string_view content, ImportBatch& b) {
    size_t resume = 0;  // a match's value may span lines: the next starts after it
    for_each_line_start(content, [&](size_t i, size_t first) {
        if (resume && i <= resume) return true;
        auto tok = npm_token_at(content, first);
        if (!tok) return true;
        resume = tok->end;
        if (tok->value.find("${") != std::string_view::npos) return true;  // a reference, not a credential in the file
        registry_login(b, "npm", "npmrc:", path, text(tok->registry), "registry-token", "#_authToken",
                       std::string(tok->value), "npm token revoke ID (npmjs.com > Access Tokens), or revoke it at the registry");
        return true;
    });
}

// ---- Agent configs ----------------------------------------------------------------------------

void mcp(std::string_view path, std::string_view content, ImportBatch& b) {
    const std::string not_recorded = "agents in it were not recorded";
    // JSON configs are checked here first, so a syntax error is reported by line and column,
    // never with the bytes the JSON parser last read (often the key it was reading).
    if (ends_with(path, ".json") && !parse_json(path, content, b, not_recorded)) return;
    try {
        auto parsed = importers::parse_export(path, content, "");
        if (parsed) b = std::move(parsed).value();
        else b.warnings.push_back(parsed.error().what + ": " + parsed.error().why + "; " + not_recorded);
    } catch (const std::exception&) {
        // The importers turn their parsers' exceptions into errors; this is the net on a
        // worker thread. what() is not shown: it may quote the file.
        b = ImportBatch{};
        warn(b, path, "could not be parsed", not_recorded);
    }
    b.format = "repository";
}

}  // namespace

bool discoverable(std::string_view p) {
    return ends_with(p, ".tf") || is_yaml(p) || is_mcp(p) || is_docker_config(p) || base_name(p) == ".npmrc";
}

ImportBatch discover(std::string_view path, std::string_view content) {
    ImportBatch b;
    b.format = "repository";
    if (content.size() > kMaxConfigBytes) {
        warn(b, path, "larger than the " + std::to_string(kMaxConfigBytes >> 20) + " MiB discovery reads",
             "identities in it were not recorded");
        return b;
    }
    if (ends_with(path, ".tf")) {
        if (content.find("resource") != std::string_view::npos) terraform(path, content, b);
    } else if (is_workflow(path)) {
        workflow(path, content, b);
    } else if (is_yaml(path)) {
        if (content.find("ServiceAccount") != std::string_view::npos) k8s_manifests(path, content, b);
    } else if (is_mcp(path)) {
        mcp(path, content, b);
    } else if (is_docker_config(path)) {
        docker_config(path, content, b);
    } else if (base_name(path) == ".npmrc") {
        npmrc(path, content, b);
    }
    return b;
}

}  // namespace nhi::scanners
