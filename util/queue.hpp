// A bounded multi-producer multi-consumer queue: the walk feeds worker threads through it
// without holding a whole tree's paths in memory.
//
// Wake-ups are rationed. The walk is much faster than the scan, so the queue sits full: a
// queue that woke the producer on every pop would switch threads once per file (65,000 times
// on 16 curl trees, a tenth of the scan's CPU in the kernel's scheduler). A blocked producer
// is woken only when the queue has drained to half, and either side signals only when the
// other side is waiting.
#pragma once
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

namespace nhi::util {

template <typename T>
class BoundedQueue {
public:
    explicit BoundedQueue(size_t capacity) : capacity_(capacity ? capacity : 1), low_water_(capacity_ / 2) {}

    /// Blocks while full; returns false once closed.
    bool push(T item) {
        std::unique_lock lock(mu_);
        if (!closed_ && items_.size() >= capacity_) {
            ++producers_waiting_;
            not_full_.wait(lock, [&] { return closed_ || items_.size() <= low_water_; });
            --producers_waiting_;
        }
        if (closed_) return false;
        items_.push_back(std::move(item));
        if (consumers_waiting_) not_empty_.notify_one();
        return true;
    }

    /// Blocks while empty; nullopt once closed and drained.
    std::optional<T> pop() {
        std::unique_lock lock(mu_);
        if (!closed_ && items_.empty()) {
            ++consumers_waiting_;
            not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
            --consumers_waiting_;
        }
        if (items_.empty()) return std::nullopt;
        T item = std::move(items_.front());
        items_.pop_front();
        if (producers_waiting_ && items_.size() <= low_water_) not_full_.notify_all();
        return item;
    }

    /// Closes and drops what is queued: after a failure nobody should start more work.
    void abort() {
        std::lock_guard lock(mu_);
        closed_ = true;
        items_.clear();
        not_empty_.notify_all();
        not_full_.notify_all();
    }

    void close() {
        std::lock_guard lock(mu_);
        closed_ = true;
        not_empty_.notify_all();
        not_full_.notify_all();
    }

private:
    size_t capacity_;
    size_t low_water_;
    std::mutex mu_;
    std::condition_variable not_empty_, not_full_;
    std::deque<T> items_;
    size_t producers_waiting_ = 0, consumers_waiting_ = 0;
    bool closed_ = false;
};

}  // namespace nhi::util
