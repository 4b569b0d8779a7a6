#include "reports/risk.hpp"
#include "reports/common.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

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

struct Privilege {
    std::string why;          // "" when not privileged
    Tier floor = Tier::High;  // admin grants: high; GitHub write grants: medium
};

bool admin_role(const std::string& role) {
    return role == "roles/owner" || role == "roles/editor" || role == "roles/iam.serviceAccountTokenCreator" ||
           role == "roles/iam.serviceAccountKeyAdmin" || role == "ClusterRole/cluster-admin" || role == "ClusterRole/admin";
}

// Where a grant came from, for a reason: ` (ClusterRoleBinding ops-admin)` or "".
std::string via(const nlohmann::json& grant) {
    const std::string b = json_text(grant, "binding");
    return b.empty() ? "" : " (" + b + ")";
}

// Admin, wildcard or cluster-wide grants, from whichever export described the identity.
Privilege privileged(const db::IdentityRow& r) {
    const auto& d = r.data;
    if (d.contains("actions") && d["actions"].is_array())
        for (const auto& a : d["actions"])
            if (a.is_string() && (a == "*" || a == "*:*" || a == "iam:*" || a.get<std::string>().rfind("not:", 0) == 0)) {
                // The import keeps actions per identity, not per policy: name the inline
                // policies (its own and its groups') that can hold them.
                std::string inl;
                for (const auto& p : d.value("policies", nlohmann::json::array()))
                    if (p.is_string() && p.get<std::string>().find("inline:") != std::string::npos)
                        inl += (inl.empty() ? "" : ", ") + p.get<std::string>();
                const std::string act = a.get<std::string>();
                return {(act.rfind("not:", 0) == 0 ? "IAM policy allows every action but " + act.substr(4) + " (NotAction)"
                                                   : "IAM policy allows " + act) +
                        (inl.empty() ? "" : " (inline policies: " + inl + ")")};
            }
    if (d.contains("policies") && d["policies"].is_array())
        for (const auto& p : d["policies"])
            if (p.is_string() && (p.get<std::string>().find("AdministratorAccess") != std::string::npos ||
                                  p.get<std::string>().find("IAMFullAccess") != std::string::npos))
                return {"attached policy " + p.get<std::string>()};
    if (d.contains("roles") && d["roles"].is_array())
        for (const auto& g : d["roles"])
            if (const std::string role = json_text(g, "role"); admin_role(role)) return {"granted " + role + via(g)};
    if (d.contains("permissions") && d["permissions"].is_object())
        for (const auto& [k, v] : d["permissions"].items())
            if ((k == "administration" || k == "organization_administration") && v == "write")
                return {"GitHub permission " + k + ": write", Tier::Medium};
    if (d.contains("scopes") && d["scopes"].is_array())
        for (const auto& s : d["scopes"])
            if (s == "write" && r.kind == "deploy-key") return {"deploy key with push access", Tier::Medium};
    return {};
}

std::vector<nlohmann::json> statements(const nlohmann::json& doc) {
    std::vector<nlohmann::json> out;
    if (!doc.is_object() || !doc.contains("Statement")) return out;
    nlohmann::json st = doc["Statement"];
    if (st.is_object()) st = nlohmann::json::array({st});
    if (!st.is_array()) return out;
    for (const auto& s : st)
        if (s.is_object() && json_text(s, "Effect") == "Allow") out.push_back(s);
    return out;
}

// A trust policy that anyone can satisfy: Principal "*".
std::string open_trust(const nlohmann::json& doc) {
    for (const auto& s : statements(doc)) {
        const auto& p = s.value("Principal", nlohmann::json());
        if (p == "*" || (p.is_object() && p.value("AWS", nlohmann::json()) == "*")) return "trust policy allows any principal (Principal \"*\")";
        if (p.is_object() && p.value("AWS", nlohmann::json()).is_array())
            for (const auto& x : p["AWS"])
                if (x == "*") return "trust policy allows any principal (Principal AWS \"*\")";
    }
    return "";
}

