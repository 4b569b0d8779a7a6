// `nhi scan --git`: every blob of a repository's history scanned once, with provenance,
// incremental through the datastore.
#pragma once
#include <string>
#include <vector>

#include "db/store.hpp"
#include "rules/engine.hpp"
#include "scanners/filesystem.hpp"

namespace nhi::scanners {

struct GitScanOptions {
    std::vector<std::string> repos;  // working trees or bare repositories
    bool all_refs = false;
    std::string branch;
    std::string since;
    bool staged = false;
    bool all_staged = false;  // --staged: also secrets HEAD's version of the same file holds
    // libgit2 inflates a blob whole, so blobs stay bounded: each worker holds one at a time.
    uint64_t max_blob_size = 128ull << 20;
    UnpackOptions unpack;
    unsigned jobs = 0;
    bool store_secrets = false;
};

/// Scans each repository. With a store, blobs already scanned with the same rules are not
/// read again and their findings come from the datastore. Fails when a repository cannot
/// be opened or a named revision does not exist; corrupt objects are warnings.
util::Status scan_git(const GitScanOptions& options, const rules::Engine& engine, db::Store* store, int64_t run,
                      ScanStats& stats, const ScanSinks& sinks);

}  // namespace nhi::scanners
