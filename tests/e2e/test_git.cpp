// End-to-end git history scans on repositories the tests build with the git CLI.
#include <catch2/catch.hpp>

#include "cli/fatal.hpp"

#include <nlohmann/json.hpp>
#include <zlib.h>

#include "support.hpp"
#include "rules/engine.hpp"
#include "rules/loader.hpp"
#include "scanners/git_objects.hpp"
#include "scanners/git_scan.hpp"
#include "util/hash.hpp"

using namespace nhi::test;
using nlohmann::json;

namespace {

// Fake GitHub tokens with valid checksums, made for these tests.
const std::string kDeleted = "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";
const std::string kSide = "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";
const std::string kRepeated = "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";
const std::string kRenamed = "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";
const std::string kLater = "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";
const std::string kStaged = "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";

void sh(const std::string& cmd, const fs::path& cwd) {
    std::string full = "cd '" + cwd.string() +
                       "' && export GIT_AUTHOR_NAME='Dev One' GIT_AUTHOR_EMAIL=dev1@acme.test "
                       "GIT_COMMITTER_NAME='Dev One' GIT_COMMITTER_EMAIL=dev1@acme.test "
                       "GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 && (" +
                       cmd + ") >/dev/null 2>&1";
    INFO(cmd);
    REQUIRE(std::system(full.c_str()) == 0);
}

void commit(const fs::path& repo, const std::string& msg, const std::string& date) {
    sh("git add -A && GIT_AUTHOR_DATE='" + date + "' GIT_COMMITTER_DATE='" + date + "' git commit -q -m '" + msg + "'",
       repo);
}

// A history with each case the issue lists.
fs::path build_repo(const TempDir& d) {
    fs::path r = d / "repo";
    fs::create_directories(r);
    sh("git init -q -b main .", r);
    d.write("repo/README.md", "# demo\n");
    d.write("repo/config/app.env", "TOKEN=" + kDeleted + "\n");
    d.write("repo/old_name.txt", "token: " + kRenamed + "\n");
    commit(r, "add config", "2024-01-01T10:00:00Z");
    fs::remove(r / "config/app.env");  // committed, then "removed"
    commit(r, "remove secret", "2024-01-02T10:00:00Z");
    d.write("repo/settings.py", "A = 1\nGITHUB = '" + kRepeated + "'\n");
    commit(r, "repeated 1", "2024-01-03T10:00:00Z");
    d.write("repo/settings.py", "A = 2\nB = 3\nGITHUB = '" + kRepeated + "'\n");
    commit(r, "repeated 2", "2024-01-04T10:00:00Z");
    sh("git mv old_name.txt new_name.txt", r);
    commit(r, "rename", "2024-01-05T10:00:00Z");
    d.write("repo/logo.bin", std::string("\x89PNG\0\0\0", 7) + "TOKEN=" + kLater + "\n");  // binary: skipped
    commit(r, "binary", "2024-01-06T10:00:00Z");
    sh("git checkout -q -b side", r);
    d.write("repo/side.txt", "key " + kSide + "\n");
    commit(r, "side branch only", "2024-01-07T10:00:00Z");
    sh("git checkout -q main", r);
    return r;
}

std::vector<json> jsonl(const std::string& text) {
    std::vector<json> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) out.push_back(json::parse(line));
    return out;
}

const json* by_secret(const std::vector<json>& fs_, const std::string& secret) {
    auto sha = nhi::util::sha256_hex(secret);
    for (const auto& f : fs_)
        if (f["secret_sha256"] == sha) return &f;
    return nullptr;
}

}  // namespace

