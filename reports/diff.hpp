// `nhi report diff`: what changed between two runs (by default the last recorded review and
// now): identities added and removed, tier changes, newly exposed secrets, owners gained or
// lost; dangling bindings that appeared or went, apart from the identities.
#pragma once
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "db/inventory.hpp"
#include "reports/risk.hpp"

namespace nhi::reports {

struct DiffEntry {
    int64_t id = 0;
    std::string key, provider, kind, name;
    std::string before, after;  // tiers, or owners; empty when not applicable
    std::string detail;
    db::Validation validation;  // newly exposed: the finding's latest validation (not done(): never checked)
};

struct Diff {
    int64_t from = 0, to = 0;  // to 0 = now
    std::string from_time, to_time;
    std::vector<DiffEntry> added, removed, tier_changes, newly_exposed, owners_gained, owners_lost, owners_changed;
    // Dangling bindings are findings, not identities: they appear or are cleaned up, never
    // count as added or removed identities. name = the member, detail = roles, after/before = tier.
    std::vector<DiffEntry> dangling_added, dangling_removed;
};

Diff diff_inventories(const std::vector<db::IdentityRow>& before, const std::vector<db::IdentityRow>& after,
                      const std::map<int64_t, int64_t>& finding_first_run, const RiskConfig& cfg, int64_t from_run,
                      const std::string& from_time, int64_t to_run, const std::string& to_time);

void render_diff(const Diff& d, const std::string& format, std::ostream& out);

}  // namespace nhi::reports
