// The rule engine on one buffer: every built-in rule (Hyperscan prefilter, PCRE2 confirm,
// entropy, placeholder and validator checks) over arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "fuzz_util.hpp"
#include "rules/engine.hpp"
#include "rules/loader.hpp"

namespace {
std::shared_ptr<const nhi::rules::Engine> engine;
std::unique_ptr<nhi::rules::Worker> worker;
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    // Compiled once: a compile per input would measure Hyperscan's compiler, not the scan.
    auto set = nhi::rules::load_rules({}, /*builtin=*/true);
    NHI_FUZZ_CHECK(set.ok());
    // Fork mode (long runs) starts a process per job, each compiling the Hyperscan database
    // again (most of a minute under ASan); NHI_FUZZ_CACHE names a cache directory to reuse.
    nhi::rules::EngineOptions options;
    if (const char* dir = std::getenv("NHI_FUZZ_CACHE"); dir && *dir) options.cache_dir = dir;
    auto e = nhi::rules::Engine::create(std::move(set).value(), options);
    NHI_FUZZ_CHECK(e.ok());
    engine = std::move(e).value();
    auto w = engine->make_worker();
    NHI_FUZZ_CHECK(w.ok());
    worker = std::move(w).value();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    // Half the inputs keep lone context matches too (the `rules check` path).
    const bool keep_context = size > 0 && (data[size - 1] & 1);
    for (const auto& m : worker->scan(text, keep_context)) {
        NHI_FUZZ_CHECK(m.rule < engine->rules().size());
        NHI_FUZZ_CHECK(m.start <= m.end && m.end <= size);
        NHI_FUZZ_CHECK(m.secret_start <= m.secret_end && m.secret_end <= size);
    }
    return 0;
}
