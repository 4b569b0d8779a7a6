#include "rules/hs_cache.hpp"

#include "util/atomic_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/hash.hpp"

namespace nhi::rules::hs_cache {
namespace fs = std::filesystem;

// Bump when the way rules become Hyperscan expressions (flags, ids) changes.
constexpr const char* kLayoutVersion = "nhi-hs-layout-4";  // 4: files carry a checksummed header

std::string default_dir() {
    if (const char* d = std::getenv("NHI_CACHE_DIR"); d && *d) return d;
    if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/nhi";
    if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/nhi";
    return "";
}

std::string key(const std::string& rules_hash) {
    hs_platform_info_t platform{};
    hs_populate_platform(&platform);
    std::ostringstream ss;
    ss << rules_hash << '|' << hs_version() << '|' << platform.tune << '|' << platform.cpu_features << '|'
       << kLayoutVersion;
    return util::sha256_hex(ss.str()).substr(0, 32);
}

namespace {

// A cache file is a one-line header, then the serialized database:
//   "nhi-hs-cache 1 <key> <payload bytes> <SHA-256 of payload>\n" <payload>
// The file name alone proves nothing: a file copied, swapped or left half-written under a
// key's name would otherwise be loaded and scan with the wrong rules (0 findings, exit 0).
// The key inside ties the file to the rules and platform it was compiled for, and the
// checksum to its exact bytes; any mismatch means a recompile.
constexpr std::string_view kMagic = "nhi-hs-cache 1 ";
constexpr size_t kMaxHeader = 256;
constexpr uint64_t kMaxPayload = uint64_t(1) << 31;  // a compiled rule set is a few MB

std::string header(const std::string& k, std::string_view payload) {
    return std::string(kMagic) + k + ' ' + std::to_string(payload.size()) + ' ' + util::sha256_hex(payload) + '\n';
}

}  // namespace

std::string_view verified_payload(std::string_view file, const std::string& k) {
    const size_t nl = file.substr(0, kMaxHeader).find('\n');
    if (nl == std::string_view::npos || file.compare(0, kMagic.size(), kMagic) != 0) return {};
    // "<key> <size> <sha256>" after the magic: the header this payload must have.
    const std::string_view payload = file.substr(nl + 1);
    if (payload.empty() || payload.size() > kMaxPayload) return {};
    if (file.substr(0, nl + 1) != header(k, payload)) return {};
    return payload;
}

std::string encode(const std::string& k, std::string_view payload) { return header(k, payload) + std::string(payload); }

HsDatabase load(const std::string& dir, const std::string& k) {
    if (dir.empty()) return nullptr;
    const fs::path path = fs::path(dir) / (k + ".hsdb");
    std::error_code ec;
    if (const auto size = fs::file_size(path, ec); ec || size > kMaxPayload + kMaxHeader) return nullptr;
    std::ifstream in(path, std::ios::binary);
    if (!in) return nullptr;
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) return nullptr;
    const std::string_view payload = verified_payload(bytes, k);
    if (payload.empty()) return nullptr;
    hs_database_t* db = nullptr;
    if (hs_deserialize_database(payload.data(), payload.size(), &db) != HS_SUCCESS) return nullptr;
    return HsDatabase(db);
}

HsDatabase load_embedded(const std::string& k) {
    std::string_view rest = embedded();
    while (!rest.empty()) {
        // "nhi-hs-cache 1 <key> <size> <sha256>\n" <payload>: the header's key picks the entry.
        const size_t nl = rest.substr(0, kMaxHeader).find('\n');
        if (nl == std::string_view::npos || rest.compare(0, kMagic.size(), kMagic) != 0) return nullptr;
        const std::string_view head = rest.substr(kMagic.size(), nl - kMagic.size());
        const size_t sp = head.find(' ');
        if (sp == std::string_view::npos) return nullptr;
        const uint64_t size = std::strtoull(std::string(head.substr(sp + 1)).c_str(), nullptr, 10);
        if (size > rest.size() - nl - 1) return nullptr;
        if (head.substr(0, sp) == k) {
            // The binary's own bytes: the key is checked, the checksum is left to the disk cache
            // (hashing megabytes would cost the start what the embedding saves).
            const std::string_view payload = rest.substr(nl + 1, size);
            hs_database_t* db = nullptr;
            if (hs_deserialize_database(payload.data(), payload.size(), &db) != HS_SUCCESS) return nullptr;
            return HsDatabase(db);
        }
        rest.remove_prefix(nl + 1 + size);
    }
    return nullptr;
}

void store(const std::string& dir, const std::string& k, const hs_database_t* db) {
    if (dir.empty()) return;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return;
    char* bytes = nullptr;
    size_t len = 0;
    if (hs_serialize_database(db, &bytes, &len) != HS_SUCCESS) return;
    std::unique_ptr<char, decltype(&std::free)> owned(bytes, &std::free);
    // A private temp file renamed into place: concurrent nhi runs never see half a file. A
    // cache that cannot be written only costs the next run a compile.
    (void)util::write_file_atomic((fs::path(dir) / (k + ".hsdb")).string(), encode(k, std::string_view(owned.get(), len)),
                                  0600);
}

}  // namespace nhi::rules::hs_cache
