#include "scanners/git_walk.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <thread>

#include "scanners/git_handles.hpp"
#include "util/text.hpp"
#include "util/time.hpp"

namespace nhi::scanners::git {
namespace {

std::string format_when(const git_time& t) {
    // Provenance dates are reported in UTC so they sort and compare as text.
    return util::format_utc(static_cast<int64_t>(t.time));
}

CommitInfo commit_info(git_commit* c) {
    CommitInfo ci;
    ci.id = oid_hex(*git_commit_id(c));
    if (const git_signature* a = git_commit_author(c)) {
        ci.author = a->name ? a->name : "";
        ci.author_email = a->email ? a->email : "";
        ci.date = format_when(a->when);
    }
    if (const git_signature* m = git_commit_committer(c)) ci.committer = m->name ? m->name : "";
    return ci;
}

class TreeWalker {
public:
    TreeWalker(git_repository* repo, Enumeration& out, const WarnFn& warn, const BlobFn& on_blob, FlatOidSet& seen_trees,
               FlatOidSet& seen_blobs)
        : repo_(repo), out_(out), warn_(warn), on_blob_(on_blob), seen_trees_(seen_trees), seen_blobs_(seen_blobs) {}

    /// Records unseen blobs under `tree_id` as introduced by commit `commit`.
    /// With `record` false it only marks them seen (for --since).
    void walk(const git_oid& tree_id, const std::string& prefix, uint32_t commit, bool record) {
        if (!seen_trees_.insert(tree_id)) return;
        git_tree* raw = nullptr;
        if (git_tree_lookup(&raw, repo_, &tree_id) != 0) {
            ++out_.errors;
            warn_({"tree " + oid_hex(tree_id) + (prefix.empty() ? "" : " (" + prefix + "/)"), "missing or corrupt: " + last_error()});
            return;
        }
        Tree tree(raw);
        ++out_.trees_read;
        size_t n = git_tree_entrycount(raw);
        for (size_t i = 0; i < n; ++i) {
            const git_tree_entry* e = git_tree_entry_byindex(raw, i);
            if (!e) continue;  // cannot happen below entrycount
            const git_oid* id = git_tree_entry_id(e);
            // Most entries were seen in an earlier commit: test before building a path.
            auto path = [&] { return prefix.empty() ? std::string(git_tree_entry_name(e)) : prefix + "/" + git_tree_entry_name(e); };
            switch (git_tree_entry_type(e)) {
                case GIT_OBJECT_TREE:
                    if (!seen_trees_.count(*id)) walk(*id, path(), commit, record);
                    break;
                case GIT_OBJECT_BLOB:
                    if (seen_blobs_.insert(*id) && record) {
                        out_.blobs.push_back({*id, commit, path()});
                        if (on_blob_) on_blob_(out_.blobs.back(), out_.blobs.size() - 1);
                    }
                    break;
                case GIT_OBJECT_COMMIT:  // a submodule: its history is another repository
                    if (record && seen_blobs_.insert(*id)) {
                        ++out_.submodules;
                        if (submodule_ids_) submodule_ids_->push_back(*id);
                    }
                    break;
                default: break;
            }
        }
    }

    /// Also lists each submodule entry counted, so a split walk can count each once.
    void keep_submodule_ids(std::vector<git_oid>* ids) { submodule_ids_ = ids; }

private:
    git_repository* repo_;
    Enumeration& out_;
    const WarnFn& warn_;
    const BlobFn& on_blob_;
    FlatOidSet& seen_trees_;
    FlatOidSet& seen_blobs_;
    std::vector<git_oid>* submodule_ids_ = nullptr;
};

// Walks commits, each once, recording the blobs each one introduced (and, for those that
// introduced any, the commit) in `out`.
class CommitWalker {
public:
    CommitWalker(git_repository* repo, Enumeration& out, const WarnFn& warn, const BlobFn& on_blob)
        : repo_(repo), out_(out), warn_(warn), trees_(repo, out, warn, on_blob, seen_trees_, seen_blobs_) {
        seen_trees_.reserve(1 << 16);
        seen_blobs_.reserve(1 << 16);
    }

    /// Marks what `tree` holds as seen without recording it (--since: what REV holds is not new).
    void mark_seen(const git_oid& tree) { trees_.walk(tree, "", 0, false); }

