// Archives and compressed streams, read through libarchive: zip and its kin (jar, war, ear,
// apk, whl, nupkg, egg), tar, 7z, and gz/bz2/xz/zst (a tarball, or a single compressed file).
// One level at a time: the scan pipeline (scanners/unpack) recurses into an entry that is
// itself an archive, so nesting depth is counted in one place.
//
// Nothing is ever extracted to disk: an entry's name is only a label, so a `../../etc/passwd`
// entry is as harmless as any other. Every limit below is a counted skip, never a crash, a
// hang or unbounded memory: the archive is read as a stream and entries are read in chunks.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "util/expected.hpp"

namespace nhi::scanners::archive {

/// Reads up to `n` bytes into `buf`: how many were read (0 at the end), or why it failed.
using ReadFn = std::function<util::Expected<size_t>(char* buf, size_t n)>;

struct Limits {
    uint64_t max_archive_bytes = 4ull << 30;  // expanded bytes of one archive, all entries together
    double max_ratio = 200;                   // expanded : compressed bytes, checked past ratio_floor
    uint64_t ratio_floor = 16ull << 20;       // small archives may compress well; judged past this
    uint64_t max_entries = 100000;            // entries of one archive (directories included)
};

/// The expanded bytes every archive of one run may still produce, shared by all threads.
struct RunBudget {
    explicit RunBudget(uint64_t bytes) : left(bytes) {}
    std::atomic<uint64_t> left;
    /// Takes `n` bytes from the budget; false (taking nothing) when fewer are left.
    bool take(uint64_t n);
};

/// Why (part of) an archive was not read.
enum class Skip {
    ArchiveBytes,  // Limits::max_archive_bytes reached: the rest of the archive is skipped
    RunBytes,      // the run's budget (RunBudget) is spent
    Ratio,         // Limits::max_ratio exceeded: a bomb; the rest is skipped
    Entries,       // Limits::max_entries reached
    Encrypted,     // an encrypted entry (or a whole encrypted archive): skipped, the others read
    Corrupt,       // a damaged header or data, an unsupported method: the rest is skipped
};

/// A short lower-case name for `s` ("encrypted", "compression ratio", ...), for warnings and
/// the summary's skip counts.
const char* skip_name(Skip s);

/// What the first bytes of a blob are.
enum class Kind {
    None,        // neither: scan it as it is
    Archive,     // entries with names (zip, tar, 7z, and a compressed tar)
    Compressed,  // one compressed stream (gz, bz2, xz, zst) of one file
};

/// Judges `head` (the first bytes of a blob; 512 are enough for tar) by magic numbers only,
/// never by the name, so an OCI layer stored under its digest is recognised. A compressed tar
/// whose head is too short to decompress 512 bytes from (bzip2 always needs a whole block) is
/// judged Compressed; read() reads further ahead and finds the tar itself.
Kind sniff(std::string_view head);

/// For a Compressed blob: the name its one entry gets, from the outer name's last component
/// ("logs/app.log.gz" -> "app.log", "x.tgz" -> "x.tar", a suffix of another compressor than
/// `head` shows, or anything else -> that component + "~").
std::string inner_name(std::string_view name, std::string_view head);

/// One regular-file entry as it is read.
struct Entry {
    std::string name;   // as stored, '/'-separated; may hold any bytes (print it escaped)
    uint64_t size = 0;  // as declared; 0 when unknown
    ReadFn read;        // the entry's bytes in order; stops (ends) at a limit, which is then reported.
                        // Valid only during Callbacks::entry (it returns 0 after).
};

struct Callbacks {
    /// Each regular-file entry in archive order. A failure stops the archive and is returned.
    std::function<util::Status(Entry&)> entry;
    /// Each limit reached and each entry skipped, with the entry's name (or empty for the whole
    /// archive) and a short detail; the reading goes on where it can.
    std::function<void(Skip, const std::string& entry, const std::string& detail)> skipped;
};

/// Reads the archive or compressed stream `source` (judged Archive or Compressed by sniff)
/// named `name`, calling `cb.entry` for each file in it. Fails only when a callback fails or
/// `source` itself fails to read; what the archive does wrong goes to `cb.skipped`.
util::Status read(const ReadFn& source, const std::string& name, const Limits& limits, RunBudget& budget,
                  const Callbacks& cb);

/// Moves a seekable source to `offset` from `whence` (SEEK_SET, SEEK_CUR, SEEK_END): the new
/// offset from the start, or why it cannot.
using SeekFn = std::function<util::Expected<int64_t>(int64_t offset, int whence)>;

/// As read() above, over a source that can also seek (a file, a blob in memory): a zip is then
/// read through its central directory (entries after an encrypted one stay reachable) and a 7z,
/// whose header is at its end, can be read at all (read() reports it as Corrupt). Fails as
/// read() does.
util::Status read(const ReadFn& source, const SeekFn& seek, const std::string& name, const Limits& limits,
                  RunBudget& budget, const Callbacks& cb);

/// A seekable source over bytes in memory (a git blob, a test's archive).
struct MemorySource {
    ReadFn read;
    SeekFn seek;
};

/// A ReadFn and SeekFn over `bytes`, which must outlive them; never fails.
MemorySource memory_source(std::string_view bytes);

}  // namespace nhi::scanners::archive
