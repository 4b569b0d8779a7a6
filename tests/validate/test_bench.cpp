// Not run by default ([.bench]): how long 200 distinct secrets take against the mock with a
// 100 ms answer, by concurrency, with and without the per-host rate limit, on one host and
// spread over ten. `build/tests/nhi_tests "[validate-bench]"`. Prints; asserts no timing.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>

#include "db/model.hpp"
#include "support/mock_server.hpp"
#include "validate/validate.hpp"

using namespace nhi;

TEST_CASE("validate: 200 secrets against a 100 ms provider, by concurrency", "[.bench][validate-bench]") {
    test::MockServer server([](const test::MockRequest&) { return test::MockResponse{200, {}, R"({"login":"x"})", 100}; });
    auto make = [](size_t hosts) {
        std::vector<rules::Rule> rules(hosts);
        for (size_t h = 0; h < hosts; ++h) {
            rules[h].id = "t.host" + std::to_string(h);
            rules[h].validate = R"({"url": "https://api)" + std::to_string(h) +
                                R"(.example.com/user", "headers": {"Authorization": "token {secret}"},
                                   "live": {"status": [200], "json": "/login"}})";
        }
        return rules;
    };
    struct Setup {
        const char* name;
        size_t hosts;
        double rate;
        std::vector<size_t> concurrency;
    };
    for (const auto& s : {Setup{"1 host, no rate limit", 1, 0, {1, 4, 8, 16}},
                          Setup{"10 hosts, 4/s per host (the default)", 10, 4, {1, 4, 8, 16}},
                          Setup{"1 host, 4/s (the default)", 1, 4, {8}}}) {
        auto rules = make(s.hosts);
        for (size_t c : s.concurrency) {
            std::vector<db::Finding> findings;
            for (size_t i = 0; i < 200; ++i)
                findings.push_back(db::make_finding(rules[i % s.hosts], "ghp_benchFakeSecret" + std::to_string(i),
                                                    "f" + std::to_string(i), 1, 1, nlohmann::json::object()));
            validate::Options o;
            o.test_base_url = server.base_url();
            o.test_ca_file = server.ca_file();
            o.concurrency = c;
            o.per_host_per_second = s.rate;
            auto t0 = std::chrono::steady_clock::now();
            auto counts = validate::validate_findings(
                findings,
                [&](const std::string& id) -> const rules::Rule* {
                    for (const auto& r : rules)
                        if (r.id == id) return &r;
                    return nullptr;
                },
                o, [](const util::Error&) {});
            double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            std::printf("%-40s concurrency %2zu: %6.2f s (%zu live of %zu)\n", s.name, c, secs, counts.live, counts.checked);
            CHECK(counts.live == 200);
        }
    }
}
