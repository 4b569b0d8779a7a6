// The build-time database generator's own copy of the rules library embeds no database.
#include "rules/hs_cache.hpp"
#include "rules/rule_blob.hpp"

namespace nhi::rules::hs_cache {
std::string_view embedded() { return {}; }
}  // namespace nhi::rules::hs_cache

namespace nhi::rules {
std::string_view embedded_parsed_rules() { return {}; }
}  // namespace nhi::rules