TEST_CASE("git history: deleted, side-branch, repeated, renamed and binary cases", "[e2e][git]") {
    TempDir d;
    auto repo = build_repo(d);
    auto r = run_nhi("scan --git repo --format jsonl --db db/nhi.db", d.path());
    INFO(r.err);
    REQUIRE(r.code == 1);
    auto f = jsonl(r.out);

    auto deleted = by_secret(f, kDeleted);
    REQUIRE(deleted);
    CHECK((*deleted)["path"] == "config/app.env");
    CHECK((*deleted)["in_head"] == false);  // lives only in history
    CHECK((*deleted)["author"] == "Dev One");
    CHECK((*deleted)["date"] == "2024-01-01T10:00:00Z");
    CHECK((*deleted)["commit"].get<std::string>().size() == 40);

    auto side = by_secret(f, kSide);
    REQUIRE(side);
    CHECK((*side)["path"] == "side.txt");
    CHECK((*side)["in_head"] == false);

    auto repeated = by_secret(f, kRepeated);
    REQUIRE(repeated);
    CHECK((*repeated)["occurrences"].size() == 2);  // one finding, two blobs
    CHECK((*repeated)["line"] == 2);                // from the oldest blob
    CHECK((*repeated)["occurrences"][1]["line"] == 3);
    CHECK((*repeated)["in_head"] == true);

    auto renamed = by_secret(f, kRenamed);
    REQUIRE(renamed);
    CHECK((*renamed)["path"] == "old_name.txt");      // where it was introduced
    CHECK((*renamed)["occurrences"].size() == 1);    // a rename keeps the blob: scanned once
    CHECK((*renamed)["in_head"] == true);

    CHECK(by_secret(f, kLater) == nullptr);  // only inside a binary file
    size_t count = 0;
    for (const auto& x : f) count += x["rule"] == "nhi.github.pat";
    CHECK(count == 4);

    auto summary = run_nhi("scan --git repo --format json --no-db", d.path());
    auto doc = json::parse(summary.out);
    CHECK(doc["summary"]["skipped"]["binary"] == 1);
    CHECK(doc["summary"]["git"]["commits"] == 7);

    // --branch limits the history; the side branch's secret is not on main.
    auto main_only = jsonl(run_nhi("scan --git repo --branch main --format jsonl --no-db", d.path()).out);
    CHECK(by_secret(main_only, kSide) == nullptr);
    CHECK(by_secret(main_only, kDeleted) != nullptr);
}

TEST_CASE("git rescans read no blob again and new commits cost only their new blobs", "[e2e][git]") {
    TempDir d;
    auto repo = build_repo(d);
    auto first = run_nhi("scan --git repo --format json --db db/nhi.db", d.path());
    REQUIRE(first.code == 1);
    auto a = json::parse(first.out);
    auto scanned = a["summary"]["git"]["blobs_scanned"].get<int>();
    CHECK(scanned > 0);

    auto second = run_nhi("scan --git repo --format json --db db/nhi.db", d.path());
    REQUIRE(second.code == 1);
    auto b = json::parse(second.out);
    CHECK(b["summary"]["git"]["blobs_scanned"] == 0);
    CHECK(b["findings"] == a["findings"]);  // same findings, read from the datastore

    d.write("repo/new.txt", "t=" + kLater + "\n");
    commit(repo, "new secret", "2024-02-01T10:00:00Z");
    auto third = run_nhi("scan --git repo --format json --db db/nhi.db", d.path());
    auto c = json::parse(third.out);
    CHECK(c["summary"]["git"]["blobs_scanned"] == 1);  // only new.txt
    CHECK(c["findings"].size() == a["findings"].size() + 1);
    CHECK(by_secret(jsonl(run_nhi("scan --git repo --format jsonl --db db/nhi.db", d.path()).out), kLater));
}

