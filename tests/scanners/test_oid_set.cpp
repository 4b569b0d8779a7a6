#include <catch2/catch.hpp>

#include <random>
#include <set>
#include <string>

#include "scanners/oid_set.hpp"

using nhi::scanners::git::FlatOidSet;

namespace {

git_oid random_oid(std::mt19937_64& rng) {
    git_oid id;
    for (auto& b : id.id) b = static_cast<unsigned char>(rng());
    return id;
}

std::string key(const git_oid& id) { return std::string(reinterpret_cast<const char*>(id.id), sizeof id.id); }

}  // namespace

TEST_CASE("the flat id set agrees with std::set through growth, repeats and probe chains", "[scanners][oid_set]") {
    std::mt19937_64 rng(7);
    FlatOidSet flat;
    std::set<std::string> ref;
    std::vector<git_oid> ids;
    for (int i = 0; i < 20000; ++i) {
        git_oid id = random_oid(rng);
        // Every fourth id shares its first 8 bytes (the hash) with an earlier one and differs
        // later: the probe must compare whole ids, not stop at the first hash match.
        if (i % 4 == 3) std::memcpy(id.id, ids[rng() % ids.size()].id, 8);
        // Every seventh repeats an earlier id exactly.
        if (i % 7 == 6) id = ids[rng() % ids.size()];
        ids.push_back(id);
        const bool added = ref.insert(key(id)).second;
        REQUIRE(flat.insert(id) == added);
        REQUIRE(flat.size() == ref.size());
    }
    for (const auto& id : ids) CHECK(flat.count(id) == 1);
    size_t absent = 0;
    for (int i = 0; i < 20000; ++i) {
        git_oid id = random_oid(rng);
        if (i % 2) std::memcpy(id.id, ids[rng() % ids.size()].id, 8);  // a hash that is present
        const size_t expect = ref.count(key(id));
        absent += expect == 0;
        CHECK(flat.count(id) == expect);
    }
    CHECK(absent > 19000);
}

TEST_CASE("the all-zero id, which marks empty slots, is still an id the set can hold", "[scanners][oid_set]") {
    FlatOidSet s;
    const git_oid zero{};
    CHECK(s.empty());
    CHECK(s.count(zero) == 0);
    CHECK(s.insert(zero));
    CHECK_FALSE(s.insert(zero));
    CHECK(s.count(zero) == 1);
    CHECK(s.size() == 1);
    git_oid one{};
    one.id[19] = 1;  // zero in its hash bytes: lands in slot 0 beside no zero marker
    CHECK(s.insert(one));
    CHECK(s.count(one) == 1);
    CHECK(s.size() == 2);
}

TEST_CASE("reserve keeps what the set holds and makes room without losing ids", "[scanners][oid_set]") {
    std::mt19937_64 rng(11);
    FlatOidSet s;
    std::vector<git_oid> ids;
    for (int i = 0; i < 100; ++i) ids.push_back(random_oid(rng)), s.insert(ids.back());
    s.reserve(100000);
    s.reserve(10);  // never shrinks
    for (const auto& id : ids) CHECK(s.count(id) == 1);
    CHECK(s.size() == 100);
    CHECK_FALSE(s.insert(ids[42]));
}
