// Every built-in rule's validate block, run against the mock provider: live, revoked,
// rate-limited then live, slow and malformed answers, and the request checked against the
// block (host and path, method, the secret where the block puts it). Generic on purpose: a
// block added to rules/data/*.yml is covered without touching this file.
#include <catch2/catch.hpp>

#include "cli/fatal.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <map>

#include "db/model.hpp"
#include "rules/engine.hpp"
#include "rules/loader.hpp"
#include "rules/validate_spec.hpp"
#include "support/mock_server.hpp"
#include "validate/http.hpp"
#include "validate/request.hpp"
#include "validate/validate.hpp"

using namespace nhi;
using nlohmann::json;
using nhi::test::MockRequest;
using nhi::test::MockResponse;
using nhi::test::MockServer;

namespace {

// A throwaway RSA key as PEM, for blocks that sign with a found private key (google-jwt).
std::string rsa_pem() {
    std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> key(EVP_RSA_gen(2048), EVP_PKEY_free);
    REQUIRE(key);
    std::unique_ptr<BIO, int (*)(BIO*)> bio(BIO_new(BIO_s_mem()), BIO_free);
    REQUIRE(PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1);
    char* data = nullptr;
    long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, size_t(n));
}

// A value for the JSON at a pointer: the `equals` text as JSON when it parses, else as a string.
json value_for(const std::string& equals, const std::string& sample) {
    if (equals.empty()) return sample;
    json j = json::parse(equals, nullptr, false);
    return j.is_discarded() ? json(equals) : j;
}

// An answer that the matcher `m` accepts, carrying every identity field of the block.
MockResponse answer_for(const rules::ValidateSpec& spec, const rules::ResponseMatch& m, bool with_identity) {
    MockResponse r;
    r.status = m.status.empty() ? 200 : m.status.front();
    json body = json::object();
    if (with_identity) {
        for (const auto& [field, source] : spec.identity) {
            std::string sample = field == "scopes" ? "repo, read:org" : "sample-" + field;
            if (source.rfind("header:", 0) == 0) r.headers.emplace_back(source.substr(7), sample);
            else body[json::json_pointer(source)] = sample;
        }
    }
    // A matcher that only needs its pointer to resolve is satisfied by an identity field at or
    // under it (/scopes, /projects/0/name); overwriting that would lose the field.
    if (!m.json_pointer.empty() && (!m.equals.empty() || !body.contains(json::json_pointer(m.json_pointer))))
        body[json::json_pointer(m.json_pointer)] = value_for(m.equals, "sample");
    r.body = body.dump();
    return r;
}

struct Case {
    const rules::Rule* rule = nullptr;
    rules::ValidateSpec spec;
    std::vector<db::Finding> findings;  // [0] is the secret; the rest its companions
    validate::Values values;
};

size_t line_of(const std::string& text, size_t offset) {
    return size_t(std::count(text.begin(), text.begin() + long(offset), '\n')) + 1;
}

// The first secret `rule_index` finds in `text`, with the matches of the other rules.
std::optional<rules::Match> first_match(rules::Worker& w, size_t rule_index, const std::string& text,
                                        std::vector<rules::Match>* all = nullptr) {
    auto matches = w.scan(text, true);
    if (all) *all = matches;
    for (const auto& m : matches)
        if (m.rule == rule_index) return m;
    for (const auto& m : w.scan_rule(rule_index, text))
        if (m.secret_end > m.secret_start) return m;
    return std::nullopt;
}

std::vector<Case> cases(const rules::Engine& engine, rules::Worker& w) {
    const auto& all_rules = engine.rules();
    auto index_of = [&](const std::string& id) -> std::optional<size_t> {
        for (size_t i = 0; i < all_rules.size(); ++i)
            if (all_rules[i].id == id) return i;
        return std::nullopt;
    };
    std::vector<Case> out;
    for (size_t i = 0; i < all_rules.size(); ++i) {
        const auto& r = all_rules[i];
        if (r.validate.empty()) continue;
        INFO(r.id);
        auto spec = rules::parse_validate_spec(r);
        REQUIRE(spec.ok());
        REQUIRE_FALSE(r.examples.empty());
        const std::string& ex = r.examples.front();
        std::vector<rules::Match> matches;
        auto m = first_match(w, i, ex, &matches);
        REQUIRE(m);
        Case c;
        c.rule = &r;
        c.spec = spec.value();
        std::string secret = ex.substr(m->secret_start, m->secret_end - m->secret_start);
        c.findings.push_back(db::make_finding(r, secret, "example.txt", line_of(ex, m->secret_start), 1, json::object()));
        c.values["secret"] = secret;
        for (const auto& [name, rule_id] : c.spec.needs) {
            auto ci = index_of(rule_id);
            REQUIRE(ci);  // a block needs a rule that exists
            std::string value;
            size_t line = c.findings[0].line;
            if (c.spec.sign == "google-jwt" && (name.find("key") != std::string::npos || rule_id.find("private") != std::string::npos)) {
                value = rsa_pem();  // a real key: the request is signed with it
            } else if (c.spec.sign == "google-jwt" && name.find("email") != std::string::npos) {
                value = "ci-deployer@acme-demo.iam.gserviceaccount.com";
            } else {
                // Beside the secret in the same example, else the companion rule's own example.
                for (const auto& cm : matches)
                    if (cm.rule == *ci) {
                        value = ex.substr(cm.secret_start, cm.secret_end - cm.secret_start);
                        line = line_of(ex, cm.secret_start);
                        break;
                    }
                if (value.empty() && !all_rules[*ci].examples.empty()) {
                    const auto& cex = all_rules[*ci].examples.front();
                    if (auto cm = first_match(w, *ci, cex)) value = cex.substr(cm->secret_start, cm->secret_end - cm->secret_start);
                }
                if (value.empty()) value = "companion-" + name + "-0123456789";
            }
            c.findings.push_back(db::make_finding(all_rules[*ci], value, "example.txt", line + 1, 1, json::object()));
            c.values[name] = value;
        }
        out.push_back(std::move(c));
    }
    return out;
}

