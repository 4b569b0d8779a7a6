// What kind of file a finding is in: live source, or a test, a fixture, documentation, an
// example, vendored or generated code. Told from the path alone (folder names, file names and
// extensions), so it is the same in a directory scan, a git history scan and an archive entry.
// The default stays safe: a context never hides a finding or keeps it from failing CI unless
// the user says so (--no-fail-in, `no_fail_in:` in .nhi.yml); it orders the output so live
// code comes first, and it lowers confidence only where a known layout makes the value a
// fixture for certain (fixture_reason).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nhi::rules {

// In the order text output shows them: live code first.
enum class PathContext { Source, Example, Test, Fixture, Docs, Vendor, Generated };
inline constexpr size_t kPathContexts = 7;

/// "source", "test", "fixture", "docs", "example", "vendor", "generated".
const char* to_string(PathContext c);
/// Parses one of the names above.
std::optional<PathContext> parse_path_context(std::string_view name);

/// The context of `path` (relative, '/'-separated; an archive entry `a.jar!x/y` is judged by
/// both parts, the most telling wins). Vendor and generated win over the rest (a test inside
/// node_modules is someone else's), then fixture (test data), test, example, docs.
PathContext path_context(std::string_view path);

/// Why a finding of `rule_id` in `path` is certainly test data, or "" when it may be real:
/// private keys under a tests' certs folder, netrc or HTTP traffic in a test data file. A
/// reason lowers the finding's confidence to low; the finding is still reported.
std::string fixture_reason(std::string_view rule_id, std::string_view path, PathContext c);

}  // namespace nhi::rules
