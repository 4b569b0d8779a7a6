// The archive reader: zip and its kin (jar, war, ear, apk, whl, nupkg, egg), tar (ustar, pax,
// GNU), 7z, and gzip / bzip2 / xz / lzma / zstd around a tar or around one file, all through
// libarchive, one level at a time (scanners/unpack recurses and counts the depth).
//
// What is enabled, and why not archive_read_support_{format,filter}_all: mtree reads the files
// its text names *from this machine's disk* (an archive could make the scan read /etc/shadow
// and report it as archive content), lrzip, grzip and lzop run external programs, and the other
// formats (iso9660, cab, lha, rar, xar, warc, cpio, ar) are not asked for and only widen what
// hostile bytes reach. read() judges the stream as sniff() does, by its head read ahead (64 KiB,
// up to 1 MiB while a compressed head is too short to show whether a tar is inside): an Archive
// is opened with the zip, tar and 7z readers, a Compressed stream with raw alone, so its one
// file is given whole (named by inner_name()) even when it starts like an empty tar (zeros).
// A 7z needs a seekable source (its header is at its end); without one it is reported.
//
// The archive is read as a stream through a 64 KiB buffer, never whole; an entry is read in
// chunks of at most 256 KiB as the caller asks. Entries the caller does not read to the end are
// drained through the same counted path (skipping inside a compressed stream or a 7z costs the
// same decompression), so an unread entry cannot be a bomb either. The limits (Limits in
// archive.hpp) and why their defaults:
//   max_archive_bytes 4 GiB  - above any real artifact one scans for secrets (a fat jar is a few
//                              hundred MB, an image layer 1-2 GB), and a bound on the seconds a
//                              hostile archive can cost even when its ratio looks ordinary.
//   max_ratio 200            - real text and code compress 3-20:1, even repetitive logs stay
//                              under ~100:1 with xz or zstd; a bomb is zeros at 1,000:1 (gzip)
//                              to 30,000:1 and more (zstd, bzip2).
//   ratio_floor 16 MiB       - a small file of one repeated byte legitimately compresses past
//                              200:1, so the ratio is judged only past 16 MiB expanded: a bomb
//                              costs at most that much work before it is caught.
//   max_entries 100,000      - big jars and node_modules tarballs hold tens of thousands of
//                              entries; millions of empty entries are a header bomb.
// The RunBudget is the same bound over a whole run, shared by every thread. Each limit reached
// is reported once through Callbacks::skipped and stops the archive; the entry being read ends.
#include "scanners/archive.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <locale.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>

#include <zlib.h>

#include "util/text.hpp"

