// The build-time database generator's own copy of the rules library embeds no database.
#include "rules/hs_cache.hpp"

namespace nhi::rules::hs_cache {
std::string_view embedded() { return {}; }
}  // namespace nhi::rules::hs_cache
