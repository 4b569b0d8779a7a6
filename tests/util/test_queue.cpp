#include <catch2/catch.hpp>

#include <thread>
#include <vector>

#include "util/queue.hpp"

using nhi::util::BoundedQueue;

// The queue rations its wake-ups (a blocked producer waits for the queue to drain to half):
// these check that no item is lost or reordered and nobody is left blocked, whatever the
// capacity and however many threads are on each side.
TEST_CASE("BoundedQueue hands every item over in order to one consumer", "[util]") {
    for (size_t capacity : {1u, 2u, 3u, 64u}) {
        BoundedQueue<int> q(capacity);
        std::thread producer([&] {
            for (int i = 0; i < 20000; ++i) REQUIRE(q.push(i));
            q.close();
        });
        int expected = 0;
        while (auto v = q.pop()) {
            REQUIRE(*v == expected);
            ++expected;
        }
        producer.join();
        CHECK(expected == 20000);
    }
}

TEST_CASE("BoundedQueue with several producers and consumers loses nothing", "[util]") {
    BoundedQueue<int> q(8);
    constexpr int kProducers = 3, kConsumers = 3, kEach = 10000;
    std::vector<std::thread> producers, consumers;
    std::vector<long long> sums(kConsumers, 0);
    std::vector<int> counts(kConsumers, 0);
    for (int p = 0; p < kProducers; ++p)
        producers.emplace_back([&q, p] {
            for (int i = 0; i < kEach; ++i) q.push(p * kEach + i);
        });
    for (int c = 0; c < kConsumers; ++c)
        consumers.emplace_back([&, c] {
            while (auto v = q.pop()) {
                sums[c] += *v;
                ++counts[c];
            }
        });
    for (auto& t : producers) t.join();
    q.close();
    for (auto& t : consumers) t.join();
    long long sum = 0;
    int count = 0;
    for (int c = 0; c < kConsumers; ++c) {
        sum += sums[c];
        count += counts[c];
    }
    const long long n = kProducers * kEach;
    CHECK(count == n);
    CHECK(sum == n * (n - 1) / 2);
}

TEST_CASE("BoundedQueue push fails once closed, and abort wakes a blocked producer", "[util]") {
    BoundedQueue<int> q(1);
    REQUIRE(q.push(1));
    bool result = true;
    std::thread producer([&] { result = q.push(2); });  // blocks: the queue is full
    q.abort();
    producer.join();
    CHECK_FALSE(result);
    CHECK_FALSE(q.pop().has_value());
    CHECK_FALSE(q.push(3));
}