namespace nhi::scanners::archive {

namespace {

constexpr size_t kBlock = 64u << 10;   // one read of the source
constexpr size_t kChunk = 256u << 10;  // the most one Entry::read gives, so limits are checked often
constexpr size_t kHead = 512;          // decompressed bytes that show a tar
constexpr size_t kMaxHead = 1u << 20;  // read ahead to judge a stream: a bzip2 block compresses to < 1 MiB
constexpr int kMaxRetries = 8;         // ARCHIVE_RETRY in a row before the archive counts as corrupt

struct ArchiveFree {
    void operator()(struct archive* a) const noexcept { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<struct archive, ArchiveFree>;

bool has(std::string_view s, size_t at, std::string_view magic) {
    return s.size() >= at + magic.size() && s.substr(at, magic.size()) == magic;
}

using namespace std::string_view_literals;
enum class Compressor { None, Gzip, Bzip2, Xz, Zstd };

Compressor compressor(std::string_view head) {
    if (has(head, 0, "\x1f\x8b"sv)) return Compressor::Gzip;
    if (has(head, 0, "BZh"sv) && head.size() > 3 && head[3] >= '1' && head[3] <= '9') return Compressor::Bzip2;
    if (has(head, 0, "\xfd" "7zXZ\0"sv)) return Compressor::Xz;
    if (has(head, 0, "\x28\xb5\x2f\xfd"sv)) return Compressor::Zstd;
    return Compressor::None;
}

bool is_tar_header(std::string_view block) { return has(block, 257, "ustar"sv); }

enum class Inner { Tar, NotTar, Unknown };  // Unknown: the head is too short to tell

// Judges the first decompressed bytes (262 hold the ustar magic).
Inner judge(const char* block, size_t got, bool ended) {
    if (got >= 262) return is_tar_header(std::string_view(block, got)) ? Inner::Tar : Inner::NotTar;
    return ended ? Inner::NotTar : Inner::Unknown;
}

// gzip through zlib, which gives what a cut-short head decodes to (libarchive's filters give
// nothing until their 64-128 KiB output buffer is full).
Inner gzip_wraps_tar(std::string_view head) {
    z_stream z{};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return Inner::NotTar;
    char block[kHead];
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(head.data()));
    z.avail_in = uInt(std::min<size_t>(head.size(), UINT32_MAX));
    z.next_out = reinterpret_cast<Bytef*>(block);
    z.avail_out = sizeof block;
    int r = Z_OK;
    while (r == Z_OK && z.avail_out > 0 && z.avail_in > 0) r = inflate(&z, Z_NO_FLUSH);
    const size_t got = sizeof block - z.avail_out;
    inflateEnd(&z);
    if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR) return Inner::NotTar;  // damaged
    return judge(block, got, r == Z_STREAM_END);
}

// bzip2, xz and zstd through libarchive: enough of the head must be there to fill its output
// buffer (a bzip2 block is up to 900 KB), or the whole stream.
Inner wraps_tar(std::string_view head, Compressor c) {
    if (c == Compressor::Gzip) return gzip_wraps_tar(head);
    ArchivePtr a(archive_read_new());
    if (!a) return Inner::NotTar;
    switch (c) {
        case Compressor::Bzip2: archive_read_support_filter_bzip2(a.get()); break;
        case Compressor::Xz: archive_read_support_filter_xz(a.get()); break;
        case Compressor::Zstd: archive_read_support_filter_zstd(a.get()); break;
        default: return Inner::NotTar;
    }
    archive_read_support_format_raw(a.get());
    if (archive_read_open_memory(a.get(), head.data(), head.size()) != ARCHIVE_OK) return Inner::Unknown;
    struct archive_entry* e = nullptr;
    if (archive_read_next_header(a.get(), &e) < ARCHIVE_WARN) return Inner::Unknown;
    char block[kHead];
    size_t got = 0;
    la_ssize_t n = 1;
    while (got < sizeof block && (n = archive_read_data(a.get(), block + got, sizeof block - got)) > 0) got += size_t(n);
    if (n < 0 && got < 262) return Inner::Unknown;  // most likely cut short: a longer head may tell
    return judge(block, got, n == 0);
}

// What `head` is; nothing when it is too short to tell and not `whole`.
std::optional<Kind> kind_of(std::string_view head, bool whole) {
    if (has(head, 0, "PK\x03\x04"sv) || has(head, 0, "PK\x05\x06"sv)) return Kind::Archive;
    if (has(head, 0, "7z\xbc\xaf\x27\x1c"sv)) return Kind::Archive;
    if (is_tar_header(head)) return Kind::Archive;
    const Compressor c = compressor(head);
    if (c == Compressor::None) return Kind::None;
    Inner inner = wraps_tar(head, c);
    if (inner == Inner::Unknown && whole) inner = Inner::NotTar;
    if (inner == Inner::Unknown) return std::nullopt;
    return inner == Inner::Tar ? Kind::Archive : Kind::Compressed;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& ch : out)
        if (ch >= 'A' && ch <= 'Z') ch = char(ch - 'A' + 'a');
    return out;
}

// Calls the caller's function, which may throw though it should not: libarchive is C and must
// not be unwound through.
template <typename T, typename F>
util::Expected<T> guarded(F&& f, const char* why) {
    try {
        return f();
    } catch (...) {
        return util::Error{"", why};
    }
}

// The source as libarchive sees it: our callbacks over the caller's ReadFn and SeekFn, giving
// the head read ahead (to judge the stream) first.
struct Source {
    const ReadFn* read = nullptr;
    const SeekFn* seek = nullptr;
    std::unique_ptr<char[]> buf{new char[kBlock]};
    uint64_t bytes = 0;         // every byte read, the compressed side of the ratio
    std::string head;           // the start of the stream, read ahead
    bool head_pending = false;  // libarchive has not been given `head` yet
    std::optional<util::Error> error;

    void fail(util::Error e) {
        if (!error) error = std::move(e);
    }

