// The archive reader (scanners/archive.cpp). Every archive is written here with libarchive's
// write API, into memory; the 10 GB bomb is a zstd frame of RLE blocks built by hand (~330 KB),
// so no fixture is committed and nothing takes long to make.
#include <archive.h>
#include <archive_entry.h>
#include <locale.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "scanners/archive.hpp"
#include "support.hpp"

namespace ar = nhi::scanners::archive;
using nhi::util::Error;
using nhi::util::Expected;

namespace {

struct File {
    File(std::string n, std::string d, int t = AE_IFREG, std::string link = "")
        : name(std::move(n)), data(std::move(d)), type(t), symlink(std::move(link)) {}
    std::string name;
    std::string data;
    int type;
    std::string symlink;
};

struct WriteFree {
    void operator()(struct archive* a) const { archive_write_free(a); }
};

la_ssize_t append_cb(struct archive*, void* ctx, const void* buf, size_t n) {
    static_cast<std::string*>(ctx)->append(static_cast<const char*>(buf), n);
    return la_ssize_t(n);
}

// An archive of `files`, in the format and filters `setup` chooses.
std::string make(const std::vector<File>& files, const std::function<void(struct archive*)>& setup) {
    std::string out;
    std::unique_ptr<struct archive, WriteFree> a(archive_write_new());
    setup(a.get());
    archive_write_set_bytes_in_last_block(a.get(), 1);
    REQUIRE(archive_write_open(a.get(), &out, nullptr, append_cb, nullptr) == ARCHIVE_OK);
    for (const auto& f : files) {
        struct archive_entry* e = archive_entry_new();
        archive_entry_set_pathname(e, f.name.c_str());
        archive_entry_set_filetype(e, unsigned(f.type));
        archive_entry_set_perm(e, f.type == AE_IFDIR ? 0755 : 0644);
        archive_entry_set_mtime(e, 1700000000, 0);
        if (f.type == AE_IFLNK) archive_entry_set_symlink(e, f.symlink.c_str());
        if (f.type == AE_IFREG) archive_entry_set_size(e, la_int64_t(f.data.size()));
        REQUIRE(archive_write_header(a.get(), e) == ARCHIVE_OK);
        if (!f.data.empty()) REQUIRE(archive_write_data(a.get(), f.data.data(), f.data.size()) == la_ssize_t(f.data.size()));
        archive_entry_free(e);
    }
    REQUIRE(archive_write_close(a.get()) == ARCHIVE_OK);
    return out;
}

using Setup = std::function<void(struct archive*)>;
const Setup zip = [](struct archive* a) { archive_write_set_format_zip(a); };
const Setup tar = [](struct archive* a) { archive_write_set_format_pax_restricted(a); };
const Setup sevenzip = [](struct archive* a) { archive_write_set_format_7zip(a); };
Setup tar_with(int (*filter)(struct archive*)) {
    return [filter](struct archive* a) {
        archive_write_set_format_pax_restricted(a);
        filter(a);
    };
}
Setup raw_with(int (*filter)(struct archive*)) {
    return [filter](struct archive* a) {
        archive_write_set_format_raw(a);
        filter(a);
    };
}

const Setup zip_encrypted = [](struct archive* a) {
    archive_write_set_format_zip(a);
    REQUIRE(archive_write_set_options(a, "zip:encryption=zipcrypt") == ARCHIVE_OK);
    REQUIRE(archive_write_set_passphrase(a, "not-the-passphrase") == ARCHIVE_OK);
};

uint32_t le(const std::string& s, size_t at, int bytes) {
    uint32_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) v = v << 8 | uint8_t(s[at + size_t(i)]);
    return v;
}
void put_le(std::string& s, size_t at, uint32_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) s[at + size_t(i)] = char((v >> (8 * i)) & 0xff);
}

