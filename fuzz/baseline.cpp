// The baseline reader and the gitleaks / detect-secrets importer. Both read a path, so each
// input goes through one file that this process owns.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz_util.hpp"
#include "rules/baseline.hpp"

namespace {
std::string file;
void remove_file() { std::remove(file.c_str()); }
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    const char* tmp = std::getenv("TMPDIR");
    file = std::string(tmp && *tmp ? tmp : "/tmp") + "/nhi-fuzz-baseline-" + std::to_string(getpid()) + ".json";
    std::atexit(remove_file);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::FILE* f = std::fopen(file.c_str(), "wb");
    NHI_FUZZ_CHECK(f != nullptr);
    NHI_FUZZ_CHECK(std::fwrite(data, 1, size, f) == size);
    NHI_FUZZ_CHECK(std::fclose(f) == 0);
    using nhi::rules::EntryKind;
    auto baseline = nhi::rules::load_baseline(file);
    if (baseline)
        for (const auto& e : baseline->entries) {
            // Every entry read accepts the finding it describes.
            nhi::rules::BaselineKey k;
            k.fingerprint = k.scan_fingerprint = e.fingerprint;
            k.path = e.path;
            if (e.kind == EntryKind::Sha256) k.secret_sha256 = e.hash;
            if (e.kind == EntryKind::Sha1) k.secret_sha1 = e.hash;
            k.line = e.line;
            NHI_FUZZ_CHECK(baseline->match(k) != nullptr);
        }
    auto imported = nhi::rules::import_baseline(file, nhi::rules::ImportFormat::Auto, "/repo");
    if (imported)
        for (const auto& e : imported->entries) NHI_FUZZ_CHECK(!e.path.empty() && e.path.rfind("../", 0) != 0);
    return 0;
}
