// The compiled-rules cache is verified on load: a file swapped in from another rule set, cut
// short or corrupted is recompiled quietly, and the scan finds what it should.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <vector>

#include "rules/hs_cache.hpp"
#include "support.hpp"

using namespace nhi::test;
namespace hs_cache = nhi::rules::hs_cache;

TEST_CASE("a cache file's header ties its payload to one key, size and checksum", "[rules][cache]") {
    const std::string payload = std::string("\x01\x02payload\n\xff", 11);
    const std::string file = hs_cache::encode("key-a", payload);
    CHECK(hs_cache::verified_payload(file, "key-a") == payload);
    CHECK(hs_cache::verified_payload(file, "key-b").empty());                       // another rule set's file
    CHECK(hs_cache::verified_payload(file.substr(0, file.size() - 1), "key-a").empty());  // truncated
    std::string flipped = file;
    flipped.back() ^= 1;
    CHECK(hs_cache::verified_payload(flipped, "key-a").empty());                   // corrupted payload
    CHECK(hs_cache::verified_payload(payload, "key-a").empty());                   // an old headerless file
    CHECK(hs_cache::verified_payload("", "key-a").empty());
}

namespace {

// Generated for these tests: the structure of a Stripe live key, never issued.
const std::string kStripe = "sk_live_Q8vR2mTz7KpW4nXc9LbY3hJd";

std::vector<std::string> rule_ids(const Result& r) {
    INFO(r.out << r.err);
    REQUIRE(r.code == 1);
    std::vector<std::string> ids;
    const auto doc = nlohmann::json::parse(r.out);
    for (const auto& f : doc["findings"]) ids.push_back(f["rule"]);
    std::sort(ids.begin(), ids.end());
    return ids;
}

}  // namespace

TEST_CASE("swapped, truncated and corrupted cache files are recompiled and the findings stay right",
          "[e2e][rules][cache]") {
    TempDir dir;
    dir.write("src/app.env", "STRIPE_KEY=" + kStripe + "\nACME_TOKEN=acme_Zk4rT9wq2LmX7vB3\n");
    dir.write("rules/acme.yml", R"(provider: acme
rules:
  - id: test.acme.token
    name: Acme test token
    pattern: 'acme_[A-Za-z0-9]{16}'
    examples: ['acme_Zk4rT9wq2LmX7vB3']
    negative_examples: ['acme_short']
)");
    // Every built-in rule but one disabled: compiling the two sets then takes milliseconds,
    // not the seconds the full set costs each time a section recompiles it.
    {
        auto list = run_nhi("rules list --format json", dir.path());
        REQUIRE(list.code == 0);
        std::string config = "disable:\n";
        const auto rules = nlohmann::json::parse(list.out);
        for (const auto& r : rules)
            if (r["id"] != "nhi.stripe.secret-key") config += "  - " + r["id"].get<std::string>() + "\n";
        dir.write(".nhi.yml", config);
    }
    const fs::path cache = dir / "cache";
    auto scan = [&](bool with_rules) {
        return run_shell("NHI_CACHE_DIR='" + cache.string() + "' CI=true '" NHI_BINARY "' scan --no-db --format json src" +
                             (with_rules ? " --rules rules" : ""),
                         dir.path());
    };
    // Two rule sets compiled into one cache directory.
    const auto builtin = rule_ids(scan(false)), extended = rule_ids(scan(true));
    REQUIRE(std::count(builtin.begin(), builtin.end(), "nhi.stripe.secret-key") == 1);
    REQUIRE(std::count(extended.begin(), extended.end(), "test.acme.token") == 1);
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(cache))
        if (e.path().extension() == ".hsdb") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    REQUIRE(files.size() >= 2);

    SECTION("each file replaced by another set's file") {
        std::vector<std::string> bytes;
        for (const auto& f : files) bytes.push_back(read_file(f));
        for (size_t i = 0; i < files.size(); ++i)
            std::ofstream(files[i], std::ios::binary | std::ios::trunc) << bytes[(i + 1) % files.size()];
    }
    SECTION("each file cut in half") {
        for (const auto& f : files) fs::resize_file(f, fs::file_size(f) / 2);
    }
    SECTION("one byte of each payload flipped") {
        for (const auto& f : files) {
            std::string b = read_file(f);
            b[b.size() - 100] ^= 0x55;
            std::ofstream(f, std::ios::binary | std::ios::trunc) << b;
        }
    }
    CHECK(rule_ids(scan(false)) == builtin);
    CHECK(rule_ids(scan(true)) == extended);
    // The recompiled databases were stored again, verified: a third run agrees.
    CHECK(rule_ids(scan(false)) == builtin);
}
