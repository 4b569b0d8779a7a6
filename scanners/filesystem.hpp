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
#include "util/expected.hpp"

namespace nhi::scanners {

struct FileScanOptions {
    std::vector<std::string> paths;  // files, directories, or "-" for stdin
    bool use_ignore = true;          // honour .gitignore files
    uint64_t max_file_size = 25ull << 20;
    unsigned jobs = 0;  // 0: one per core
};

/// Counters, readable while the scan runs (for progress).
struct ScanStats {
    std::atomic<uint64_t> files_scanned{0};
    std::atomic<uint64_t> bytes_scanned{0};
    std::atomic<uint64_t> findings{0};
    std::atomic<uint64_t> skipped_binary{0};
    std::atomic<uint64_t> skipped_too_large{0};
    std::atomic<uint64_t> skipped_ignored{0};
    std::atomic<uint64_t> skipped_symlink{0};
    std::atomic<uint64_t> skipped_special{0};  // sockets, FIFOs, devices
    std::atomic<uint64_t> errors{0};           // unreadable paths, corrupt objects
    // The engine: blobs whose matching stopped early (the PCRE2 match limit, an hs_scan error).
    std::atomic<uint64_t> match_limit_hits{0};
    std::atomic<uint64_t> engine_errors{0};
    // Git history scans.
    std::atomic<uint64_t> commits{0};       // commits walked
    std::atomic<uint64_t> blobs_known{0};   // blobs not read again: scanned before with these rules
    std::atomic<uint64_t> submodules{0};    // submodule entries skipped
    std::atomic<bool> shallow{false};       // a repository's history is partial
};

struct ScanSinks {
    /// Called with each file's findings (possibly from several threads at once; the
    /// caller serialises).
    std::function<void(std::vector<db::Finding>&&)> findings;
    /// Called for each path that could not be read; the scan goes on.
    std::function<void(const util::Error&)> warning;
    /// Called once per rule at the end of a scan (slow, or matched too often), on the caller's
    /// thread. A handful at most, so the CLI shows them past its cap on per-file warnings.
    std::function<void(const util::Error&)> rule_warning;
    /// When set, called (from any thread) with the identities a config file declares.
    std::function<void(db::ImportBatch&&)> discovered;
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
