#pragma once
#include <cstdint>
#include <string>

namespace nhi::util {

/// Seconds since the epoch, now.
int64_t now_unix();

/// RFC 3339 UTC form (`2025-06-16T09:00:00Z`) of seconds since the epoch.
std::string format_utc(int64_t unix_seconds);

}  // namespace nhi::util
