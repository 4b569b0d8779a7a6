// The history walk on two threads gives what one thread gives: the same blobs, each with
// the same (oldest) commit and path, the same commits and counts.
#include <catch2/catch.hpp>

#include <set>

#include "scanners/git_handles.hpp"
#include "scanners/git_walk.hpp"
#include "support.hpp"

using namespace nhi::test;
namespace git = nhi::scanners::git;

namespace {

void sh(const std::string& cmd, const fs::path& cwd) {
    const std::string full = "cd '" + cwd.string() +
                             "' && export GIT_AUTHOR_NAME=Dev GIT_AUTHOR_EMAIL=dev@acme.test GIT_COMMITTER_NAME=Dev "
                             "GIT_COMMITTER_EMAIL=dev@acme.test GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 && (" +
                             cmd + ") >/dev/null 2>&1";
    INFO(cmd);
    REQUIRE(std::system(full.c_str()) == 0);
}

// 40 commits on main and a merged side branch. What the two halves of the walk both meet:
// a file removed in the older half and brought back with the same content in the newer one,
// a directory unchanged across the middle, a file changed in every commit, and a submodule
// entry (gitlink) present throughout.
fs::path build(const TempDir& d) {
    const fs::path r = d / "repo";
    fs::create_directories(r);
    sh("git init -q -b main .", r);
    d.write("repo/stable/a.txt", "unchanged\n");
    d.write("repo/stable/deep/b.txt", "also unchanged\n");
    d.write("repo/back.txt", "comes back\n");
    fs::create_directories(r / "vendor/lib");  // an unpopulated submodule: `git add -A` keeps its entry
    sh("git add -A && git update-index --add --cacheinfo 160000,1111111111111111111111111111111111111111,vendor/lib && "
       "git commit -q -m base",
       r);
    for (int i = 1; i <= 40; ++i) {
        d.write("repo/changing.txt", "version " + std::to_string(i) + "\n");
        if (i == 5) fs::remove(r / "back.txt");
        if (i == 30) d.write("repo/back.txt", "comes back\n");
        if (i % 7 == 0) d.write("repo/dir" + std::to_string(i) + "/f.txt", "file " + std::to_string(i) + "\n");
        sh("git add -A && git commit -q -m c" + std::to_string(i), r);
        if (i == 12) {
            sh("git checkout -q -b side && echo side > side.txt && git add -A && git commit -q -m side && "
               "git checkout -q main",
               r);
        }
        if (i == 25) sh("git merge -q --no-edit side", r);
    }
    return r;
}

struct Walked {
    std::vector<std::string> blobs;    // oid path commit, in walk order
    std::vector<std::string> commits;  // the commits kept
    uint64_t walked = 0, submodules = 0, errors = 0;
    size_t reopened = 0;  // second handles opened: 1 when the walk was split
};

Walked walk(const fs::path& repo, bool split, const std::string& since = {}) {
    Walked w;
    git_repository* raw = nullptr;
    REQUIRE(git_repository_open(&raw, repo.c_str()) == 0);
    git::Repository handle(raw);
    git::WalkOptions o;
    o.since = since;
    if (split) {
        o.split_from = 2;
        o.reopen = [&]() -> nhi::util::Expected<git::Repository> {
            ++w.reopened;
            git_repository* again = nullptr;
            if (git_repository_open(&again, repo.c_str()) != 0) return nhi::util::Error{"repo", git::last_error()};
            return git::Repository(again);
        };
    }
    uint64_t ref_errors = 0;
    std::vector<std::string> warnings;
    git::WarnFn warn = [&](const nhi::util::Error& e) { warnings.push_back(e.what); };
    auto tips = git::select_refs(handle.get(), o, warn, ref_errors);
    REQUIRE(tips.ok());
    size_t calls = 0;
    auto en = git::enumerate(handle.get(), tips.value(), o, warn, [&](const git::BlobEntry&, size_t i) {
        CHECK(i == calls++);  // in order, once each
    });
    REQUIRE(en.ok());
    for (const auto& b : en.value().blobs)
        w.blobs.push_back(git::oid_hex(b.oid) + " " + b.path + " " + en.value().commits.at(b.commit).id);
    for (const auto& c : en.value().commits) w.commits.push_back(c.id);
    CHECK(calls == en.value().blobs.size());
    w.walked = en.value().commits_walked;
    w.submodules = en.value().submodules;
    w.errors = en.value().errors;
    CHECK(warnings.empty());
    return w;
}

}  // namespace

TEST_CASE("a history walked in two halves on two threads is the history walked on one", "[scanners][git_walk]") {
    auto lib = git::Library::init();
    REQUIRE(lib.ok());
    TempDir d;
    const fs::path repo = build(d);
    for (const std::string since : {"", "main~30"}) {
        INFO("since " << since);
        const Walked one = walk(repo, false, since), two = walk(repo, true, since);
        CHECK(two.blobs == one.blobs);
        CHECK(two.commits == one.commits);
        CHECK(two.walked == one.walked);
        CHECK(two.submodules == one.submodules);
        CHECK(two.errors == one.errors);
        // What the comparison rests on: blobs from both halves, one submodule entry, and the
        // file that came back attributed to the commit that first had it.
        CHECK(one.blobs.size() > (since.empty() ? 40u : 10u));
        CHECK(one.walked > (since.empty() ? 40u : 10u));
        CHECK(one.reopened == 0);
        CHECK(two.reopened == 1);
        std::set<std::string> paths;
        for (const auto& b : one.blobs) paths.insert(b.substr(41, b.rfind(' ') - 41));
        CHECK(paths.count("changing.txt") == 1);
        CHECK(paths.count("side.txt") == 1);
        if (since.empty()) {
            CHECK(one.submodules == 1);
            CHECK(paths.count("back.txt") == 1);
            CHECK(paths.count("stable/deep/b.txt") == 1);
        }
    }
}