    // Reads up to `n` bytes into `to`: how many, or nothing when the source failed.
    std::optional<size_t> pull(char* to, size_t n) {
        if (error) return std::nullopt;
        auto got = guarded<size_t>([&] { return (*read)(to, n); }, "reading the source threw an exception");
        if (got && *got > n) got = util::Error{"", "the source returned more bytes than asked for"};
        if (!got) {
            fail(got.error());
            return std::nullopt;
        }
        bytes += *got;
        return *got;
    }

    // Seeks the source: the new offset, or nothing when it failed.
    std::optional<int64_t> move(int64_t offset, int whence) {
        if (error) return std::nullopt;
        auto got = guarded<int64_t>([&] { return (*seek)(offset, whence); }, "seeking the source threw an exception");
        if (!got) {
            fail(got.error());
            return std::nullopt;
        }
        return *got;
    }
};

la_ssize_t read_cb(struct archive* a, void* ctx, const void** out) {
    auto* s = static_cast<Source*>(ctx);
    if (s->head_pending) {
        s->head_pending = false;
        if (!s->head.empty()) {
            *out = s->head.data();
            return la_ssize_t(s->head.size());
        }
    }
    auto got = s->pull(s->buf.get(), kBlock);
    if (!got) {
        archive_set_error(a, EIO, "the source failed");
        return ARCHIVE_FATAL;
    }
    *out = s->buf.get();
    return la_ssize_t(*got);
}

la_int64_t seek_cb(struct archive* a, void* ctx, la_int64_t offset, int whence) {
    auto* s = static_cast<Source*>(ctx);
    auto got = s->move(offset, whence);
    if (!got) {
        archive_set_error(a, EIO, "the source failed to seek");
        return ARCHIVE_FATAL;
    }
    return *got;
}

std::string error_text(struct archive* a) {
    const char* e = archive_error_string(a);
    std::string s = e ? e : "unknown libarchive error";
    if (s.size() > 200) s.resize(200);
    return util::printable(s);
}

bool says_encrypted(const std::string& text) {
    const std::string l = lower(text);
    return l.find("encrypt") != std::string::npos || l.find("passphrase") != std::string::npos ||
           l.find("decrypt") != std::string::npos;
}

// libarchive converts a zip's UTF-8 names (and pax's) to the current locale's charset; in the
// "C" locale nhi runs in that fails and the name is lost. Headers are read with this thread in
// C.UTF-8 (uselocale: only this thread, only for the call), so names come through as stored.
class Utf8Names {
public:
    Utf8Names() {
        static const locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t(0));
        if (utf8) old_ = uselocale(utf8);
    }
    ~Utf8Names() {
        if (old_) uselocale(old_);
    }
    Utf8Names(const Utf8Names&) = delete;
    Utf8Names& operator=(const Utf8Names&) = delete;

private:
    locale_t old_ = locale_t(0);
};

std::string entry_name(struct archive_entry* e) {
    const char* p = archive_entry_pathname(e);
    if (!p) p = archive_entry_pathname_utf8(e);
    return p ? p : "";
}

// One call of read(): the limits, what has been taken, and whether the archive is done.
struct Reader {
    struct archive* a = nullptr;
    Source* src = nullptr;
    const Limits& limits;
    RunBudget& budget;
    const Callbacks& cb;
    uint64_t expanded = 0;  // bytes produced by all entries so far
    uint64_t entries = 0;
    bool stopped = false;   // a limit or damage ended the archive
    bool entry_failed = false;  // the current entry's data could not be read (it is reported)

    Reader(const Limits& l, RunBudget& b, const Callbacks& c) : limits(l), budget(b), cb(c) {}

    void stop(Skip why, const std::string& entry, const std::string& detail) {
        if (stopped) return;
        stopped = true;
        if (cb.skipped) cb.skipped(why, entry, detail);
    }

    // How many of `n` newly expanded bytes may be given; reports and stops at a limit.
    size_t admit(const std::string& entry, size_t n) {
        const uint64_t total = expanded + n;
        const uint64_t compressed = std::max<uint64_t>(src->bytes, 1);
        if (total > limits.ratio_floor && double(total) > limits.max_ratio * double(compressed)) {
            stop(Skip::Ratio, entry,
                 std::to_string(total) + " bytes expanded from " + std::to_string(compressed) +
                     " (more than " + std::to_string(uint64_t(limits.max_ratio)) + ":1)");
            return 0;
        }
        size_t keep = n;
        const bool over = total > limits.max_archive_bytes;
        if (over) keep = expanded < limits.max_archive_bytes ? size_t(limits.max_archive_bytes - expanded) : 0;
        if (keep > 0 && !budget.take(keep)) {
            stop(Skip::RunBytes, entry, "the run's budget of expanded bytes is spent");
            return 0;
        }
        expanded += keep;
        if (over)
            stop(Skip::ArchiveBytes, entry,
                 "more than " + std::to_string(limits.max_archive_bytes) + " bytes expanded");
        return keep;
    }

