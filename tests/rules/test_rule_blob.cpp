#include <catch2/catch.hpp>

#include "rules/embedded.hpp"
#include "rules/loader.hpp"
#include "rules/rule_blob.hpp"

using namespace nhi::rules;

TEST_CASE("the built-in rules parsed at build time are the YAML's, field for field", "[rules][blob]") {
    std::vector<Rule> from_yaml;
    for (const auto& f : embedded_rule_files()) {
        auto parsed = parse_rule_file("builtin:" + std::string(f.name), f.content);
        REQUIRE(parsed.ok());
        for (auto& r : parsed.value()) from_yaml.push_back(std::move(r));
    }
    REQUIRE_FALSE(embedded_parsed_rules().empty());
    // Every field goes through encode_rules, so equal bytes mean equal records.
    CHECK(encode_rules(from_yaml) == embedded_parsed_rules());
    auto decoded = decode_rules(embedded_parsed_rules());
    REQUIRE(decoded.has_value());
    REQUIRE(decoded->size() == from_yaml.size());
    CHECK(encode_rules(*decoded) == encode_rules(from_yaml));
    auto loaded = load_rules({}, true);
    REQUIRE(loaded.ok());
    CHECK(loaded.value().rules.size() == from_yaml.size());
}

TEST_CASE("a truncated or foreign rules blob is refused, never half-read", "[rules][blob]") {
    Rule r;
    r.id = "t.one";
    r.pattern = "abc";
    r.min_entropy = 3.5;
    r.examples = {"x", "y"};
    r.context = true;
    const std::string bytes = encode_rules({r, r});
    auto back = decode_rules(bytes);
    REQUIRE(back.has_value());
    REQUIRE(back->size() == 2);
    CHECK((*back)[1].min_entropy == 3.5);
    CHECK((*back)[1].examples.size() == 2);
    CHECK((*back)[1].context);
    for (size_t cut : {size_t(0), size_t(5), bytes.size() / 2, bytes.size() - 1})
        CHECK_FALSE(decode_rules(std::string_view(bytes).substr(0, cut)).has_value());
    CHECK_FALSE(decode_rules(bytes + "x").has_value());
}
