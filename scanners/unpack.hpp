// The stage between the sources (the walk, git blobs, stdin) and the engine: a source gives a
// blob; archives are opened (scanners/archive), UTF-16 is turned into UTF-8 and encoded spans
// are decoded (scanners/decode), each to a bounded depth; every text that results is matched
// by the same rules, in chunks, so memory does not grow with the size of a file.
//
// A finding keeps its provenance: inside an archive its path is `app.jar!BOOT-INF/x.properties`
// (line and column in the entry); in an encoded span its line and column are those of the span
// in the outermost text and `encoding` names the decoders ("base64"). A decoded text is scanned
// with the rest of its source line around it, so `DB_PASSWORD: <base64>` still gives a keyword
// rule its key.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "db/model.hpp"
#include "rules/engine.hpp"
#include "scanners/archive.hpp"
#include "scanners/decode.hpp"
#include "scanners/sinks.hpp"

namespace nhi::scanners {

struct UnpackOptions {
    bool decode = true;      // --no-decode: no encoded spans, no UTF-16
    bool archives = true;    // --no-archives
    unsigned max_depth = 4;  // --max-depth: archives and encodings around a text, together
    uint64_t max_decoded_size = 4ull << 30;  // --max-decoded-size: bytes one archive may expand to
    uint64_t max_run_decoded = 64ull << 30;  // all archives of one run together
};

/// Text is matched in chunks of this size, each overlapping the last by the longest window
/// a rule can match (Unpacker::overlap()), so a secret across a chunk boundary is found once.
inline constexpr size_t kChunk = 8u << 20;

/// One scan's shared unpacking state: the options and the run's budget of expanded bytes.
struct UnpackRun {
    explicit UnpackRun(const UnpackOptions& o) : options(o), budget(o.max_run_decoded) {}
    UnpackOptions options;
    archive::RunBudget budget;
};

/// Unpacks and matches blobs on one thread with one engine Worker.
class Unpacker {
public:
    Unpacker(const rules::Engine& engine, rules::Worker& worker, UnpackRun& run, ScanStats& stats,
             const ScanSinks& sinks);

    /// Scans the stream `read` (a file, stdin) reported as `path`, whose first bytes are
    /// `head` (already read from it). Findings are appended to `out` with `path` (and any
    /// "!entry" chain) as their path. Returns what the stream was, for the caller's counters:
    /// Binary and TooLarge are skipped blobs. Fails only when reading `read` fails.
    enum class Outcome { Text, Archive, Binary, TooLarge };
    /// With `seek` (a file), an archive is read through its index (a zip's central directory,
    /// a 7z's header at its end).
    util::Expected<Outcome> scan_stream(const archive::ReadFn& read, std::string head, const std::string& path,
                                        uint64_t max_size, std::vector<db::Finding>& out,
                                        const archive::SeekFn* seek = nullptr);

    /// Scans a blob held in memory (a git blob) the same way; `path` selects path-scoped rules.
    /// Findings are relative to the blob: their `path` is `path` + `inner`.
    Outcome scan_memory(std::string_view data, const std::string& path, std::vector<db::Finding>& out);

    /// True when the last scan stopped matching early for an engine failure (not a limit),
    /// so the blob should be read again next time.
    bool engine_failed() const { return engine_failed_; }

    /// Bytes each chunk repeats of the one before.
    size_t overlap() const { return overlap_; }

    struct Where;

private:
    util::Expected<Outcome> blob(const archive::ReadFn& read, std::string head, const Where& w, uint64_t max_size,
                                 std::vector<db::Finding>& out, const archive::SeekFn* seek = nullptr);
    util::Status open_archive(const archive::ReadFn& read, std::string head, const Where& w,
                              std::vector<db::Finding>& out, const archive::SeekFn* seek);
    util::Status read_archive(const archive::ReadFn& source, const archive::SeekFn* seek, const Where& w,
                              std::vector<db::Finding>& out);
    util::Expected<Outcome> text_stream(const archive::ReadFn& read, std::string head, const Where& w,
                                        uint64_t max_size, std::vector<db::Finding>& out);
    // Matches a text held whole, in chunks.
    void chunks(std::string_view data, const Where& w, std::vector<db::Finding>& out);
    // Matches one chunk (first byte at base_line:base_col; matches from `cut` on are the next
    // chunk's unless `last`) and its encoded spans; true when a secret was found.
    bool text(std::string_view data, const Where& w, size_t base_line, size_t base_col, size_t cut, bool last,
              std::vector<db::Finding>& out);
    // Decodes and matches the chunk's encoded spans; marks in `drop_outer` the chunk's matches
    // a decoded finding replaces (one_per_span).
    void decoded(std::string_view data, const Where& w, size_t base_line, size_t base_col, size_t cut, bool last,
                 const std::vector<rules::Match>& outer, std::vector<bool>& drop_outer, std::vector<db::Finding>& out);
    void one_per_span(const decode::Span& s, const std::vector<rules::Match>& outer, std::vector<bool>& drop_outer,
                      std::vector<db::Finding>& inside);
    void report(const std::string& path);

    const rules::Engine& engine_;
    rules::Worker& worker_;
    UnpackRun& run_;
    ScanStats& stats_;
    const ScanSinks& sinks_;
    size_t overlap_;
    bool engine_failed_ = false;
    bool path_scoped_ = true;
    std::unordered_map<std::string, size_t> rule_index_;  // rule id -> index
};

}  // namespace nhi::scanners
