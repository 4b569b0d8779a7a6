// A set of git object ids in one flat array (open addressing, linear probing). The history
// walk tests every entry of every distinct tree against the trees and blobs it has seen:
// millions of lookups on a long history, on the one thread that must finish before any blob
// is read. std::unordered_set spent a node allocation per id and an out-of-line
// git_oid_equal per probe there: 7% of the CPU of a cold scan of curl's history.
#pragma once
#include <git2.h>

#include <cstddef>
#include <cstring>
#include <vector>

namespace nhi::scanners::git {

class FlatOidSet {
public:
    /// Adds `id`; true when it was not there yet.
    bool insert(const git_oid& id) {
        if (is_zero(id)) {
            if (has_zero_) return false;
            has_zero_ = true;
            ++size_;
            return true;
        }
        if ((size_ + 1) * 2 > slots_.size()) grow();
        git_oid& s = slots_[slot(id)];
        if (!is_zero(s)) return false;
        s = id;
        ++size_;
        return true;
    }
    /// 1 when `id` is in the set, else 0 (as std::unordered_set::count).
    size_t count(const git_oid& id) const {
        if (is_zero(id)) return has_zero_ ? 1 : 0;
        if (slots_.empty()) return 0;
        return is_zero(slots_[slot(id)]) ? 0 : 1;
    }
    /// Makes room for `n` ids without growing.
    void reserve(size_t n) {
        size_t want = 16;
        while (want < 2 * n) want *= 2;
        if (want > slots_.size()) rehash(want);
    }
    size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }

private:
    // The all-zero id marks an empty slot; the zero id itself (which no object hashes to, but
    // a corrupt tree may name) is kept apart.
    static bool is_zero(const git_oid& id) {
        static constexpr git_oid kZero{};
        return std::memcmp(id.id, kZero.id, sizeof id.id) == 0;
    }
    // An object id is a SHA-1: its first bytes are already uniform.
    static size_t hash(const git_oid& id) {
        size_t h;
        std::memcpy(&h, id.id, sizeof h);
        return h;
    }
    // The slot holding `id`, or the empty slot where it would go (there is always one).
    size_t slot(const git_oid& id) const {
        const size_t mask = slots_.size() - 1;
        for (size_t i = hash(id) & mask;; i = (i + 1) & mask) {
            const git_oid& s = slots_[i];
            if (is_zero(s) || std::memcmp(s.id, id.id, sizeof id.id) == 0) return i;
        }
    }
    void grow() { rehash(slots_.empty() ? 16 : slots_.size() * 2); }
    void rehash(size_t n) {
        std::vector<git_oid> old(n);
        old.swap(slots_);
        for (const auto& s : old)
            if (!is_zero(s)) slots_[slot(s)] = s;
    }

    std::vector<git_oid> slots_;  // a power of two long, at most half full
    size_t size_ = 0;
    bool has_zero_ = false;
};

}  // namespace nhi::scanners::git
