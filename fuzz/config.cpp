// The repository config loader (.nhi.yml) and the allowlist checks that use what it parsed.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_util.hpp"
#include "rules/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto config = nhi::rules::parse_config("repo/.nhi.yml", text, "repo");
    if (!config) return 0;
    // The globs a config holds are matched against every finding's path: run them.
    for (std::string_view path : {"src/main.c", "tests/fixtures/a/b/c.env", ".env", "deep/a/b/c/d/e/f/g/h/i/j/k.yml"})
        for (std::string_view rule : {"nhi.github.pat", "nhi.generic.password", ""})
            (void)config->allowed(rule, path, "0000000000000000000000000000000000000000000000000000000000000000");
    return 0;
}