    void visit(const git_oid& id) {
        if (!visited_.insert(id)) return;
        git_commit* c = nullptr;
        if (git_commit_lookup(&c, repo_, &id) != 0) {
            ++out_.errors;
            warn_({"commit " + oid_hex(id), "missing or corrupt: " + last_error()});
            return;
        }
        Commit commit(c);
        ++out_.commits_walked;
        size_t before = out_.blobs.size();
        uint32_t index = static_cast<uint32_t>(out_.commits.size());
        trees_.walk(*git_commit_tree_id(c), "", index, true);
        // Keep commit metadata only for commits that introduced something.
        if (out_.blobs.size() > before) out_.commits.push_back(commit_info(c));
    }

    const FlatOidSet& seen_blobs() const { return seen_blobs_; }
    void keep_submodule_ids(std::vector<git_oid>* ids) { trees_.keep_submodule_ids(ids); }

private:
    git_repository* repo_;
    Enumeration& out_;
    const WarnFn& warn_;
    FlatOidSet seen_trees_, seen_blobs_, visited_;
    TreeWalker trees_;
};

// Walks `order` with the newer half on a second thread, which has its own repository
// handle and seen sets, while this thread walks the older half (the walk must end before
// any blob is read: blobs are read grouped by path). The halves are merged as if one thread
// had walked both: the newer half's warnings come after the older half's, without repeats;
// a blob the older half holds keeps its older commit; a commit that introduced only such
// blobs is dropped; each submodule entry is counted once. The newer half re-reads the trees
// of its first commit, a few hundred on a big repository. False when no second handle could
// be opened (the caller walks on one thread).
util::Expected<bool> walk_split(const std::vector<git_oid>& order, const std::optional<git_oid>& since_tree,
                                const WalkOptions& o, Enumeration& out, CommitWalker& older,
                                const std::set<std::string>& older_warned, const WarnFn& warn, const BlobFn& on_blob) {
    auto handle = o.reopen();
    if (!handle) return false;
    const size_t mid = order.size() / 2;
    struct Newer {
        Enumeration part;
        std::vector<util::Error> warnings;
        std::vector<git_oid> submodules;
        std::optional<std::string> failed;
    } newer;
    std::jthread t([&]() noexcept {  // joined on every way out of this function
        try {
            // Both outlive the walker, which keeps references to them.
            WarnFn keep = [&](const util::Error& e) { newer.warnings.push_back(e); };
            const BlobFn none;
            CommitWalker w(handle.value().get(), newer.part, keep, none);
            w.keep_submodule_ids(&newer.submodules);
            if (since_tree) w.mark_seen(*since_tree);
            for (size_t i = mid; i < order.size(); ++i) w.visit(order[i]);
        } catch (const std::exception& e) {
            newer.failed = e.what();
        } catch (...) {
            newer.failed = "unknown exception";
        }
    });
    for (size_t i = 0; i < mid; ++i) older.visit(order[i]);
    t.join();
    if (newer.failed) return util::Error{"history", "walking the newer half: " + *newer.failed};
    uint64_t repeated = 0;
    for (const auto& e : newer.warnings) {
        if (older_warned.count(e.what)) ++repeated;
        else warn(e);
    }
    out.errors += newer.part.errors - std::min(repeated, newer.part.errors);
    out.commits_walked += newer.part.commits_walked;
    out.trees_read += newer.part.trees_read;
    for (const auto& id : newer.submodules)
        if (!older.seen_blobs().count(id)) ++out.submodules;
    std::vector<int64_t> moved(newer.part.commits.size(), -1);  // newer commit index -> out's
    for (auto& b : newer.part.blobs) {
        if (older.seen_blobs().count(b.oid)) continue;
        int64_t& c = moved[b.commit];
        if (c < 0) {
            c = static_cast<int64_t>(out.commits.size());
            out.commits.push_back(std::move(newer.part.commits[b.commit]));
        }
        b.commit = static_cast<uint32_t>(c);
        out.blobs.push_back(std::move(b));
        if (on_blob) on_blob(out.blobs.back(), out.blobs.size() - 1);
    }
    return true;
}

bool wanted_ref(const std::string& name, bool all_refs) {
    if (all_refs) return true;
    return name.rfind("refs/heads/", 0) == 0 || name.rfind("refs/tags/", 0) == 0 || name.rfind("refs/remotes/", 0) == 0;
}

// True when `rc` from resolving HEAD means there is no HEAD yet (a new or empty repository),
// not that it is damaged.
bool no_head(int rc) { return rc == GIT_ENOTFOUND || rc == GIT_EUNBORNBRANCH; }

// Blobs in HEAD's tree; a damaged HEAD is warned about and counted (in_head is then unknown).
void head_blobs(git_repository* repo, Enumeration& out, const WarnFn& warn) {
    git_object* obj = nullptr;
    if (int rc = git_revparse_single(&obj, repo, "HEAD^{tree}"); rc != 0) {
        if (!no_head(rc)) {
            ++out.errors;
            warn({"HEAD", "cannot read its tree: " + last_error()});
        }
        return;
    }
    Object tree_obj(obj);
    if (git_tree_walk(
            reinterpret_cast<git_tree*>(obj), GIT_TREEWALK_PRE,
            [](const char*, const git_tree_entry* e, void* payload) {
                if (git_tree_entry_type(e) == GIT_OBJECT_BLOB) static_cast<FlatOidSet*>(payload)->insert(*git_tree_entry_id(e));
                return 0;
            },
            &out.head_blobs) != 0) {
        ++out.errors;
        warn({"HEAD", "cannot read its whole tree: " + last_error()});
    }
}

// A commit that could not be read, and why.
struct Broken {
    git_oid id;
    std::string why;
};

// Commits reachable from `from` whose objects can be read, stopping at the cut that a
// shallow clone made and at commits that are damaged (added to `broken`; a missing one only
// when `missing_is_broken`). libgit2 1.5's revwalk does not know shallow clones and gives up
// on the first unreadable commit, so such histories are walked here instead.
void reachable_present(git_repository* repo, const std::vector<git_oid>& from, OidSet& out,
                       std::vector<Broken>* broken, bool missing_is_broken) {
    std::vector<git_oid> stack(from.begin(), from.end());
    while (!stack.empty()) {
        git_oid id = stack.back();
        stack.pop_back();
        if (!out.insert(id).second) continue;
        git_commit* c = nullptr;
        if (int rc = git_commit_lookup(&c, repo, &id); rc != 0) {
            if (broken && (missing_is_broken || rc != GIT_ENOTFOUND)) broken->push_back({id, last_error()});
            out.erase(id);
            continue;
        }
        Commit owned(c);
        for (unsigned i = 0; i < git_commit_parentcount(c); ++i) stack.push_back(*git_commit_parent_id(c, i));
    }
}

// Oldest first by committer time: the order a topological walk would roughly give.
std::vector<git_oid> tolerant_order(git_repository* repo, const std::vector<RefTip>& tips, const std::vector<git_oid>& hide,
                                    std::vector<Broken>& broken, bool missing_is_broken) {
    std::vector<git_oid> roots;
    for (const auto& t : tips) roots.push_back(t.commit);
    OidSet all, hidden;
    reachable_present(repo, roots, all, &broken, missing_is_broken);
    reachable_present(repo, hide, hidden, nullptr, false);
    std::vector<std::pair<int64_t, git_oid>> order;
    for (const auto& id : all) {
        if (hidden.count(id)) continue;
        git_commit* c = nullptr;
        if (git_commit_lookup(&c, repo, &id) != 0) continue;
        Commit owned(c);
        order.emplace_back(git_commit_time(c), id);
    }
    std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first < b.first : git_oid_cmp(&a.second, &b.second) < 0;
    });
    std::vector<git_oid> out;
    for (const auto& [_, id] : order) out.push_back(id);
    return out;
}

}  // namespace

