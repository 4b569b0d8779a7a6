// The generated corpus (bench/corpus.py): planted secrets with valid structure next to the
// decoys real repositories are full of. Recall and precision are measured per line; the
// issue's bar is 0.97 for both.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <set>
#include <sstream>

#include "support.hpp"

using namespace nhi::test;

TEST_CASE("generated corpus: recall and precision are at least 0.97", "[e2e][accuracy]") {
    TempDir dir;
    const fs::path root = dir.path() / "corpus";
    std::string gen = "python3 '" NHI_SOURCE_DIR "/bench/corpus.py' generate '" + root.string() +
                      "' --files 88 --seed 11 >/dev/null";
    REQUIRE(std::system(gen.c_str()) == 0);

    std::set<std::pair<std::string, int>> want;
    for (const auto& t : nlohmann::json::parse(read_file(root / ".truth.json")))
        want.insert({t["path"].get<std::string>(), t["line"].get<int>()});
    REQUIRE(want.size() > 150);

    auto r = run_nhi("scan . --no-ignore --format jsonl", root);
    REQUIRE(r.code == 1);
    std::set<std::pair<std::string, int>> got;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
        if (line.empty() || line[0] != '{') continue;
        auto f = nlohmann::json::parse(line);
        if (f["severity"] == "info") continue;  // context (user, host) beside a secret: not a secret claim
        std::string path = f["path"].get<std::string>();
        if (path.rfind("./", 0) == 0) path = path.substr(2);
        got.insert({path, f["line"].get<int>()});
    }
    size_t tp = 0;
    for (const auto& g : got) {
        if (want.count(g)) ++tp;
        else UNSCOPED_INFO("false positive " << g.first << ":" << g.second);
    }
    for (const auto& w : want)
        if (!got.count(w)) UNSCOPED_INFO("missed " << w.first << ":" << w.second);
    double recall = double(tp) / double(want.size());
    double precision = got.empty() ? 0.0 : double(tp) / double(got.size());
    INFO("recall " << recall << " precision " << precision);
    CHECK(recall >= 0.97);
    CHECK(precision >= 0.97);
}
