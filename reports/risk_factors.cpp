// The factor catalog: each factor's OWASP NHI Top 10 (2025) id, default weight, floor tier
// and the public source that sets the floor. README "Reports and the risk model" prints this
// table; a test keeps the two in step.
#include <algorithm>
#include <charconv>
#include <map>

#include "reports/risk.hpp"

namespace nhi::reports {

const std::vector<FactorSpec>& factor_catalog() {
    using T = Tier;
    static const std::vector<FactorSpec> k = {
        {"exposed", "NHI2", 50, T::Critical,
         "OWASP NHI2:2025 Secret Leakage (a leaked, still valid secret is usable by anyone who reads it)",
         "an active credential is linked to a scan finding (70 when privileged; 20 and no floor once inactive)"},
        {"exposed-live", "NHI2", 80, T::Critical,
         "OWASP NHI2:2025 Secret Leakage (the provider accepted the leaked secret when nhi checked it: anyone who reads it "
         "can use it)",
         "--validate (or nhi validate) found a linked finding's secret live; replaces exposed, whatever the export's status"},
        {"exposure-resolved", "NHI2", 0, T::Low,
         "OWASP NHI2:2025 Secret Leakage (the provider refused the leaked secret: it was revoked)",
         "the latest decisive check of a linked finding says revoked; listed with its time, not counted; replaces exposed"},
        {"key-file-exposed", "NHI2", 40, T::High,
         "Prowler iam_sa_no_user_managed_keys (high); CIS GCP 1.4 (only GCP-managed service-account keys)",
         "a downloaded GCP key file names an active key by its private_key_id"},
        {"agent-literal-secret", "NHI2", 20, T::Medium,
         "OWASP NHI2:2025 Secret Leakage (secrets hard-coded in configuration files); high when the credential is privileged",
         "an agent or MCP config holds the secret itself, not a reference"},
        {"root-key", "NHI10", 40, T::Critical, "Prowler iam_no_root_access_key (critical); CIS AWS 1.4",
         "the account root user has an active access key"},
        {"open-trust", "NHI6", 30, T::Critical,
         "OWASP NHI6:2025 Insecure Cloud Deployment Configurations (any AWS account in the world can assume the role)",
         "a role's trust policy allows Principal `*` (any AWS account)"},
        {"github-oidc-no-sub", "NHI6", 30, T::High, "Prowler iam_role_github_oidc_trust_subject_restricted (high)",
         "a role trusts GitHub's OIDC provider without a `sub` condition naming a repository (or with `repo:*`)"},
        {"third-party-no-external-id", "NHI3", 25, T::High,
         "Prowler iam_role_cross_service_confused_deputy_prevention (high; the same confused deputy, through a vendor's "
         "account); OWASP NHI3:2025 Vulnerable Third-Party NHI",
         "a role is assumable from an AWS account the inventory does not describe, without `sts:ExternalId`"},
        {"cross-environment-trust", "NHI8", 25, T::High, "OWASP NHI8:2025 Environment Isolation",
         "a role or binding in one environment trusts an identity of another (prod role from a staging account, "
         "staging service account bound in a prod project)"},
        {"cluster-admin-sa", "NHI5", 30, T::Critical, "Prowler rbac_cluster_admin_usage (critical); CIS Kubernetes 5.1.1",
         "a service account is bound to ClusterRole cluster-admin"},
        {"default-sa-privileged", "NHI5", 25, T::High,
         "Prowler iam_sa_no_administrative_privileges (high); CIS GCP 4.1; CIS Kubernetes 5.1.5",
         "a default service account (compute/App Engine default, k8s `default`) holds Editor, Owner or an admin role"},
        {"privileged", "NHI5", 25, T::High,
         "Prowler iam_user_administrator_access_policy / iam_sa_no_administrative_privileges (high); CIS AWS 1.16; CIS GCP 1.5",
         "admin grants: `*`, `iam:*`, NotAction, AdministratorAccess (also via groups), roles/owner|editor, cluster-admin; "
         "medium floor for GitHub administration:write and deploy keys with push"},
        {"pat-admin-scope", "NHI5", 25, T::High, "OWASP NHI5:2025 Overprivileged NHI",
         "a fine-grained PAT holds administration or organization_administration write"},
        {"reused", "NHI9", 20, T::Medium, "OWASP NHI9:2025 NHI Reuse", "the same secret or key id is held by another credential"},
        {"cross-environment", "NHI8", 25, T::Medium, "OWASP NHI8:2025 Environment Isolation",
         "one active credential reaches two environments (exposure paths, or holders in both)"},
        {"rotation-overdue", "NHI7", 10, T::Medium, "Prowler iam_rotate_access_key_90_days (medium); CIS AWS 1.14; CIS GCP 1.7",
         "an active static secret is older than --rotation-days (90)"},
        {"unused", "NHI1", 15, T::Medium, "Prowler iam_user_accesskey_unused (medium); CIS AWS 1.12",
         "no use for --unused-days (90), or never once that old, where the export tracks use"},
        {"dangling-binding", "NHI1", 20, T::Medium, "OWASP NHI1:2025 Improper Offboarding",
         "an IAM binding names a deleted service account (`deleted:serviceAccount:`), or a Kubernetes RoleBinding or "
         "ClusterRoleBinding names a ServiceAccount the export does not hold"},
        {"deploy-key-write-unused", "NHI1", 20, T::Medium,
         "OWASP NHI1:2025 Improper Offboarding; Prowler iam_user_accesskey_unused (medium, the AWS analogue)",
         "a deploy key with write access unused for --unused-days (90)"},
        {"expired-present", "NHI1", 5, T::Low,
         "OWASP NHI1:2025 Improper Offboarding (Prowler entra_app_registration_credential_not_expired rates expired app "
         "credentials high for the outage they cause; an expired secret cannot sign in, so no higher floor here)",
         "a credential has expired but still exists"},
        {"pat-no-expiry", "NHI7", 15, T::Medium, "OWASP NHI7:2025 Long-Lived Secrets",
         "a fine-grained PAT has no expiry date"},
        {"never-expires", "NHI7", 15, T::Low, "OWASP NHI7:2025 Long-Lived Secrets", "an active credential never expires"},
        {"long-lived", "NHI7", 10, T::Low, "OWASP NHI7:2025 Long-Lived Secrets",
         "an active credential is valid for more than 365 days"},
        {"implicit-grant", "NHI4", 20, T::Medium,
         "OWASP NHI4:2025 Insecure Authentication; RFC 9700 2.1.2 (the implicit grant SHOULD NOT be used); Microsoft "
         "identity platform docs, implicit grant flow (\"Microsoft recommends you do not use the implicit grant flow\")",
         "an Entra app registration issues access or ID tokens by the implicit grant"},
        {"static-key-federation-available", "NHI4", 15, T::Low, "OWASP NHI4:2025 Insecure Authentication",
         "user-managed GCP keys (10), CI users with AWS access keys, workflows with static cloud keys (15)"},
        {"service-console-password", "NHI10", 20, T::Medium,
         "OWASP NHI10:2025 Human Use of NHI",
         "a service IAM user can sign in to the console"},
        {"no-owner", "NHI1", 10, T::Low, "OWASP NHI1:2025 Improper Offboarding", "no owner from any source"},
        {"agent-holds-secret", "NHI3", 10, T::Low, "OWASP NHI3:2025 Vulnerable Third-Party NHI",
         "an agent (MCP server) is handed a literal secret"},
        {"third-party-app", "NHI3", 5, T::Low, "OWASP NHI3:2025 Vulnerable Third-Party NHI",
         "a third-party GitHub App is installed with org access"},
    };
    return k;
}

const FactorSpec* factor_spec(std::string_view id) {
    for (const auto& f : factor_catalog())
        if (id == f.id) return &f;
    return nullptr;
}

namespace {

util::Status split(const std::string& spec, const char* flag, std::string& id, std::string& value) {
    const auto eq = spec.find('=');
    if (eq == std::string::npos) return util::Error{flag, "expected FACTOR=VALUE, got '" + spec + "'"};
    id = spec.substr(0, eq);
    value = spec.substr(eq + 1);
    if (!factor_spec(id)) return util::Error{flag, "unknown factor '" + id + "' (see README, the risk table)"};
    return util::ok_status();
}

}  // namespace

util::Status set_weight(RiskConfig& cfg, const std::string& spec) {
    std::string id, value;
    TRY(split(spec, "--weight", id, value));
    int w = -1;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), w);
    if (ec != std::errc() || end != value.data() + value.size() || w < 0 || w > 1000)
        return util::Error{"--weight", "expected a weight from 0 to 1000 for " + id};
    cfg.weights[id] = w;
    return util::ok_status();
}

util::Status set_floor(RiskConfig& cfg, const std::string& spec) {
    std::string id, value;
    TRY(split(spec, "--floor", id, value));
    Tier t;
    if (value == "none") t = Tier::Low;
    else if (!parse_tier(value, t)) return util::Error{"--floor", "expected none, low, medium, high or critical for " + id};
    cfg.floors[id] = t;
    return util::ok_status();
}

std::vector<FactorGroup> group_factors(const Assessment& a) {
    std::vector<FactorGroup> out;
    std::map<std::string, size_t> at;
    for (const auto& f : a.factors) {  // already sorted heaviest first
        auto [it, fresh] = at.emplace(f.id, out.size());
        if (fresh) out.push_back({&f, {}});
        out[it->second].all.push_back(&f);
    }
    return out;
}

}  // namespace nhi::reports
