// The .gitignore parser and matcher: the input is one .gitignore (added at the root and in a
// subdirectory), and its own lines double as the paths asked about, so patterns meet paths
// shaped like them (the glob matcher's worst cases).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_util.hpp"
#include "scanners/gitignore.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    nhi::scanners::IgnoreRules rules;
    rules.add("", text);
    rules.add("sub/dir", text);
    for (std::string_view p : {"a", "a/b/c.txt", "sub/dir/x/y.log", "node_modules", ".env", "sub/dir"}) {
        (void)rules.ignored(p, false);
        (void)rules.ignored(p, true);
    }
    size_t lines = 0;
    for (size_t pos = 0; pos < text.size() && lines < 64; ++lines) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string path(text.substr(pos, end - pos));
        (void)rules.ignored(path, false);
        (void)rules.ignored("sub/dir/" + path, true);
        pos = end + 1;
    }
    const size_t n = rules.size();
    rules.truncate(n / 2);
    NHI_FUZZ_CHECK(rules.size() == n / 2);
    return 0;
}