// GitHub's OIDC provider trusted without a condition on the token's subject, or with one any
// repository satisfies: any workflow anywhere could assume the role.
std::string oidc_without_sub(const nlohmann::json& doc) {
    for (const auto& s : statements(doc)) {
        const auto& p = s.value("Principal", nlohmann::json());
        const std::string fed = p.is_object() ? json_text(p, "Federated") : "";
        if (fed.find("token.actions.githubusercontent.com") == std::string::npos) continue;
        const auto cond = s.value("Condition", nlohmann::json());
        std::vector<std::string> subs;
        if (cond.is_object())
            for (const auto& [op, kv] : cond.items())
                if (kv.is_object() && kv.contains("token.actions.githubusercontent.com:sub")) {
                    auto v = kv["token.actions.githubusercontent.com:sub"];
                    if (v.is_string()) v = nlohmann::json::array({v});
                    for (const auto& x : v)
                        if (x.is_string()) subs.push_back(x.get<std::string>());
                }
        if (subs.empty()) return "trusts " + fed + " with no `sub` condition: any repository's workflow can assume it";
        for (const auto& v : subs)
            if (v == "*" || v.rfind("repo:*", 0) == 0)
                return "trusts " + fed + " with sub \"" + v + "\": any repository's workflow can assume it";
    }
    return "";
}

// The AWS account id in an ARN (arn:aws:iam::123456789012:role/x) or a bare account id.
std::string aws_account(const std::string& arn) {
    if (arn.size() == 12 && std::all_of(arn.begin(), arn.end(), [](char c) { return c >= '0' && c <= '9'; })) return arn;
    if (arn.rfind("arn:", 0) != 0) return "";
    size_t at = 0;
    for (int i = 0; i < 4 && at != std::string::npos; ++i) at = arn.find(':', at + 1);
    if (at == std::string::npos) return "";
    const auto end = arn.find(':', at + 1);
    return end == std::string::npos ? "" : arn.substr(at + 1, end - at - 1);
}