TEST_CASE("git scan with --since covers only commits not reachable from REV", "[e2e][git]") {
    TempDir d;
    auto repo = build_repo(d);
    sh("git tag base", repo);
    d.write("repo/pr.txt", "t=" + kLater + "\n");
    commit(repo, "pull request", "2024-03-01T10:00:00Z");
    // Every branch: the new commit on main and the side branch are both unreachable from base.
    auto all = jsonl(run_nhi("scan --git repo --since base --format jsonl --no-db", d.path()).out);
    CHECK(all.size() == 2);
    CHECK(by_secret(all, kLater));
    CHECK(by_secret(all, kSide));
    // A pull-request pipeline: the PR branch against its base.
    auto r = run_nhi("scan --git repo --branch main --since base --format jsonl --no-db", d.path());
    REQUIRE(r.code == 1);
    auto f = jsonl(r.out);
    REQUIRE(f.size() == 1);
    CHECK(f[0]["secret_sha256"] == nhi::util::sha256_hex(kLater));
    auto bad = run_nhi("scan --git repo --since no-such-rev --no-db", d.path());
    CHECK(bad.code == 2);
    CHECK(bad.err.find("nhi: error: repo: --since no-such-rev: no such revision") != std::string::npos);
}

TEST_CASE("git scan with --staged covers the index against HEAD", "[e2e][git]") {
    TempDir d;
    auto repo = build_repo(d);
    auto clean = run_nhi("scan --git repo --staged --no-db", d.path());
    CHECK(clean.code == 0);  // nothing staged
    d.write("repo/staged.txt", "t=" + kStaged + "\n");
    d.write("repo/unstaged.txt", "t=" + kLater + "\n");
    sh("git add staged.txt", repo);
    auto r = run_nhi("scan --git repo --staged --format jsonl --no-db", d.path());
    REQUIRE(r.code == 1);
    auto f = jsonl(r.out);
    REQUIRE(f.size() == 1);
    CHECK(f[0]["path"] == "staged.txt");
    CHECK(f[0]["commit"] == "staged");
}

TEST_CASE("git scan with --staged reports only the secrets the staged change adds", "[e2e][git]") {
    TempDir d;
    auto repo = build_repo(d);
    // settings.py already holds kRepeated in HEAD: editing another line must not block the commit.
    d.write("repo/settings.py", "A = 2\nB = 4\nGITHUB = '" + kRepeated + "'\n");
    sh("git add settings.py", repo);
    auto edit = run_nhi("scan --git repo --staged --no-db", d.path());
    CHECK(edit.code == 0);
    CHECK(edit.out.find("1 already in HEAD's version of the file") != std::string::npos);
    auto all = run_nhi("scan --git repo --staged --all-staged --format jsonl --no-db", d.path());
    CHECK(all.code == 1);
    CHECK(jsonl(all.out).size() == 1);
    // A secret the change adds is reported, alone, with how to allow or baseline it.
    d.write("repo/settings.py", "A = 2\nB = 4\nGITHUB = '" + kRepeated + "'\nNEW = '" + kStaged + "'\n");
    sh("git add settings.py", repo);
    auto added = run_nhi("scan --git repo --staged --format jsonl --no-db", d.path());
    REQUIRE(added.code == 1);
    auto f = jsonl(added.out);
    REQUIRE(f.size() == 1);
    CHECK(f[0]["secret_sha256"] == nhi::util::sha256_hex(kStaged));
    CHECK(added.err.find("nhi:allow") != std::string::npos);
    CHECK(added.err.find("nhi baseline create") != std::string::npos);
    auto usage = run_nhi("scan --git repo --all-staged --no-db", d.path());
    CHECK(usage.code == 2);
}

