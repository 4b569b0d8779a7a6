// What `nhi scan` needs from `nhi baseline`: how a finding is looked up in a baseline.
#pragma once
#include <string>
#include <vector>

#include "db/model.hpp"
#include "reports/finding_render.hpp"
#include "rules/baseline.hpp"

namespace nhi::cli {

/// The finding as a baseline sees it: its path made relative to the repository root with
/// `repo_prefix`; with `sha1`, the SHA-1 of the secret too, when its plaintext is in memory.
rules::BaselineKey baseline_key(const db::Finding& f, const std::string& repo_prefix, bool sha1);

/// Removes the findings `baseline` accepts and counts them in `summary.baselined`.
void drop_baselined(const rules::Baseline& baseline, const std::string& repo_prefix, std::vector<db::Finding>& findings,
                    reports::ScanSummary& summary);

}  // namespace nhi::cli