util::Expected<std::vector<RefTip>> select_refs(git_repository* repo, const WalkOptions& o, const WarnFn& warn,
                                                uint64_t& errors) {
    std::vector<RefTip> tips;
    // Empty when the ref leads to a commit (added to tips) or, quietly, to a tag of a tree or
    // blob; otherwise why it leads nowhere (a missing or corrupt object).
    auto add = [&](const std::string& name, git_reference* ref) -> std::string {
        git_object* peeled = nullptr;
        if (int rc = git_reference_peel(&peeled, ref, GIT_OBJECT_COMMIT); rc != 0) {
            if (rc == GIT_EPEEL || rc == GIT_EINVALIDSPEC) return {};  // a tag of a tree or blob
            std::string why = last_error();
            // The peel's own message names neither the object nor what is wrong with it.
            if (const git_oid* target = git_reference_target(ref)) {
                git_object* obj = nullptr;
                if (git_object_lookup(&obj, repo, target, GIT_OBJECT_ANY) != 0) why = last_error();
                else git_object_free(obj);
            }
            return "points to a missing or corrupt object: " + util::printable(why);
        }
        Object owned(peeled);
        tips.push_back({name, *git_object_id(peeled)});
        return {};
    };
    if (!o.branch.empty()) {
        git_reference* ref = nullptr;
        if (git_reference_dwim(&ref, repo, o.branch.c_str()) != 0)
            return util::Error{"--branch " + o.branch, "no such branch or ref"};
        Reference owned(ref);
        if (auto why = add(git_reference_name(ref), ref); !why.empty()) return util::Error{"--branch " + o.branch, why};
        return tips;
    }
    git_reference_iterator* it_raw = nullptr;
    if (git_reference_iterator_new(&it_raw, repo) != 0) return util::Error{"refs", last_error()};
    RefIterator it(it_raw);
    git_reference* ref = nullptr;
    int rc;
    while ((rc = git_reference_next(&ref, it_raw)) == 0) {
        Reference owned(ref);
        std::string name = git_reference_name(ref);
        if (git_reference_type(ref) == GIT_REFERENCE_SYMBOLIC) continue;  // e.g. origin/HEAD: its target is listed
        if (!wanted_ref(name, o.all_refs)) continue;
        if (auto why = add(name, ref); !why.empty()) {
            ++errors;
            warn({name, why});
        }
    }
    if (rc != GIT_ITEROVER) {
        ++errors;
        warn({"refs", "listing stopped early: " + last_error()});
    }
    // A detached HEAD (as CI checkouts have) is history too.
    const int detached = git_repository_head_detached(repo);
    if (detached < 0 && !no_head(detached)) {
        ++errors;
        warn({"HEAD", "cannot resolve: " + last_error()});
    }
    if (detached != 1) return tips;
    git_reference* head = nullptr;
    if (git_repository_head(&head, repo) != 0) {
        ++errors;
        warn({"HEAD", "cannot resolve: " + last_error()});
        return tips;
    }
    Reference owned(head);
    if (auto why = add("HEAD", head); !why.empty()) {
        ++errors;
        warn({"HEAD", why});
    }
    return tips;
}