// One zip of the entries of `zips` in order: libarchive takes zip options only before writing
// starts, so an encrypted entry beside plain ones is written apart and joined here.
std::string join_zips(const std::vector<std::string>& zips) {
    std::string local, central;
    uint32_t count = 0;
    for (const auto& z : zips) {
        REQUIRE(z.size() >= 22);
        const size_t eocd = z.size() - 22;
        REQUIRE(z.compare(eocd, 4, "PK\x05\x06") == 0);
        const uint32_t cd_size = le(z, eocd + 12, 4), cd_offset = le(z, eocd + 16, 4);
        const auto base = uint32_t(local.size());
        local += z.substr(0, cd_offset);
        std::string cd = z.substr(cd_offset, cd_size);
        for (size_t p = 0; p + 46 <= cd.size(); ++count) {
            REQUIRE(cd.compare(p, 4, "PK\x01\x02") == 0);
            put_le(cd, p + 42, le(cd, p + 42, 4) + base, 4);  // where its local header now is
            p += 46 + le(cd, p + 28, 2) + le(cd, p + 30, 2) + le(cd, p + 32, 2);
        }
        central += cd;
    }
    std::string end("PK\x05\x06", 4);
    end.resize(22, '\0');
    put_le(end, 8, count, 2);
    put_le(end, 10, count, 2);
    put_le(end, 12, uint32_t(central.size()), 4);
    put_le(end, 16, uint32_t(local.size()), 4);
    return local + central + end;
}

// Text that does not compress much (so sizes and truncation points are predictable).
std::string noise(size_t n, unsigned seed) {
    std::string s;
    s.reserve(n);
    uint32_t x = seed * 2654435761u + 1;
    while (s.size() < n) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        s += char('a' + x % 26);
    }
    return s;
}

struct Skipped {
    ar::Skip why;
    std::string entry, detail;
};

struct Got {
    std::vector<std::pair<std::string, std::string>> entries;  // name, bytes (first 1 MiB)
    std::vector<uint64_t> sizes;                               // bytes read of each entry
    std::vector<uint64_t> declared;                            // Entry::size of each entry
    std::vector<Skipped> skips;
    nhi::util::Status status = nhi::util::ok_status();
    uint64_t total = 0;

    size_t count(ar::Skip why) const {
        size_t n = 0;
        for (const auto& s : skips) n += s.why == why;
        return n;
    }
    bool has(const std::string& name) const {
        for (const auto& e : entries)
            if (e.first == name) return true;
        return false;
    }
    std::string data(const std::string& name) const {
        for (const auto& e : entries)
            if (e.first == name) return e.second;
        return "<missing>";
    }
};

struct Options {
    ar::Limits limits;
    ar::RunBudget* budget = nullptr;
    bool seekable = false;
    bool read_entries = true;  // false: the callback returns without reading
    std::string name = "test.bin";
};

Got read_with(const ar::ReadFn& source, const ar::SeekFn* seek, const Options& o) {
    Got got;
    ar::RunBudget own(~0ull);
    ar::RunBudget& budget = o.budget ? *o.budget : own;
    ar::Callbacks cb;
    cb.entry = [&](ar::Entry& e) -> nhi::util::Status {
        got.entries.emplace_back(e.name, "");
        got.sizes.push_back(0);
        got.declared.push_back(e.size);
        if (!o.read_entries) return nhi::util::ok_status();
        std::vector<char> buf(8192);
        for (;;) {
            auto n = e.read(buf.data(), buf.size());
            if (!n) return n.error();
            if (*n == 0) break;
            REQUIRE(*n <= buf.size());
            if (got.entries.back().second.size() < (1u << 20)) got.entries.back().second.append(buf.data(), *n);
            got.sizes.back() += *n;
            got.total += *n;
        }
        auto again = e.read(buf.data(), buf.size());  // an ended entry stays ended
        REQUIRE(again);
        REQUIRE(*again == 0);
        return nhi::util::ok_status();
    };
    cb.skipped = [&](ar::Skip why, const std::string& entry, const std::string& detail) {
        got.skips.push_back({why, entry, detail});
    };
    got.status = seek ? ar::read(source, *seek, o.name, o.limits, budget, cb)
                      : ar::read(source, o.name, o.limits, budget, cb);
    return got;
}

Got read_all(const std::string& bytes, const Options& o = {}) {
    auto src = ar::memory_source(bytes);
    return read_with(src.read, o.seekable ? &src.seek : nullptr, o);
}

