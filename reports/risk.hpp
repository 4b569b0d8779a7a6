// The risk model: each identity gets factors (a reason, an OWASP NHI Top 10 (2025) id, a
// weight and a floor tier with its public source); its tier is the higher of the score's
// tier, the floors and the combinations (README "Reports and the risk model"). Every report
// shows the factors and how the tier was reached, so a tier can always be explained.
#pragma once
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "db/inventory.hpp"
#include "util/expected.hpp"

namespace nhi::reports {

enum class Tier { Low = 1, Medium = 2, High = 3, Critical = 4 };
const char* to_string(Tier t);
bool parse_tier(const std::string& s, Tier& out);

/// One factor the model knows: its default weight and floor, the public source of the floor
/// and the threshold that triggers it (the README's risk table is this catalog).
struct FactorSpec {
    const char* id;
    const char* owasp;
    int weight;
    Tier floor;
    const char* source;
    const char* when;
};
/// Every factor, in the README table's order.
const std::vector<FactorSpec>& factor_catalog();
/// The catalog entry for `id`, or nullptr for an unknown id.
const FactorSpec* factor_spec(std::string_view id);

struct RiskConfig {
    int rotation_days = 90;    // an active key older than this is overdue for rotation
    int unused_days = 90;      // no use for this long (or never, once this old) is stale
    int long_lived_days = 365; // a credential valid for longer than this is long-lived
    std::map<std::string, int> weights;  // --weight ID=N: replaces the catalog weight
    std::map<std::string, Tier> floors;  // --floor ID=TIER: replaces the catalog floor (low: none)
};
/// Applies `ID=N` (a --weight flag) to cfg; fails on an unknown factor or a weight outside 0..1000.
util::Status set_weight(RiskConfig& cfg, const std::string& spec);
/// Applies `ID=TIER` (a --floor flag) to cfg; fails on an unknown factor or tier.
util::Status set_floor(RiskConfig& cfg, const std::string& spec);

struct Factor {
    std::string id;      // stable: exposed, never-expires, rotation-overdue, ...
    std::string owasp;   // NHI1..NHI10
    int weight = 0;
    std::string reason;  // for people, with the credential and the evidence that triggered it
    Tier floor = Tier::Low;  // the lowest tier this factor allows
    int64_t credential = 0;  // the credential it is about (CredentialRow::id), 0 for the identity
};

struct Assessment {
    Tier tier = Tier::Low;
    int score = 0;
    Tier score_tier = Tier::Low;  // what the score alone gives
    std::vector<Factor> factors;
    std::vector<std::string> raised;  // each floor or combination that set the tier above the score's
    std::string how;       // how score and tier were reached, in one line
    std::string accepted;  // the accepted-risk reason that lowered the tier, if any
};

/// A factor as reports show it: once per id, with how many times it applies.
struct FactorGroup {
    const Factor* first = nullptr;  // the heaviest instance
    std::vector<const Factor*> all;  // every instance, heaviest first
};
/// The factors of `a` grouped by id, heaviest first.
std::vector<FactorGroup> group_factors(const Assessment& a);

/// What judging one identity needs to know about the others.
struct Population {
    // For each reused credential id, the environment of the identity holding it (NHI8).
    std::unordered_map<int64_t, std::string> credential_environment;
    // Credentials held by privileged identities (an agent's literal that is one of them).
    std::unordered_set<int64_t> privileged_credentials;
    // AWS accounts the inventory describes, and the environment each one's identities name.
    std::set<std::string> aws_accounts;
    std::map<std::string, std::string> account_environment;
};
Population population(const std::vector<db::IdentityRow>& rows);

Assessment assess(const db::IdentityRow& row, const RiskConfig& config, const std::string& now_utc,
                  const Population* others = nullptr);

/// A binding whose member no longer exists (GCP `deleted:serviceAccount:`): a finding of its
/// own, not an identity.
struct DanglingBinding {
    const db::IdentityRow* row;  // the record the import kept for the deleted member
    std::string member;          // deleted:serviceAccount:old@p.iam.gserviceaccount.com, missing ServiceAccount ns/name
    std::vector<std::string> roles;
    Assessment risk;
    std::string revocation;  // the command that removes it
};
/// True when `row` stands for a dangling binding rather than an identity.
bool is_dangling(const db::IdentityRow& row);
/// The dangling bindings among rows, highest tier first.
std::vector<DanglingBinding> dangling_bindings(const std::vector<db::IdentityRow>& rows, const RiskConfig& cfg);

}  // namespace nhi::reports
