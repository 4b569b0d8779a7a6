#include "reports/revocation.hpp"

#include "rules/revocation.hpp"
#include "util/text.hpp"

namespace nhi::reports {
namespace {

std::string text_at(const nlohmann::json& j, const char* key) {
    if (!j.is_object()) return {};
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// arn:aws:iam::123456789012:user/division/ci-deployer names the user `ci-deployer` (IAM user
// names are the last path segment); a role or root ARN names no user.
std::string user_of_arn(const std::string& arn) {
    const size_t at = arn.find(":user/");
    if (at == std::string::npos) return {};
    const size_t slash = arn.rfind('/');
    return arn.substr(slash + 1);
}

std::string user_of(const db::Finding& f) {
    const auto& id = f.validation.identity;
    if (auto u = user_of_arn(text_at(id, "arn")); !u.empty()) return u;
    for (const char* k : {"user", "username", "login"})
        if (auto u = text_at(id, k); !u.empty()) return u;
    return text_at(f.hints, "user");
}

}  // namespace

std::string filled_revocation(const db::Finding& f, bool show_secrets) {
    if (f.revocation.empty()) return {};
    return rules::fill_revocation(f.revocation, [&](std::string_view name) -> std::string {
        if (name == "match") {
            if (show_secrets && !f.secret.empty()) return util::shell_quote(f.secret);
            return f.redacted;
        }
        std::string v;
        if (name == "user") v = user_of(f);
        else if (name == "account") {
            v = text_at(f.hints, "aws_account_id");
            if (v.empty()) v = text_at(f.validation.identity, "account");
        } else if (name == "email") {
            v = text_at(f.validation.identity, "email");
            if (v.empty()) v = text_at(f.validation.identity, "client_email");
        }
        return v.empty() ? v : util::shell_quote(v);
    });
}

}  // namespace nhi::reports
