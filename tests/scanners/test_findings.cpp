#include <catch2/catch.hpp>

#include "cli/fatal.hpp"

#include "rules/engine.hpp"
#include "rules/loader.hpp"
#include "rules/validators.hpp"
#include "scanners/findings.hpp"

using namespace nhi;

namespace {

// A secret rule, a secret rule scoped to *.pgpass, and a context rule (the user beside them).
const char* kRules = R"yml(
provider: test
rules:
  - id: test.key
    name: Test key
    pattern: '\b(?<secret>key_[A-Za-z0-9]{20})\b'
    examples: ['key_Ab3dEf6hIj9kLm2nOp5q']
    negative_examples: ['key_short']
  - id: test.scoped
    name: Scoped token
    pattern: '\b(?<secret>pgp_[A-Za-z0-9]{20})\b'
    paths: ['*.pgpass']
    examples: ['pgp_Ab3dEf6hIj9kLm2nOp5q']
    negative_examples: ['pgp_short']
  - id: test.user
    name: User name
    pattern: '\buser=(?<secret>[a-z]{3,12})\b'
    context: true
    severity: info
    examples: ['user=alice']
    negative_examples: ['user=']
)yml";

std::shared_ptr<const rules::Engine> engine() {
    static auto e = [] {
        auto parsed = rules::parse_rule_file("test.yml", kRules);
        REQUIRE(parsed.ok());
        rules::RuleSet set;
        set.rules = parsed.value();
        set.hash = "findings-test";
        auto made = rules::Engine::create(set, {});
        REQUIRE(made.ok());
        return made.value();
    }();
    return e;
}

std::vector<db::Finding> findings_of(const std::string& data, const std::string& path, bool path_scoped = true) {
    auto w = nhi::cli::take(engine()->make_worker());
    auto matches = w->scan(data, /*keep_lone_context=*/false, nullptr);  // every path-scoped rule runs
    return scanners::to_findings(*engine(), matches, data, path, path_scoped);
}

std::vector<std::string> ids(const std::vector<db::Finding>& fs) {
    std::vector<std::string> out;
    for (const auto& f : fs) out.push_back(f.rule_id);
    return out;
}

}  // namespace

TEST_CASE("findings carry 1-based line and column, in the order of their secrets", "[scanners][findings]") {
    auto fs = findings_of("user=alice\n  key_Ab3dEf6hIj9kLm2nOp5q\n", "app.env");
    REQUIRE(ids(fs) == std::vector<std::string>{"test.user", "test.key"});
    CHECK(fs[0].line == 1);
    CHECK(fs[0].column == 6);
    CHECK(fs[1].line == 2);
    CHECK(fs[1].column == 3);
    CHECK(fs[1].path == "app.env");
}

TEST_CASE("a path-scoped rule reports only on its paths, and its context goes with it", "[scanners][findings]") {
    const std::string data = "user=alice pgp_Ab3dEf6hIj9kLm2nOp5q\n";
    CHECK(ids(findings_of(data, "db/.pgpass")) == std::vector<std::string>{"test.user", "test.scoped"});
    // Elsewhere the secret is dropped, and the user name alone is not reported.
    CHECK(findings_of(data, "notes.txt").empty());
    // Git applies paths per origin later, so it gets every match.
    CHECK(findings_of(data, "notes.txt", /*path_scoped=*/false).size() == 2);
}

TEST_CASE("context is kept only beside a secret that is not weak", "[scanners][findings]") {
    const auto& rs = engine()->rules();
    const rules::Rule* token = &rs[0];
    const rules::Rule* scoped = &rs[1];
    const rules::Rule* user = &rs[2];
    REQUIRE(user->context);

    CHECK(scanners::keeps_context(token, "a.env", {}));
    CHECK_FALSE(scanners::keeps_context(user, "a.env", {}));
    CHECK_FALSE(scanners::keeps_context(scoped, "a.env", {}));  // does not apply there
    CHECK(scanners::keeps_context(scoped, "a.pgpass", {}));
    CHECK_FALSE(scanners::keeps_context(token, "a.env", {{rules::kWeakHint, true}}));
    CHECK(scanners::keeps_context(nullptr, "a.env", {}));  // a rule removed since: assume a secret

    auto make = [](const rules::Rule* r, nlohmann::json hints = nlohmann::json::object()) {
        db::Finding f;
        f.rule_id = r->id;
        f.hints = std::move(hints);
        return f;
    };
    std::vector<const rules::Rule*> rule_at;
    auto rule_of = [&](size_t i) { return rule_at[i]; };

    // A weak value beside the user name: the context goes, the weak finding stays.
    std::vector<db::Finding> weak = {make(user), make(token, {{rules::kWeakHint, true}}), make(user)};
    rule_at = {user, token, user};
    scanners::drop_lone_context(weak, "a.env", rule_of);
    REQUIRE(weak.size() == 1);
    CHECK(weak[0].rule_id == "test.key");

    // A real secret keeps every finding, in order.
    std::vector<db::Finding> real = {make(user), make(token), make(user)};
    rule_at = {user, token, user};
    scanners::drop_lone_context(real, "a.env", rule_of);
    CHECK(real.size() == 3);
}

TEST_CASE("context is kept only within kContextLines lines of its secret", "[scanners][findings]") {
    // A long log: one key near the top, user names near it and far below it.
    std::string data = "user=alice\nkey_Ab3dEf6hIj9kLm2nOp5q\n";
    for (size_t i = 3; i < 500; ++i) data += i == 30 ? "user=bob\n" : i == 400 ? "user=carol\n" : "log line\n";
    auto fs = findings_of(data, "app.log");
    std::vector<size_t> users;
    for (const auto& f : fs)
        if (f.rule_id == "test.user") users.push_back(f.line);
    CHECK(users == std::vector<size_t>{1, 30});
    // The window is the same when the git scanner leaves path filters for later.
    CHECK(findings_of(data, "app.log", /*path_scoped=*/false).size() == 3);
    // A second secret far below brings its own context (carol, 5 lines from it), not bob's.
    data.replace(data.find("log line\n", data.find("user=carol")), 9, "x\nx\nx\nx\nkey_Zy3dEf6hIj9kLm2nOp5q\n");
    CHECK(ids(findings_of(data, "app.log")) ==
          std::vector<std::string>{"test.user", "test.key", "test.user", "test.user", "test.key"});
}