util::Expected<Enumeration> enumerate(git_repository* repo, std::vector<RefTip> tips, const WalkOptions& o,
                                      const WarnFn& warn, const BlobFn& on_blob) {
    Enumeration out;
    const int shallow = git_repository_is_shallow(repo);
    if (shallow < 0) return util::Error{"history", "cannot tell whether the clone is shallow: " + last_error()};
    out.shallow = shallow == 1;
    out.tips = std::move(tips);
    head_blobs(repo, out, warn);

    git_revwalk* walk_raw = nullptr;
    if (git_revwalk_new(&walk_raw, repo) != 0) return util::Error{"revwalk", last_error()};
    Revwalk walk(walk_raw);
    if (git_revwalk_sorting(walk_raw, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE) != 0)
        return util::Error{"revwalk", last_error()};
    if (!out.shallow)
        for (const auto& t : out.tips)
            if (git_revwalk_push(walk_raw, &t.commit) != 0) {
                ++out.errors;
                warn({t.ref, "cannot walk: " + last_error()});
            }
    // The older half's warnings are kept by what they name, so a split walk repeats none.
    std::set<std::string> warned;
    WarnFn older_warn = [&](const util::Error& e) {
        warned.insert(e.what);
        warn(e);
    };
    CommitWalker walker(repo, out, older_warn, on_blob);
    std::optional<git_oid> since_commit, since_tree;
    if (!o.since.empty()) {
        git_object* obj = nullptr;
        if (git_revparse_single(&obj, repo, (o.since + "^{commit}").c_str()) != 0)
            return util::Error{"--since " + o.since, "no such revision"};
        Object owned(obj);
        since_commit = *git_object_id(obj);
        if (!out.shallow && git_revwalk_hide(walk_raw, git_object_id(obj)) != 0)
            return util::Error{"--since " + o.since, "cannot walk: " + last_error()};
        since_tree = *git_commit_tree_id(reinterpret_cast<git_commit*>(obj));
        walker.mark_seen(*since_tree);
    }
    // A commit scanned last time that cannot be hidden is walked again: slower, never less.
    if (!out.shallow)
        for (const auto& h : o.hide)
            if (git_revwalk_hide(walk_raw, &h) != 0) warn({"commit " + oid_hex(h), "walked again: " + last_error()});

    // Each readable commit, once; each damaged one warned about and counted.
    auto walk_tolerant = [&](bool missing_is_broken) {
        std::vector<git_oid> hide = o.hide;
        if (since_commit) hide.push_back(*since_commit);
        std::vector<Broken> broken;
        for (const auto& id : tolerant_order(repo, out.tips, hide, broken, missing_is_broken)) walker.visit(id);
        for (const auto& b : broken) {
            ++out.errors;
            warn({"commit " + oid_hex(b.id), "missing or corrupt: " + b.why});
        }
        return broken.size();
    };
    if (out.shallow) {
        walk_tolerant(false);
        return out;
    }
    std::vector<git_oid> order;
    git_oid id;
    int rc;
    while ((rc = git_revwalk_next(&id, walk_raw)) == 0) order.push_back(id);
    if (rc != GIT_ITEROVER) {
        // The revwalk gives up on the first commit it cannot read (often before yielding any):
        // walk every commit that can still be reached instead.
        const std::string why = last_error();
        for (const auto& c : order) walker.visit(c);
        if (walk_tolerant(true) == 0) {
            ++out.errors;
            warn({"history", "walk stopped early: " + why});
        }
        return out;
    }
    if (o.reopen && order.size() >= std::max<size_t>(o.split_from, 2)) {
        TRY_ASSIGN(bool split, walk_split(order, since_tree, o, out, walker, warned, warn, on_blob));
        if (split) return out;
    }
    for (const auto& c : order) walker.visit(c);
    return out;
}

