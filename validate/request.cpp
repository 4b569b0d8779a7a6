#include "validate/request.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "util/text.hpp"
#include "validate/google_jwt.hpp"
#include "validate/sigv4.hpp"

namespace nhi::validate {

namespace {

std::string json_escape(const std::string& s) {
    // dump() of a string is its JSON text with quotes; replace() keeps invalid UTF-8 from throwing.
    std::string text = nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return text.substr(1, text.size() - 2);
}

bool form_body(const std::string& content_type) {
    return content_type.empty() || util::lower(content_type).rfind("application/x-www-form-urlencoded", 0) == 0;
}

bool has_header(const HttpRequest& r, const std::string& name) {
    return std::any_of(r.headers.begin(), r.headers.end(),
                       [&](const auto& h) { return util::lower(h.first) == util::lower(name); });
}

}  // namespace

std::string substitute(const std::string& templ, const Values& values, Encoding e) {
    std::string out;
    for (size_t i = 0; i < templ.size(); ++i) {
        if (templ[i] == '{') {
            auto end = templ.find('}', i);
            if (end != std::string::npos) {
                auto it = values.find(templ.substr(i + 1, end - i - 1));
                if (it != values.end()) {
                    out += e == Encoding::Url ? percent_encode(it->second)
                           : e == Encoding::Json ? json_escape(it->second)
                                                 : it->second;
                    i = end;
                    continue;
                }
            }
        }
        out += templ[i];
    }
    return out;
}

util::Expected<HttpRequest> build_request(const rules::ValidateSpec& spec, const Values& values,
                                          const std::string& test_base_url, int64_t now) {
    const std::string host = spec.host();
    const util::Error refused{host, "the secret cannot be placed in this request"};
    if (host.empty()) return util::Error{"validate", "the block has no https host"};
    // The URL splits into the literal authority and the path+query, where placeholders may be.
    const std::string after = spec.url.substr(std::string("https://").size());
    size_t cut = after.find_first_of("/?#");
    std::string authority = util::lower(after.substr(0, cut));
    std::string rest = cut == std::string::npos ? "/" : after.substr(cut);
    if (auto hash = rest.find('#'); hash != std::string::npos) rest.resize(hash);
    if (rest.empty() || rest[0] != '/') rest = "/" + rest;
    rest = substitute(rest, values, Encoding::Url);

    HttpRequest r;
    r.method = spec.method;
    if (test_base_url.empty()) {
        r.url = "https://" + authority + rest;
    } else {
        std::string base = test_base_url;
        while (!base.empty() && base.back() == '/') base.pop_back();
        r.url = base + "/" + authority + rest;
    }
    for (const auto& [name, value] : spec.headers) {
        std::string v = substitute(value, values, Encoding::None);
        // A found value with a line break would add headers of its own.
        if (v.find_first_of(std::string("\r\n\0", 3)) != std::string::npos) return refused;
        r.headers.emplace_back(name, v);
    }
    if (spec.basic) {
        std::string user = substitute(spec.basic_user, values, Encoding::None);
        std::string password = substitute(spec.basic_password, values, Encoding::None);
        if (user.find(':') != std::string::npos) return refused;  // basic auth cannot carry it
        r.headers.emplace_back("Authorization", "Basic " + base64(user + ":" + password));
    }
    if (!spec.body.empty()) {
        bool form = form_body(spec.content_type);
        bool json = util::lower(spec.content_type).find("json") != std::string::npos;
        r.body = substitute(spec.body, values, form ? Encoding::Url : json ? Encoding::Json : Encoding::None);
    }
    if ((!spec.body.empty() || !spec.content_type.empty()) && !has_header(r, "Content-Type"))
        r.headers.emplace_back("Content-Type",
                               spec.content_type.empty() ? "application/x-www-form-urlencoded" : spec.content_type);

    if (spec.sign == "aws-sigv4") {
        auto key_id = values.find("key_id");
        auto secret = values.find("secret");
        if (key_id == values.end() || secret == values.end()) return util::Error{host, "no key_id to sign with"};
        SigV4Request s;
        s.method = spec.method;
        s.host = authority;
        auto q = rest.find('?');
        s.path = rest.substr(0, q);
        s.query = q == std::string::npos ? "" : rest.substr(q + 1);
        s.headers = r.headers;
        s.body = r.body;
        s.region = spec.sign_region;
        s.service = spec.sign_service;
        s.key_id = key_id->second;
        s.secret = secret->second;
        s.time = now;
        if (s.key_id.find_first_of("\r\n/, ") != std::string::npos) return refused;
        auto sig = sign_v4(s);
        r.headers.emplace_back("X-Amz-Date", sig.amz_date);
        r.headers.emplace_back("Authorization", sig.authorization);
    } else if (spec.sign == "google-jwt") {
        // The exchange is always the same form post: the block gives only where to send it.
        auto key = google_key(values);
        if (!key) return util::Error{host, key.error().why};
        auto jwt = google_jwt(key.value(), "https://" + authority + rest.substr(0, rest.find('?')), now);
        if (!jwt) return util::Error{host, jwt.error().why};
        r.method = "POST";
        r.body = "grant_type=" + percent_encode("urn:ietf:params:oauth:grant-type:jwt-bearer") + "&assertion=" + jwt.value();
        r.headers.erase(std::remove_if(r.headers.begin(), r.headers.end(),
                                       [](const auto& h) { return util::lower(h.first) == "content-type"; }),
                        r.headers.end());
        r.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    }
    return r;
}

}  // namespace nhi::validate
