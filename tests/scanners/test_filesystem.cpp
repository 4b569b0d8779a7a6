#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <iterator>
#include <mutex>
#include <set>
#include <stdexcept>

#include "rules/engine.hpp"
#include "rules/hs_cache.hpp"
#include "rules/loader.hpp"
#include "scanners/filesystem.hpp"
#include "support.hpp"

using namespace nhi;

namespace {

const char* kToken = "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";

struct Collected {
    std::mutex mu;
    std::vector<db::Finding> findings;
    std::vector<util::Error> warnings;
};

util::Status scan(const std::vector<std::string>& paths, scanners::ScanStats& stats, Collected& c,
                  bool use_ignore = true, uint64_t max_size = 1 << 20) {
    static auto engine = [] {
        auto set = rules::load_rules({});
        REQUIRE(set.ok());
        auto e = rules::Engine::create(set.value(), {});
        REQUIRE(e.ok());
        return e.value();
    }();
    scanners::FileScanOptions o;
    o.paths = paths;
    o.use_ignore = use_ignore;
    o.max_file_size = max_size;
    o.jobs = 2;
    scanners::ScanSinks sinks;
    sinks.findings = [&](std::vector<db::Finding>&& b) {
        std::lock_guard l(c.mu);
        for (auto& f : b) c.findings.push_back(std::move(f));
    };
    sinks.warning = [&](const util::Error& e) {
        std::lock_guard l(c.mu);
        c.warnings.push_back(e);
    };
    return scanners::scan_paths(o, *engine, stats, sinks);
}

}  // namespace

TEST_CASE("directory scan reports relative paths with line and column", "[scanners][filesystem]") {
    test::TempDir d;
    d.write("a/config.env", std::string("# header\nTOKEN=") + kToken + "\n");
    scanners::ScanStats stats;
    Collected c;
    REQUIRE(scan({d.path().string()}, stats, c).ok());
    REQUIRE(c.findings.size() == 1);
    CHECK(c.findings[0].path == "a/config.env");
    CHECK(c.findings[0].line == 2);
    CHECK(c.findings[0].column == 7);
    CHECK(c.findings[0].rule_id == "nhi.github.pat");
    CHECK(stats.files_scanned == 1);
}

TEST_CASE("walk skips .git, binaries, large files, ignored files and symlinks, and counts them",
          "[scanners][filesystem]") {
    test::TempDir d;
    std::string secret = std::string("TOKEN=") + kToken + "\n";
    d.write(".git/config", secret);
    d.write("bin.dat", std::string("\0\1\2", 3) + secret);
    d.write("big.txt", std::string(2 << 20, 'a') + secret);
    d.write(".gitignore", "ignored.txt\nout/\n");
    d.write("ignored.txt", secret);
    d.write("out/x.txt", secret);
    d.write("real.txt", secret);
    std::filesystem::create_directory_symlink(d.path(), d / "loop");  // a symlink loop
    std::filesystem::create_symlink(d / "real.txt", d / "link.txt");
    ::mkfifo((d / "fifo").c_str(), 0600);

    scanners::ScanStats stats;
    Collected c;
    REQUIRE(scan({d.path().string()}, stats, c).ok());
    REQUIRE(c.findings.size() == 1);
    CHECK(c.findings[0].path == "real.txt");
    CHECK(stats.skipped_binary == 1);
    CHECK(stats.skipped_too_large == 1);
    CHECK(stats.skipped_ignored == 2);
    CHECK(stats.skipped_symlink == 2);
    CHECK(stats.skipped_special == 1);

    scanners::ScanStats all;
    Collected c2;
    REQUIRE(scan({d.path().string()}, all, c2, /*use_ignore=*/false).ok());
    CHECK(c2.findings.size() == 3);  // real, ignored, out/x
}

TEST_CASE("a missing input fails the scan and names the path", "[scanners][filesystem]") {
    scanners::ScanStats stats;
    Collected c;
    auto s = scan({"/nonexistent/nhi/path"}, stats, c);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().what == "/nonexistent/nhi/path");
}

