// RAII owners for libgit2 handles, and the library's init/shutdown pairing.
#pragma once
#include <git2.h>

#include <memory>
#include <string>
#include <utility>

#include "util/expected.hpp"

namespace nhi::scanners::git {

/// libgit2's last error message, for `nhi: error: <repo>: <why>`.
inline std::string last_error() {
    const git_error* e = git_error_last();
    return e && e->message ? e->message : "unknown libgit2 error";
}

// Object database order: packs first (where big repositories keep nearly everything), then
// nhi's loose-object check (git_objects.hpp), then libgit2's own loose reader (priority 1).
constexpr int kPackedPriority = 3;
constexpr int kGuardPriority = 2;

/// Keeps libgit2 initialised for its lifetime (calls nest, as libgit2 counts them).
class Library {
public:
    /// Initialises libgit2; fails when it cannot start.
    static util::Expected<Library> init() {
        if (int rc = git_libgit2_init(); rc < 0) return util::Error{"libgit2", "cannot initialise (error " + std::to_string(rc) + ")"};
        Library lib;
        lib.owned_ = true;
        // Re-hashing every object on read (SHA-1 with collision detection) costs as much
        // as scanning it. Corrupt packs still fail inflate or delta application, which
        // the scan reports and counts.
        if (git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0) < 0) return util::Error{"libgit2", last_error()};
        if (git_libgit2_opts(GIT_OPT_SET_ODB_PACKED_PRIORITY, kPackedPriority) < 0)
            return util::Error{"libgit2", last_error()};
        // The object cache keeps parsed trees and commits for a second lookup, which the
        // history walk never makes (it reads each tree once); on curl's history it held
        // 270 MiB of trees, half the scan's peak memory.
        if (git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0) < 0) return util::Error{"libgit2", last_error()};
        return lib;
    }
    Library(Library&& o) noexcept : owned_(std::exchange(o.owned_, false)) {}
    Library& operator=(Library&&) = delete;
    ~Library() {
        if (owned_) git_libgit2_shutdown();
    }

private:
    Library() = default;
    bool owned_ = false;
};

template <typename T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const { Free(p); }
};

using Repository = std::unique_ptr<git_repository, Deleter<git_repository, git_repository_free>>;
using Commit = std::unique_ptr<git_commit, Deleter<git_commit, git_commit_free>>;
using Tree = std::unique_ptr<git_tree, Deleter<git_tree, git_tree_free>>;
using Blob = std::unique_ptr<git_blob, Deleter<git_blob, git_blob_free>>;
using Revwalk = std::unique_ptr<git_revwalk, Deleter<git_revwalk, git_revwalk_free>>;
using Reference = std::unique_ptr<git_reference, Deleter<git_reference, git_reference_free>>;
using RefIterator = std::unique_ptr<git_reference_iterator, Deleter<git_reference_iterator, git_reference_iterator_free>>;
using Object = std::unique_ptr<git_object, Deleter<git_object, git_object_free>>;
using Index = std::unique_ptr<git_index, Deleter<git_index, git_index_free>>;
using Diff = std::unique_ptr<git_diff, Deleter<git_diff, git_diff_free>>;
using Odb = std::unique_ptr<git_odb, Deleter<git_odb, git_odb_free>>;
using OdbObject = std::unique_ptr<git_odb_object, Deleter<git_odb_object, git_odb_object_free>>;

inline std::string oid_hex(const git_oid& oid) {
    char buf[GIT_OID_HEXSZ + 1];
    git_oid_tostr(buf, sizeof buf, &oid);
    return buf;
}

}  // namespace nhi::scanners::git
