// The on-disk cache of compiled Hyperscan databases. A cold compile of the full rule set
// costs seconds; a pre-commit scan of one file must cost milliseconds.
#pragma once
#include <string>

#include "rules/hs_handles.hpp"

namespace nhi::rules::hs_cache {

/// $NHI_CACHE_DIR, else $XDG_CACHE_HOME/nhi, else $HOME/.cache/nhi; empty if none is known.
std::string default_dir();

/// The cache key: rule contents hash + Hyperscan version + this CPU's platform + engine
/// layout version. Any change gives a new key, so a stale entry is never loaded.
std::string key(const std::string& rules_hash);

/// The database stored under `key`, or null when absent or unreadable (then the caller
/// recompiles quietly).
HsDatabase load(const std::string& dir, const std::string& key);

/// Stores the database; best effort, because a read-only cache must not fail a scan.
void store(const std::string& dir, const std::string& key, const hs_database_t* db);

}  // namespace nhi::rules::hs_cache
