#include "reports/risk.hpp"
#include "reports/common.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include "reports/environment.hpp"
#include "reports/inventory_render.hpp"
#include "util/time.hpp"

namespace nhi::reports {
namespace {

int64_t days_between(const std::string& from, const std::string& to) {
    auto a = util::parse_iso8601(from), b = util::parse_iso8601(to);
    return a && b ? (*b - *a) / 86400 : 0;
}

// True when a name's words say it belongs to a CI system (ci-deployer, github-actions-legacy).
bool names_ci(const std::string& name) {
    std::string word;
    for (size_t i = 0; i <= name.size(); ++i) {
        char c = i < name.size() ? char(std::tolower(static_cast<unsigned char>(name[i]))) : '-';
        if (std::isalnum(static_cast<unsigned char>(c))) {
            word += c;
            continue;
        }
        if (word == "ci" || word == "cicd" || word == "github" || word == "gitlab" || word == "actions" ||
            word == "jenkins" || word == "circleci" || word == "buildkite")
            return true;
        word.clear();
    }
    return false;
}

// Admin, wildcard or cluster-wide grants, from whichever export described the identity.
std::string privileged(const db::IdentityRow& r) {
    const auto& d = r.data;
    if (d.contains("actions") && d["actions"].is_array())
        for (const auto& a : d["actions"])
            if (a.is_string() && (a == "*" || a == "*:*" || a == "iam:*" || a.get<std::string>().rfind("not:", 0) == 0))
                return "IAM policy allows " + a.get<std::string>();
    if (d.contains("policies") && d["policies"].is_array())
        for (const auto& p : d["policies"])
            if (p.is_string() && (p.get<std::string>().find("AdministratorAccess") != std::string::npos ||
                                  p.get<std::string>().find("IAMFullAccess") != std::string::npos))
                return "attached policy " + p.get<std::string>();
    if (d.contains("roles") && d["roles"].is_array())
        for (const auto& g : d["roles"]) {
            const std::string role = json_text(g, "role");
            if (role == "roles/owner" || role == "roles/editor" || role == "roles/iam.serviceAccountTokenCreator" ||
                role == "roles/iam.serviceAccountKeyAdmin" || role == "ClusterRole/cluster-admin" || role == "ClusterRole/admin")
                return "granted " + role;
        }
    if (d.contains("permissions") && d["permissions"].is_object())
        for (const auto& [k, v] : d["permissions"].items())
            if ((k == "administration" || k == "organization_administration") && v == "write")
                return "GitHub permission " + k + ": write";
    if (d.contains("scopes") && d["scopes"].is_array())
        for (const auto& s : d["scopes"])
            if (s == "write" && r.kind == "deploy-key") return "deploy key with push access";
    return "";
}

// A trust policy that anyone can satisfy: Principal "*", or GitHub's OIDC provider without
// a condition on the token's subject (any repository's workflow could assume the role).
std::string open_trust(const nlohmann::json& doc) {
    if (!doc.is_object() || !doc.contains("Statement")) return "";
    nlohmann::json st = doc["Statement"];
    if (st.is_object()) st = nlohmann::json::array({st});
    for (const auto& s : st) {
        if (!s.is_object() || json_text(s, "Effect") != "Allow") continue;
        const auto& p = s.value("Principal", nlohmann::json());
        if (p == "*" || (p.is_object() && p.value("AWS", nlohmann::json()) == "*")) return "trust policy allows any principal";
        const std::string fed = p.is_object() ? json_text(p, "Federated") : "";
        if (fed.find("token.actions.githubusercontent.com") != std::string::npos &&
            s.value("Condition", nlohmann::json()).dump().find("token.actions.githubusercontent.com:sub") == std::string::npos)
            return "GitHub OIDC trust without a subject (sub) condition: any repository can assume it";
    }
    return "";
}

}  // namespace

const char* to_string(Tier t) {
    switch (t) {
        case Tier::Critical: return "critical";
        case Tier::High: return "high";
        case Tier::Medium: return "medium";
        case Tier::Low: return "low";
    }
    return "low";
}

bool parse_tier(const std::string& s, Tier& out) {
    for (Tier t : {Tier::Low, Tier::Medium, Tier::High, Tier::Critical})
        if (s == to_string(t)) {
            out = t;
            return true;
        }
    return false;
}

Population population(const std::vector<db::IdentityRow>& rows) {
    Population p;
    for (const auto& r : rows) {
        bool any_reuse = false;
        for (const auto& c : r.credentials) any_reuse |= !c.reused_by.empty();
        if (!any_reuse) continue;  // only reused secrets are ever looked up
        const std::string env = environment_of(r);
        for (const auto& c : r.credentials) p.credential_environment[c.id] = env;
    }
    return p;
}

namespace {

// NHI8: the environments one credential reaches, from where it was exposed and from the
// environments of the other identities holding the same secret.
std::string cross_environment(const db::IdentityRow& r, const db::CredentialRow& c, const Population* others) {
    std::map<std::string, std::string> seen;  // environment -> an example place
    if (auto own = environment_of(r); !own.empty()) seen.emplace(own, r.name);
    for (const auto& p : c.exposed_at)
        if (auto e = environment_of_path(p); !e.empty()) seen.emplace(e, p);
    if (others)
        for (auto id : c.reused_by)
            if (auto it = others->credential_environment.find(id); it != others->credential_environment.end() && !it->second.empty())
                seen.emplace(it->second, "credential #" + std::to_string(id));
    if (seen.size() < 2) return "";
    std::string out;
    for (const auto& [env, where] : seen) out += (out.empty() ? "" : ", ") + env + " (" + where + ")";
    return out;
}

}  // namespace

Assessment assess(const db::IdentityRow& r, const RiskConfig& cfg, const std::string& now, const Population* others) {
    Assessment a;
    auto add = [&](const char* id, const char* owasp, int weight, std::string reason) {
        a.factors.push_back({id, owasp, weight, std::move(reason)});
    };
    const auto facts = derive(r, now);
    const std::string priv = privileged(r);
    bool exposed_active = false;

    for (const auto& c : r.credentials) {
        const bool on = is_active(c, now);
        if (!c.findings.empty()) {
            exposed_active |= on;
            add("exposed", "NHI2", on ? (priv.empty() ? 50 : 70) : 20,
                c.kind + " " + c.key + " found in code or history (" + std::to_string(c.findings.size()) + " finding" +
                    (c.findings.size() == 1 ? "" : "s") + ")" + (on ? ", still active" : ", inactive now"));
        }
        if (!on) continue;
        if (c.never_expires)
            add("never-expires", "NHI7", 15, c.kind + " " + c.key + " never expires");
        else if (!c.expires.empty() && c.data.is_object() && !json_text(c.data, "created").empty() &&
                 days_between(json_text(c.data, "created"), c.expires) > cfg.long_lived_days)
            add("long-lived", "NHI7", 10, c.kind + " " + c.key + " is valid for " +
                                              std::to_string(days_between(json_text(c.data, "created"), c.expires)) + " days");
        const std::string rotated = !json_text(c.data, "last_rotated").empty() ? json_text(c.data, "last_rotated") : json_text(c.data, "created");
        const bool static_secret = c.kind == "access-key" || c.kind == "root-access-key" || c.kind == "client-secret" ||
                                   (c.kind == "service-account-key" && c.data.value("user_managed", false)) ||
                                   c.kind == "service-account-token" || c.kind == "fine-grained-pat" || c.kind == "ssh-deploy-key";
        if (static_secret && !rotated.empty() && days_between(rotated, now) > cfg.rotation_days)
            add("rotation-overdue", "NHI7", 10, c.kind + " " + c.key + " last rotated " + rotated.substr(0, 10) + " (" +
                                                    std::to_string(days_between(rotated, now)) + " days ago)");
        if (!c.reused_by.empty())
            add("reused", "NHI9", 20, c.kind + " " + c.key + ": the same secret is held by " +
                                          std::to_string(c.reused_by.size()) + " other credential(s)");
        if (auto envs = cross_environment(r, c, others); !envs.empty())
            add("cross-environment", "NHI8", 25, c.kind + " " + c.key + " is used in several environments: " + envs);
        if (c.data.is_object() && c.data.value("literal", false) && r.actor == "agent")
            add("agent-holds-secret", "NHI3", 20, "agent config holds a literal secret (" + json_text(c.data, "location") + ")");
        if (c.kind == "service-account-key" && c.data.value("user_managed", false))
            add("static-key-federation-available", "NHI4", 10,
                "user-managed key " + json_text(c.data, "key_id") + " where workload identity federation is available");
        if (c.kind == "static-cloud-key")
            add("static-key-federation-available", "NHI4", 15,
                "workflow uses static cloud key " + json_text(c.data, "reference") + " instead of OIDC");
        if (c.kind == "root-access-key") add("root-key", "NHI10", 40, "root account access key " + c.key);
        // A CI system holding a long-lived cloud key: OIDC federation would remove the key.
        if (c.kind == "access-key" && r.provider == "aws" && names_ci(r.name + "/" + json_text(r.data, "path")))
            add("static-key-federation-available", "NHI4", 15,
                "CI identity " + r.name + " uses access key " + c.key + " where OIDC federation is available");
    }

    // Staleness: judged on the identity and its credentials together.
    // Only where the export tracks use: Azure and GCP lists say nothing about it, and
    // unknown is not "never".
    bool tracked = r.data.is_object() && (r.data.contains("last_used") || r.data.contains("password_last_used"));
    for (const auto& c : r.credentials) tracked |= c.data.is_object() && c.data.contains("last_used");
    const std::string basis = facts.last_used.empty() ? facts.created : facts.last_used;
    // A role or other identity without credentials of its own is judged on its own use; one
    // whose credentials are all disabled is already out of service.
    if (tracked && !basis.empty() && days_between(basis, now) > cfg.unused_days &&
        (facts.active > 0 || r.credentials.empty()))
        add("unused", "NHI1", 15, facts.last_used.empty() ? "never used since creation " + facts.created.substr(0, 10)
                                                        : "last used " + facts.last_used.substr(0, 10) + " (" +
                                                              std::to_string(days_between(facts.last_used, now)) + " days ago)");
    if (facts.owner.empty()) add("no-owner", "NHI1", 10, "no owner from any source");
    if (!priv.empty()) add("privileged", "NHI5", 25, priv);
    if (const std::string t = open_trust(r.data.value("trust_policy", nlohmann::json())); !t.empty())
        add("open-trust", "NHI6", 30, t);
    if (r.data.value("console_password", false) && r.kind == "iam-user" && r.actor == "service")
        add("service-console-password", "NHI10", 20, "service identity " + r.name + " can sign in to the console");
    if (r.kind == "app-installation") add("third-party-app", "NHI3", 5, "third-party app " + r.name + " installed with org access");

    // Tier rules (README "Risk model"): an active exposed credential is critical; otherwise
    // the score decides, and a privileged identity is at least medium.
    // Each factor counts once, at its heaviest: two overdue keys are one rotation problem,
    // listed twice so both can be fixed.
    std::map<std::string, int> heaviest;
    for (const auto& f : a.factors) heaviest[f.id] = std::max(heaviest[f.id], f.weight);
    for (const auto& [id, w] : heaviest) a.score += w;
    if (exposed_active || a.score >= 80) a.tier = Tier::Critical;
    else if (a.score >= 45) a.tier = Tier::High;
    else if (a.score >= 20 || !priv.empty()) a.tier = Tier::Medium;
    else a.tier = Tier::Low;

    // An accepted risk with a reason and an unexpired expiry lowers the tier one step.
    for (const auto& an : r.annotations.is_array() ? r.annotations : nlohmann::json::array())
        if (an.value("kind", "") == "accepted-risk" && an.contains("expires") && an["expires"].get<std::string>() > now &&
            a.tier != Tier::Low) {
            a.tier = Tier(int(a.tier) - 1);
            a.accepted = an.value("reason", "") + " (until " + an["expires"].get<std::string>().substr(0, 10) + ")";
            break;
        }
    std::stable_sort(a.factors.begin(), a.factors.end(), [](const Factor& x, const Factor& y) { return x.weight > y.weight; });
    return a;
}

}  // namespace nhi::reports