// What the mock saw matches the block: method, /<host><path>, the secret in its place.
void check_request(const Case& c, const MockRequest& req) {
    const auto& spec = c.spec;
    CHECK(req.method == (spec.sign == "google-jwt" ? "POST" : spec.method));  // the exchange is a POST
    std::string path = spec.url.substr(std::string("https://").size());
    path = path.substr(path.find_first_of("/?") == std::string::npos ? path.size() : path.find_first_of("/?"));
    std::string literal = path.substr(0, path.find_first_of("{?"));
    if (literal.empty()) literal = "/";
    CHECK(req.target.rfind("/" + spec.host() + literal, 0) == 0);
    const std::string& secret = c.values.at("secret");
    for (const auto& [name, value] : spec.headers) {
        std::string lname = name;
        std::transform(lname.begin(), lname.end(), lname.begin(), [](unsigned char ch) { return char(std::tolower(ch)); });
        if (value.find('{') != std::string::npos && !(spec.sign == "aws-sigv4" && lname == "authorization"))
            CHECK(req.header(lname) == validate::substitute(value, c.values, validate::Encoding::None));
    }
    if (spec.basic)
        CHECK(req.header("authorization") ==
              "Basic " + validate::base64(validate::substitute(spec.basic_user, c.values, validate::Encoding::None) + ":" +
                                          validate::substitute(spec.basic_password, c.values, validate::Encoding::None)));
    if (spec.url.find("{secret}") != std::string::npos)
        CHECK(req.target.find(validate::percent_encode(secret)) != std::string::npos);
    if (spec.body.find("{secret}") != std::string::npos)
        CHECK((req.body.find(validate::percent_encode(secret)) != std::string::npos ||
               req.body.find(secret) != std::string::npos));
    if (spec.sign == "aws-sigv4")
        CHECK(req.header("authorization").rfind("AWS4-HMAC-SHA256 Credential=" + c.values.at("key_id") + "/", 0) == 0);
    if (spec.sign == "google-jwt") {
        CHECK(req.body.rfind("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=", 0) == 0);
        CHECK(req.body.find(secret) == std::string::npos);
    }
}

