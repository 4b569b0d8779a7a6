#include "db/model.hpp"

#include "util/hash.hpp"
#include "rules/severity.hpp"

namespace nhi::db {

std::string redact(std::string_view s) {
    // Count UTF-8 code points' lead bytes only, so the preview never splits a character.
    auto cut_front = [&](size_t n) {
        size_t i = 0, seen = 0;
        while (i < s.size() && seen < n) {
            ++i;
            while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
            ++seen;
        }
        return std::string(s.substr(0, i));
    };
    auto cut_back = [&](size_t n) {
        size_t i = s.size(), seen = 0;
        while (i > 0 && seen < n) {
            --i;
            while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
            ++seen;
        }
        return std::string(s.substr(i));
    };
    if (s.size() >= 20) return cut_front(4) + "\xe2\x80\xa6" + cut_back(4);
    if (s.size() >= 12) return cut_front(2) + "\xe2\x80\xa6" + cut_back(2);
    return "\xe2\x80\xa6";
}

std::string fingerprint(std::string_view rule_id, std::string_view secret_sha256, std::string_view path) {
    std::string in;
    in.append(rule_id).push_back('\0');
    in.append(secret_sha256).push_back('\0');
    in.append(path);
    return util::sha256_hex(in).substr(0, 32);
}

std::string json_text(const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void apply_rule(Finding& f, const rules::Rule& rule) {
    f.rule_id = rule.id;
    f.rule_name = rule.name;
    const auto rating = rules::rate(rule, f.hints);
    f.severity = rating.severity;
    f.confidence = rating.confidence;
    f.provider = rule.nhi.provider;
    f.kind = rule.nhi.kind;
    f.actor = rule.nhi.actor;
    f.revocation = rule.revocation;
}

Finding make_finding(const rules::Rule& rule, std::string_view secret, std::string path, size_t line,
                     size_t column, nlohmann::json hints) {
    Finding f;
    f.hints = std::move(hints);
    apply_rule(f, rule);
    f.path = std::move(path);
    f.line = line;
    f.column = column;
    f.secret = std::string(secret);
    f.secret_sha256 = util::sha256_hex(secret);
    f.fingerprint = fingerprint(f.rule_id, f.secret_sha256, f.path);
    // A reference names an identity or resource and is no secret: shown whole, since the
    // name is what an audit needs.
    f.redacted = rule.reference ? std::string(secret) : redact(secret);
    return f;
}

}  // namespace nhi::db