// The AWS principals of a trust statement (string or list), with whether the statement
// asks for sts:ExternalId.
std::vector<std::pair<std::string, bool>> aws_principals(const nlohmann::json& doc) {
    std::vector<std::pair<std::string, bool>> out;
    for (const auto& s : statements(doc)) {
        const auto& p = s.value("Principal", nlohmann::json());
        if (!p.is_object() || !p.contains("AWS")) continue;
        auto list = p["AWS"];
        if (list.is_string()) list = nlohmann::json::array({list});
        const bool ext = s.value("Condition", nlohmann::json()).dump().find("sts:ExternalId") != std::string::npos;
        for (const auto& x : list)
            if (x.is_string() && x != "*") out.emplace_back(x.get<std::string>(), ext);
    }
    return out;
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
        if (r.provider == "aws")
            if (auto acct = aws_account(json_text(r.data, "arn")); !acct.empty()) {
                p.aws_accounts.insert(acct);
                if (auto env = environment_of(r); !env.empty()) p.account_environment.emplace(acct, env);
            }
        const Privilege pr = privileged(r);
        const bool priv = pr.floor == Tier::High && !pr.why.empty();
        bool any_reuse = false;
        for (const auto& c : r.credentials) {
            any_reuse |= !c.reused_by.empty();
            if (priv) p.privileged_credentials.insert(c.id);
        }
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

// How a credential is named in a reason: its kind and the name a person knows it by (PAT
// name, deploy-key title, key id), so the reviewer can act from the report alone.
std::string cred_name(const db::IdentityRow& r, const db::CredentialRow& c) {
    // Known only from a live validation: the leaked secret itself, by its preview and rule.
    if (json_text(c.data, "known_from") == "validation")
        return "secret " + json_text(c.data, "redacted") + " (" + json_text(c.data, "rule") + ", known from validation)";
    std::string id = json_text(c.data, "key_id");
    if (id.empty()) id = c.key;
    if (c.kind == "fine-grained-pat")
        return "fine-grained PAT \"" + json_text(c.data, "name") + "\" (pat_id " + id + ")";
    if (c.kind == "ssh-deploy-key") {
        const auto colon = r.name.find(": ");
        return "deploy key \"" + (colon == std::string::npos ? r.name : r.name.substr(colon + 2)) + "\" (id " + id + ")";
    }
    if (c.kind == "client-secret" || c.kind == "certificate") {
        const std::string dn = json_text(c.data, "display_name");
        return c.kind + (dn.empty() ? "" : " \"" + dn + "\"") + " (keyId " + id + ")";
    }
    if (c.kind == "agent-secret") return "secret at " + json_text(c.data, "location");
    // The credential report has no key ids: the key is known by its creation date.
    if (json_text(c.data, "key_id").empty() && (c.kind == "access-key" || c.kind == "root-access-key"))
        return "access key created " + json_text(c.data, "created").substr(0, 10) + " (the credential report gives no key id)";
    return c.kind + " " + id;
}

// Admin-grade write permissions in a fine-grained PAT's permission tree.
std::string pat_admin(const nlohmann::json& perms) {
    if (!perms.is_object()) return "";
    for (const auto& [group, list] : perms.items()) {
        if (!list.is_object()) continue;
        for (const auto& [k, v] : list.items())
            if ((k == "administration" || k == "organization_administration") && (v == "write" || v == "admin"))
                return group + "." + k + ": " + v.get<std::string>();
    }
    return "";
}

bool default_service_account(const db::IdentityRow& r) {
    if (r.provider == "gcp")
        return r.data.value("google_managed", false) || r.name.find("-compute@developer.gserviceaccount.com") != std::string::npos ||
               r.name.find("@appspot.gserviceaccount.com") != std::string::npos;
    if (r.provider == "kubernetes") return r.kind == "service-account" && r.name.size() > 8 && r.name.substr(r.name.size() - 8) == "/default";
    return false;
}

bool editor_or_owner(const std::string& role) {
    return role == "roles/owner" || role == "roles/editor" || role == "ClusterRole/cluster-admin" ||
           role == "ClusterRole/admin" || role == "ClusterRole/edit" ||
           (role.rfind("roles/", 0) == 0 && role.find("admin") != std::string::npos);
}

// The tier rules' thresholds (README "Tier rules").
Tier tier_of_score(int score) {
    return score >= 80 ? Tier::Critical : score >= 45 ? Tier::High : score >= 20 ? Tier::Medium : Tier::Low;
}

// One identity's assessment as it is built: the factors found so far and what the
// combinations need to know.
struct Judge {
    const db::IdentityRow& r;
    const RiskConfig& cfg;
    const std::string& now;
    const Population* others;
    IdentityFacts facts;
    Privilege priv;
    Assessment a;
    int64_t credential = 0;  // set while judging one credential: its factors name it
    std::string exposure;    // the first active exposure, for the exposed+privileged combination

    Judge(const db::IdentityRow& row, const RiskConfig& c, const std::string& t, const Population* o)
        : r(row), cfg(c), now(t), others(o), facts(derive(row, t)), priv(privileged(row)) {}

    // A factor with the catalog's OWASP id and floor (or the configured ones); `floor_override`
    // replaces the catalog floor for this instance, `floor_applies` false drops it.
    void add(const char* id, int w, std::string reason, bool floor_applies = true, Tier floor_override = Tier::Low) {
        const FactorSpec* spec = factor_spec(id);
        Factor f{id, spec ? spec->owasp : "", w, std::move(reason), Tier::Low, credential};
        if (auto cw = cfg.weights.find(id); cw != cfg.weights.end()) f.weight = cw->second;
        if (floor_applies && spec) f.floor = floor_override != Tier::Low ? floor_override : spec->floor;
        if (auto fl = cfg.floors.find(id); fl != cfg.floors.end() && floor_applies) f.floor = fl->second;
        a.factors.push_back(std::move(f));
    }
    static int weight(const char* id) { return factor_spec(id)->weight; }

    // A credential linked to scan findings. Live validation (README "Live validation in the risk
    // model"): the provider's answer beats the export's status. All of a credential's findings
    // are that one credential (an AWS key id and its secret key), so the latest decisive answer
    // among them (live or revoked) is the credential's: live is critical (exposed-live), revoked
    // resolves the exposure (exposure-resolved: listed with the time of the check, weight 0, no
    // floor). Unknown and error decide nothing: the exposure stands as it would unchecked, and
    // its reason says what the check gave.
    void judge_exposure(const db::CredentialRow& c, const std::string& name, bool on) {
        const db::Validation *decisive = nullptr, *undecided = nullptr;
        for (const auto& v : c.validations) {
            if (!v.done()) continue;
            auto*& slot = v.status == "live" || v.status == "revoked" ? decisive : undecided;
            if (!slot || v.checked_at > slot->checked_at) slot = &v;
        }
        std::string where = c.exposed_at.empty() ? "" : " at " + c.exposed_at.front() +
                            (c.exposed_at.size() > 1 ? " and " + std::to_string(c.exposed_at.size() - 1) + " more" : "");
        const std::string found = name + " found in code or history" + where + " (" + std::to_string(c.findings.size()) +
                                  " finding" + (c.findings.size() == 1 ? "" : "s") + ")";
        if (decisive && decisive->status == "live") {
            if (exposure.empty()) exposure = name + " exposed and live";
            add("exposed-live", weight("exposed-live"), found + ": a leaked credential is live (checked " + decisive->checked_at + ")");
            return;
        }
        if (decisive) {
            add("exposure-resolved", weight("exposure-resolved"),
                found + ": resolved, the provider says revoked (checked " + decisive->checked_at + ")");
            return;
        }
        if (on && exposure.empty()) exposure = name + " exposed";
        std::string checked;
        if (undecided)
            checked = "; validation " + undecided->status + (undecided->reason.empty() ? "" : " (" + undecided->reason + ")") +
                      ", checked " + undecided->checked_at;
        add("exposed", on ? (priv.why.empty() ? 50 : 70) : 20,
            found + (on ? ", still active" : ", inactive now") + checked, on);
    }

    // Exposure, expiry, rotation, reuse and agent literals of one credential.
    void judge_credential(const db::CredentialRow& c) {
        credential = c.id;
        const bool on = is_active(c, now);
        const std::string name = cred_name(r, c);
        if (!c.findings.empty()) judge_exposure(c, name, on);
        const std::string expires = c.expires;
        if (c.status != "deleted" && ((!expires.empty() && expires < now) || c.status == "expired"))
            add("expired-present", weight("expired-present"),
                name + " expired " + (expires.empty() ? std::string("(the export says so)") : expires.substr(0, 10)) +
                    " but still exists: delete it");
        if (!on) return;
        if (const std::string file = json_text(c.data, "distributed_file"); !file.empty()) {
            if (exposure.empty()) exposure = name + " in key file " + file;
            add("key-file-exposed", weight("key-file-exposed"),
                "private key of " + name + " is in downloaded key file " + file + " (its private_key_id)");
        }
        if (c.kind == "fine-grained-pat") {
            if (c.never_expires) add("pat-no-expiry", weight("pat-no-expiry"), name + " has no expiry date");
            if (auto adm = pat_admin(c.data.value("permissions", nlohmann::json())); !adm.empty())
                add("pat-admin-scope", weight("pat-admin-scope"), name + " holds " + adm);
        } else if (c.never_expires) {
            add("never-expires", weight("never-expires"), name + " never expires");
        } else if (!c.expires.empty() && c.data.is_object() && !json_text(c.data, "created").empty() &&
                   days_between(json_text(c.data, "created"), c.expires) > cfg.long_lived_days) {
            add("long-lived", weight("long-lived"), name + " is valid for " +
                                                  std::to_string(days_between(json_text(c.data, "created"), c.expires)) + " days");
        }
        const std::string rotated = !json_text(c.data, "last_rotated").empty() ? json_text(c.data, "last_rotated") : json_text(c.data, "created");
        const bool static_secret = c.kind == "access-key" || c.kind == "root-access-key" || c.kind == "client-secret" ||
                                   (c.kind == "service-account-key" && c.data.value("user_managed", false)) ||
                                   c.kind == "service-account-token" || c.kind == "fine-grained-pat" || c.kind == "ssh-deploy-key";
        if (static_secret && !rotated.empty() && days_between(rotated, now) > cfg.rotation_days)
            add("rotation-overdue", weight("rotation-overdue"), name + " last rotated " + rotated.substr(0, 10) + " (" +
                                                    std::to_string(days_between(rotated, now)) + " days ago)");
        if (c.kind == "ssh-deploy-key" && c.data.value("write", false)) {
            const std::string used = json_text(c.data, "last_used");
            const std::string basis = used.empty() ? json_text(c.data, "created") : used;
            if (!basis.empty() && days_between(basis, now) > cfg.unused_days)
                add("deploy-key-write-unused", weight("deploy-key-write-unused"),
                    name + " can push to " + json_text(r.data, "repository") + " and was " +
                        (used.empty() ? "never used since " + basis.substr(0, 10) : "last used " + used.substr(0, 10)));
        }
        if (!c.reused_by.empty())
            add("reused", weight("reused"), name + ": the same secret is held by " +
                                          std::to_string(c.reused_by.size()) + " other credential(s)");
        if (auto envs = cross_environment(r, c, others); !envs.empty())
            add("cross-environment", weight("cross-environment"), name + " is used in several environments: " + envs);
        if (c.data.is_object() && c.data.value("literal", false) && c.kind == "agent-secret") {
            // NHI2 first: the secret itself sits in a file. High when what it unlocks is privileged:
            // the same secret held by a privileged identity, or a name that says admin/root.
            std::string why_priv;
            if (others)
                for (auto id : c.reused_by)
                    if (others->privileged_credentials.count(id)) why_priv = "the same secret is a privileged identity's credential #" + std::to_string(id);
            const std::string loc = json_text(c.data, "location");
            std::string upper_loc;
            for (char ch : loc) upper_loc += char(std::toupper(static_cast<unsigned char>(ch)));
            if (why_priv.empty() && (upper_loc.find("ADMIN") != std::string::npos || upper_loc.find("ROOT") != std::string::npos))
                why_priv = "its name says it is an admin/root credential";
            add("agent-literal-secret", weight("agent-literal-secret"),
                "literal secret " + json_text(c.data, "redacted") + " at " + loc + " in " + json_text(r.data, "config") +
                    (why_priv.empty() ? "" : "; privileged: " + why_priv),
                true, why_priv.empty() ? Tier::Low : Tier::High);
            if (exposure.empty() && !why_priv.empty()) exposure = "literal secret at " + loc;
            if (r.actor == "agent")
                add("agent-holds-secret", weight("agent-holds-secret"), "agent " + r.name + " is handed the literal secret at " + loc);
        }
        if (c.kind == "service-account-key" && c.data.value("user_managed", false))
            add("static-key-federation-available", 10, "user-managed " + name + " where workload identity federation is available");
        if (c.kind == "static-cloud-key")
            add("static-key-federation-available", 15,
                "workflow uses static cloud key " + json_text(c.data, "reference") + " instead of OIDC");
        if (c.kind == "root-access-key") add("root-key", weight("root-key"), "the root user has an active " + name);
        // A CI system holding a long-lived cloud key: OIDC federation would remove the key.
        if (c.kind == "access-key" && r.provider == "aws" && names_ci(r.name + "/" + json_text(r.data, "path")))
            add("static-key-federation-available", 15,
                "CI identity " + r.name + " uses " + name + " where OIDC federation is available");
    }

    // Staleness, ownership and privilege: judged on the identity and its credentials together.
    void judge_identity() {
        credential = 0;
        // Only where the export tracks use: Azure and GCP lists say nothing about it, and
        // unknown is not "never".
        // A role's `RoleLastUsed: {}` means never used or unknown: not tracked.
        bool tracked = r.data.is_object() && ((r.data.contains("last_used") && !(r.kind == "iam-role" && r.data["last_used"].is_null())) ||
                                              r.data.contains("password_last_used"));
        for (const auto& c : r.credentials) tracked |= c.data.is_object() && c.data.contains("last_used");
        const std::string basis = facts.last_used.empty() ? facts.created : facts.last_used;
        // A role or other identity without credentials of its own is judged on its own use; one
        // whose credentials are all disabled is already out of service.
        // A deploy key's staleness is already its own factor (deploy-key-write-unused).
        bool stale_key = false;
        for (const auto& f : a.factors) stale_key |= f.id == "deploy-key-write-unused";
        if (tracked && !stale_key && !basis.empty() && days_between(basis, now) > cfg.unused_days &&
            (facts.active > 0 || r.credentials.empty()))
            add("unused", weight("unused"), facts.last_used.empty() ? "never used since creation " + facts.created.substr(0, 10)
                                                            : "last used " + facts.last_used.substr(0, 10) + " (" +
                                                                  std::to_string(days_between(facts.last_used, now)) + " days ago)");
        if (facts.owner.empty()) add("no-owner", weight("no-owner"), "no owner from any source");
        if (!priv.why.empty()) add("privileged", weight("privileged"), priv.why, true, priv.floor);
    }

    void judge_grants() {
        // Kubernetes and GCP grants: cluster-admin on a service account, default accounts with
        // Editor/Owner, and bindings that cross environments.
        const nlohmann::json roles = r.data.value("roles", nlohmann::json::array());
        for (const auto& g : roles.is_array() ? roles : nlohmann::json::array()) {
            const std::string role = json_text(g, "role");
            if (r.provider == "kubernetes" && role == "ClusterRole/cluster-admin")
                add("cluster-admin-sa", weight("cluster-admin-sa"), "service account " + r.name + " is bound to cluster-admin" + via(g));
            if (default_service_account(r) && editor_or_owner(role))
                add("default-sa-privileged", weight("default-sa-privileged"), "default service account " + r.name + " holds " + role + via(g));
        }
        if (r.provider == "gcp" && roles.is_array() && !roles.empty()) {
            // The SA's own project names one environment; an IAM policy export from another
            // environment's project binding it names the other.
            const std::string own = environment_of_text(json_text(r.data, "project"));
            // Only the file name counts: exports sit in temporary or home directories.
            for (const auto& s : r.sources)
                if (auto e = environment_of_text(s.substr(s.find_last_of('/') == std::string::npos ? 0 : s.find_last_of('/') + 1));
                    !own.empty() && !e.empty() && e != own) {
                    add("cross-environment-trust", weight("cross-environment-trust"),
                        own + " service account " + r.name + " is granted " + json_text(roles[0], "role") + " by " + e +
                            " policy " + s);
                    break;
                }
        }
    }

    // Trust policies: open, GitHub OIDC without a subject, other environments, third parties.
    void judge_trust() {
        const nlohmann::json trust = r.data.value("trust_policy", nlohmann::json());
        if (const std::string t = open_trust(trust); !t.empty()) add("open-trust", weight("open-trust"), "role " + r.name + ": " + t);
        if (const std::string t = oidc_without_sub(trust); !t.empty())
            add("github-oidc-no-sub", weight("github-oidc-no-sub"), "role " + r.name + " " + t);
        if (r.provider == "aws" && trust.is_object()) {
            const std::string own_acct = aws_account(json_text(r.data, "arn"));
            const std::string own_env = environment_of(r);
            std::set<std::string> said;
            for (const auto& [principal, external_id] : aws_principals(trust)) {
                const std::string acct = aws_account(principal);
                if (acct.empty() || acct == own_acct || !said.insert(acct).second) continue;
                std::string their_env;
                if (others)
                    if (auto it = others->account_environment.find(acct); it != others->account_environment.end()) their_env = it->second;
                if (their_env.empty()) their_env = environment_of_text(principal.substr(principal.rfind(':') + 1));
                if (!own_env.empty() && !their_env.empty() && own_env != their_env)
                    add("cross-environment-trust", weight("cross-environment-trust"),
                        own_env + " role " + r.name + " is assumable from " + their_env + " principal " + principal);
                const bool known = others && others->aws_accounts.count(acct);
                if (!known && !external_id && their_env.empty())
                    add("third-party-no-external-id", weight("third-party-no-external-id"),
                        "role " + r.name + " trusts account " + acct + " (" + principal +
                            "), which this inventory does not describe, without an sts:ExternalId condition");
            }
        }
    }

    void judge_other() {
        if (r.provider == "azure" && r.data.is_object()) {
            // web.implicitGrantSettings from `az ad app list`, where the import keeps it.
            nlohmann::json ig = r.data.value("implicit_grant", nlohmann::json());
            if (!ig.is_object() && r.data.contains("web") && r.data["web"].is_object())
                ig = r.data["web"].value("implicitGrantSettings", nlohmann::json());
            if (ig.is_object()) {
                std::string which;
                for (const char* k : {"enableAccessTokenIssuance", "enableIdTokenIssuance", "access_token", "id_token"})
                    if (ig.value(k, false)) which += (which.empty() ? "" : ", ") + std::string(k);
                if (!which.empty())
                    add("implicit-grant", weight("implicit-grant"),
                        "app " + r.name + " (appId " + json_text(r.data, "app_id") + ") has implicit grant on: " + which);
            }
        }
        if (r.data.value("console_password", false) && r.kind == "iam-user" && r.actor == "service")
            add("service-console-password", weight("service-console-password"), "service identity " + r.name + " can sign in to the console");
        if (r.kind == "app-installation") add("third-party-app", weight("third-party-app"), "third-party app " + r.name + " installed with org access");
    }

    // Score, floors, combinations, accepted risk, and the line that says how.
    void settle() {
        // The score: each factor counts once, at its heaviest (two overdue keys are one rotation
        // problem, listed twice so both can be fixed).
        std::map<std::string, int> heaviest;
        for (const auto& f : a.factors) heaviest[f.id] = std::max(heaviest[f.id], f.weight);
        std::string sum;
        for (const auto& [id, w] : heaviest) {
            a.score += w;
            sum += (sum.empty() ? "" : " + ") + id + " " + std::to_string(w);
        }
        a.score_tier = tier_of_score(a.score);
        a.tier = a.score_tier;
        auto raise = [&](Tier t, std::string why) {
            if (t <= a.score_tier) return;
            a.raised.push_back(std::string(to_string(t)) + ": " + why);
            a.tier = std::max(a.tier, t);
        };
        std::set<std::string> floored;  // each factor's floor is said once, however often it applies
        for (const auto& f : a.factors)
            if (f.floor > Tier::Low && floored.insert(f.id + to_string(f.floor)).second) {
                const FactorSpec* spec = factor_spec(f.id);
                raise(f.floor, "floor of " + f.id + " (" + (spec ? spec->source : "") + ")");
            }
        // Combinations (README): exposed and privileged is critical; privileged, unowned and
        // long-lived is high.
        // The root user is unrestricted by any policy, but alone it is the account, not a risk.
        const bool any_priv = !priv.why.empty() || (r.provider == "aws" && r.kind == "root") || heaviest.count("cluster-admin-sa") || heaviest.count("default-sa-privileged") ||
                              heaviest.count("pat-admin-scope");
        if (!exposure.empty() && any_priv)
            raise(Tier::Critical, "exposed and privileged (" + exposure + "; " +
                                      (!priv.why.empty() ? priv.why : std::string("admin grant")) + ")");
        const bool long_lived = heaviest.count("never-expires") || heaviest.count("long-lived") ||
                                heaviest.count("rotation-overdue") || heaviest.count("pat-no-expiry");
        if (any_priv && heaviest.count("no-owner") && long_lived) raise(Tier::High, "privileged, unowned and long-lived");

        // An accepted risk with a reason and an unexpired expiry lowers the tier one step.
        for (const auto& an : r.annotations.is_array() ? r.annotations : nlohmann::json::array())
            if (an.value("kind", "") == "accepted-risk" && an.contains("expires") && an["expires"].get<std::string>() > now &&
                a.tier != Tier::Low) {
                a.tier = Tier(int(a.tier) - 1);
                a.accepted = an.value("reason", "") + " (until " + an["expires"].get<std::string>().substr(0, 10) + ")";
                break;
            }
        std::stable_sort(a.factors.begin(), a.factors.end(), [](const Factor& x, const Factor& y) {
            return x.floor != y.floor ? x.floor > y.floor : x.weight > y.weight;
        });
        // How it was reached, in one line: repeated factors count once.
        std::string repeats;
        for (const auto& g : group_factors(a))
            if (g.all.size() > 1) repeats += (repeats.empty() ? "" : ", ") + g.first->id + " x" + std::to_string(g.all.size());
        a.how = "score " + std::to_string(a.score) + (sum.empty() ? "" : " = " + sum) +
                (repeats.empty() ? "" : " (repeated factors count once: " + repeats + ")") + " -> " + to_string(a.score_tier) +
                " by score";
        for (const auto& x : a.raised) a.how += "; raised to " + x;
        if (!a.accepted.empty()) a.how += "; lowered one step by accepted risk";
        a.how += "; tier " + std::string(to_string(a.tier));
    }
};

}  // namespace

