// A guard in front of libgit2's loose-object reader. libgit2 1.5 never returns from reading
// a loose object whose file was cut short (its inflate loop makes no progress and retries),
// so every loose object is read here instead, with a bounded inflate that fails cleanly.
// Packed objects never reach the guard: packs are asked first (see Library::init).
#pragma once
#include <git2.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "scanners/git_walk.hpp"
#include "util/expected.hpp"

namespace nhi::scanners::git {

/// The loose objects present when a scan starts: which object directory holds each one.
class LooseIndex {
public:
    /// Lists the loose objects of `repo`'s object directory and its alternates; fails only
    /// when the repository has no object directory path.
    static util::Expected<std::shared_ptr<const LooseIndex>> build(git_repository* repo);

    /// The loose file of `oid`, or empty when it was not loose at the start.
    std::string path_of(const git_oid& oid) const;
    /// The loose objects whose first `hex_len` hex digits are those of `prefix`.
    std::vector<git_oid> with_prefix(const git_oid& prefix, size_t hex_len) const;
    /// How many loose objects were listed.
    size_t size() const { return where_.size(); }

private:
    std::vector<std::string> dirs_;  // object directories, each ending in '/'
    std::unordered_map<git_oid, uint32_t, OidHash, OidEq> where_;
};

/// Adds the guard to `repo`'s object database, so its loose objects are read and checked here;
/// fails when the database cannot be opened or extended.
util::Status guard_loose_objects(git_repository* repo, std::shared_ptr<const LooseIndex> index);

/// Result of inflating one loose object file's bytes.
struct LooseObject {
    git_object_t type = GIT_OBJECT_INVALID;
    size_t size = 0;
    void* data = nullptr;  // from `alloc` (size + 1 bytes, NUL-terminated); the caller frees it
    std::string error;     // empty when the object is whole
};

/// Allocates a buffer of n bytes for the object's content, or returns nullptr.
using LooseAlloc = std::function<void*(size_t n)>;

/// The type and size of the loose object in `file` (its compressed bytes), and with `alloc`
/// its whole content; `error` says why the bytes are not a whole object (cut short, longer or
/// shorter than its header says, a bad header, not zlib). Never loops: every inflate call
/// either makes progress or ends the read.
LooseObject inflate_loose(std::string_view file, const LooseAlloc* alloc);

}  // namespace nhi::scanners::git