// A zstd frame of `prefix` (a raw block) then `zeros` zero bytes as RLE blocks of 128 KiB:
// 4 bytes of input per 128 KiB of output, so 10 GB takes ~330 KB and no time to build.
std::string zstd_zeros(const std::string& prefix, uint64_t zeros) {
    std::string f("\x28\xb5\x2f\xfd", 4);
    f += '\x00';  // frame header: no content size, no checksum, no dictionary
    f += '\x38';  // window descriptor: 2^(10+7) = 128 KiB
    auto block = [&f](uint32_t type, uint32_t size, bool last) {
        uint32_t h = (last ? 1u : 0u) | (type << 1) | (size << 3);
        f += char(h & 0xff);
        f += char((h >> 8) & 0xff);
        f += char((h >> 16) & 0xff);
    };
    if (!prefix.empty()) {
        block(0, uint32_t(prefix.size()), zeros == 0);
        f += prefix;
    }
    while (zeros > 0) {
        const uint32_t n = uint32_t(std::min<uint64_t>(zeros, 128u << 10));
        zeros -= n;
        block(1, n, zeros == 0);
        f += '\0';
    }
    return f;
}

// A ustar header for `name` declaring `size` bytes in GNU base-256 (past ustar's 8 GiB).
std::string tar_header(const std::string& name, uint64_t size) {
    std::string h(512, '\0');
    h.replace(0, name.size(), name);
    h.replace(100, 8, "0000644", 8);
    h.replace(108, 8, "0000000", 8);
    h.replace(116, 8, "0000000", 8);
    h[124] = char(0x80);
    for (int i = 0; i < 8; ++i) h[135 - i] = char((size >> (8 * i)) & 0xff);
    h.replace(136, 12, "14000000000", 12);
    h.replace(148, 8, "        ");
    h[156] = '0';
    h.replace(257, 6, "ustar", 6);
    h.replace(263, 2, "00");
    unsigned sum = 0;
    for (unsigned char c : h) sum += c;
    char chk[8];
    std::snprintf(chk, sizeof chk, "%06o", sum);
    h.replace(148, 8, std::string(chk, 6) + std::string("\0 ", 2));
    return h;
}

const uint64_t kTenGB = 10'000'000'000ull;

}  // namespace

TEST_CASE("archive: every filter and format is built into libarchive, none runs a program", "[archive]") {
    // A filter libarchive would run as an external program returns ARCHIVE_WARN, and the reader
    // refuses to start; this says so before any archive does.
    struct archive* a = archive_read_new();
    CHECK(archive_read_support_filter_gzip(a) == ARCHIVE_OK);
    CHECK(archive_read_support_filter_bzip2(a) == ARCHIVE_OK);
    CHECK(archive_read_support_filter_xz(a) == ARCHIVE_OK);
    CHECK(archive_read_support_filter_zstd(a) == ARCHIVE_OK);
    archive_read_free(a);
}

TEST_CASE("archive: sniff judges by magic numbers", "[archive]") {
    const std::vector<File> files = {{"a.txt", "hello archive\n"}};
    CHECK(ar::sniff(make(files, zip)) == ar::Kind::Archive);
    CHECK(ar::sniff(make({}, zip)) == ar::Kind::Archive);  // empty zip: PK\5\6
    CHECK(ar::sniff(make(files, tar)) == ar::Kind::Archive);
    CHECK(ar::sniff(make(files, sevenzip)) == ar::Kind::Archive);
    for (auto filter : {archive_write_add_filter_gzip, archive_write_add_filter_xz, archive_write_add_filter_zstd,
                        archive_write_add_filter_bzip2}) {
        const std::string tgz = make(files, tar_with(filter));
        CHECK(ar::sniff(tgz) == ar::Kind::Archive);
        CHECK(ar::sniff(make(files, raw_with(filter))) == ar::Kind::Compressed);
    }
    // Only the head is needed for gzip, xz and zstd (bzip2 needs its whole first block).
    const std::string big_tgz = make({{"big.txt", noise(200000, 1)}}, tar_with(archive_write_add_filter_gzip));
    CHECK(ar::sniff(std::string_view(big_tgz).substr(0, 512)) == ar::Kind::Archive);
    const std::string big_gz = make({{"big.txt", noise(200000, 1)}}, raw_with(archive_write_add_filter_gzip));
    CHECK(ar::sniff(std::string_view(big_gz).substr(0, 512)) == ar::Kind::Compressed);

    CHECK(ar::sniff("") == ar::Kind::None);
    CHECK(ar::sniff("just some text\nAWS_KEY=x\n") == ar::Kind::None);
    CHECK(ar::sniff(std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16)) == ar::Kind::None);
    CHECK(ar::sniff("BZhello") == ar::Kind::None);
    CHECK(ar::sniff("PK") == ar::Kind::None);
    CHECK(ar::sniff(std::string("\x1f\x8b", 2)) == ar::Kind::Compressed);  // a truncated gzip: never fails
}