bool is_dangling(const db::IdentityRow& r) {
    if (!r.credentials.empty() || !r.data.is_object()) return false;
    if (r.provider == "gcp") return json_text(r.data, "status") == "deleted";
    // A Kubernetes binding to a service account no export describes (a token of it would
    // show that it exists).
    return r.provider == "kubernetes" && r.data.contains("dangling_bindings") && r.data.contains("known_only_from");
}

Assessment assess(const db::IdentityRow& r, const RiskConfig& cfg, const std::string& now, const Population* others) {
    Judge j(r, cfg, now, others);
    for (const auto& c : r.credentials) j.judge_credential(c);
    j.judge_identity();
    j.judge_grants();
    j.judge_trust();
    j.judge_other();
    j.settle();
    return std::move(j.a);
}

std::vector<DanglingBinding> dangling_bindings(const std::vector<db::IdentityRow>& rows, const RiskConfig& cfg) {
    std::vector<DanglingBinding> out;
    for (const auto& r : rows) {
        if (!is_dangling(r)) continue;
        const bool k8s = r.provider == "kubernetes";
        DanglingBinding d{&r, (k8s ? "missing ServiceAccount " : "deleted:serviceAccount:") + r.name, {}, {}};
        const nlohmann::json roles = r.data.value(k8s ? "dangling_bindings" : "roles", nlohmann::json::array());
        d.revocation = "gcloud projects remove-iam-policy-binding PROJECT --member=" + util::shell_quote(d.member) +
                       " --role=ROLE  # for each role listed";
        std::set<std::string> edits;  // each binding once, though it names the SA twice
        for (const auto& g : roles.is_array() ? roles : nlohmann::json::array()) {
            if (auto role = json_text(g, "role"); !role.empty()) d.roles.push_back(role + via(g));
            // "RoleBinding ns/name" or "ClusterRoleBinding name"
            const std::string b = json_text(g, "binding"), kind = b.substr(0, b.find(' ')), at = b.substr(b.find(' ') + 1);
            if (!k8s || kind.empty() || at.empty() || b.find(' ') == std::string::npos) continue;
            const size_t slash = kind == "RoleBinding" ? at.find('/') : std::string::npos;
            edits.insert("kubectl edit " + util::lower(kind) + " " +
                         (slash == std::string::npos ? util::shell_quote(at)
                                                     : util::shell_quote(at.substr(slash + 1)) + " -n " + util::shell_quote(at.substr(0, slash))));
        }
        if (k8s) {
            d.revocation.clear();
            for (const auto& e : edits) d.revocation += (d.revocation.empty() ? "" : "; ") + e;
            d.revocation += "  # remove the subject " + r.name + " (or the binding, if it names no one else)";
        }
        std::string list;
        bool admin = false;
        for (const auto& role : d.roles) {
            list += (list.empty() ? "" : ", ") + role;
            admin |= admin_role(role.substr(0, role.find(" (")));
        }
        const FactorSpec* spec = factor_spec("dangling-binding");
        Factor f{"dangling-binding", spec->owasp, spec->weight,
                 "binding of " + (list.empty() ? std::string("(no role)") : list) + " to " + d.member +
                     " remains in " + (r.sources.empty() ? std::string(k8s ? "the cluster" : "the IAM policy") : r.sources.front()) +
                     (k8s ? ": a service account created under that name would inherit it; remove it"
                          : ": it grants nothing now and hides which grants are live; remove it"),
                 spec->floor};
        if (auto w = cfg.weights.find(f.id); w != cfg.weights.end()) f.weight = w->second;
        if (auto fl = cfg.floors.find(f.id); fl != cfg.floors.end()) f.floor = fl->second;
        d.risk.factors.push_back(f);
        d.risk.score = f.weight;
        d.risk.score_tier = tier_of_score(f.weight);
        d.risk.tier = std::max(d.risk.score_tier, f.floor);
        if (f.floor > d.risk.score_tier) d.risk.raised.push_back(std::string(to_string(f.floor)) + ": floor of dangling-binding (" + spec->source + ")");
        if (admin && d.risk.tier < Tier::High) {
            d.risk.tier = Tier::High;
            d.risk.raised.push_back("high: the dead binding grants an admin role");
        }
        d.risk.how = "score " + std::to_string(d.risk.score) + " = dangling-binding " + std::to_string(f.weight) + " -> " +
                     to_string(d.risk.score_tier) + " by score";
        for (const auto& x : d.risk.raised) d.risk.how += "; raised to " + x;
        d.risk.how += "; tier " + std::string(to_string(d.risk.tier));
        out.push_back(std::move(d));
    }
    std::stable_sort(out.begin(), out.end(), [](const DanglingBinding& a, const DanglingBinding& b) { return a.risk.tier > b.risk.tier; });
    return out;
}

}  // namespace nhi::reports
