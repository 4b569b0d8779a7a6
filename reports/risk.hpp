// The risk model: each identity gets factors (a reason, an OWASP NHI Top 10 (2025) id and a
// weight); its tier follows from them by the rules in README "Risk model". Every report
// shows the factors, so a tier can always be explained.
#pragma once
#include <string>
#include <unordered_map>
#include <vector>

#include "db/inventory.hpp"

namespace nhi::reports {

enum class Tier { Low = 1, Medium = 2, High = 3, Critical = 4 };
const char* to_string(Tier t);
bool parse_tier(const std::string& s, Tier& out);

struct RiskConfig {
    int rotation_days = 90;    // an active key older than this is overdue for rotation
    int unused_days = 90;      // no use for this long (or never, once this old) is stale
    int long_lived_days = 365; // a credential valid for longer than this is long-lived
};

struct Factor {
    std::string id;      // stable: exposed, never-expires, rotation-overdue, ...
    std::string owasp;   // NHI1..NHI10
    int weight = 0;
    std::string reason;  // for people, with the facts that triggered it
};

struct Assessment {
    Tier tier = Tier::Low;
    int score = 0;
    std::vector<Factor> factors;
    std::string accepted;  // the accepted-risk reason that lowered the tier, if any
};

/// What judging one identity needs to know about the others: for each credential id, the
/// environment of the identity holding it (NHI8 compares a reused secret's holders).
struct Population {
    std::unordered_map<int64_t, std::string> credential_environment;
};
Population population(const std::vector<db::IdentityRow>& rows);

Assessment assess(const db::IdentityRow& row, const RiskConfig& config, const std::string& now_utc,
                  const Population* others = nullptr);

}  // namespace nhi::reports
