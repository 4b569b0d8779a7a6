// End to end: every finding says what kind of file it is in; live code comes first; a known
// test layout lowers confidence with its reason; --no-fail-in and `no_fail_in:` keep chosen
// contexts out of the exit code without hiding anything.
#include <catch2/catch.hpp>

#include <set>
#include <sstream>

#include "support.hpp"

namespace nhi::test {
namespace {

// Three real-shaped secrets: live config, test data (a netrc line in recorded traffic) and docs.
void plant(const TempDir& d) {
    d.write("tests/data/test17", "machine api.example.com login deploy password Vq8TnZ3kLw0RbX5c\n");
    d.write("docs/setup.md", "GITHUB_TOKEN=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\n");
    d.write("src/app.env", "GITHUB_TOKEN=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\n");
}

std::vector<nlohmann::json> lines(const std::string& jsonl) {
    std::vector<nlohmann::json> out;
    std::istringstream in(jsonl);
    for (std::string l; std::getline(in, l);)
        if (!l.empty()) out.push_back(nlohmann::json::parse(l));
    return out;
}

}  // namespace

TEST_CASE("scan: live code first, then the rest, and fixtures say why they are", "[e2e][path_context]") {
    TempDir d;
    plant(d);
    // By default the text lists live code, then one summary line per other context.
    auto r = run_nhi("scan . --no-db", d.path());
    REQUIRE(r.code == 1);
    const auto src = r.out.find("src/app.env");
    const auto fixtures = r.out.find("-- in test fixtures: 1 finding (1 high) in tests/data/test17 --");
    const auto documentation = r.out.find("-- in documentation: 1 finding (1 high) in docs/setup.md --");
    REQUIRE(src != std::string::npos);
    REQUIRE(fixtures != std::string::npos);
    REQUIRE(documentation != std::string::npos);
    CHECK((src < fixtures && fixtures < documentation));
    CHECK(r.out.find("docs/setup.md:1:14") == std::string::npos);  // summarised, not listed
    CHECK(r.out.find("--all-contexts lists them") != std::string::npos);
    CHECK(r.out.find("3 findings (3 high)") != std::string::npos);  // the total counts them all

    // --all-contexts lists them, each later group under a heading; live code has none first.
    auto all = run_nhi("scan . --no-db --all-contexts", d.path());
    const auto a_src = all.out.find("src/app.env"), a_data = all.out.find("tests/data/test17:1:47"),
               a_docs = all.out.find("docs/setup.md:1:14"), a_fix = all.out.find("-- in test fixtures --"),
               a_doc = all.out.find("-- in documentation --");
    REQUIRE(a_docs != std::string::npos);
    CHECK(all.out.find("-- in source --") == std::string::npos);
    CHECK((a_src < a_fix && a_fix < a_data && a_data < a_doc && a_doc < a_docs));

    auto js = lines(run_nhi("scan . --no-db --format jsonl", d.path()).out);
    REQUIRE(js.size() == 3);
    CHECK(js[0]["path"] == "src/app.env");
    CHECK(js[1]["path"] == "tests/data/test17");
    CHECK(js[1]["confidence"] == "low");
    CHECK(js[1]["hints"]["fixture"] == "netrc credentials in a test data file");
    CHECK(js[2]["confidence"] == "high");  // a token in docs may be real: no reason, no change
    CHECK(js[0]["path_context"] == "source");
    CHECK(js[1]["path_context"] == "fixture");
    CHECK(js[2]["path_context"] == "docs");
    auto sarif = nlohmann::json::parse(run_nhi("scan . --no-db --format sarif", d.path()).out);
    std::set<std::string> contexts;
    for (const auto& res : sarif["runs"][0]["results"]) contexts.insert(res["properties"]["path_context"]);
    CHECK(contexts == std::set<std::string>{"source", "fixture", "docs"});
}

TEST_CASE("scan: a file that says a tool generated it is in the generated context", "[e2e][path_context]") {
    TempDir d;
    d.write("src/help.c", "/* NEVER EVER edit this manually, fix the mkhelp script instead! */\n"
                          "\"machine example.com login user password Vq8TnZ3kLw0RbX5c\\n\"\n");
    d.write("src/live.env", "GITHUB_TOKEN=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\n");
    auto js = lines(run_nhi("scan . --no-db --format jsonl", d.path()).out);
    REQUIRE(js.size() >= 2);
    CHECK(js.front()["path"] == "src/live.env");
    CHECK(js.back()["path"] == "src/help.c");
    CHECK(js.back()["path_context"] == "generated");
    CHECK(js.back()["hints"]["generated_file"] == true);
}

TEST_CASE("scan --no-fail-in and no_fail_in: report everything, fail only on the rest", "[e2e][path_context]") {
    TempDir d;
    plant(d);
    // Source still fails the run.
    CHECK(run_nhi("scan . --no-db --no-fail-in fixture,docs", d.path()).code == 1);
    fs::remove(d / "src/app.env");
    auto r = run_nhi("scan . --no-db --no-fail-in fixture,docs", d.path());
    CHECK(r.code == 0);
    CHECK(r.out.find("tests/data/test17") != std::string::npos);  // still reported
    CHECK(r.err.find("2 findings at or above --fail-on left out of the exit code by --no-fail-in") != std::string::npos);
    CHECK(run_nhi("scan . --no-db --no-fail-in fixture", d.path()).code == 1);  // docs still fail

    d.write(".nhi.yml", "no_fail_in: [fixture, docs]\n");
    CHECK(run_nhi("scan . --no-db", d.path()).code == 0);
    d.write(".nhi.yml", "no_fail_in: [tests]\n");
    auto bad = run_nhi("scan . --no-db", d.path());
    CHECK(bad.code == 2);
    CHECK(bad.err.find("unknown path context `tests`") != std::string::npos);
    auto flag = run_nhi("scan . --no-db --no-config --no-fail-in vendr", d.path());
    CHECK(flag.code == 2);
    CHECK(flag.err.find("nhi: error: --no-fail-in: unknown path context `vendr`") != std::string::npos);
}

}  // namespace nhi::test
