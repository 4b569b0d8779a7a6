// Enumerates the blobs of a repository's history: every blob reachable from the chosen
// refs, once, with the first commit (in topological order, oldest first) and path that
// introduced it. Each unique tree is read once, so the cost follows the number of
// distinct trees, not commits x files. A long history is walked in two halves on two
// threads and merged to what one thread would give (WalkOptions::reopen).
#pragma once
#include <git2.h>

#include <cstring>
#include <functional>
#include <string>
#include <unordered_set>
#include <vector>

#include "scanners/git_handles.hpp"
#include "scanners/oid_set.hpp"
#include "util/expected.hpp"

namespace nhi::scanners::git {

struct OidHash {
    size_t operator()(const git_oid& o) const {
        size_t h;
        std::memcpy(&h, o.id, sizeof h);
        return h;
    }
};
struct OidEq {
    bool operator()(const git_oid& a, const git_oid& b) const { return git_oid_equal(&a, &b); }
};
// For the sets that are walked or erased from (a shallow clone's commits); FlatOidSet for
// the hot ones.
using OidSet = std::unordered_set<git_oid, OidHash, OidEq>;

struct CommitInfo {
    std::string id;
    std::string author, author_email, date, committer;
};

struct BlobEntry {
    git_oid oid;
    uint32_t commit;  // index into Enumeration::commits
    std::string path;
};

struct RefTip {
    std::string ref;
    git_oid commit;
};

struct WalkOptions {
    bool all_refs = false;     // every ref, not only branches, tags and remotes
    std::string branch;        // only this branch
    std::string since;         // hide commits reachable from this revision
    // Another handle on the same repository, for a second thread that walks the newer half of
    // a long history (libgit2 handles are not shared between threads); none: one thread walks.
    std::function<util::Expected<Repository>()> reopen;
    size_t split_from = 2048;  // commits: a shorter history is walked on one thread
    std::vector<git_oid> hide; // hide these commits (incremental rescans)
};

struct Enumeration {
    std::vector<CommitInfo> commits;
    std::vector<BlobEntry> blobs;  // unique blobs, in the order their commits were walked
    std::vector<RefTip> tips;      // the refs walked and their commits
    FlatOidSet head_blobs;             // blobs in HEAD's tree: the secret is still present there
    // --staged: for each staged blob (index into blobs) that replaces a file HEAD has at the same
    // path, HEAD's blob there, so secrets the change did not add can be left out.
    std::vector<std::pair<size_t, git_oid>> head_versions;
    bool shallow = false;
    uint64_t commits_walked = 0, trees_read = 0, submodules = 0, errors = 0;
};

using WarnFn = std::function<void(const util::Error&)>;
/// Called on the calling thread for each new blob, in walk order, with its index in
/// Enumeration::blobs.
using BlobFn = std::function<void(const BlobEntry&, size_t index)>;

/// The refs a scan covers (branches, tags, remote branches and HEAD; or all refs; or one
/// branch), peeled to commits. Fails when a named branch does not exist or leads to a missing
/// object; other refs that do are warned about and added to `errors`.
util::Expected<std::vector<RefTip>> select_refs(git_repository* repo, const WalkOptions& o, const WarnFn& warn,
                                                uint64_t& errors);

/// Walks the history behind `tips`. Missing or corrupt objects are warned about and
/// counted; the walk goes on.
util::Expected<Enumeration> enumerate(git_repository* repo, std::vector<RefTip> tips, const WalkOptions& o,
                                      const WarnFn& warn, const BlobFn& on_blob = {});

/// Blobs staged in the index that differ from HEAD, for pre-commit.
util::Expected<Enumeration> enumerate_staged(git_repository* repo, const WarnFn& warn, const BlobFn& on_blob = {});

}  // namespace nhi::scanners::git
