// Throughput of scanners::decode::find_spans over the text files of a tree, read into memory
// first, against a loop that only compares each byte (the floor on this machine), both in
// process CPU time so a loaded machine understates neither. bench/decode_throughput.sh builds
// and runs it. With -v it names where each span is (file, offsets, kind, decoded length),
// never what it decodes to.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "scanners/decode.hpp"

namespace fs = std::filesystem;
using nhi::scanners::decode::find_spans;

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: decode_throughput DIR [-v]\n");
        return 2;
    }
    const bool verbose = argc > 2 && std::string(argv[2]) == "-v";
    std::vector<std::pair<std::string, std::string>> files;
    size_t total = 0;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(argv[1], fs::directory_options::skip_permission_denied, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec || it->is_symlink(ec) || !it->is_regular_file(ec) || it->file_size(ec) > (8u << 20)) continue;
        std::ifstream f(it->path(), std::ios::binary);
        std::stringstream ss;
        ss << f.rdbuf();
        std::string s = ss.str();
        if (s.find('\0') != std::string::npos) continue;  // binary: the scan skips it too
        total += s.size();
        files.emplace_back(it->path().string(), std::move(s));
    }
    double floor_s = 1e9, best = 1e9;
    size_t sink = 0;
    for (int rep = 0; rep < 3; ++rep) {
        const std::clock_t t0 = std::clock();
        for (const auto& [path, s] : files)
            for (unsigned char c : s) sink += (c == '\n') + (c == '"');
        floor_s = std::min(floor_s, double(std::clock() - t0) / CLOCKS_PER_SEC);
    }
    std::map<std::string, size_t> kinds;
    for (int rep = 0; rep < 3; ++rep) {
        kinds.clear();
        const std::clock_t t0 = std::clock();
        for (const auto& [path, s] : files) {
            for (const auto& span : find_spans(s)) {
                ++kinds[span.kind];
                if (verbose && rep == 0)
                    std::printf("%s:%zu-%zu %s (%zu bytes)\n", path.c_str(), span.start, span.end, span.kind, span.text.size());
            }
        }
        best = std::min(best, double(std::clock() - t0) / CLOCKS_PER_SEC);
    }
    std::printf("%zu text files, %.1f MB: find_spans %.0f MB/s, byte-compare floor %.0f MB/s (%zu)\n", files.size(),
                total / 1e6, total / 1e6 / best, total / 1e6 / floor_s, sink % 2);
    for (const auto& [kind, n] : kinds) std::printf("  %s: %zu spans\n", kind.c_str(), n);
}