// Runs every block of `set` through every scenario; returns how many blocks ran.
size_t run_blocks(rules::RuleSet set) {
    auto engine = cli::take(rules::Engine::create(std::move(set), {}));
    auto worker = cli::take(engine->make_worker());
    auto all = cases(*engine, *worker);

    MockServer server([](const MockRequest&) { return MockResponse{}; });
    struct Scenario {
        std::string name;
        std::function<MockResponse(int call)> answer;
        long timeout_ms;
        std::string status, reason;
        size_t requests;
    };
    for (const auto& c : all) {
        const auto& spec = c.spec;
        const std::string& secret = c.values.at("secret");
        MockResponse live = answer_for(spec, spec.live, true);
        std::vector<Scenario> scenarios = {
            {"live", [=](int) { return live; }, 3000, "live", "", 1},
            {"rate limited, then live",
             [=](int call) { return call == 0 ? MockResponse{429, {{"Retry-After", "0"}}, "", 0} : live; }, 3000, "live", "", 2},
            {"slow", [=](int) { auto r = live; r.delay_ms = 1000; return r; }, 250, "error", "timeout", 1},
            {"redirect to another host",
             [=](int) { return MockResponse{302, {{"Location", "https://collector.example.net/" + secret}}, "", 0}; }, 3000,
             "unknown", "redirect not followed", 1},
        };
        if (!spec.revoked.empty())
            scenarios.push_back({"revoked", [=](int) { return answer_for(spec, spec.revoked, false); }, 3000, "revoked", "", 1});
        bool needs_json = !spec.live.json_pointer.empty();
        scenarios.push_back({"malformed", [=](int) { return MockResponse{live.status, {}, "<html>not json {", 0}; }, 3000,
                             needs_json ? "unknown" : "live", needs_json ? "answer is not JSON" : "", 1});

        for (const auto& sc : scenarios) {
            INFO(c.rule->id << ": " << sc.name);
            int calls = 0;
            std::mutex mu;
            server.clear_requests();
            server.set_handler([&](const MockRequest&) {
                std::lock_guard lock(mu);
                return sc.answer(calls++);
            });
            validate::Options o;
            o.test_base_url = server.base_url();
            o.test_ca_file = server.ca_file();
            o.timeout_ms = sc.timeout_ms;
            o.per_host_per_second = 0;
            o.concurrency = 1;
            std::vector<util::Error> warnings;
            auto findings = c.findings;
            auto counts = validate::validate_findings(
                findings,
                [&](const std::string& id) -> const rules::Rule* {
                    for (const auto& r : engine->rules())
                        if (r.id == id) return &r;
                    return nullptr;
                },
                o, [&](const util::Error& e) { warnings.push_back(e); });
            const auto& v = findings[0].validation;
            CHECK(v.status == sc.status);
            CHECK(v.reason == sc.reason);
            CHECK(counts.checked == 1);
            auto reqs = server.requests();
            REQUIRE(reqs.size() == sc.requests);
            check_request(c, reqs.front());
            if (sc.status == "live" && sc.name != "malformed") {
                for (const auto& [field, source] : spec.identity) {
                    INFO(field);
                    CHECK(v.identity.contains(field));
                }
                if (v.identity.contains("scopes")) CHECK(v.identity["scopes"] == json::array({"repo", "read:org"}));
            }
            for (const auto& w : warnings) CHECK(w.message().find(secret) == std::string::npos);
            CHECK(v.reason.find(secret) == std::string::npos);
        }
    }
    return all.size();
}

}  // namespace

TEST_CASE("every built-in validate block against the mock provider", "[validate][builtin]") {
    auto set = rules::load_rules({});
    REQUIRE(set.ok());
    CHECK(run_blocks(set.value()) >= 1);  // nhi.github.pat at least
}

// The same run over blocks of every shape the format allows (basic auth, a form body, the
// secret in the query, SigV4 with a companion, Slack's 200 + ok:false), set on built-in rules
// that have none yet, so the generic test is known to check each placement before such
// blocks are written.
TEST_CASE("the block runner covers every placement and signature", "[validate][builtin]") {
    auto set = rules::load_rules({});
    REQUIRE(set.ok());
    const std::map<std::string, std::string> shapes = {
        {"nhi.stripe.secret-key", R"({"url": "https://api.stripe.com/v1/account", "basic": {"user": "{secret}", "password": ""},
            "live": {"status": [200], "json": "/id"}, "revoked": {"status": [401]}, "identity": {"account": "/id", "email": "/email"}})"},
        {"nhi.slack.bot-token", R"({"method": "POST", "url": "https://slack.com/api/auth.test", "body": "token={secret}",
            "live": {"status": [200], "json": "/ok", "equals": "true"}, "revoked": {"status": [200], "json": "/ok", "equals": "false"},
            "identity": {"team": "/team", "login": "/user", "user_id": "/user_id", "scopes": "header:x-oauth-scopes"}})"},
        {"nhi.google.api-key", R"({"url": "https://www.googleapis.com/discovery/v1/apis?key={secret}&fields=kind",
            "live": {"status": [200]}, "revoked": {"status": [400, 403]}})"},
        {"nhi.aws.secret-access-key", R"({"method": "POST", "url": "https://sts.amazonaws.com/",
            "body": "Action=GetCallerIdentity&Version=2011-06-15", "headers": {"Accept": "application/json"},
            "sign": {"kind": "aws-sigv4", "region": "us-east-1", "service": "sts"}, "needs": {"key_id": "nhi.aws.access-key-id"},
            "live": {"status": [200], "json": "/GetCallerIdentityResponse/GetCallerIdentityResult/Arn"},
            "revoked": {"status": [403]},
            "identity": {"account": "/GetCallerIdentityResponse/GetCallerIdentityResult/Account",
                         "arn": "/GetCallerIdentityResponse/GetCallerIdentityResult/Arn"}})"},
    };
    size_t added = 0;
    rules::RuleSet shaped{{}, "shapes: not the built-in hash (its compiled database does not fit)"};
    for (const auto& r : set->rules) {
        auto it = shapes.find(r.id);
        if (it == shapes.end() || !r.validate.empty()) continue;  // a real block is tested above
        auto copy = r;
        copy.validate = json::parse(it->second).dump();
        REQUIRE(rules::parse_validate_spec(copy).ok());
        shaped.rules.push_back(copy);
        ++added;
    }
    // Companions' rules, so `needs` finds them.
    for (const auto& r : set->rules)
        if (r.id == "nhi.aws.access-key-id") shaped.rules.push_back(r);
    CHECK(run_blocks(shaped) == added);
}