TEST_CASE("archive: inner_name strips the compressor's suffix", "[archive]") {
    const std::string gz("\x1f\x8b", 2), xz("\xfd" "7zXZ\0", 6), zst("\x28\xb5\x2f\xfd", 4), bz("BZh9");
    CHECK(ar::inner_name("app.log.gz", gz) == "app.log");
    CHECK(ar::inner_name("logs/app.log.GZ", gz) == "app.log");
    CHECK(ar::inner_name("x.tgz", gz) == "x.tar");
    CHECK(ar::inner_name("dump.sql.xz", xz) == "dump.sql");
    CHECK(ar::inner_name("dump.sql.zst", zst) == "dump.sql");
    CHECK(ar::inner_name("dump.tzst", zst) == "dump.tar");
    CHECK(ar::inner_name("notes.bz2", bz) == "notes");
    CHECK(ar::inner_name("x.tbz2", bz) == "x.tar");
    CHECK(ar::inner_name("sha256:abcd", gz) == "sha256:abcd~");
    CHECK(ar::inner_name("mislabelled.xz", gz) == "mislabelled.xz~");
    CHECK(ar::inner_name(".gz", gz) == ".gz~");
}

TEST_CASE("archive: a jar's entries are given by name, directories are not", "[archive]") {
    const std::string props = "spring.datasource.password=hunter2-not-real\n";
    const std::string jar = make({{"META-INF/", "", AE_IFDIR},
                                  {"META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n"},
                                  {"BOOT-INF/", "", AE_IFDIR},
                                  {"BOOT-INF/classes/", "", AE_IFDIR},
                                  {"BOOT-INF/classes/application.properties", props},
                                  {"BOOT-INF/lib/big.txt", noise(300000, 2)}},
                                 zip);
    for (bool seekable : {false, true}) {
        INFO("seekable " << seekable);
        Options o;
        o.seekable = seekable;
        Got got = read_all(jar, o);
        REQUIRE(got.status);
        REQUIRE(got.entries.size() == 3);
        CHECK(got.entries[0].first == "META-INF/MANIFEST.MF");
        CHECK(got.data("BOOT-INF/classes/application.properties") == props);
        CHECK(got.data("BOOT-INF/lib/big.txt") == noise(300000, 2));
        CHECK(got.skips.empty());
    }
}

TEST_CASE("archive: tar, compressed tars and 7z", "[archive]") {
    const std::vector<File> files = {{"etc/", "", AE_IFDIR},
                                     {"etc/app.env", "TOKEN=abc123\n"},
                                     {"etc/link", "", AE_IFLNK, "app.env"},
                                     {"data/big.txt", noise(150000, 3)}};
    struct Case {
        const char* what;
        Setup setup;
        bool seekable;
    };
    const std::vector<Case> cases = {
        {"tar", tar, false},
        {"tar.gz", tar_with(archive_write_add_filter_gzip), false},
        {"tar.bz2", tar_with(archive_write_add_filter_bzip2), false},
        {"tar.xz", tar_with(archive_write_add_filter_xz), false},
        {"tar.zst", tar_with(archive_write_add_filter_zstd), false},
        {"7z", sevenzip, true},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        Options o;
        o.seekable = c.seekable;
        Got got = read_all(make(files, c.setup), o);
        REQUIRE(got.status);
        CHECK(got.skips.empty());
        REQUIRE(got.entries.size() == 2);  // the directory and the symlink are not given
        CHECK(got.data("etc/app.env") == "TOKEN=abc123\n");
        CHECK(got.data("data/big.txt") == noise(150000, 3));
        CHECK(got.declared == std::vector<uint64_t>{13, 150000});
    }
}

TEST_CASE("archive: a 7z needs a seekable source", "[archive]") {
    const std::string big = make({{"a.txt", noise(400000, 4)}, {"b.txt", "bravo\n"}}, sevenzip);
    Got streamed = read_all(big);
    REQUIRE(streamed.status);  // not an error: a counted skip
    CHECK(streamed.entries.empty());
    REQUIRE(streamed.count(ar::Skip::Corrupt) == 1);
    CHECK(streamed.skips[0].detail.find("seekable") != std::string::npos);
    Options o;
    o.seekable = true;
    Got seeked = read_all(big, o);
    REQUIRE(seeked.status);
    CHECK(seeked.skips.empty());
    CHECK(seeked.data("a.txt") == noise(400000, 4));
    CHECK(seeked.data("b.txt") == "bravo\n");
}

