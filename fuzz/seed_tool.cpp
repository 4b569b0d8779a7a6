// Builds seed corpora that need the library to know what a file is (fuzz/seeds.sh calls it):
//   nhi_fuzz_seeds rules DIR          every built-in rule's examples and negative examples
//   nhi_fuzz_seeds exports DIR FILE…  each export twice: behind byte 0 (auto-detect) and
//                                     behind the byte of its detected format (importers.cpp)
//   nhi_fuzz_seeds archives DIR       tiny archives of each kind fuzz/archive.cpp reads, each
//                                     behind its mode bytes (stream, seekable)
// The rules are read by the rules' own loader and formats by detect_format, so the seeds never
// drift from what the targets exercise.
#include <archive.h>
#include <archive_entry.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "rules/loader.hpp"
#include "scanners/importers/importers.hpp"

namespace {

bool write(const std::string& path, const std::string& bytes) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    bool ok = f && std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    if (f && std::fclose(f) != 0) ok = false;
    if (!ok) std::fprintf(stderr, "nhi_fuzz_seeds: cannot write %s\n", path.c_str());
    return ok;
}

int rules(const std::string& dir) {
    auto set = nhi::rules::load_rules({}, /*builtin=*/true);
    if (!set) {
        std::fprintf(stderr, "nhi_fuzz_seeds: %s: %s\n", set.error().what.c_str(), set.error().why.c_str());
        return 1;
    }
    size_t n = 0;
    for (const auto& rule : set->rules)
        for (const auto* list : {&rule.examples, &rule.negative_examples})
            for (const auto& text : *list)
                if (!write(dir + "/rule-" + std::to_string(n++), text)) return 1;
    std::printf("engine: %zu rule examples\n", n);
    return 0;
}

int exports(const std::string& dir, int argc, char** argv) {
    namespace imp = nhi::scanners::importers;
    const auto& names = imp::format_names();
    size_t n = 0;
    for (int i = 0; i < argc; ++i) {
        std::ifstream in(argv[i], std::ios::binary);
        std::ostringstream ss;
        ss << in.rdbuf();
        const std::string content = ss.str();
        if (!write(dir + "/export-" + std::to_string(n++), std::string(1, '\0') + content)) return 1;
        auto format = imp::detect_format(argv[i], content);
        if (!format) continue;
        for (size_t k = 0; k < names.size(); ++k)
            if (names[k] == *format &&
                !write(dir + "/export-" + std::to_string(n++), std::string(1, char(k + 1)) + content))
                return 1;
    }
    std::printf("importers: %zu export seeds\n", n);
    return 0;
}

// One small archive written by libarchive: `format` and `filter` are libarchive's codes.
std::string archive_of(int format, int filter, bool encrypt) {
    std::string out;
    struct archive* a = archive_write_new();
    bool ok = archive_write_set_format(a, format) == ARCHIVE_OK &&
              (filter == ARCHIVE_FILTER_NONE || archive_write_add_filter(a, filter) == ARCHIVE_OK) &&
              (!encrypt || (archive_write_set_options(a, "zip:encryption=zipcrypt") == ARCHIVE_OK &&
                            archive_write_set_passphrase(a, "seed") == ARCHIVE_OK));
    archive_write_set_bytes_in_last_block(a, 1);
    const auto append = [](struct archive*, void* ctx, const void* buf, size_t n) -> la_ssize_t {
        static_cast<std::string*>(ctx)->append(static_cast<const char*>(buf), n);
        return la_ssize_t(n);
    };
    ok = ok && archive_write_open(a, &out, nullptr, append, nullptr) == ARCHIVE_OK;
    const bool one_file = format == ARCHIVE_FORMAT_RAW;  // raw takes exactly one entry
    const char* names[] = {"BOOT-INF/classes/application.properties", "dir/", "../../etc/passwd"};
    for (const char* name : names) {
        if (!ok) break;
        const std::string body = std::string("key=") + name + "\n";
        const bool dir = std::string(name).back() == '/';
        struct archive_entry* e = archive_entry_new();
        archive_entry_set_pathname(e, name);
        archive_entry_set_filetype(e, dir ? AE_IFDIR : AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, dir ? 0 : la_int64_t(body.size()));
        ok = archive_write_header(a, e) == ARCHIVE_OK &&
             (dir || archive_write_data(a, body.data(), body.size()) == la_ssize_t(body.size()));
        archive_entry_free(e);
        if (one_file) break;
    }
    ok = archive_write_close(a) == ARCHIVE_OK && ok;
    archive_write_free(a);
    return ok ? out : std::string();
}

int archives(const std::string& dir) {
    struct Kind {
        const char* name;
        int format, filter;
        bool encrypt;
    };
    const Kind kinds[] = {
        {"zip", ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, false},
        {"zip-encrypted", ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, true},
        {"tar", ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_NONE, false},
        {"tar-gz", ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_GZIP, false},
        {"tar-bz2", ARCHIVE_FORMAT_TAR_USTAR, ARCHIVE_FILTER_BZIP2, false},
        {"tar-xz", ARCHIVE_FORMAT_TAR_GNUTAR, ARCHIVE_FILTER_XZ, false},
        {"tar-zst", ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_ZSTD, false},
        {"7z", ARCHIVE_FORMAT_7ZIP, ARCHIVE_FILTER_NONE, false},
        {"gz", ARCHIVE_FORMAT_RAW, ARCHIVE_FILTER_GZIP, false},
        {"bz2", ARCHIVE_FORMAT_RAW, ARCHIVE_FILTER_BZIP2, false},
        {"xz", ARCHIVE_FORMAT_RAW, ARCHIVE_FILTER_XZ, false},
        {"zst", ARCHIVE_FORMAT_RAW, ARCHIVE_FILTER_ZSTD, false},
    };
    size_t n = 0;
    for (const auto& k : kinds) {
        const std::string bytes = archive_of(k.format, k.filter, k.encrypt);
        if (bytes.empty()) {
            std::fprintf(stderr, "nhi_fuzz_seeds: libarchive cannot write %s\n", k.name);
            return 1;
        }
        for (char mode : {'\0', '\1', '\2'})  // stream, seekable, entries left unread
            if (!write(dir + "/" + k.name + "-" + std::to_string(int(mode)), std::string(1, mode) + bytes)) return 1;
        n += 3;
    }
    // A bomb: a zstd frame of 512 RLE blocks, 64 MiB of zeros from 1.5 KB (past the target's
    // ratio floor, under its archive limit, so the ratio is what stops it).
    std::string bomb("\x28\xb5\x2f\xfd\x00\x38", 6);
    for (int i = 0; i < 512; ++i) {
        const uint32_t h = (i == 511 ? 1u : 0u) | (1u << 1) | ((128u << 10) << 3);
        bomb += {char(h & 0xff), char((h >> 8) & 0xff), char(h >> 16), '\0'};
    }
    if (!write(dir + "/zst-bomb-0", std::string(1, '\0') + bomb)) return 1;
    std::printf("archive: %zu archive seeds\n", n + 1);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string mode = argc > 2 ? argv[1] : "";
    if (mode == "rules" && argc == 3) return rules(argv[2]);
    if (mode == "exports") return exports(argv[2], argc - 3, argv + 3);
    if (mode == "archives" && argc == 3) return archives(argv[2]);
    std::fprintf(stderr, "usage: nhi_fuzz_seeds rules DIR | exports DIR FILE... | archives DIR\n");
    return 2;
}
