// Scans files, directory trees and stdin: one thread walks (honouring .gitignore), the worker
// pool reads and matches, and findings go to a sink in per-file batches.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "db/model.hpp"
#include "db/records.hpp"
#include "rules/engine.hpp"
#include "scanners/findings.hpp"  // to_findings, for the git scanner too
#include "scanners/sinks.hpp"
#include "scanners/unpack.hpp"
#include "util/expected.hpp"

namespace nhi::scanners {

struct FileScanOptions {
    std::vector<std::string> paths;  // files, directories, or "-" for stdin
    bool use_ignore = true;          // honour .gitignore files
    uint64_t max_file_size = 0;  // 0: no limit (text is scanned in chunks, so memory stays bounded)
    UnpackOptions unpack;         // archives and encodings
    unsigned jobs = 0;  // 0: one per core
};

/// Scans every input. Fails when an input named on the command line does not exist, when
/// nothing could be read, or when a worker failed (a sink threw); per-file problems go to
/// `sinks.warning` and the counters.
util::Status scan_paths(const FileScanOptions& options, const rules::Engine& engine, ScanStats& stats,
                        const ScanSinks& sinks);

/// The identities a tree declares (what `ScanSinks::discovered` got) as one batch; one that
/// names no owner gets `owners_of` the file declaring it, as CODEOWNERS says.
db::ImportBatch merge_declared(std::vector<db::ImportBatch>&& batches,
                               const std::function<std::string(const std::string&)>& owners_of);

}  // namespace nhi::scanners
