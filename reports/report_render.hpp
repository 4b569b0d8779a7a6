// `nhi report risk|owners|expiry|summary`: what a quarterly access review reads, as text,
// JSON, CSV or Markdown.
#pragma once
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "db/inventory.hpp"
#include "reports/risk.hpp"

namespace nhi::reports {

struct Assessed {
    const db::IdentityRow* row;
    Assessment risk;
};

struct ReportOptions {
    std::string format = "text";  // text | json | csv | markdown
    std::string now;              // UTC reference time
    Tier min_tier = Tier::Low;    // risk: show identities at or above this tier
    int expiring_days = 30;       // expiry: the "expiring soon" window
    size_t top = 10;              // summary: how many top risks
    int64_t run = 0;              // --run: the inventory as it stood after this run; 0: as it is now
};

/// The version of the report JSON contract (docs/schemas/report.schema.json).
inline constexpr int kReportSchemaVersion = 1;

/// Assesses every row but dangling bindings (see dangling_bindings); sorted by tier, then
/// score, highest first.
std::vector<Assessed> assess_all(const std::vector<db::IdentityRow>& rows, const RiskConfig& cfg, const std::string& now);

/// Identities at or above o.min_tier, then the dangling bindings, in o.format.
void report_risk(const std::vector<Assessed>& items, const ReportOptions& o, std::ostream& out,
                 const std::vector<DanglingBinding>& dangling = {});
/// Ownership gaps by source, the dangling bindings, and identities per owner.
void report_owners(const std::vector<Assessed>& items, const ReportOptions& o, std::ostream& out,
                   const std::vector<DanglingBinding>& dangling = {});
void report_expiry(const std::vector<Assessed>& items, const RiskConfig& cfg, const ReportOptions& o, std::ostream& out);
/// The quarterly page: counts, tiers, coverage, dangling bindings and top risks.
void report_summary(const std::vector<Assessed>& items, const ReportOptions& o, std::ostream& out,
                    const std::vector<DanglingBinding>& dangling = {});

}  // namespace nhi::reports
