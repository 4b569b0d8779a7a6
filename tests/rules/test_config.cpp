#include <catch2/catch.hpp>

#include "rules/baseline.hpp"
#include "rules/config.hpp"
#include "rules/loader.hpp"
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

TEST_CASE("repo config: validate is a boolean that can only switch validation", "[rules][config][validate]") {
    auto on = parse_config(".nhi.yml", "validate: true\n", "/repo");
    REQUIRE(on);
    CHECK(on->validate == true);
    auto off = parse_config(".nhi.yml", "validate: false\n", "/repo");
    REQUIRE(off);
    CHECK(off->validate == false);
    CHECK_FALSE(parse_config(".nhi.yml", "", "/repo")->validate.has_value());
    // No key can name a target: a mapping is refused, not read as a URL.
    auto target = parse_config(".nhi.yml", "validate: {url: 'https://evil.example/'}\n", "/repo");
    REQUIRE_FALSE(target);
    CHECK(target.error().why.find("`validate` must be") != std::string::npos);
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

// Hostile inputs: each is an error naming the file, never an exception or a crash.
namespace {

std::string repeat(const std::string& s, size_t n) {
    std::string out;
    out.reserve(s.size() * n);
    for (size_t i = 0; i < n; ++i) out += s;
    return out;
}

// 60,000 levels of block mappings: "a:\n b:\n  c:\n..." as a staircase of indentation.
std::string block_staircase(size_t depth) {
    std::string out;
    for (size_t i = 0; i < depth; ++i) out += std::string(i, ' ') + "k:\n";
    return out;
}

const char* kRuleHead = "rules:\n  - id: t.x\n    name: x\n    pattern: 'x[0-9]{8}'\n"
                        "    examples: ['x12345678']\n    negative_examples: ['x1']\n";

}  // namespace

TEST_CASE("repo config: deep nesting, huge numbers and wrong types are errors", "[rules][config][hostile]") {
    for (const std::string& text :
         {"allow:\n  paths: " + repeat("[", 60000) + repeat("]", 60000) + "\n",
          "allow:\n  paths: " + repeat("{a: ", 60000) + "b" + repeat("}", 60000) + "\n",
          block_staircase(60000),
          "allow:\n  paths: " + repeat("- ", 60000) + "x\n",
          std::string("allow:\n  paths: [{a: b}]\n"),  // a map where a string belongs
          std::string("disable: {nhi.x: 1}\n"),
          std::string("baseline: [a, b]\n"),
          std::string("allow: {rules: {nhi.x: {a: b}}}\n"),
          std::string("{[a]: b}\n"),                    // a key that is not a string
          std::string("allow:\n  paths: [\"unterminated\n")}) {
        INFO(text.substr(0, 60));
        auto c = parse_config(".nhi.yml", text, "");
        REQUIRE_FALSE(c.ok());
        CHECK(c.error().what == ".nhi.yml");
    }
    auto deep = parse_config(".nhi.yml", "x: " + repeat("[", 65) + repeat("]", 65), "");
    REQUIRE_FALSE(deep.ok());
    CHECK(deep.error().why.find("nested more than 64 levels") != std::string::npos);
    // Ordinary nesting and brackets inside quotes or comments are not counted.
    CHECK(parse_config(".nhi.yml", "allow:\n  paths: ['" + repeat("[", 100) + "'] # " + repeat("{", 100) + "\n", "").ok());
}

TEST_CASE("rule files: deep nesting, out-of-range numbers and wrong types are errors", "[rules][config][hostile]") {
    REQUIRE(parse_rule_file("r.yml", kRuleHead).ok());
    for (const std::string& text :
         {std::string(kRuleHead) + "    claims: " + repeat("[", 60000) + repeat("]", 60000) + "\n",
          std::string(kRuleHead) + block_staircase(60000),
          std::string(kRuleHead) + "    min_entropy: 1e999\n",
          std::string(kRuleHead) + "    min_entropy: .nan\n",
          std::string(kRuleHead) + "    min_entropy: 9\n",
          std::string(kRuleHead) + "    max_length: 1e999\n",
          std::string(kRuleHead) + "    max_length: -1\n",
          std::string(kRuleHead) + "    max_length: 99999999999999999999999\n",
          std::string(kRuleHead) + "    generic: [yes]\n",
          std::string(kRuleHead) + "    severity: {a: b}\n",
          std::string("provider: [a]\n") + kRuleHead,  // outside any rule
          std::string("rules:\n  - id: [t.x]\n    name: x\n")}) {
        INFO(text.substr(text.size() > 60 ? text.size() - 60 : 0));
        auto r = parse_rule_file("r.yml", text);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().what.rfind("r.yml", 0) == 0);
    }
}

TEST_CASE("baselines: deep nesting, huge numbers and wrong types are errors", "[rules][baseline][hostile]") {
    nhi::test::TempDir d;
    const std::string entry = R"({"fingerprint": "ffff", "rule": "nhi.a", "path": "a.txt"})";
    for (const std::string& text :
         {R"({"nhi_baseline": 1, "findings": )" + repeat("[", 60000) + repeat("]", 60000) + "}",
          R"({"nhi_baseline": 1, "findings": [], "x": )" + repeat("{\"a\":", 60000) + "1" + repeat("}", 60000) + "}",
          std::string(R"({"nhi_baseline": 1e999, "findings": []})"),
          std::string(R"({"nhi_baseline": "1", "findings": []})"),
          std::string(R"({"nhi_baseline": 1, "findings": {"a": 1}})"),
          std::string(R"({"nhi_baseline": 1, "findings": [{"fingerprint": 5}]})"),
          std::string(R"({"nhi_baseline": 1, "findings": [)") + entry + ", 1e999]}"}) {
        INFO(text.substr(0, 60));
        d.write("b.json", text);
        auto b = load_baseline((d / "b.json").string());
        REQUIRE_FALSE(b.ok());
        CHECK(b.error().what == (d / "b.json").string());
    }
    // A wrong type in an optional field is ignored, not thrown.
    d.write("b.json", R"({"nhi_baseline": 1, "findings": [{"fingerprint": "ffff", "rule": 5, "path": ["x"]}]})");
    auto b = load_baseline((d / "b.json").string());
    REQUIRE(b.ok());
    CHECK(b->contains("ffff"));
}
