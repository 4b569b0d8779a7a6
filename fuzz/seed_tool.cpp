// Builds seed corpora that need the library to know what a file is (fuzz/seeds.sh calls it):
//   nhi_fuzz_seeds rules DIR          every built-in rule's examples and negative examples
//   nhi_fuzz_seeds exports DIR FILE…  each export twice: behind byte 0 (auto-detect) and
//                                     behind the byte of its detected format (importers.cpp)
// The rules are read by the rules' own loader and formats by detect_format, so the seeds never
// drift from what the targets exercise.
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

}  // namespace

int main(int argc, char** argv) {
    const std::string mode = argc > 2 ? argv[1] : "";
    if (mode == "rules" && argc == 3) return rules(argv[2]);
    if (mode == "exports") return exports(argv[2], argc - 3, argv + 3);
    std::fprintf(stderr, "usage: nhi_fuzz_seeds rules DIR | exports DIR FILE...\n");
    return 2;
}