    // After archive_read_data failed on `entry`: encrypted data ends only that entry.
    void data_failed(const std::string& entry, la_ssize_t code) {
        entry_failed = true;
        const std::string text = error_text(a);
        if (says_encrypted(text) && code != ARCHIVE_FATAL) {
            if (cb.skipped) cb.skipped(Skip::Encrypted, entry, text);
            return;
        }
        stop(Skip::Corrupt, entry, text);
    }

    // Reads what is left of the entry, counted as if given, so an unread entry is no bomb.
    // Skipping is cheap (and free of decompression) only in a plain tar.
    void drain(const std::string& entry, char* scratch) {
        if (stopped || src->error || entry_failed) return;  // libarchive skips the rest itself
        if (archive_filter_code(a, 0) == ARCHIVE_FILTER_NONE &&
            (archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_TAR) {
            if (archive_read_data_skip(a) < ARCHIVE_WARN && !src->error) stop(Skip::Corrupt, entry, error_text(a));
            return;
        }
        for (;;) {
            la_ssize_t got = archive_read_data(a, scratch, kBlock);
            if (src->error || got == 0) return;
            if (got < 0) return data_failed(entry, got);
            if (admit(entry, size_t(got)) < size_t(got)) return;
        }
    }
};

// What an Entry's ReadFn reads through; shared so that a ReadFn kept past its callback ends.
struct EntryState {
    Reader* reader = nullptr;
    std::string name;
    bool open = true;
};

util::Expected<size_t> read_entry(EntryState& st, char* buf, size_t n) {
    Reader* r = st.reader;
    if (!st.open || !r || r->stopped || n == 0) return size_t(0);
    if (r->src->error) return *r->src->error;
    la_ssize_t got = archive_read_data(r->a, buf, std::min(n, kChunk));
    if (r->src->error) {
        st.open = false;
        return *r->src->error;
    }
    if (got == 0) {
        st.open = false;
        return size_t(0);
    }
    if (got < 0) {
        st.open = false;
        r->data_failed(st.name, got);
        return size_t(0);
    }
    size_t keep = r->admit(st.name, size_t(got));
    if (keep < size_t(got)) st.open = false;
    return keep;
}

// Enables what archive.cpp reads for `kind` (see the top of the file); false if libarchive
// refuses one, or would run an external program for it (ARCHIVE_WARN).
bool enable(struct archive* a, Kind kind) {
    for (int r : {archive_read_support_filter_gzip(a), archive_read_support_filter_bzip2(a),
                  archive_read_support_filter_xz(a), archive_read_support_filter_lzma(a),
                  archive_read_support_filter_zstd(a)})
        if (r != ARCHIVE_OK) return false;
    if (kind == Kind::Compressed) return archive_read_support_format_raw(a) == ARCHIVE_OK;
    for (int r : {archive_read_support_format_zip(a), archive_read_support_format_tar(a),
                  archive_read_support_format_7zip(a)})
        if (r != ARCHIVE_OK) return false;
    return true;
}

util::Status read_impl(const ReadFn& source, const SeekFn* seek, const std::string& name, const Limits& limits,
                       RunBudget& budget, const Callbacks& cb) {
    Source src;
    src.read = &source;
    src.seek = seek;
    const auto source_error = [&] {
        util::Error e = *src.error;
        if (e.what.empty()) e.what = name;
        return e;
    };
    Reader reader(limits, budget, cb);

    // Judge the stream by its head, read ahead: 64 KiB, more (to 1 MiB) only while a compressed
    // head is too short to say whether a tar is inside.
    std::optional<Kind> kind;
    bool eof = false;
    for (size_t want = kBlock;; want *= 4) {
        while (!eof && src.head.size() < want) {
            auto got = src.pull(src.buf.get(), std::min(kBlock, want - src.head.size()));
            if (!got) return source_error();
            if (*got == 0) eof = true;
            src.head.append(src.buf.get(), *got);
        }
        kind = kind_of(src.head, eof);
        if (kind || want >= kMaxHead) break;
    }
    if (!kind) kind = Kind::Compressed;
    if (*kind == Kind::None) {
        reader.stop(Skip::Corrupt, "", "not an archive or a compressed file");
        return util::ok_status();
    }
    if (has(src.head, 0, "7z\xbc\xaf\x27\x1c"sv) && !seek) {
        // Its header is at its end and its data before: libarchive must seek back.
        reader.stop(Skip::Corrupt, "", "a 7z archive can only be read from a seekable source");
        return util::ok_status();
    }
    if (seek) {  // start again from the top rather than give the head, so offsets stay true
        if (src.move(0, SEEK_SET) != 0) {
            if (!src.error) src.fail(util::Error{"", "the source did not seek to its start"});
            return source_error();
        }
    } else {
        src.head_pending = true;
    }

    ArchivePtr a(archive_read_new());
    if (!a || !enable(a.get(), *kind)) return util::Error{name, "cannot set up libarchive"};
    reader.a = a.get();
    reader.src = &src;
    archive_read_set_callback_data(a.get(), &src);
    archive_read_set_read_callback(a.get(), read_cb);
    if (seek) archive_read_set_seek_callback(a.get(), seek_cb);
    int r = archive_read_open1(a.get());
    if (src.error) return source_error();
    if (r < ARCHIVE_WARN) {
        reader.stop(Skip::Corrupt, "", error_text(a.get()));
        return util::ok_status();
    }

    std::unique_ptr<char[]> scratch(new char[kBlock]);
    int retries = 0;
    for (;;) {
        struct archive_entry* e = nullptr;
        {
            Utf8Names utf8;
            r = archive_read_next_header(a.get(), &e);
        }
        if (src.error) return source_error();
        if (r == ARCHIVE_RETRY && ++retries < kMaxRetries) continue;
        retries = 0;
        if (r == ARCHIVE_EOF) break;
        if (r < ARCHIVE_WARN || r == ARCHIVE_RETRY) {  // RETRY is above WARN: still no header
            const std::string text = error_text(a.get());
            const bool encrypted = says_encrypted(text) || archive_read_has_encrypted_entries(a.get()) > 0;
            reader.stop(encrypted ? Skip::Encrypted : Skip::Corrupt, "", text);
            break;
        }
        reader.entry_failed = false;
        if (++reader.entries > limits.max_entries) {
            reader.stop(Skip::Entries, "", "more than " + std::to_string(limits.max_entries) + " entries");
            break;
        }
        const bool raw = archive_format(a.get()) == ARCHIVE_FORMAT_RAW;
        if (raw && archive_filter_code(a.get(), 0) == ARCHIVE_FILTER_NONE) {
            reader.stop(Skip::Corrupt, "", "a damaged compressed stream");
            break;
        }
        std::string ename = raw ? inner_name(name, src.head) : entry_name(e);
        if (archive_entry_is_encrypted(e)) {
            if (cb.skipped) cb.skipped(Skip::Encrypted, ename, "encrypted entry");
            if (archive_read_data_skip(a.get()) < ARCHIVE_WARN) {
                if (src.error) return source_error();
                // A streamed zip entry whose size is only after its data: its end cannot be
                // found without decrypting it, so the rest is out of reach (not damaged).
                const std::string text = error_text(a.get());
                if (says_encrypted(text))
                    reader.stop(Skip::Encrypted, "",
                                seek ? "the entries after an encrypted one cannot be reached without decrypting it"
                                     : "the entries after an encrypted one need a seekable source");
                else
                    reader.stop(Skip::Corrupt, ename, text);
                break;
            }
            continue;
        }
        const auto type = archive_entry_filetype(e);
        const bool regular = (type == AE_IFREG || type == 0) &&
                             !(archive_entry_hardlink(e) && archive_entry_size(e) == 0);
        if (regular) {
            auto st = std::make_shared<EntryState>();
            st->reader = &reader;
            st->name = ename;
            Entry entry;
            entry.name = std::move(ename);
            entry.size = archive_entry_size_is_set(e) && archive_entry_size(e) > 0 ? uint64_t(archive_entry_size(e)) : 0;
            entry.read = [st](char* buf, size_t n) { return read_entry(*st, buf, n); };
            util::Status status = cb.entry ? cb.entry(entry) : util::ok_status();
            st->open = false;
            st->reader = nullptr;
            if (src.error) return source_error();
            if (!status) return status.error();
            reader.drain(st->name, scratch.get());
        } else {
            reader.drain(ename, scratch.get());
        }
        if (src.error) return source_error();
        if (reader.stopped) break;
    }
    return util::ok_status();
}

}  // namespace

