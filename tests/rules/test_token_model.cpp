#include <catch2/catch.hpp>

#include <random>
#include <set>

#include "rules/engine.hpp"
#include "rules/loader.hpp"
#include "rules/rule_blob.hpp"
#include "rules/token_model.hpp"

using namespace nhi::rules;

TEST_CASE("token model: the built-in table is non-empty and fixed", "[rules][token_model]") {
    const TokenModel& m = builtin_token_model();
    REQUIRE(m.cost != nullptr);
    std::set<uint8_t> distinct(m.cost, m.cost + kTokenTableSize);
    CHECK(distinct.size() > 50);  // a trained table, not a constant
    CHECK(builtin_token_model_id().size() == 16);
    // Likely English trigrams cost less than impossible ones.
    auto cost = [&](char a, char b, char c) {
        return m.cost[(size_t(a - 'a') * kTokenSymbols + size_t(b - 'a')) * kTokenSymbols + size_t(c - 'a')];
    };
    CHECK(cost('t', 'h', 'e') < cost('q', 'x', 'z'));
    CHECK(cost('i', 'n', 'g') < cost('j', 'q', 'v'));
    // Scoring is a pure function of the string.
    CHECK(score_token(m, "getUserAccountSettingsHandler").bits_per_char ==
          score_token(m, "getUserAccountSettingsHandler").bits_per_char);
}

TEST_CASE("token model: identifiers split at humps, digits and separators", "[rules][token_model]") {
    using V = std::vector<std::string>;
    CHECK(token_segments("getHTTPServerName") == V{"get", "http", "server", "name"});
    CHECK(token_segments("kubernetes_service_account") == V{"kubernetes", "service", "account"});
    CHECK(token_segments("org.apache.commons.lang3") == V{"org", "apache", "commons", "lang"});
    CHECK(token_segments("sha256sum") == V{"sha", "sum"});
    CHECK(token_segments("").empty());
}

TEST_CASE("token model: words and identifiers read as words", "[rules][token_model]") {
    for (const char* s : {"getUserAccountSettingsHandler", "ThisIsMyPassword", "org.apache.commons.lang3",
                          "kubernetes_service_account_name", "correcthorsebatterystaple", "replace-with-your-token",
                          "DEFAULT_CLIENT_SECRET_VALUE", "src/main/resources/application", "springframework.boot.autoconfigure"}) {
        INFO(s << " scores " << score_token(builtin_token_model(), s).bits_per_char);
        CHECK(looks_like_words(s));
    }
}

TEST_CASE("token model: random tokens do not read as words", "[rules][token_model]") {
    // Fixed-seed random strings of the alphabets providers issue; none is a real secret.
    const std::string alphabets[] = {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
                                     "abcdefghijklmnopqrstuvwxyz0123456789", "abcdefghijklmnopqrstuvwxyz",
                                     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", "0123456789abcdef"};
    std::mt19937 rng(14);
    int word_like = 0, total = 0;
    for (const auto& a : alphabets)
        for (size_t len : {20, 32, 40})
            for (int i = 0; i < 200; ++i) {
                std::string s;
                for (size_t k = 0; k < len; ++k) s += a[rng() % a.size()];
                word_like += looks_like_words(s);
                ++total;
            }
    CHECK(total == 3000);
    CHECK(word_like == 0);
    for (const char* s : {"aZ3kQ9mPx7LqW2nB8vR4", "kqzvxmtphwbrjfdsnlcg", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"})
        CHECK_FALSE(looks_like_words(s));
    CHECK_FALSE(looks_like_words("abcde"));                 // too short to judge
    CHECK_FALSE(looks_like_words("4f2a9c0e7b1d3f5a8c6e"));  // hex is for entropy to judge
}

TEST_CASE("token_filter: entropy, ngram and both decide in the engine", "[rules][token_model]") {
    const char* yml = R"yml(
provider: test
rules:
  - id: test.entropy
    name: Entropy only
    pattern: 'e\s*=\s*"(?<secret>[A-Za-z0-9_]{16,})"'
    min_entropy: 3.5
    token_filter: entropy
    examples: ['e = "Zx8Cv7Bn6Mq5Wr4Ty3Ui"']
    negative_examples: ['e = "zzqqxxzzqqxxzzqqxxzz"']
  - id: test.ngram
    name: Model only
    pattern: 'n\s*=\s*"(?<secret>[A-Za-z0-9_]{16,})"'
    min_entropy: 3.5
    token_filter: ngram
    examples: ['n = "Zx8Cv7Bn6Mq5Wr4Ty3Ui"']
    negative_examples: ['n = "getUserAccountSettingsHandler"']
  - id: test.both
    name: Both
    pattern: 'b\s*=\s*"(?<secret>[A-Za-z0-9_]{16,})"'
    min_entropy: 3.5
    token_filter: both
    examples: ['b = "Zx8Cv7Bn6Mq5Wr4Ty3Ui"']
    negative_examples: ['b = "getUserAccountSettingsHandler"']
)yml";
    auto parsed = parse_rule_file("test.yml", yml);
    REQUIRE(parsed.ok());
    CHECK(parsed.value()[1].token_filter == TokenFilter::Ngram);
    RuleSet set;
    set.rules = parsed.value();
    set.hash = "token-filter-test";
    auto engine = Engine::create(set, EngineOptions{});
    REQUIRE(engine.ok());
    auto made = engine.value()->make_worker();
    REQUIRE(made.ok());
    auto& w = made.value();
    Rejection why = Rejection::None;
    // Entropy lets an identifier through (3.9 bits per byte), the model does not.
    CHECK(w->scan_rule(0, R"(e = "getUserAccountSettingsHandler")", &why).size() == 1);
    CHECK(w->scan_rule(1, R"(n = "getUserAccountSettingsHandler")", &why).empty());
    CHECK(why == Rejection::Words);
    CHECK(w->scan_rule(2, R"(b = "getUserAccountSettingsHandler")", &why).empty());
    CHECK(why == Rejection::Words);
    // Three letters over and over are words to nobody: only entropy drops them.
    CHECK(w->scan_rule(1, R"(n = "zzqqxxzzqqxxzzqqxxzz")", &why).size() == 1);
    CHECK(w->scan_rule(2, R"(b = "zzqqxxzzqqxxzzqqxxzz")", &why).empty());
    CHECK(why == Rejection::Entropy);
    for (size_t r = 0; r < 3; ++r) CHECK(w->scan_rule(r, std::string(1, "enb"[r]) + R"( = "Zx8Cv7Bn6Mq5Wr4Ty3Ui")").size() == 1);

    auto bad = parse_rule_file("bad.yml", R"yml(
rules:
  - id: t.bad
    name: Bad
    pattern: 'x'
    token_filter: words
    examples: ['x']
    negative_examples: ['y']
)yml");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().why.find("token_filter") != std::string::npos);
}

TEST_CASE("token_filter survives the rules blob, and a value out of range is refused", "[rules][token_model][blob]") {
    Rule r;
    r.id = "t.one";
    r.pattern = "abc";
    r.examples = {"x"};
    r.token_filter = TokenFilter::Both;
    std::string bytes = encode_rules({r});
    auto back = decode_rules(bytes);
    REQUIRE(back.has_value());
    CHECK((*back)[0].token_filter == TokenFilter::Both);
    // The filter is the record's last field: 7 is no filter.
    bytes[bytes.size() - sizeof(uint64_t)] = 7;
    CHECK_FALSE(decode_rules(bytes).has_value());
}