TEST_CASE("an input that cannot be read is a counted warning naming it", "[scanners][filesystem]") {
    // Root can read any file, so a FIFO named on the command line stands in for an
    // unreadable input: it must be reported, counted, and must not block the scan.
    test::TempDir d;
    d.write("ok.txt", std::string("T=") + kToken);
    ::mkfifo((d / "pipe").c_str(), 0600);
    scanners::ScanStats stats;
    Collected c;
    REQUIRE(scan({(d / "ok.txt").string(), (d / "pipe").string()}, stats, c).ok());
    CHECK(c.findings.size() == 1);
    CHECK(stats.errors == 1);
    REQUIRE(c.warnings.size() == 1);
    CHECK(c.warnings[0].what == (d / "pipe").string());
    CHECK(c.warnings[0].why == "not a regular file");

    scanners::ScanStats only_bad;
    Collected c2;
    auto s = scan({(d / "pipe").string()}, only_bad, c2);
    REQUIRE_FALSE(s.ok());  // nothing could be read at all: a runtime error
    CHECK(s.error().why.find("nothing could be read") != std::string::npos);
}

TEST_CASE("a directory's .gitignore applies to its subtree only, its parents' to all below", "[scanners][filesystem]") {
    test::TempDir d;
    std::string secret = std::string("TOKEN=") + kToken + "\n";
    d.write(".gitignore", "*.log\n");
    d.write("a/.gitignore", "local.env\n");
    d.write("a/local.env", secret);      // ignored by a/.gitignore
    d.write("a/sub/local.env", secret);  // ...and below it
    d.write("a/sub/x.log", secret);      // ignored by the root's
    d.write("b/local.env", secret);      // a sibling: a/.gitignore does not reach it
    d.write("b/x.log", secret);          // the root's still does, after leaving a/
    d.write("c/.gitignore", "!keep.log\n");
    d.write("c/keep.log", secret);       // re-included under c/ only
    scanners::ScanStats stats;
    Collected c;
    REQUIRE(scan({d.path().string()}, stats, c).ok());
    std::set<std::string> paths;
    for (const auto& f : c.findings) paths.insert(f.path);
    CHECK(paths == std::set<std::string>{"b/local.env", "c/keep.log"});
    CHECK(stats.skipped_ignored == 4);
}

TEST_CASE("a binary file is judged on its first bytes, before its size", "[scanners][filesystem]") {
    // Both are over the limit; only the text one counts as too large, since the binary check
    // looks at the first 8 KiB before anything else is read.
    test::TempDir d;
    d.write("big.bin", std::string("\0\1\2", 3) + std::string(2 << 20, 'a'));
    d.write("big.txt", std::string(2 << 20, 'a'));
    d.write("head.txt", std::string(8192, 'a') + "\n" + std::string(100, 'b') + "\nTOKEN=" + kToken + "\n");
    scanners::ScanStats stats;
    Collected c;
    REQUIRE(scan({d.path().string()}, stats, c).ok());
    CHECK(stats.skipped_binary == 1);
    CHECK(stats.skipped_too_large == 1);
    // A file longer than the first read is read to its end.
    REQUIRE(c.findings.size() == 1);
    CHECK(c.findings[0].path == "head.txt");
    CHECK(c.findings[0].line == 3);
    CHECK(stats.bytes_scanned == 8192 + 1 + 100 + 1 + 6 + std::string(kToken).size() + 1);
}

TEST_CASE("a sink that throws fails the scan with an error instead of aborting", "[scanners][filesystem]") {
    test::TempDir d;
    for (int i = 0; i < 20; ++i) d.write("f" + std::to_string(i) + ".env", std::string("TOKEN=") + kToken + "\n");
    scanners::FileScanOptions o;
    o.paths = {d.path().string()};
    o.jobs = 2;
    auto set = rules::load_rules({});
    REQUIRE(set.ok());
    auto engine = rules::Engine::create(set.value(), {});
    REQUIRE(engine.ok());
    scanners::ScanSinks sinks;
    sinks.findings = [](std::vector<db::Finding>&&) { throw std::runtime_error("sink full"); };
    sinks.warning = [](const util::Error&) {};
    scanners::ScanStats stats;
    auto s = scanners::scan_paths(o, *engine.value(), stats, sinks);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().why == "sink full");
}

