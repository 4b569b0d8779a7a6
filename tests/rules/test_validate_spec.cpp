// The validate: block of a rule: what loads, what is refused, and that only built-in rules
// may declare where a secret is sent.
#include <catch2/catch.hpp>

#include <set>

#include "rules/loader.hpp"
#include "rules/validate_spec.hpp"

using namespace nhi::rules;

namespace {

// A rule file with one rule whose validate block is `block` (YAML flow mapping).
std::string rule_file(const std::string& block) {
    return "provider: x\nrules:\n  - id: x.tok\n    name: t\n    pattern: 'xt_(?<secret>[a-z]{10})'\n"
           "    examples: ['xt_abcdefghij']\n    negative_examples: ['no']\n    validate: " +
           block + "\n";
}

}  // namespace

TEST_CASE("validate blocks parse into a spec with a fixed host", "[rules][validate]") {
    auto rules = parse_rule_file("builtin:x.yml",
                                 rule_file("{url: 'https://API.Example.com/v1/me?k={secret}', headers: {Accept: "
                                           "application/json}, live: {status: [200], json: /ok, equals: true}, "
                                           "revoked: {status: [401, 403]}, identity: {login: /user, scopes: "
                                           "'header:x-scopes'}}"));
    REQUIRE(rules);
    REQUIRE(rules->size() == 1);
    auto spec = parse_validate_spec(rules->front());
    REQUIRE(spec);
    CHECK(spec->host() == "api.example.com");
    CHECK(spec->method == "GET");
    CHECK(spec->live.status == std::vector<int>{200});
    CHECK(spec->live.json_pointer == "/ok");
    CHECK(spec->live.equals == "true");
    CHECK(spec->revoked.status == std::vector<int>{401, 403});
    REQUIRE(spec->identity.size() == 2);
    CHECK(spec->headers.size() == 1);
}

TEST_CASE("validate blocks that could send a secret elsewhere are refused", "[rules][validate]") {
    auto why = [](const std::string& block, const std::string& name = "builtin:x.yml") {
        auto r = parse_rule_file(name, rule_file(block));
        return r ? std::string() : r.error().why;
    };
    CHECK(why("{url: 'http://api.example.com/{secret}', live: {status: [200]}}").find("https://") != std::string::npos);
    CHECK(why("{url: 'https://{secret}.example.com/', live: {status: [200]}}").find("literal host") != std::string::npos);
    CHECK(why("{url: 'https://u:p@api.example.com/', headers: {A: '{secret}'}, live: {status: [200]}}")
              .find("literal host") != std::string::npos);
    CHECK(why("{url: 'https://api.example.com/', headers: {A: '{host}'}, live: {status: [200]}}")
              .find("unknown placeholder {host}") != std::string::npos);
    CHECK(why("{url: 'https://api.example.com/', live: {status: [200]}}").find("never uses {secret}") !=
          std::string::npos);
    CHECK(why("{url: 'https://api.example.com/', headers: {A: '{secret}'}}").find("missing live") != std::string::npos);
    CHECK(why("{url: 'https://api.example.com/', headers: {A: '{secret}'}, live: {status: [200]}, identity: {pin: /x}}")
              .find("unknown identity field") != std::string::npos);
    CHECK(why("{url: 'https://api.example.com/', headers: {A: '{secret}'}, live: {status: [200]}, follow: true}")
              .find("unknown key `follow`") != std::string::npos);
    // Not a built-in file: no target may be added at all.
    CHECK(why("{url: 'https://api.example.com/', headers: {A: '{secret}'}, live: {status: [200]}}", "/repo/rules.yml")
              .find("only in built-in rules") != std::string::npos);
}

TEST_CASE("built-in validate blocks all parse and survive the embedded rule blob", "[rules][validate]") {
    auto set = load_rules({});
    REQUIRE(set);
    size_t blocks = 0;
    for (const auto& r : set->rules) {
        if (r.validate.empty()) continue;
        ++blocks;
        auto spec = parse_validate_spec(r);
        INFO(r.id);
        REQUIRE(spec);
        CHECK(!spec->host().empty());
    }
    CHECK(blocks >= 1);
}

TEST_CASE("built-in validate blocks name companions that are built-in rules", "[rules][validate]") {
    // The loader checks each block alone; a misspelt rule id in `needs` would load and then
    // never find its companion, so the secret would silently never be checked.
    auto set = load_rules({});
    REQUIRE(set);
    std::set<std::string> ids;
    for (const auto& r : set->rules) ids.insert(r.id);
    size_t companions = 0;
    for (const auto& r : set->rules) {
        if (r.validate.empty()) continue;
        auto spec = parse_validate_spec(r);
        REQUIRE(spec);
        for (const auto& [name, id] : spec->needs) {
            INFO(r.id << " needs {" << name << "} from " << id);
            CHECK(ids.count(id) == 1);
            CHECK(id != r.id);
            ++companions;
        }
    }
    CHECK(companions >= 3);  // AWS key id; GCP private key and client email
}
