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
constexpr const char* kLayoutVersion = "nhi-hs-layout-3";

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

HsDatabase load(const std::string& dir, const std::string& k) {
    if (dir.empty()) return nullptr;
    std::ifstream in(fs::path(dir) / (k + ".hsdb"), std::ios::binary);
    if (!in) return nullptr;
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    hs_database_t* db = nullptr;
    if (hs_deserialize_database(bytes.data(), bytes.size(), &db) != HS_SUCCESS) return nullptr;
    return HsDatabase(db);
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
    (void)util::write_file_atomic((fs::path(dir) / (k + ".hsdb")).string(), std::string_view(owned.get(), len), 0600);
}

}  // namespace nhi::rules::hs_cache
