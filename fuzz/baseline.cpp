// The baseline reader. load_baseline() reads a path, so each input goes through one file
// that this process owns.
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
    auto baseline = nhi::rules::load_baseline(file);
    if (baseline)
        for (const auto& e : baseline->entries) NHI_FUZZ_CHECK(baseline->contains(e.fingerprint));
    return 0;
}
