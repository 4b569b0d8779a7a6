#include "validate/match.hpp"

#include <algorithm>

#include "util/text.hpp"

namespace nhi::validate {

namespace {

using nlohmann::json;

// The value at `pointer` in `body`, or nullptr when it does not resolve (or is not a pointer).
const json* at(const json& body, const std::string& pointer) {
    try {
        json::json_pointer p(pointer);
        if (!body.contains(p)) return nullptr;
        return &body.at(p);
    } catch (const json::exception&) {
        return nullptr;
    }
}

// A string compares as itself, anything else as its JSON text (docs/VALIDATION.md).
std::string text(const json& v) {
    return v.is_string() ? v.get<std::string>() : v.dump(-1, ' ', false, json::error_handler_t::replace);
}

enum class Hold { Yes, No, NotJson };

Hold holds(const rules::ResponseMatch& m, long status, const json& body, bool is_json) {
    if (m.empty()) return Hold::No;
    if (!m.status.empty() && std::find(m.status.begin(), m.status.end(), int(status)) == m.status.end()) return Hold::No;
    if (m.json_pointer.empty()) return Hold::Yes;
    if (!is_json) return Hold::NotJson;
    const json* v = at(body, m.json_pointer);
    if (!v) return Hold::No;
    if (!m.equals.empty() && text(*v) != m.equals) return Hold::No;
    return Hold::Yes;
}

bool listed(const rules::ResponseMatch& m, long status) {
    return std::find(m.status.begin(), m.status.end(), int(status)) != m.status.end();
}

json split_scopes(const std::string& s) {
    json out = json::array();
    std::string cur;
    for (char c : s + ",") {
        if (c == ',' || c == ' ' || c == '\t') {
            if (!cur.empty()) out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    return out;
}

}  // namespace

json extract_identity(const rules::ValidateSpec& spec, const HttpResponse& response, const json& body) {
    json out = json::object();
    for (const auto& [field, source] : spec.identity) {
        json value;
        if (source.rfind("header:", 0) == 0) {
            std::string h = response.header(util::lower(source.substr(7)));
            if (!h.empty()) value = h;
        } else if (body.is_structured()) {
            if (const json* v = at(body, source); v && !v->is_null()) value = *v;
        }
        if (value.is_null()) continue;
        if (field == "scopes") {
            if (value.is_string()) {
                value = split_scopes(value.get<std::string>());
            } else if (value.is_array()) {
                json list = json::array();
                for (const auto& s : value)
                    if (s.is_string()) list.push_back(s);
                value = list;
            } else {
                continue;
            }
        } else if (!value.is_string()) {
            if (value.is_structured()) continue;  // an identity field is a scalar
            value = text(value);  // ids as text: 12345 -> "12345"
        }
        out[field] = value;
    }
    return out;
}

db::Validation judge(const rules::ValidateSpec& spec, const HttpResponse& response) {
    db::Validation v;
    v.http_status = int(response.status);
    long status = response.status;
    if (status >= 300 && status < 400 && !listed(spec.live, status) && !listed(spec.revoked, status)) {
        v.status = "unknown";
        v.reason = "redirect not followed";
        return v;
    }
    json body = json::parse(response.body, nullptr, false);
    bool is_json = !body.is_discarded();
    Hold live = holds(spec.live, status, body, is_json);
    if (live == Hold::Yes) {
        v.status = "live";
        v.identity = extract_identity(spec, response, is_json ? body : json());
        return v;
    }
    Hold revoked = holds(spec.revoked, status, body, is_json);
    if (revoked == Hold::Yes) {
        v.status = "revoked";
        return v;
    }
    v.status = "unknown";
    v.reason = live == Hold::NotJson || revoked == Hold::NotJson ? "answer is not JSON"
                                                                 : "unexpected answer (HTTP " + std::to_string(status) + ")";
    return v;
}

}  // namespace nhi::validate
