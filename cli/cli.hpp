// The command line: a declared subcommand table over nhi_core. CLI11 lives here only.
#pragma once
#include <string>
#include <vector>

namespace nhi::cli {

/// Exit codes users and CI rely on.
enum Exit { kOk = 0, kFindings = 1, kError = 2 };

/// Runs the nhi command line; returns the process exit code. The only place that catches.
int run(int argc, char** argv);

/// The closest candidate within a small edit distance, or empty; for "did you mean".
std::string suggest(const std::string& word, const std::vector<std::string>& candidates);

/// Prints `nhi: error: <what>: <why>` on stderr.
void print_error(const std::string& what, const std::string& why);
void print_warning(const std::string& what, const std::string& why);

}  // namespace nhi::cli