TEST_CASE("archive: a single compressed file is one entry named after the outer file", "[archive]") {
    const std::string text = "password=" + noise(5000, 5) + "\n";
    struct Case {
        int (*filter)(struct archive*);
        const char* name;
    };
    for (const auto& c : {Case{archive_write_add_filter_gzip, "logs/app.log.gz"},
                          Case{archive_write_add_filter_bzip2, "logs/app.log.bz2"},
                          Case{archive_write_add_filter_xz, "logs/app.log.xz"},
                          Case{archive_write_add_filter_zstd, "logs/app.log.zst"}}) {
        INFO(c.name);
        Options o;
        o.name = c.name;
        Got got = read_all(make({{"whatever", text}}, raw_with(c.filter)), o);
        REQUIRE(got.status);
        CHECK(got.skips.empty());
        REQUIRE(got.entries.size() == 1);
        CHECK(got.entries[0].first == "app.log");
        CHECK(got.entries[0].second == text);
        CHECK(got.declared[0] == 0);  // a compressed stream does not say how long it is
    }
}

TEST_CASE("archive: non-ASCII names come through as stored, whatever the locale", "[archive]") {
    const std::string name = "caf\xc3\xa9/\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87.env";  // café/ключ.env
    // libarchive's writer converts names from the locale, so they are written in C.UTF-8; the
    // reading runs in the test's "C" locale, as nhi does.
    const locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t(0));
    REQUIRE(utf8 != locale_t(0));
    const locale_t old = uselocale(utf8);
    const std::string z = make({{name, "k=v\n"}}, zip), t = make({{name, "k=v\n"}}, tar);
    uselocale(old);
    freelocale(utf8);
    for (const std::string* bytes : {&z, &t}) {
        Got got = read_all(*bytes);
        REQUIRE(got.status);
        REQUIRE(got.entries.size() == 1);
        CHECK(got.entries[0].first == name);
    }
}

TEST_CASE("archive: a compressed file starting with zeros is one file, not an empty tar", "[archive]") {
    // libarchive's tar reader bids on a zero block (an end-of-archive mark); read() opens a
    // stream judged Compressed with the raw reader alone.
    const std::string body = std::string(4096, '\0') + "password=after-the-zeros\n";
    Options o;
    o.name = "disk.img.gz";
    Got got = read_all(make({{"disk.img", body}}, raw_with(archive_write_add_filter_gzip)), o);
    REQUIRE(got.status);
    REQUIRE(got.entries.size() == 1);
    CHECK(got.entries[0].first == "disk.img");
    CHECK(got.entries[0].second == body);
}

TEST_CASE("archive: a damaged compressed stream is reported, not given raw", "[archive]") {
    const std::string bad = std::string("\x1f\x8b\x08\x00", 4) + noise(3000, 16);
    CHECK(ar::sniff(bad) == ar::Kind::Compressed);
    Got got = read_all(bad);
    REQUIRE(got.status);
    CHECK(got.total == 0);
    CHECK(got.count(ar::Skip::Corrupt) == 1);
}

TEST_CASE("archive: bytes that are neither archive nor compressed are reported, not given", "[archive]") {
    Got got = read_all("just text, sniffed wrongly by a caller\n");
    REQUIRE(got.status);
    CHECK(got.entries.empty());
    CHECK(got.count(ar::Skip::Corrupt) == 1);
}

TEST_CASE("archive: an encrypted zip entry is skipped and reported, its siblings read", "[archive]") {
    const std::string z = join_zips({make({{"before.txt", "first sibling\n"}}, zip),
                                     make({{"secret.txt", "API_KEY=encrypted-away\n"}}, zip_encrypted),
                                     make({{"after.txt", "second sibling\n"}}, zip)});
    // Through the central directory every sibling is reachable.
    Options o;
    o.seekable = true;
    Got got = read_all(z, o);
    REQUIRE(got.status);
    CHECK_FALSE(got.has("secret.txt"));
    CHECK(got.data("before.txt") == "first sibling\n");
    CHECK(got.data("after.txt") == "second sibling\n");
    REQUIRE(got.count(ar::Skip::Encrypted) == 1);
    CHECK(got.skips[0].entry == "secret.txt");
    CHECK(got.skips.size() == 1);

    // As a stream the entry before is read and the encrypted one reported too.
    Got streamed = read_all(z);
    REQUIRE(streamed.status);
    CHECK_FALSE(streamed.has("secret.txt"));
    CHECK(streamed.data("before.txt") == "first sibling\n");
    // libarchive cannot find the end of a streamed encrypted entry whose size follows its data
    // (as libarchive and Java write them), so the rest is out of reach and said so.
    REQUIRE(streamed.count(ar::Skip::Encrypted) == 2);
    CHECK(streamed.skips[0].entry == "secret.txt");
    CHECK(streamed.skips[1].detail.find("seekable") != std::string::npos);
    CHECK(streamed.count(ar::Skip::Corrupt) == 0);
}

