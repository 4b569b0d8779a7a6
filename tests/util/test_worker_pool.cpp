#include <catch2/catch.hpp>

#include <atomic>
#include <stdexcept>

#include "util/worker_pool.hpp"

using namespace nhi::util;

TEST_CASE("WorkerPool runs every job on its workers and reports success", "[util]") {
    std::atomic<int> sum{0}, handlers{0};
    WorkerPool<int> pool(3, 8, [&]() -> Expected<WorkerPool<int>::Handler> {
        ++handlers;
        return WorkerPool<int>::Handler([&](int& j) -> Status {
            sum += j;
            return ok_status();
        });
    });
    for (int i = 1; i <= 1000; ++i) REQUIRE(pool.submit(i));
    REQUIRE(pool.finish().ok());
    CHECK(sum == 500500);
    CHECK(handlers == 3);
}

TEST_CASE("WorkerPool keeps the first error, returned or thrown, and stops taking jobs", "[util]") {
    for (bool throws : {false, true}) {
        std::atomic<int> done{0};
        WorkerPool<int> pool(2, 4, [&]() -> Expected<WorkerPool<int>::Handler> {
            return WorkerPool<int>::Handler([&, throws](int& j) -> Status {
                if (j == 10) {
                    if (throws) throw std::runtime_error("boom");
                    return Error{"job 10", "failed"};
                }
                ++done;
                return ok_status();
            });
        });
        int submitted = 0;
        for (int i = 0; i < 100000 && pool.submit(i); ++i) ++submitted;
        auto s = pool.finish();
        REQUIRE_FALSE(s.ok());
        CHECK(s.error().message() == (throws ? "internal error in a worker: boom" : "job 10: failed"));
        CHECK(submitted < 100000);  // the producer was told to stop
        CHECK(pool.failed());
    }
}

TEST_CASE("WorkerPool reports a worker that cannot start", "[util]") {
    WorkerPool<int> pool(2, 4, []() -> Expected<WorkerPool<int>::Handler> { return Error{"scratch", "out of memory"}; });
    (void)pool.submit(1);
    auto s = pool.finish();
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().message() == "scratch: out of memory");
}
