// Where a directory scan's matching time goes, rule by rule: one Worker over every regular
// text file under DIR (no decoding, no ignore files), then the Hyperscan share, the PCRE2
// confirmation share and the TOP rules by confirmation time with how many windows their
// Hyperscan hits opened. Built by bench/rule_cost.sh against build/'s libraries.
//   usage: rule_cost DIR [TOP]
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <numeric>
#include <string>
#include <vector>

#include "rules/engine.hpp"
#include "rules/hs_cache.hpp"
#include "rules/loader.hpp"

namespace fs = std::filesystem;
using namespace nhi;

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: rule_cost DIR [TOP]\n");
        return 2;
    }
    const size_t top = argc > 2 ? std::stoul(argv[2]) : 25;
    auto set = rules::load_rules({}, true);
    if (!set) return 1;
    rules::EngineOptions o;
    o.cache_dir = rules::hs_cache::default_dir();
    auto engine = rules::Engine::create(std::move(set).value(), o);
    if (!engine) return 1;
    auto worker = std::move(engine.value()->make_worker()).value();
    uint64_t bytes = 0, files = 0, matches = 0;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(argv[1], fs::directory_options::skip_permission_denied, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec || !it->is_regular_file(ec) || it->file_size(ec) > (8u << 20)) continue;
        std::ifstream in(it->path(), std::ios::binary);
        std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (data.substr(0, 8192).find('\0') != std::string::npos) continue;  // binary
        const std::string rel = fs::relative(it->path(), argv[1], ec).generic_string();
        matches += worker->scan(data, false, &rel).size();
        bytes += data.size();
        ++files;
    }
    const auto& st = worker->rule_stats();
    const auto& rules = engine.value()->rules();
    uint64_t confirm = 0, windows = 0;
    for (const auto& r : st.rules) confirm += r.confirm_ns, windows += r.windows;
    std::printf("%zu rules, %llu files, %.1f MiB, %llu matches\n", rules.size(), (unsigned long long)files,
                double(bytes) / 1048576, (unsigned long long)matches);
    std::printf("scan %.3f s: Hyperscan and the rest %.3f s, PCRE2 confirmation %.3f s (%llu windows)\n",
                double(st.scan_ns) / 1e9, double(st.scan_ns - confirm) / 1e9, double(confirm) / 1e9,
                (unsigned long long)windows);
    std::vector<size_t> order(st.rules.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return st.rules[a].confirm_ns > st.rules[b].confirm_ns; });
    std::printf("%10s %6s %9s  %s\n", "confirm_ms", "share", "windows", "rule");
    for (size_t i = 0; i < std::min(top, order.size()); ++i) {
        const auto& r = st.rules[order[i]];
        std::printf("%10.1f %5.1f%% %9llu  %s\n", double(r.confirm_ns) / 1e6, 100.0 * double(r.confirm_ns) / double(st.scan_ns),
                    (unsigned long long)r.windows, rules[order[i]].id.c_str());
    }
    return 0;
}
