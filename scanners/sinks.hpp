// What a scan counts and where its results go, shared by the directory, stdin and git
// scanners and the unpacking pipeline between them and the engine.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "db/model.hpp"
#include "db/records.hpp"
#include "util/expected.hpp"

namespace nhi::scanners {

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
    std::atomic<uint64_t> staged_in_head{0};  // --staged: findings left out, HEAD's file already held them
    // Unpacking (scanners/unpack).
    std::atomic<uint64_t> archives{0};          // archives and compressed files opened
    std::atomic<uint64_t> archive_entries{0};   // files inside them scanned
    std::atomic<uint64_t> decoded{0};           // encoded spans and UTF-16 texts decoded and scanned
    std::atomic<uint64_t> skipped_depth{0};
    // Matches an inline allow comment suppressed, by rules::AllowForm (nhi:allow,
    // nhi:allow-next-line, gitleaks:allow, pragma: allowlist secret); filled at the end.
    std::atomic<uint64_t> allowed_inline[4]{};     // nested deeper than --max-depth
    std::atomic<uint64_t> skipped_archive[6]{}; // by archive::Skip: bytes, run bytes, ratio, entries, encrypted, corrupt
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
    /// When set, called (from any thread) with each file or blob not scanned and why ("binary",
    /// "larger than --max-file-size"), for --verbose.
    std::function<void(const std::string& path, const char* reason)> skipped;
    /// When set, called (from any thread) with the identities a config file declares.
    std::function<void(db::ImportBatch&&)> discovered;
};

}  // namespace nhi::scanners