TEST_CASE("archive: a corrupt zip gives the entries before the damage", "[archive]") {
    std::string z = make({{"one.txt", noise(20000, 6)}, {"two.txt", noise(20000, 7)}, {"three.txt", "three\n"}}, zip);
    // Damage the middle of two.txt's compressed data.
    const size_t at = z.find("two.txt");
    REQUIRE(at != std::string::npos);
    for (size_t i = at + 2000; i < at + 2100; ++i) z[i] = char(z[i] ^ 0x5a);
    for (bool seekable : {false, true}) {
        INFO("seekable " << seekable);
        Options o;
        o.seekable = seekable;
        Got got = read_all(z, o);
        REQUIRE(got.status);
        CHECK(got.data("one.txt") == noise(20000, 6));
        CHECK(got.data("two.txt") != noise(20000, 7));
        CHECK_FALSE(got.has("three.txt"));
        CHECK(got.count(ar::Skip::Corrupt) == 1);
    }

    // A damaged local header after the first entry.
    std::string h = make({{"one.txt", "first\n"}, {"two.txt", "second\n"}}, zip);
    const size_t second = h.find("PK\x03\x04", 4);
    REQUIRE(second != std::string::npos);
    h[second + 2] = 'X';
    Options o;  // as a stream libarchive looks for the next header; the central directory knows
    o.seekable = true;
    Got got = read_all(h, o);
    REQUIRE(got.status);
    CHECK(got.data("one.txt") == "first\n");
    CHECK_FALSE(got.has("two.txt"));
    CHECK(got.count(ar::Skip::Corrupt) == 1);
    Got streamed = read_all(h);
    REQUIRE(streamed.status);
    CHECK(streamed.data("one.txt") == "first\n");
    CHECK_FALSE(streamed.has("two.txt"));
}

TEST_CASE("archive: a truncated tar.gz gives the entries before the cut", "[archive]") {
    const std::string tgz = make({{"one.txt", noise(60000, 8)}, {"two.txt", noise(60000, 9)}, {"three.txt", "3\n"}},
                                 tar_with(archive_write_add_filter_gzip));
    for (size_t cut : {tgz.size() * 6 / 10, tgz.size() - 10, size_t(600)}) {
        INFO("cut at " << cut << " of " << tgz.size());
        Got got = read_all(tgz.substr(0, cut));
        REQUIRE(got.status);
        CHECK(got.count(ar::Skip::Corrupt) == 1);
        CHECK_FALSE(got.has("three.txt"));
        if (cut > tgz.size() / 2) CHECK(got.data("one.txt") == noise(60000, 8));
    }
}

TEST_CASE("archive: a path traversal name is only a label", "[archive]") {
    nhi::test::TempDir dir;
    std::filesystem::create_directories(dir / "a/b");
    const auto cwd = std::filesystem::current_path();
    std::filesystem::current_path(dir / "a/b");
    const std::string t = make({{"../../etc/passwd", "root:x:0:0::/root:/bin/sh\n"}, {"/abs/key.pem", "pem\n"}}, tar);
    Got got = read_all(t);
    std::filesystem::current_path(cwd);
    REQUIRE(got.status);
    CHECK(got.data("../../etc/passwd") == "root:x:0:0::/root:/bin/sh\n");
    CHECK(got.has("/abs/key.pem"));
    CHECK_FALSE(std::filesystem::exists(dir / "etc"));
    CHECK(std::filesystem::is_empty(dir / "a/b"));
}

TEST_CASE("archive: max_entries counts every entry and stops the archive", "[archive]") {
    std::vector<File> files = {{"d/", "", AE_IFDIR}};
    for (int i = 0; i < 10; ++i) files.push_back({"d/f" + std::to_string(i), "x\n"});
    Options o;
    o.limits.max_entries = 5;  // the directory and four files
    Got got = read_all(make(files, zip), o);
    REQUIRE(got.status);
    CHECK(got.entries.size() == 4);
    REQUIRE(got.count(ar::Skip::Entries) == 1);
    CHECK(got.skips.size() == 1);
    CHECK(got.skips[0].entry.empty());
}

