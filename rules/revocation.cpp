#include "rules/revocation.hpp"

namespace nhi::rules {

const std::vector<RevocationField>& revocation_fields() {
    static const std::vector<RevocationField> fields = {
        {"match", "KEY_ID", "the matched value (redacted unless --show-secrets)"},
        {"user", "USER", "the user name the validation answer or the decoded value gives"},
        {"account", "ACCOUNT_ID", "the account id the key id encodes or the validation answer gives"},
        {"email", "CLIENT_EMAIL", "the e-mail address the validation answer gives"},
    };
    return fields;
}

namespace {

const RevocationField* field(std::string_view name) {
    for (const auto& f : revocation_fields())
        if (f.name == name) return &f;
    return nullptr;
}

}  // namespace

util::Status check_revocation_template(std::string_view tmpl) {
    for (size_t i = 0; i < tmpl.size(); ++i) {
        if (tmpl[i] == '}') return util::Error{"revocation", "a '}' closes no {slot}"};
        if (tmpl[i] != '{') continue;
        size_t close = tmpl.find('}', i);
        if (close == std::string_view::npos) return util::Error{"revocation", "a '{' is never closed"};
        std::string_view name = tmpl.substr(i + 1, close - i - 1);
        if (!field(name)) {
            std::string known;
            for (const auto& f : revocation_fields()) known += (known.empty() ? "{" : ", {") + std::string(f.name) + "}";
            return util::Error{"revocation", "unknown slot {" + std::string(name) +
                                                 "}: a template may name " + known +
                                                 "; write an id the finding cannot know as an upper-case marker (KEY_ID)"};
        }
        i = close;
    }
    return util::ok_status();
}

std::string fill_revocation(std::string_view tmpl, const std::function<std::string(std::string_view)>& lookup) {
    std::string out;
    out.reserve(tmpl.size());
    for (size_t i = 0; i < tmpl.size(); ++i) {
        size_t close = tmpl[i] == '{' ? tmpl.find('}', i) : std::string_view::npos;
        const RevocationField* f = close == std::string_view::npos ? nullptr : field(tmpl.substr(i + 1, close - i - 1));
        if (!f) {
            out.push_back(tmpl[i]);
            continue;
        }
        std::string v = lookup(f->name);
        out += v.empty() ? std::string(f->marker) : v;
        i = close;
    }
    return out;
}

}  // namespace nhi::rules