bool RunBudget::take(uint64_t n) {
    uint64_t cur = left.load(std::memory_order_relaxed);
    while (cur >= n)
        if (left.compare_exchange_weak(cur, cur - n, std::memory_order_relaxed)) return true;
    return false;
}

const char* skip_name(Skip s) {
    switch (s) {
        case Skip::ArchiveBytes: return "archive size";
        case Skip::RunBytes: return "run size";
        case Skip::Ratio: return "compression ratio";
        case Skip::Entries: return "entry count";
        case Skip::Encrypted: return "encrypted";
        case Skip::Corrupt: return "corrupt";
    }
    return "unknown";
}

Kind sniff(std::string_view head) {
    return kind_of(head, false).value_or(Kind::Compressed);  // too short to tell: read() looks further
}

std::string inner_name(std::string_view name, std::string_view head) {
    struct Suffix {
        Compressor c;
        std::string_view ext, replacement;
    };
    static constexpr Suffix kSuffixes[] = {
        {Compressor::Gzip, ".tgz", ".tar"},   {Compressor::Gzip, ".gz", ""},
        {Compressor::Bzip2, ".tbz2", ".tar"}, {Compressor::Bzip2, ".tbz", ".tar"},
        {Compressor::Bzip2, ".bz2", ""},      {Compressor::Xz, ".txz", ".tar"},
        {Compressor::Xz, ".xz", ""},          {Compressor::Zstd, ".tzst", ".tar"},
        {Compressor::Zstd, ".zst", ""},       {Compressor::Zstd, ".zstd", ""},
    };
    // The base name: the entry is shown after the outer path (`logs/app.log.gz!app.log`).
    const size_t slash = name.rfind('/');
    const std::string_view base = slash == std::string_view::npos ? name : name.substr(slash + 1);
    const Compressor c = compressor(head);
    const std::string low = lower(base);
    for (const auto& s : kSuffixes) {
        if (c != Compressor::None && s.c != c) continue;  // a .gz that is xz inside keeps its name
        if (low.size() > s.ext.size() && low.compare(low.size() - s.ext.size(), s.ext.size(), s.ext) == 0)
            return std::string(base.substr(0, base.size() - s.ext.size())) + std::string(s.replacement);
    }
    return std::string(base) + "~";
}