TEST_CASE("a walk deeper than its descriptor window keeps order, .gitignore scopes and every file",
          "[scanners][filesystem]") {
    // 80 levels of a/, each with a sibling b/ and a file after it in sorted order: coming
    // back up, the walk reopens directories it closed and goes on where it left off.
    test::TempDir d;
    std::string secret = std::string("TOKEN=") + kToken + "\n";
    std::string rel;
    std::set<std::string> expected;
    for (int level = 0; level < 80; ++level) {
        std::string here = rel.empty() ? "" : rel + "/";
        d.write(here + "b/x.env", secret);
        d.write(here + "z.env", secret);
        expected.insert(here + "b/x.env");
        expected.insert(here + "z.env");
        if (level == 40) d.write(here + ".gitignore", "z.env\n");  // this level and below
        rel = here + "a";
    }
    scanners::ScanStats stats;
    Collected c;
    REQUIRE(scan({d.path().string()}, stats, c).ok());
    std::set<std::string> found, ignored;
    for (const auto& f : c.findings) found.insert(f.path);
    for (const auto& p : expected)
        if (std::count(p.begin(), p.end(), '/') >= 40 && p.size() >= 5 && p.substr(p.size() - 5) == "z.env") ignored.insert(p);
    std::set<std::string> want;
    std::set_difference(expected.begin(), expected.end(), ignored.begin(), ignored.end(), std::inserter(want, want.end()));
    CHECK(ignored.size() == 40);
    CHECK(found == want);
    CHECK(stats.skipped_ignored == 40);
    CHECK(stats.errors == 0);
    CHECK(c.warnings.empty());
}

TEST_CASE("a .gitignore that is a FIFO or a link is not read and does not block the walk", "[scanners][filesystem]") {
    test::TempDir d;
    std::string secret = std::string("TOKEN=") + kToken + "\n";
    d.write("fifo/x.env", secret);
    REQUIRE(::mkfifo((d / "fifo/.gitignore").c_str(), 0600) == 0);  // opening it for reading would wait for a writer
    d.write("rules.txt", "x.env\n");
    d.write("link/x.env", secret);
    std::filesystem::create_symlink(d / "rules.txt", d / "link/.gitignore");  // git does not follow it either
    scanners::ScanStats stats;
    Collected c;
    REQUIRE(scan({d.path().string()}, stats, c).ok());
    std::set<std::string> paths;
    for (const auto& f : c.findings) paths.insert(f.path);
    CHECK(paths == std::set<std::string>{"fifo/x.env", "link/x.env"});
    CHECK(stats.skipped_ignored == 0);
}

TEST_CASE("declared identities merge into one batch, owned by CODEOWNERS where they name no owner",
          "[scanners][filesystem]") {
    std::vector<db::ImportBatch> batches(2);
    auto& a = batches[0].identity({});
    a.data = {{"declared_in", "deploy/sa.yaml"}};
    auto& b = batches[1].identity({});
    b.owner = "team-x";
    b.data = {{"declared_in", "deploy/other.yaml"}};
    auto& c = batches[1].identity({});
    c.data = {{"declared_in", 7}};  // not a path: left alone, never a thrown type error
    batches[1].credential({});
    auto all = scanners::merge_declared(std::move(batches), [](const std::string& p) { return "@owners-of:" + p; });
    CHECK(all.format == "repository");
    REQUIRE(all.identities.size() == 3);
    CHECK(all.credentials.size() == 1);
    CHECK(all.identities[0].owner == "@owners-of:deploy/sa.yaml");
    CHECK(all.identities[0].owner_class == "codeowners");
    CHECK(all.identities[0].owner_source == "CODEOWNERS for deploy/sa.yaml");
    CHECK(all.identities[1].owner == "team-x");
    CHECK(all.identities[1].owner_class == "export");
    CHECK(all.identities[2].owner.empty());
}
