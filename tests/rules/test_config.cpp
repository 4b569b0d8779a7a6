#include <catch2/catch.hpp>

#include "rules/baseline.hpp"
#include "rules/config.hpp"
#include "support.hpp"

using namespace nhi::rules;

TEST_CASE("repo config parses allowlists, disabled rules, extra rules and baseline", "[rules][config]") {
    auto c = parse_config(".nhi.yml", R"(
allow:
  paths: ["tests/fixtures/", "docs/**/*.md"]
  rules:
    nhi.generic.password-assignment: ["config/dev/**"]
    nhi.jwt.token:
  secrets: ["5c9fff35466674cc33a802e7c58b5469a84bd21604bf46de11291869d3ac2dad"]
disable: [nhi.generic.secret-assignment]
rules: [ci/rules]
baseline: .nhi-baseline.json
)", "/repo");
    REQUIRE(c.ok());
    CHECK(c->allowed("nhi.github.pat", "tests/fixtures/a/b.env", "x"));
    CHECK(c->allowed("nhi.github.pat", "docs/guide/setup.md", "x"));
    CHECK_FALSE(c->allowed("nhi.github.pat", "src/tests/fixtures/a.env", "x"));
    CHECK(c->allowed("nhi.generic.password-assignment", "config/dev/db.yml", "x"));
    CHECK_FALSE(c->allowed("nhi.generic.password-assignment", "config/prod/db.yml", "x"));
    CHECK(c->allowed("nhi.jwt.token", "anywhere.txt", "x"));
    CHECK(c->allowed("nhi.aws.access-key-id", "src/a.py", "5c9fff35466674cc33a802e7c58b5469a84bd21604bf46de11291869d3ac2dad"));
    CHECK(c->disabled_rules.count("nhi.generic.secret-assignment"));
    REQUIRE(c->extra_rules.size() == 1);
    CHECK(c->extra_rules[0] == "/repo/ci/rules");
    CHECK(c->baseline == "/repo/.nhi-baseline.json");
}

TEST_CASE("repo config rejects typos and plaintext secrets with the key named", "[rules][config]") {
    auto typo = parse_config(".nhi.yml", "alow:\n  paths: [x]\n", "");
    REQUIRE_FALSE(typo.ok());
    CHECK(typo.error().why.find("unknown key `alow`") != std::string::npos);
    auto inner = parse_config(".nhi.yml", "allow:\n  path: [x]\n", "");
    REQUIRE_FALSE(inner.ok());
    CHECK(inner.error().why.find("allow.path") != std::string::npos);
    auto plain = parse_config(".nhi.yml", "allow:\n  secrets: [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]\n", "");
    REQUIRE_FALSE(plain.ok());
    CHECK(plain.error().why.find("SHA-256") != std::string::npos);
    auto type = parse_config(".nhi.yml", "disable: nhi.jwt.token\n", "");
    REQUIRE_FALSE(type.ok());
    CHECK(type.error().why.find("must be a list") != std::string::npos);
}

TEST_CASE("find_config looks in the root, then up to the repository root", "[rules][config]") {
    nhi::test::TempDir d;
    d.write("repo/.git/HEAD", "ref: refs/heads/main\n");
    d.write("repo/.nhi.yml", "disable: []\n");
    d.write("repo/src/app/x.py", "");
    CHECK(find_config((d / "repo/src/app").string()) == (d / "repo/.nhi.yml").string());
    d.write("repo/src/.nhi.yml", "");
    CHECK(find_config((d / "repo/src/app").string()) == (d / "repo/src/.nhi.yml").string());
    d.write("other/x.py", "");
    CHECK(find_config((d / "other").string()).empty());
}

TEST_CASE("baselines round-trip and reject foreign files", "[rules][baseline]") {
    nhi::test::TempDir d;
    Baseline b;
    b.entries.insert({"ffff", "nhi.a", "z.txt"});
    b.entries.insert({"0000", "nhi.b", "a.txt"});
    auto path = (d / "b.json").string();
    REQUIRE(write_baseline(path, b).ok());
    auto back = load_baseline(path);
    REQUIRE(back.ok());
    CHECK(back->entries.size() == 2);
    CHECK(back->contains("ffff"));
    CHECK_FALSE(back->contains("1234"));
    auto text = nhi::test::read_file(path);
    CHECK(text.find("\"0000\"") < text.find("\"ffff\""));  // sorted: stable diffs
    d.write("bad.json", "{\"findings\": []}");
    CHECK_FALSE(load_baseline((d / "bad.json").string()).ok());
    CHECK_FALSE(load_baseline((d / "missing.json").string()).ok());
}