util::Status read(const ReadFn& source, const std::string& name, const Limits& limits, RunBudget& budget,
                  const Callbacks& cb) {
    return read_impl(source, nullptr, name, limits, budget, cb);
}

util::Status read(const ReadFn& source, const SeekFn& seek, const std::string& name, const Limits& limits,
                  RunBudget& budget, const Callbacks& cb) {
    return read_impl(source, seek ? &seek : nullptr, name, limits, budget, cb);
}

MemorySource memory_source(std::string_view bytes) {
    struct State {
        std::string_view bytes;
        uint64_t pos = 0;
    };
    auto st = std::make_shared<State>();
    st->bytes = bytes;
    MemorySource m;
    m.read = [st](char* buf, size_t n) -> util::Expected<size_t> {
        if (st->pos >= st->bytes.size()) return size_t(0);
        const size_t k = std::min<uint64_t>(n, st->bytes.size() - st->pos);
        std::memcpy(buf, st->bytes.data() + st->pos, k);
        st->pos += k;
        return k;
    };
    m.seek = [st](int64_t offset, int whence) -> util::Expected<int64_t> {
        int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? int64_t(st->pos) : int64_t(st->bytes.size());
        if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END)
            return util::Error{"", "unknown seek origin"};
        // Past the end is allowed (reads then give 0), as with a file; before the start is not.
        if ((offset < 0 && offset < -base) || (offset > 0 && base > INT64_MAX - offset))
            return util::Error{"", "seek out of range"};
        st->pos = uint64_t(base + offset);
        return int64_t(st->pos);
    };
    return m;
}

}  // namespace nhi::scanners::archive