TEST_CASE("bare and shallow repositories, corrupt objects and non-repositories", "[e2e][git]") {
    TempDir d;
    auto repo = build_repo(d);
    sh("git clone -q --bare repo bare.git", d.path());
    auto bare = run_nhi("scan --git bare.git --format jsonl --no-db", d.path());
    CHECK(bare.code == 1);
    CHECK(by_secret(jsonl(bare.out), kDeleted));

    sh("git clone -q --depth 1 file://" + repo.string() + " shallow", d.path());
    auto shallow = run_nhi("scan --git shallow --format json --no-db", d.path());
    CHECK(shallow.code == 1);  // what the clone holds is still scanned
    CHECK(shallow.err.find("shallow clone") != std::string::npos);
    CHECK(json::parse(shallow.out)["summary"]["git"]["shallow"] == true);

    // Corrupt a loose blob: the scan reports it, counts it and goes on.
    d.write("repo/victim.txt", "t=" + kLater + "\nmore text to make a blob\n");
    commit(repo, "victim", "2024-04-01T10:00:00Z");
    std::string oid;
    {
        auto r = std::system(("cd '" + repo.string() + "' && git rev-parse HEAD:victim.txt > ../oid.txt").c_str());
        REQUIRE(r == 0);
        oid = read_file(d / "oid.txt").substr(0, 40);
    }
    fs::path obj = repo / ".git/objects" / oid.substr(0, 2) / oid.substr(2);
    REQUIRE(fs::exists(obj));
    fs::permissions(obj, fs::perms::owner_all);
    std::ofstream(obj, std::ios::binary | std::ios::trunc) << "not zlib data";
    auto corrupt = run_nhi("scan --git repo --format json --no-db", d.path());
    CHECK(corrupt.code == 1);  // the other secrets are still found
    CHECK(corrupt.err.find("victim.txt") != std::string::npos);
    CHECK(json::parse(corrupt.out)["summary"]["errors"].get<int>() >= 1);

    // A submodule (gitlink) entry is skipped with a note, not treated as a blob.
    sh("git update-index --add --cacheinfo 160000,1234567890123456789012345678901234567890,vendor/lib", repo);
    sh("GIT_AUTHOR_DATE=2024-05-01T10:00:00Z GIT_COMMITTER_DATE=2024-05-01T10:00:00Z git commit -q -m submodule", repo);
    auto sub = run_nhi("scan --git repo --format json --no-db", d.path());
    CHECK(sub.err.find("submodule entries skipped") != std::string::npos);
    CHECK(json::parse(sub.out)["summary"]["git"]["submodules_skipped"] == 1);

    d.write("plain/file.txt", "x");
    auto notrepo = run_nhi("scan --git plain --no-db", d.path());
    CHECK(notrepo.code == 2);
    CHECK(notrepo.err.rfind("nhi: error: plain: not a git repository", 0) == 0);
}

TEST_CASE("git findings carry commit, author and date in SARIF", "[e2e][git]") {
    TempDir d;
    build_repo(d);
    auto r = run_nhi("scan --git repo --format sarif --no-db", d.path());
    REQUIRE(r.code == 1);
    auto doc = json::parse(r.out);
    auto& results = doc["runs"][0]["results"];
    REQUIRE(results.size() == 4);
    for (auto& res : results) {
        CHECK(res["properties"]["commit"].get<std::string>().size() == 40);
        CHECK(res["properties"]["author"] == "Dev One");
        CHECK(res["properties"].contains("date"));
    }
}