TEST_CASE("archive: max_archive_bytes stops the archive mid-entry", "[archive]") {
    const std::string tgz = make({{"a", noise(100000, 10)}, {"b", noise(100000, 11)}, {"c", noise(100000, 12)}},
                                 tar_with(archive_write_add_filter_gzip));
    Options o;
    o.limits.max_archive_bytes = 150000;
    Got got = read_all(tgz, o);
    REQUIRE(got.status);
    CHECK(got.total == 150000);
    CHECK(got.entries.size() == 2);
    CHECK_FALSE(got.has("c"));
    REQUIRE(got.count(ar::Skip::ArchiveBytes) == 1);
    CHECK(got.skips.size() == 1);
    CHECK(got.skips[0].entry == "b");
}

TEST_CASE("archive: the run budget is shared by archives and stops the one that spends it", "[archive]") {
    const std::string z = make({{"a", noise(100000, 13)}, {"b", noise(100000, 14)}}, zip);
    ar::RunBudget budget(300000);
    Options o;
    o.budget = &budget;
    Got first = read_all(z, o);
    REQUIRE(first.status);
    CHECK(first.total == 200000);
    CHECK(first.skips.empty());
    Got second = read_all(z, o);
    REQUIRE(second.status);
    CHECK(second.total == 100000);  // all of "a", none of "b"
    REQUIRE(second.count(ar::Skip::RunBytes) == 1);
    CHECK(second.skips[0].entry == "b");
    CHECK(budget.left.load() < 100000);

    // Threads share one budget: it is never overdrawn.
    ar::RunBudget shared(1000);
    std::atomic<int> taken{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 400; ++i)
                if (shared.take(1)) ++taken;
        });
    for (auto& t : threads) t.join();
    CHECK(taken.load() == 1000);
    CHECK(shared.left.load() == 0);

    ar::RunBudget b(10);
    CHECK(b.take(4));
    CHECK_FALSE(b.take(7));
    CHECK(b.left.load() == 6);
    CHECK(b.take(6));
    CHECK(b.left.load() == 0);
}

TEST_CASE("archive: a 10 GB entry is stopped as a bomb with little read", "[archive][bomb]") {
    // One tar entry declaring and expanding to 10 GB of zeros, in a ~330 KB zstd stream.
    const std::string bomb = zstd_zeros(tar_header("bomb.bin", kTenGB), kTenGB + 1024);
    CHECK(bomb.size() < 400000);
    CHECK(ar::sniff(bomb) == ar::Kind::Archive);
    for (bool read_entries : {true, false}) {  // unread, the entry is drained through the same limits
        INFO("read by the callback " << read_entries);
        Options o;  // the default limits
        o.read_entries = read_entries;
        Got got = read_all(bomb, o);
        REQUIRE(got.status);
        REQUIRE(got.entries.size() == 1);
        CHECK(got.entries[0].first == "bomb.bin");
        REQUIRE(got.count(ar::Skip::Ratio) == 1);
        CHECK(got.skips[0].entry == "bomb.bin");
        CHECK(got.total <= o.limits.ratio_floor);  // stopped just past the floor
    }

    // The same as one compressed file.
    const std::string single = zstd_zeros("", kTenGB);
    CHECK(ar::sniff(single) == ar::Kind::Compressed);
    Options o;
    o.name = "zeros.zst";
    Got got = read_all(single, o);
    REQUIRE(got.status);
    REQUIRE(got.entries.size() == 1);
    CHECK(got.entries[0].first == "zeros");
    CHECK(got.count(ar::Skip::Ratio) == 1);
    CHECK(got.total <= o.limits.ratio_floor);
}

TEST_CASE("archive: an unread zip entry is drained through the same limits", "[archive][bomb]") {
    // Skipping a deflated entry whose size follows its data means inflating it; the reader
    // does that itself, counted, so an entry the pipeline never reads still trips the ratio.
    const std::string z = make({{"zeros.bin", std::string(24u << 20, '\0')}, {"after.txt", "after\n"}}, zip);
    for (bool seekable : {false, true}) {
        INFO("seekable " << seekable);
        Options o;
        o.seekable = seekable;
        o.read_entries = false;
        o.limits.ratio_floor = 4u << 20;
        Got got = read_all(z, o);
        REQUIRE(got.status);
        CHECK(got.count(ar::Skip::Ratio) == 1);
        CHECK_FALSE(got.has("after.txt"));
    }
}

