// Baseline files: the fingerprints of findings a team has accepted, so CI fails only on
// new ones. A fingerprint is (rule, secret, path): moving a line keeps it, a different
// secret on the same line does not match it.
#pragma once
#include <set>
#include <string>
#include <vector>

#include "util/expected.hpp"

namespace nhi::rules {

struct BaselineEntry {
    std::string fingerprint, rule, path;
    bool operator<(const BaselineEntry& o) const { return fingerprint < o.fingerprint; }
};

struct Baseline {
    std::set<BaselineEntry> entries;
    bool contains(const std::string& fingerprint) const { return entries.count({fingerprint, "", ""}) > 0; }
};

/// Reads a baseline file; fails with the path and what is wrong.
util::Expected<Baseline> load_baseline(const std::string& path);

/// Writes the baseline atomically (temp file + rename), sorted so diffs stay small.
util::Status write_baseline(const std::string& path, const Baseline& baseline);

}  // namespace nhi::rules