TEST_CASE("a broken pack and oversized blobs are reported and counted, never fatal", "[e2e][git]") {
    TempDir d;
    auto repo = build_repo(d);
    // Large files, so the middle of the pack is blob data; the secrets sit in earlier commits.
    for (int i = 0; i < 6; ++i) {
        std::string text;
        for (int l = 0; l < 3000; ++l) text += "file " + std::to_string(i) + " line " + std::to_string(l * 7919 % 10007) + "\n";
        d.write("repo/data" + std::to_string(i) + ".txt", text);
    }
    commit(repo, "data", "2024-06-01T10:00:00Z");
    sh("git gc -q", repo);

    auto small = run_nhi("scan --git repo --max-file-size 10 --format json --no-db", d.path());
    CHECK(small.code == 0);  // every blob is over 10 bytes: skipped and counted, not scanned
    CHECK(json::parse(small.out)["summary"]["skipped"]["too_large"].get<int>() >= 10);

    fs::path pack;
    for (auto& e : fs::directory_iterator(repo / ".git/objects/pack"))
        if (e.path().extension() == ".pack") pack = e.path();
    REQUIRE_FALSE(pack.empty());
    auto size = fs::file_size(pack);
    fs::permissions(pack, fs::perms::owner_all);
    {
        std::fstream f(pack, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(std::streamoff(size / 3));
        std::string junk(size / 3, 'Z');
        f.write(junk.data(), std::streamsize(junk.size()));
    }
    auto r = run_nhi("scan --git repo --format json --no-db", d.path());
    INFO(r.err);
    CHECK(r.code == 1);  // the secrets in undamaged objects are still found
    CHECK(r.err.find("missing or corrupt") != std::string::npos);
    CHECK(json::parse(r.out)["summary"]["errors"].get<int>() >= 1);
}

namespace {

std::string blob_oid(const fs::path& repo, const std::string& rev) {
    auto r = run_shell("git rev-parse '" + rev + "'", repo);
    REQUIRE(r.code == 0);
    return r.out.substr(0, 40);
}

fs::path loose_object(const fs::path& repo, const std::string& oid) {
    fs::path obj = repo / ".git/objects" / oid.substr(0, 2) / oid.substr(2);
    REQUIRE(fs::exists(obj));
    fs::permissions(obj, fs::perms::owner_all);
    return obj;
}

size_t lines(const std::string& s) { return size_t(std::count(s.begin(), s.end(), '\n')); }

}  // namespace

TEST_CASE("a loose blob, tree or commit cut short is a counted warning, never a hang", "[e2e][git]") {
    // libgit2 1.5 never returns from reading a truncated loose object; `timeout` turns a
    // regression into a failure (exit 124) instead of a stuck suite.
    TempDir d;
    auto repo = build_repo(d);
    d.write("repo/vault/victim.txt", "t=" + kLater + "\nmore text to make a blob\n");
    commit(repo, "victim", "2024-04-01T10:00:00Z");
    std::string kind, rev;
    SECTION("blob") { kind = "blob", rev = "HEAD:vault/victim.txt"; }
    SECTION("tree") { kind = "tree", rev = "HEAD:vault"; }
    SECTION("commit") { kind = "commit", rev = "HEAD"; }  // main's tip: side still holds the older history
    SECTION("older commit") { kind = "older commit", rev = "HEAD~2"; }  // "rename": the walk goes on around it
    const std::string oid = blob_oid(repo, rev);
    fs::resize_file(loose_object(repo, oid), 20);
    REQUIRE(run_shell("git cat-file -p " + oid, repo).code != 0);  // git itself refuses it

    auto r = run_shell("NHI_CACHE_DIR='" + (fs::temp_directory_path() / "nhi-test-cache").string() +
                           "' CI=true timeout 60 '" NHI_BINARY "' scan --git repo --format json --no-db",
                       d.path());
    INFO(kind << ": " << r.err);
    REQUIRE(r.code != 124);
    CHECK(r.code == 1);  // the secrets in the other objects
    CHECK(r.err.find("loose object " + oid + " cut short") != std::string::npos);
    if (kind == "blob") CHECK(r.err.find("vault/victim.txt: blob " + oid) != std::string::npos);
    if (kind == "tree") CHECK(r.err.find("tree " + oid + " (vault/)") != std::string::npos);
    if (kind == "commit") CHECK(r.err.find("refs/heads/main: points to a missing or corrupt object") != std::string::npos);
    auto doc = json::parse(r.out);
    CHECK(doc["summary"]["errors"].get<int>() >= 1);
    auto found = doc["findings"].get<std::vector<json>>();
    CHECK(by_secret(found, kRepeated));
    CHECK(by_secret(found, kSide));
    if (kind == "older commit") {
        CHECK(r.err.find("commit " + oid + ": missing or corrupt") != std::string::npos);
        CHECK(by_secret(found, kLater));          // in the commits after it
        CHECK(by_secret(found, kRenamed));        // still in their trees
        CHECK_FALSE(by_secret(found, kDeleted));  // only behind it
    } else {
        CHECK(by_secret(found, kDeleted));
        CHECK_FALSE(by_secret(found, kLater));  // only the damaged objects lead to it
    }
}

TEST_CASE("loose objects in an alternate are checked too, and a FIFO planted as one is not opened for reading", "[e2e][git]") {
    TempDir d;
    auto repo = build_repo(d);
    d.write("repo/victim.txt", "t=" + kLater + "\nmore text to make a blob\n");
    d.write("repo/other.txt", "another file\n");
    commit(repo, "victim", "2024-04-01T10:00:00Z");
    const std::string cut = blob_oid(repo, "HEAD:victim.txt"), fifo = blob_oid(repo, "HEAD:other.txt");
    fs::resize_file(loose_object(repo, cut), 20);
    fs::remove(loose_object(repo, fifo));
    REQUIRE(run_shell("mkfifo .git/objects/" + fifo.substr(0, 2) + "/" + fifo.substr(2), repo).code == 0);
    sh("git clone -q -s --no-checkout repo borrower", d.path());  // its objects are all in repo's
    auto r = run_shell("NHI_CACHE_DIR='" + (fs::temp_directory_path() / "nhi-test-cache").string() +
                           "' CI=true timeout 60 '" NHI_BINARY "' scan --git borrower --format json --no-db",
                       d.path());
    INFO(r.err);
    REQUIRE(r.code != 124);
    CHECK(r.code == 1);
    CHECK(r.err.find("victim.txt: blob " + cut + " missing or corrupt: loose object " + cut + " cut short") !=
          std::string::npos);
    CHECK(r.err.find("other.txt: blob " + fifo + " missing or corrupt: loose object " + fifo + " is not a regular file") !=
          std::string::npos);
    auto doc = json::parse(r.out);
    CHECK(doc["summary"]["errors"] == 2);
    CHECK(by_secret(doc["findings"].get<std::vector<json>>(), kDeleted));
}

TEST_CASE("a blob that could not be read is read again once restored, and its secret found", "[e2e][git]") {
    TempDir d;
    auto repo = build_repo(d);
    d.write("repo/victim.txt", "t=" + kLater + "\nmore text to make a blob\n");
    commit(repo, "victim", "2024-04-01T10:00:00Z");
    fs::path obj = loose_object(repo, blob_oid(repo, "HEAD:victim.txt"));
    const std::string original = read_file(obj);
    std::ofstream(obj, std::ios::binary | std::ios::trunc) << "not zlib data";

    auto broken = run_nhi("scan --git repo --format jsonl --db db/nhi.db", d.path());
    CHECK(broken.code == 1);
    CHECK(broken.err.find("victim.txt") != std::string::npos);
    CHECK_FALSE(by_secret(jsonl(broken.out), kLater));

    std::ofstream(obj, std::ios::binary | std::ios::trunc) << original;
    auto restored = run_nhi("scan --git repo --format jsonl --db db/nhi.db", d.path());
    INFO(restored.err);
    CHECK(restored.code == 1);
    auto after = jsonl(restored.out);
    auto found = by_secret(after, kLater);
    REQUIRE(found);
    CHECK((*found)["path"] == "victim.txt");
    // Now complete: the next scan reads nothing again and still reports it.
    auto again = run_nhi("scan --git repo --format json --db db/nhi.db", d.path());
    auto doc = json::parse(again.out);
    CHECK(doc["summary"]["git"]["blobs_scanned"] == 0);
    auto kept = doc["findings"].get<std::vector<json>>();
    CHECK(by_secret(kept, kLater));
}

TEST_CASE("git scan with --branch on a ref to a missing object is an error; other such refs are counted warnings", "[e2e][git]") {
    TempDir d;
    auto repo = build_repo(d);
    d.write("repo/.git/refs/heads/ghost", "1234567890123456789012345678901234567890\n");
    auto r = run_nhi("scan --git repo --branch ghost --no-db", d.path());
    CHECK(r.code == 2);
    CHECK(r.err.rfind("nhi: error: repo: --branch ghost: points to a missing or corrupt object", 0) == 0);
    CHECK(lines(r.err) == 1);

    auto all = run_nhi("scan --git repo --format json --no-db", d.path());
    CHECK(all.code == 1);  // every other ref is scanned
    CHECK(all.err.find("refs/heads/ghost: points to a missing or corrupt object") != std::string::npos);
    CHECK(json::parse(all.out)["summary"]["errors"] == 1);
}

TEST_CASE("an oversized blob is skipped on its size before it is read", "[e2e][git]") {
    TempDir d;
    auto repo = build_repo(d);
    std::string big;
    for (int l = 0; l < 20000; ++l) big += "line " + std::to_string(l * 7919 % 100003) + " of a large file\n";
    d.write("repo/big.txt", big);
    commit(repo, "big", "2024-04-01T10:00:00Z");
    // Keep the object's header, damage the rest: only reading it whole can fail.
    fs::path obj = loose_object(repo, blob_oid(repo, "HEAD:big.txt"));
    std::string bytes = read_file(obj);
    REQUIRE(bytes.size() > 1000);
    // (Overwritten with the same length, so the damage is in the stream, not its end.)
    std::ofstream(obj, std::ios::binary | std::ios::trunc)
        << bytes.substr(0, bytes.size() / 2) + std::string(bytes.size() - bytes.size() / 2, 'Z');

    auto r = run_nhi("scan --git repo --max-file-size 100000 --format json --no-db", d.path());
    INFO(r.err);
    CHECK(r.code == 1);
    CHECK(r.err.find("big.txt") == std::string::npos);  // never inflated
    auto doc = json::parse(r.out);
    CHECK(doc["summary"]["errors"] == 0);
    CHECK(doc["summary"]["skipped"]["too_large"] == 1);
    // Under the limit it is read, and its damage reported.
    auto full = run_nhi("scan --git repo --format json --no-db", d.path());
    CHECK(full.err.find("big.txt") != std::string::npos);
    CHECK(json::parse(full.out)["summary"]["errors"] == 1);
}

namespace {

// A user rule that is catastrophic for PCRE2 and one that matches all over a file.
const std::string kCostlyRules = read_file(std::string(NHI_FIXTURES) + "/rules/costly.yml");

fs::path costly_repo(const TempDir& d) {
    fs::path r = d / "costly";
    fs::create_directories(r);
    sh("git init -q -b main .", r);
    d.write("costly.yml", kCostlyRules);
    d.write("costly/logs/app.log", "start\n" + std::string(40, 'a') + "!\n");
    std::string many;
    for (int i = 0; i < 1500; ++i) many += "w" + std::to_string(100 + i % 900) + " ";
    d.write("costly/words.txt", many + "\n");
    d.write("costly/other.txt", "t=" + kLater + "\n");
    commit(r, "costly", "2024-01-01T10:00:00Z");
    return r;
}

}  // namespace

TEST_CASE("git scan: a rule that hits the PCRE2 limit or matches too often is warned about", "[e2e][git]") {
    TempDir d;
    costly_repo(d);
    auto r = run_nhi("scan --git costly --rules costly.yml --format json --no-db", d.path());
    INFO(r.err);
    CHECK(r.code == 1);  // the other secret is still found
    CHECK(r.err.find("costly: logs/app.log: rule test.catastrophic hit a PCRE2 limit") != std::string::npos);
    CHECK(r.err.find("rule test.catastrophic: is slow: its pattern hit a PCRE2 limit in 1 blob") != std::string::npos);
    CHECK(r.err.find("rule test.chatty: matched more than 1000 times in words.txt; matches past 1000 were not "
                     "confirmed") != std::string::npos);
    CHECK(r.err.find("aaaaaaaa") == std::string::npos);  // never content
    CHECK(r.err.find("w123") == std::string::npos);
}

TEST_CASE("git scan counts blobs whose matching hit a PCRE2 limit", "[git][scanners]") {
    TempDir d;
    auto repo = costly_repo(d);
    auto parsed = nhi::rules::parse_rule_file("costly.yml", kCostlyRules);
    REQUIRE(parsed.ok());
    nhi::rules::RuleSet set;
    set.rules = parsed.value();
    set.hash = "costly";
    auto engine = nhi::cli::take(nhi::rules::Engine::create(set, {}));
    nhi::scanners::GitScanOptions o;
    o.repos = {repo.string()};
    o.jobs = 2;
    nhi::scanners::ScanStats stats;
    std::vector<std::string> warnings;
    nhi::scanners::ScanSinks sinks;
    sinks.findings = [](std::vector<nhi::db::Finding>&&) {};
    sinks.warning = [&](const nhi::util::Error& e) { warnings.push_back(e.message()); };
    REQUIRE(nhi::scanners::scan_git(o, *engine, nullptr, 0, stats, sinks).ok());
    CHECK(stats.match_limit_hits == 1);
    CHECK(stats.engine_errors == 0);
    CHECK(stats.files_scanned == 3);
    CHECK(warnings.size() == 3);  // the blob's limit, the slow rule, the chatty rule
}

namespace {

std::string deflate(const std::string& raw) {
    uLongf n = compressBound(raw.size());
    std::string out(n, '\0');
    REQUIRE(compress(reinterpret_cast<Bytef*>(out.data()), &n, reinterpret_cast<const Bytef*>(raw.data()), raw.size()) == Z_OK);
    out.resize(n);
    return out;
}

nhi::scanners::git::LooseObject inflate_whole(const std::string& file, std::string& content) {
    std::vector<std::unique_ptr<char[]>> buffers;
    const nhi::scanners::git::LooseAlloc alloc = [&](size_t n) {
        buffers.push_back(std::make_unique<char[]>(n));
        return static_cast<void*>(buffers.back().get());
    };
    auto obj = nhi::scanners::git::inflate_loose(file, &alloc);
    if (obj.error.empty()) content.assign(static_cast<const char*>(obj.data), obj.size);
    return obj;
}

}  // namespace

TEST_CASE("a loose object is whole only when its zlib stream ends at exactly header + size bytes", "[git][scanners]") {
    std::string body;
    for (int i = 0; i < 400; ++i) body += "line " + std::to_string(i * 7919 % 1009) + "\n";
    const std::string file = deflate("blob " + std::to_string(body.size()) + std::string(1, '\0') + body);
    std::string content;
    auto whole = inflate_whole(file, content);
    CHECK(whole.error.empty());
    CHECK(whole.type == GIT_OBJECT_BLOB);
    CHECK(content == body);
    auto header = nhi::scanners::git::inflate_loose(file, nullptr);
    CHECK(header.error.empty());
    CHECK(header.size == body.size());

    // Cut short anywhere: an error, never a loop.
    size_t cut_errors = 0;
    for (size_t n = 0; n < file.size(); ++n)
        if (!inflate_whole(file.substr(0, n), content).error.empty()) ++cut_errors;
    CHECK(cut_errors == file.size());
    CHECK(inflate_whole(file.substr(0, file.size() / 2), content).error.find("cut short") != std::string::npos);

    auto longer = inflate_whole(deflate("blob 3" + std::string(1, '\0') + "abcd"), content);
    CHECK(longer.error == "longer than its header says");
    auto shorter = inflate_whole(deflate("tree 9" + std::string(1, '\0') + "abcd"), content);
    CHECK(shorter.error == "shorter than its header says");
    CHECK_FALSE(inflate_whole(deflate("blub 4" + std::string(1, '\0') + "abcd"), content).error.empty());
    CHECK_FALSE(inflate_whole(deflate("blob" + std::string(1, '\0') + "abcd"), content).error.empty());
    CHECK(inflate_whole("not zlib data", content).error.find("not valid zlib data") != std::string::npos);
    // A header that declares far more than its file could inflate to is refused before any allocation.
    auto huge = nhi::scanners::git::inflate_loose(deflate("blob 99999999999" + std::string(1, '\0') + "abcd"), nullptr);
    CHECK(huge.error.find("more than its file can hold") != std::string::npos);
}
