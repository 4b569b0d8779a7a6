// The on-disk cache of compiled Hyperscan databases. A cold compile of the full rule set
// costs seconds; a pre-commit scan of one file must cost milliseconds.
#pragma once
#include <string>
#include <string_view>

#include "rules/hs_handles.hpp"

namespace nhi::rules::hs_cache {

/// $NHI_CACHE_DIR, else $XDG_CACHE_HOME/nhi, else $HOME/.cache/nhi; empty if none is known.
std::string default_dir();

/// The cache key: rule contents hash + Hyperscan version + this CPU's platform + engine
/// layout version. Any change gives a new key, so a stale entry is never loaded.
std::string key(const std::string& rules_hash);

/// The cache file's bytes for `payload` (a serialized database) under `key`: a header with
/// the key, the payload size and its SHA-256, then the payload.
std::string encode(const std::string& key, std::string_view payload);

/// The payload of a cache file's bytes, or empty unless its header names `key` and its size
/// and SHA-256 match (a swapped, truncated or corrupted file).
std::string_view verified_payload(std::string_view file, const std::string& key);

/// The database stored under `key`, or null when absent, unreadable, or not verified for
/// this key (then the caller recompiles quietly and stores it again).
HsDatabase load(const std::string& dir, const std::string& key);

/// The databases embedded at build time (cache files, one after another), compiled for the
/// build machine's platform; empty in a build without them.
std::string_view embedded();

/// The embedded database stored under `key`, or null when none was built for this key (other
/// rules, another CPU, another Hyperscan): then the on-disk cache serves.
HsDatabase load_embedded(const std::string& key);

/// Stores the database; best effort, because a read-only cache must not fail a scan.
void store(const std::string& dir, const std::string& key, const hs_database_t* db);

}  // namespace nhi::rules::hs_cache
