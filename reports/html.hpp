// `nhi report summary|risk --format html`: the quarterly review as one self-contained HTML
// file. Inline CSS, inline SVG charts (tiers, credential age, owner coverage, trend across
// reviews) and a small inline script for the sortable, filterable table. A Content Security
// Policy forbids every external request, so the file works offline and leaks nothing when
// opened.
#pragma once
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "reports/diff.hpp"
#include "reports/report_render.hpp"

namespace nhi::reports {

/// The inventory's tier counts at one point in time: a recorded review, or now.
struct TrendPoint {
    std::string label;  // e.g. "2025-03-31" or "now"
    size_t identities = 0;
    std::map<Tier, size_t> tiers;
};
TrendPoint trend_point(const std::vector<Assessed>& items, const std::string& label);
nlohmann::json to_json(const TrendPoint& p);
TrendPoint trend_point_from_json(const nlohmann::json& j, const std::string& label);

struct HtmlReport {
    const std::vector<Assessed>* items = nullptr;  // sorted, as assess_all returns them
    std::string now;
    Tier min_tier = Tier::Low;         // the table lists identities at or above it
    std::vector<TrendPoint> trend;     // oldest first, ending with now
    const Diff* since_review = nullptr;  // changes since the last recorded review, if any
    const std::vector<DanglingBinding>* dangling = nullptr;  // bindings to deleted members, if any
};

void report_html(const HtmlReport& report, std::ostream& out);

}  // namespace nhi::reports
