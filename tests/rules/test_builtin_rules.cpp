#include <catch2/catch.hpp>

#include "cli/fatal.hpp"

#include <set>

#include "rules/check.hpp"
#include "rules/embedded.hpp"
#include "rules/loader.hpp"
#include "rules/severity.hpp"
#include "rules/validators.hpp"

using namespace nhi::rules;

TEST_CASE("built-in rules load, are many and have stable unique ids", "[rules][builtin]") {
    auto set = load_rules({});
    REQUIRE(set.ok());
    CHECK(set->rules.size() >= 250);
    std::set<std::string> ids;
    for (const auto& r : set->rules) {
        INFO(r.id);
        CHECK(r.id.rfind("nhi.", 0) == 0);
        CHECK(ids.insert(r.id).second);
        CHECK_FALSE(r.revocation.empty());
        CHECK_FALSE(r.nhi.provider.empty());
    }
    CHECK(set->hash.size() == 64);
}

TEST_CASE("every built-in rule passes its examples and negative examples", "[rules][builtin]") {
    auto set = load_rules({});
    REQUIRE(set.ok());
    auto engine = Engine::create(set.value(), {});
    REQUIRE(engine.ok());
    auto failures = check_rules(*engine.value());
    for (const auto& f : failures) FAIL_CHECK(f.rule_id << ": " << f.message);
    CHECK(failures.empty());
}

TEST_CASE("the starter set covers the providers the foundation requires", "[rules][builtin]") {
    auto set = load_rules({});
    REQUIRE(set.ok());
    std::set<std::string> ids;
    for (const auto& r : set->rules) ids.insert(r.id);
    for (const char* id :
         {"nhi.aws.access-key-id", "nhi.aws.secret-access-key", "nhi.github.pat", "nhi.github.fine-grained-pat",
          "nhi.github.oauth", "nhi.github.app-user-token", "nhi.github.app-installation-token",
          "nhi.github.refresh-token", "nhi.gitlab.pat", "nhi.slack.bot-token", "nhi.slack.webhook",
          "nhi.stripe.secret-key", "nhi.twilio.api-key", "nhi.sendgrid.api-key", "nhi.google.api-key",
          "nhi.gcp.service-account-key", "nhi.azure.storage-connection-string", "nhi.npm.access-token",
          "nhi.pypi.upload-token", "nhi.key.pem-private", "nhi.key.openssh-private", "nhi.jwt.token",
          "nhi.generic.database-url", "nhi.openai.project-key", "nhi.openai.service-account-key",
          "nhi.openai.admin-key", "nhi.openai.legacy-key", "nhi.anthropic.api-key", "nhi.huggingface.token",
          "nhi.groq.api-key", "nhi.replicate.api-token", "nhi.perplexity.api-key", "nhi.openrouter.api-key",
          "nhi.langsmith.api-key"}) {
        INFO(id);
        CHECK(ids.count(id) == 1);
    }
}

TEST_CASE("the library covers at least 30 AI and agent providers", "[rules][builtin]") {
    auto set = load_rules({});
    REQUIRE(set.ok());
    std::set<std::string> providers;
    for (const auto& r : set->rules)
        if (r.nhi.actor == "agent") providers.insert(r.nhi.provider);
    INFO(providers.size() << " agent-actor providers");
    CHECK(providers.size() >= 30);
    for (const char* p : {"openai", "anthropic", "google", "huggingface", "cohere", "mistral", "groq", "xai",
                          "deepseek", "pinecone", "wandb", "elevenlabs", "tavily", "jina", "voyage"})
        CHECK(providers.count(p));
}

TEST_CASE("generic rules stay quiet on tokens a specific rule rejected", "[rules][builtin]") {
    auto set = load_rules({});
    REQUIRE(set.ok());
    auto engine = Engine::create(set.value(), {});
    REQUIRE(engine.ok());
    auto w = nhi::cli::take(engine.value()->make_worker());
    // A ghp_ token with a broken checksum: the GitHub rule rejects it, and the keyword rules
    // must not report it instead.
    CHECK(w->scan("GITHUB_TOKEN=ghp_aaaaBBBBccccDDDDeeeeFFFFgggg12345678\n").empty());
    // A UUID is an identifier, not a secret, for keyword rules.
    CHECK(w->scan("export REQUEST_TOKEN=3f2c8a1e-9b7d-4e6f-a5c4-2d1b0e9f8a7c\n").empty());
    // A weak password in a .netrc is still a working password.
    CHECK_FALSE(w->scan("machine build.example.org login ci password admin\n").empty());
    // ...but in code, where `password` is filler, it is only a weak value (severity info).
    auto weak = w->scan("db.password = \"password\"\n");
    REQUIRE_FALSE(weak.empty());
    for (const auto& m : weak) CHECK(m.weak);
    CHECK(w->scan("db.password = \"${DB_PASSWORD}\"\n").empty());
}

TEST_CASE("a token whose checksum fails is reported quietly, with a hint, under its own rule only", "[rules][builtin]") {
    auto set = load_rules({});
    REQUIRE(set.ok());
    auto engine = Engine::create(set.value(), {});
    REQUIRE(engine.ok());
    const auto& rules = engine.value()->rules();
    auto w = nhi::cli::take(engine.value()->make_worker());
    // The last character changed: the CRC-32 no longer matches. The keyword rules stay quiet
    // (ghp_ is claimed), so the one match is the GitHub rule's, weak (never hiding a secret,
    // never anchoring context) and carrying the reason.
    for (const char* text : {"GITHUB_TOKEN=ghp_qBhy02hoi8ucTVyAmSRnraF4pk0bZu3i8raH\n",
                             "NPM_TOKEN=npm_pPEkyDTnxHDNvNH1Mq0hVLaOgg1lu81trcLP\n"}) {
        INFO(text);
        auto ms = w->scan(text);
        REQUIRE(ms.size() == 1);
        CHECK(ms[0].weak);
        CHECK_FALSE(nhi::rules::is_weak(ms[0].hints));  // not a weak password: a different note
        CHECK(nhi::rules::is_invalid(ms[0].hints));
        CHECK(rules[ms[0].rule].validator.find("crc32") != std::string::npos);
        const auto rating = nhi::rules::rate(rules[ms[0].rule], ms[0].hints);
        CHECK(rating.severity == nhi::rules::Severity::Info);
        CHECK(rating.confidence == nhi::rules::Confidence::Low);
    }
    // With the right checksum it is a secret as before.
    auto good = w->scan("GITHUB_TOKEN=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\n");
    REQUIRE(good.size() == 1);
    CHECK_FALSE(good[0].weak);
    CHECK_FALSE(nhi::rules::is_invalid(good[0].hints));
    // A wrong-checksum token is no secret beside a user name: context is not kept for it.
    auto ctx = w->scan("DB_USERNAME=etl_svc\nGITHUB_TOKEN=ghp_qBhy02hoi8ucTVyAmSRnraF4pk0bZu3i8raH\n");
    for (const auto& m : ctx) CHECK_FALSE(rules[m.rule].context);
}
