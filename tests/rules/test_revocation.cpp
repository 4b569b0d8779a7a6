// Revocation templates: only known slots load, and filling leaves no brace behind.
#include <catch2/catch.hpp>

#include "rules/loader.hpp"
#include "rules/revocation.hpp"

using namespace nhi;

TEST_CASE("a template may name only the known slots") {
    CHECK(rules::check_revocation_template("aws iam delete-access-key --access-key-id {match} --user-name {user}"));
    CHECK(rules::check_revocation_template("console > Keys > Revoke (DELETE /keys/KEY_ID)"));
    auto bad = rules::check_revocation_template("DELETE /v1/projects/{project_id}/keys");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().why.find("{project_id}") != std::string::npos);
    CHECK_FALSE(rules::check_revocation_template("an open { brace"));
    CHECK_FALSE(rules::check_revocation_template("a stray } brace"));
}

TEST_CASE("filling puts the value in, or the slot's marker when the finding does not know it") {
    auto lookup = [](std::string_view name) { return name == "match" ? std::string("AKIA…J6T3") : std::string(); };
    CHECK(rules::fill_revocation("--access-key-id {match} --user-name {user} ({account})", lookup) ==
          "--access-key-id AKIA…J6T3 --user-name USER (ACCOUNT_ID)");
    CHECK(rules::fill_revocation("no slots {here", lookup) == "no slots {here");
}

TEST_CASE("every built-in rule's template loads and fills without a brace left") {
    auto set = rules::load_rules({});
    REQUIRE(set);
    size_t with_slots = 0;
    for (const auto& r : set.value().rules) {
        INFO(r.id);
        CHECK(rules::check_revocation_template(r.revocation));
        const auto filled = rules::fill_revocation(r.revocation, [](std::string_view) { return std::string(); });
        if (filled != r.revocation) ++with_slots;
        CHECK(filled.find('{') == std::string::npos);
    }
    CHECK(with_slots >= 5);
}

TEST_CASE("a rule file whose template names an unknown slot fails to load") {
    const std::string yml =
        "provider: acme\nrules:\n  - id: acme.key\n    name: Acme key\n    pattern: 'acme_(?<secret>[a-z0-9]{32})'\n"
        "    revocation: 'DELETE /keys/{key_id}'\n    examples: ['acme_0123456789abcdefghijklmnopqrstuv']\n";
    auto loaded = rules::parse_rule_file("acme.yml", yml);
    REQUIRE_FALSE(loaded);
    CHECK(loaded.error().message().find("{key_id}") != std::string::npos);
}
