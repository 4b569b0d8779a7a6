// Not a test: a measurement, run by bench/validate_scan.sh (hidden tag [.bench]). 200 planted
// secrets of 8 providers in a tree, the loopback mock answering each in 100 ms (half live,
// half revoked), and the real binary timed with and without --validate. Never asserts a time.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <random>

#include "support.hpp"
#include "support/mock_server.hpp"

namespace nhi::test {
namespace {

std::string random_of(std::mt19937& rng, const char* alphabet, size_t n) {
    const std::string a(alphabet);
    std::string s;
    for (size_t i = 0; i < n; ++i) s += a[rng() % a.size()];
    return s;
}

// One fake secret of provider `k` (0-7), real shape (checksums where the format has them).
std::string fake_secret(unsigned k, unsigned i, std::mt19937& rng) {
    const char* alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    switch (k) {
        case 0: return "GITHUB_TOKEN=" + fake_github_token(1000 + i);
        case 1: {
            std::string body = random_of(rng, alnum, 30);
            return "NPM_TOKEN=npm_" + body + util::base62(util::crc32(body), 6);
        }
        case 2: return "GITLAB_TOKEN=glpat-" + random_of(rng, alnum, 20);
        case 3: return "SLACK_BOT_TOKEN=xoxb-" + random_of(rng, "0123456789", 11) + "-" + random_of(rng, "0123456789", 12) + "-" + random_of(rng, alnum, 24);
        case 4: return "STRIPE_SECRET_KEY=sk_live_" + random_of(rng, alnum, 24);
        case 5: return "HF_TOKEN=hf_" + random_of(rng, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", 34);
        case 6: return "DIGITALOCEAN_TOKEN=dop_v1_" + random_of(rng, "0123456789abcdef", 64);
        default: return "SENDGRID_API_KEY=SG." + random_of(rng, alnum, 22) + "." + random_of(rng, alnum, 43);
    }
}

double seconds_of(const std::function<void()>& f) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TEST_CASE("bench: scan --validate of 200 planted secrets against the mock", "[.bench][validate-scan-bench]") {
    std::atomic<unsigned> n{0};
    MockServer server([&](const MockRequest&) {
        const bool live = (n++ % 2) == 0;
        return MockResponse{live ? 200 : 401, {}, R"({"ok":true,"login":"b","username":"b","active":true,"id":"acct_1","name":"b","account":{"email":"b@example.com","uuid":"u"},"scopes":["mail.send"]})", 100};
    });
    TempDir d;
    std::mt19937 rng(7);
    for (unsigned i = 0; i < 200; ++i) d.write("svc" + std::to_string(i % 20) + "/app" + std::to_string(i) + ".env",
                                               fake_secret(i % 8, i, rng) + "\n");
    Result plain, validating;
    const double t_plain = seconds_of([&] { plain = run_nhi("scan . --no-db --format json", d.path()); });
    const double t_validate = seconds_of([&] {
        validating = run_shell("NHI_TEST_ONLY_VALIDATION_URL='" + server.base_url() + "' NHI_TEST_ONLY_VALIDATION_CA='" +
                                   server.ca_file() + "' CI=true '" NHI_BINARY "' scan . --no-db --validate --format json",
                               d.path());
    });
    auto doc = nlohmann::json::parse(validating.out);
    std::printf("findings %zu (plain scan %zu), requests %zu, validation %s\n", doc["findings"].size(),
                nlohmann::json::parse(plain.out)["findings"].size(), server.request_count(),
                doc["summary"]["validation"].dump().c_str());
    std::printf("scan: %.2f s; scan --validate: %.2f s (8 hosts, 100 ms answers, defaults: 8 requests at once, "
                "4 a second per host)\n",
                t_plain, t_validate);
    CHECK(doc["summary"]["validation"]["checked"] == 200);  // the run measured what it says
}

}  // namespace nhi::test
