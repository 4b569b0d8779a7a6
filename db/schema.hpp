// Forward-only migrations, in one place. Entry N takes the schema from version N to N+1;
// never edit a released entry, append a new one.
#pragma once
#include <string>
#include <vector>

namespace nhi::db {

/// The migration steps, oldest first (entry N: version N to N+1). Cannot fail.
const std::vector<std::string>& migrations();

}  // namespace nhi::db
