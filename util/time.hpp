#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nhi::util {

/// Seconds since the epoch, now.
int64_t now_unix();

/// RFC 3339 UTC form (`2025-06-16T09:00:00Z`) of seconds since the epoch.
std::string format_utc(int64_t unix_seconds);

/// Parses the ISO-8601 forms exports use: `2025-06-16`, `2025-06-16T09:00:00Z`, with or
/// without fractional seconds, with `Z`, `+00:00` or any other offset, or a space instead
/// of `T`. Returns seconds since the epoch in UTC, or nothing for anything else.
std::optional<int64_t> parse_iso8601(std::string_view s);

}  // namespace nhi::util