TEST_CASE("archive: the ratio is judged only past the floor", "[archive][bomb]") {
    const std::string zeros(4u << 20, '\0');
    const std::string gz = make({{"zeros", zeros}}, raw_with(archive_write_add_filter_gzip));
    Options o;
    o.name = "zeros.gz";
    Got ok = read_all(gz, o);  // 4 MiB at ~1000:1 is under the default 16 MiB floor
    REQUIRE(ok.status);
    CHECK(ok.total == zeros.size());
    CHECK(ok.skips.empty());
    o.limits.ratio_floor = 1u << 20;
    Got bomb = read_all(gz, o);
    REQUIRE(bomb.status);
    CHECK(bomb.total < zeros.size());
    CHECK(bomb.count(ar::Skip::Ratio) == 1);
}

TEST_CASE("archive: only a failing source or callback is an error", "[archive]") {
    const std::string z = make({{"a", noise(100000, 15)}, {"b", "b\n"}}, zip);
    auto mem = ar::memory_source(z);
    size_t calls = 0;
    ar::ReadFn failing = [&](char* buf, size_t n) -> Expected<size_t> {
        if (++calls > 1) return Error{"", "disk on fire"};
        return mem.read(buf, std::min<size_t>(n, 4096));
    };
    Got got = read_with(failing, nullptr, Options{});
    REQUIRE_FALSE(got.status);
    CHECK(got.status.error().why == "disk on fire");
    CHECK(got.status.error().what == "test.bin");

    ar::RunBudget budget(~0ull);
    ar::Callbacks cb;
    size_t seen = 0;
    cb.entry = [&](ar::Entry&) -> nhi::util::Status {
        ++seen;
        return Error{"cb", "stop here"};
    };
    auto src = ar::memory_source(z);
    auto st = ar::read(src.read, "z.zip", ar::Limits{}, budget, cb);  // no skipped callback: fine
    REQUIRE_FALSE(st);
    CHECK(st.error().why == "stop here");
    CHECK(seen == 1);
}

TEST_CASE("archive: a source that gives a byte at a time reads the same", "[archive]") {
    const std::vector<File> files = {{"a.env", "A=1\n"}, {"big.txt", noise(120000, 17)}};
    for (const std::string& bytes : {make(files, tar_with(archive_write_add_filter_xz)), make(files, zip)}) {
        auto mem = ar::memory_source(bytes);
        ar::ReadFn trickle = [&](char* buf, size_t n) { return mem.read(buf, std::min<size_t>(n, 1)); };
        Got got = read_with(trickle, nullptr, Options{});
        REQUIRE(got.status);
        CHECK(got.skips.empty());
        CHECK(got.data("a.env") == "A=1\n");
        CHECK(got.data("big.txt") == noise(120000, 17));
    }
}

TEST_CASE("archive: an entry's reader kept past its callback reads nothing", "[archive]") {
    const std::string z = make({{"a", "alpha\n"}}, zip);
    auto src = ar::memory_source(z);
    ar::RunBudget budget(~0ull);
    ar::ReadFn kept;
    ar::Callbacks cb;
    cb.entry = [&](ar::Entry& e) -> nhi::util::Status {
        kept = e.read;
        return nhi::util::ok_status();
    };
    REQUIRE(ar::read(src.read, "z.zip", ar::Limits{}, budget, cb));
    char buf[16];
    auto n = kept(buf, sizeof buf);
    REQUIRE(n);
    CHECK(*n == 0);
}

TEST_CASE("archive: skip names", "[archive]") {
    CHECK(std::string(ar::skip_name(ar::Skip::Ratio)) == "compression ratio");
    CHECK(std::string(ar::skip_name(ar::Skip::Encrypted)) == "encrypted");
    CHECK(std::string(ar::skip_name(ar::Skip::Corrupt)) == "corrupt");
    CHECK(std::string(ar::skip_name(ar::Skip::Entries)) == "entry count");
    CHECK(std::string(ar::skip_name(ar::Skip::ArchiveBytes)) == "archive size");
    CHECK(std::string(ar::skip_name(ar::Skip::RunBytes)) == "run size");
}
