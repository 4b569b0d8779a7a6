// The one worker pool. Each worker thread builds its own handler (its Hyperscan scratch, its
// repository handle) and runs it on every job it takes from a bounded queue. A worker never
// lets an exception escape its thread: a failure, returned or thrown, is kept (the first one
// wins), the queue is closed and drained, and finish() returns it on the caller's thread.
#pragma once
#include <atomic>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "util/expected.hpp"
#include "util/queue.hpp"

namespace nhi::util {

template <typename Job>
class WorkerPool {
public:
    /// What a worker runs on each job; an error stops the whole pool.
    using Handler = std::function<Status(Job&)>;
    /// Called once on each worker thread to build its handler; an error stops the pool.
    using MakeHandler = std::function<Expected<Handler>()>;

    WorkerPool(unsigned threads, size_t capacity, MakeHandler make) : queue_(capacity), make_(std::move(make)) {
        if (threads == 0) threads = 1;
        for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
    }
    ~WorkerPool() { join(); }
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    /// Queues a job, blocking while the queue is full; false once the pool has failed.
    bool submit(Job job) { return queue_.push(std::move(job)); }
    /// True once a worker has failed (producers may stop early).
    bool failed() const { return failed_.load(std::memory_order_relaxed); }

    /// Closes the queue, waits for every worker and returns the first failure, if any.
    Status finish() {
        join();
        std::lock_guard lock(mu_);
        if (error_) return *error_;
        return ok_status();
    }

private:
    void join() {
        queue_.close();
        for (auto& t : threads_)
            if (t.joinable()) t.join();
    }

    void run() noexcept {
        try {
            auto handler = make_();
            if (!handler) return fail(handler.error());
            while (auto job = queue_.pop()) {
                if (auto s = handler.value()(*job); !s) return fail(s.error());
            }
        } catch (const std::exception& e) {
            fail(Error{"internal error in a worker", e.what()});
        } catch (...) {
            fail(Error{"internal error in a worker", "unknown exception"});
        }
    }

    void fail(Error e) noexcept {
        try {
            std::lock_guard lock(mu_);
            if (!error_) error_ = std::move(e);
        } catch (...) {
        }
        failed_ = true;
        queue_.abort();
    }

    BoundedQueue<Job> queue_;
    MakeHandler make_;
    std::vector<std::thread> threads_;
    std::mutex mu_;
    std::optional<Error> error_;
    std::atomic<bool> failed_{false};
};

}  // namespace nhi::util
