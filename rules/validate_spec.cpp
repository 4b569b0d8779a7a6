#include "rules/validate_spec.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

namespace nhi::rules {

namespace {

using nlohmann::json;

// Every template placeholder in `s` ({secret}, {key_id}); false on an unclosed brace.
bool placeholders(const std::string& s, std::vector<std::string>& out) {
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '{') continue;
        auto end = s.find('}', i);
        if (end == std::string::npos) return false;
        out.push_back(s.substr(i + 1, end - i - 1));
        i = end;
    }
    return true;
}

std::string text(const json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); }

util::Expected<ResponseMatch> parse_match(const json& j, const std::string& what) {
    ResponseMatch m;
    if (!j.is_object()) return util::Error{what, "must be a mapping with status, json and equals"};
    for (const auto& [k, v] : j.items()) {
        if (k == "status") {
            for (const auto& s : v.is_array() ? v : json::array({v})) {
                int code = 0;
                try {
                    code = std::stoi(text(s));
                } catch (...) {
                    return util::Error{what, "status must be HTTP status codes"};
                }
                if (code < 100 || code > 599) return util::Error{what, "status must be between 100 and 599"};
                m.status.push_back(code);
            }
        } else if (k == "json") {
            m.json_pointer = text(v);
            if (m.json_pointer.empty() || m.json_pointer[0] != '/')
                return util::Error{what, "json must be a JSON pointer starting with /"};
        } else if (k == "equals") {
            m.equals = text(v);
        } else {
            return util::Error{what, "unknown key `" + k + "`"};
        }
    }
    if (!m.equals.empty() && m.json_pointer.empty()) return util::Error{what, "equals needs json"};
    return m;
}

// The host part of an https URL, or "" when the URL is not https or has no literal host.
std::string https_host(const std::string& url) {
    constexpr std::string_view scheme = "https://";
    if (url.compare(0, scheme.size(), scheme) != 0) return "";
    auto rest = url.substr(scheme.size());
    auto end = rest.find_first_of("/?#");
    std::string authority = rest.substr(0, end);
    if (authority.find('@') != std::string::npos) return "";  // no userinfo: it would hide the host
    std::string host = authority.substr(0, authority.rfind(':') == std::string::npos ? authority.size()
                                                                                        : authority.rfind(':'));
    if (host.empty()) return "";
    for (char& c : host) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-')) return "";
        c = char(std::tolower(static_cast<unsigned char>(c)));
    }
    return host;
}

}  // namespace

const std::vector<std::string>& identity_fields() {
    static const std::vector<std::string> f = {"login", "user_id", "account", "arn", "email",
                                               "name",  "team",    "org",     "scopes", "expires_at"};
    return f;
}

std::string ValidateSpec::host() const { return https_host(url); }

util::Expected<ValidateSpec> parse_validate_spec(const Rule& rule) {
    const std::string what = rule.id + ": validate";
    auto fail = [&](const std::string& why) { return util::Error{what, why}; };
    if (rule.validate.empty()) return fail("the rule has no validate block");
    json j = json::parse(rule.validate, nullptr, false);
    if (!j.is_object()) return fail("must be a mapping");
    ValidateSpec v;
    std::vector<std::string> used;  // placeholders the templates use
    auto templ = [&](const json& x, std::string& out) -> bool {
        out = text(x);
        return placeholders(out, used);
    };
    for (const auto& [k, x] : j.items()) {
        if (k == "method") {
            v.method = text(x);
            if (v.method != "GET" && v.method != "POST") return fail("method must be GET or POST");
        } else if (k == "url") {
            if (!templ(x, v.url)) return fail("unclosed { in url");
        } else if (k == "headers") {
            if (!x.is_object()) return fail("headers must be a mapping");
            for (const auto& [name, value] : x.items()) {
                std::string t;
                if (!templ(value, t)) return fail("unclosed { in header " + name);
                if (name.find_first_of(":\r\n ") != std::string::npos || t.find_first_of("\r\n") != std::string::npos)
                    return fail("header " + name + " is not a valid header");
                v.headers.emplace_back(name, t);
            }
        } else if (k == "basic") {
            if (!x.is_object()) return fail("basic must be a mapping with user and password");
            v.basic = true;
            for (const auto& [bk, bv] : x.items()) {
                if (bk == "user") {
                    if (!templ(bv, v.basic_user)) return fail("unclosed { in basic user");
                } else if (bk == "password") {
                    if (!templ(bv, v.basic_password)) return fail("unclosed { in basic password");
                } else {
                    return fail("unknown key `basic." + bk + "`");
                }
            }
        } else if (k == "body") {
            if (!templ(x, v.body)) return fail("unclosed { in body");
        } else if (k == "content_type") {
            v.content_type = text(x);
        } else if (k == "sign") {
            if (!x.is_object()) return fail("sign must be a mapping with kind");
            for (const auto& [sk, sv] : x.items()) {
                if (sk == "kind") v.sign = text(sv);
                else if (sk == "region") v.sign_region = text(sv);
                else if (sk == "service") v.sign_service = text(sv);
                else return fail("unknown key `sign." + sk + "`");
            }
            if (v.sign != "aws-sigv4" && v.sign != "google-jwt") return fail("sign kind must be aws-sigv4 or google-jwt");
            if (v.sign == "aws-sigv4" && (v.sign_region.empty() || v.sign_service.empty()))
                return fail("aws-sigv4 needs region and service");
        } else if (k == "needs") {
            if (!x.is_object()) return fail("needs must map placeholder names to rule ids");
            for (const auto& [name, id] : x.items()) {
                if (name == "secret") return fail("needs cannot redefine {secret}");
                v.needs.emplace_back(name, text(id));
            }
        } else if (k == "live" || k == "revoked") {
            auto m = parse_match(x, what + "." + k);
            if (!m) return m.error();
            (k == "live" ? v.live : v.revoked) = std::move(m).value();
        } else if (k == "identity") {
            if (!x.is_object()) return fail("identity must map fields to JSON pointers or header:<name>");
            const auto& fields = identity_fields();
            for (const auto& [field, src] : x.items()) {
                if (std::find(fields.begin(), fields.end(), field) == fields.end())
                    return fail("unknown identity field `" + field + "`");
                std::string s = text(src);
                if (s.empty() || (s[0] != '/' && s.rfind("header:", 0) != 0))
                    return fail("identity." + field + " must be a JSON pointer or header:<name>");
                v.identity.emplace_back(field, s);
            }
        } else {
            return fail("unknown key `" + k + "`");
        }
    }
    if (v.url.empty()) return fail("missing url");
    // The host is fixed by the rule: the secret can go nowhere else.
    if (v.host().empty()) return fail("url must be https:// with a literal host (no placeholders, no user info)");
    if (v.live.empty()) return fail("missing live (what a working secret's answer looks like)");
    // Every placeholder must be {secret} or a declared companion, and the secret must be sent
    // somewhere (a signature uses it without naming it).
    std::set<std::string> known = {"secret"};
    for (const auto& [name, id] : v.needs) known.insert(name);
    for (const auto& p : used)
        if (!known.count(p)) return fail("unknown placeholder {" + p + "}");
    bool sends_secret = std::find(used.begin(), used.end(), "secret") != used.end();
    if (!sends_secret && v.sign.empty()) return fail("the request never uses {secret}");
    if (v.sign == "aws-sigv4" && std::none_of(v.needs.begin(), v.needs.end(), [](const auto& n) { return n.first == "key_id"; }))
        return fail("aws-sigv4 needs `needs: {key_id: <rule id>}`");
    return v;
}

}  // namespace nhi::rules
