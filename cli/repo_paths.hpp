// Where a scan's paths are anchored. A directory scan reports paths relative to the directory
// scanned; .nhi.yml globs are relative to the config's directory, and baselines and SARIF to the
// repository root. These turn the one into the others.
#pragma once
#include <string>
#include <vector>

namespace nhi::cli {

/// The directory a scan's finding paths are relative to: the directory scanned when there is
/// one, else the working directory (files and several paths are reported as named); "" for
/// git scans and stdin alone, whose paths are repository paths or no paths at all.
std::string scan_base(const std::vector<std::string>& paths, bool git);

/// The nearest directory at or above `dir` that holds `.git`, canonical; "" when there is none.
std::string find_repo_root(const std::string& dir);

/// "a/b/" when `path` is the directory a/b under `base`; "" when it is `base` itself, lies
/// outside it, or either cannot be resolved.
std::string prefix_under(const std::string& path, const std::string& base);

/// The prefix that makes a scan's finding paths relative to the repository root (the git
/// toplevel above what was scanned, else the scanned root itself, which gives "").
std::string repo_prefix(const std::vector<std::string>& paths, bool git);

/// `prefix` + `path` in the form a repository path has ("./" and "x/.." folded); the chain of
/// archive entries after the first '!' is kept as it is, and an absolute path is left alone.
std::string join_repo_path(const std::string& prefix, const std::string& path);

}  // namespace nhi::cli