util::Expected<Enumeration> enumerate_staged(git_repository* repo, const WarnFn& warn, const BlobFn& on_blob) {
    Enumeration out;
    git_index* idx_raw = nullptr;
    if (git_repository_index(&idx_raw, repo) != 0) return util::Error{"index", last_error()};
    Index index(idx_raw);
    git_object* head_tree = nullptr;
    Object owned_tree;
    if (int rc = git_revparse_single(&head_tree, repo, "HEAD^{tree}"); rc == 0) owned_tree.reset(head_tree);
    else if (!no_head(rc)) return util::Error{"HEAD", "cannot read its tree: " + last_error()};
    else head_tree = nullptr;  // unborn HEAD: diff against nothing
    git_diff* diff_raw = nullptr;
    if (git_diff_tree_to_index(&diff_raw, repo, reinterpret_cast<git_tree*>(head_tree), idx_raw, nullptr) != 0)
        return util::Error{"index", last_error()};
    Diff diff(diff_raw);
    out.commits.push_back({"staged", "", "", "", ""});
    FlatOidSet seen;
    size_t n = git_diff_num_deltas(diff_raw);
    for (size_t i = 0; i < n; ++i) {
        const git_diff_delta* d = git_diff_get_delta(diff_raw, i);
        if (!d) continue;  // cannot happen below num_deltas
        if (d->status == GIT_DELTA_DELETED) continue;
        if (d->new_file.mode == GIT_FILEMODE_COMMIT) {
            ++out.submodules;
            continue;
        }
        if (!seen.insert(d->new_file.id)) continue;
        out.blobs.push_back({d->new_file.id, 0, d->new_file.path});
        out.head_blobs.insert(d->new_file.id);  // staged content is what HEAD will hold
        // Without rename detection a modified file has the same path on both sides.
        if (d->status == GIT_DELTA_MODIFIED && d->old_file.mode != GIT_FILEMODE_COMMIT &&
            (d->old_file.flags & GIT_DIFF_FLAG_EXISTS))
            out.head_versions.push_back({out.blobs.size() - 1, d->old_file.id});
        if (on_blob) on_blob(out.blobs.back(), out.blobs.size() - 1);
    }
    (void)warn;  // the index is read whole or not at all: failures above are errors
    return out;
}

}  // namespace nhi::scanners::git
