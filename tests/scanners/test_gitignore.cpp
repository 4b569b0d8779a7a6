#include <catch2/catch.hpp>

#include "scanners/gitignore.hpp"

using nhi::scanners::IgnoreRules;

TEST_CASE("gitignore patterns match as git does", "[scanners][gitignore]") {
    IgnoreRules r;
    r.add("", "# comment\n*.log\n!keep.log\n/build/\nsecrets/*.pem\nnode_modules\n");
    r.add("sub", "local.txt\n/anchored.txt\n");
    CHECK(r.ignored("app.log", false));
    CHECK(r.ignored("deep/dir/app.log", false));
    CHECK_FALSE(r.ignored("keep.log", false));
    CHECK(r.ignored("build", true));
    CHECK_FALSE(r.ignored("build", false));      // dir-only pattern
    CHECK_FALSE(r.ignored("src/build", true));   // anchored to the root
    CHECK(r.ignored("secrets/a.pem", false));
    CHECK_FALSE(r.ignored("other/secrets/a.pem", false));
    CHECK(r.ignored("a/node_modules", true));
    CHECK(r.ignored("sub/local.txt", false));
    CHECK(r.ignored("sub/x/local.txt", false));
    CHECK_FALSE(r.ignored("local.txt", false));  // only below sub/
    CHECK(r.ignored("sub/anchored.txt", false));
    CHECK_FALSE(r.ignored("sub/x/anchored.txt", false));
}

TEST_CASE("plain names and *.ext take the fast path and agree with the glob matcher", "[scanners][gitignore]") {
    IgnoreRules r;
    r.add("", "*.tar.gz\nMakefile\n/config.h\nlib*.a\n*\\*star\n");
    CHECK(r.ignored("dist/app.tar.gz", false));
    CHECK_FALSE(r.ignored("dist/app.tar.gzip", false));
    CHECK_FALSE(r.ignored("tar.g", false));
    CHECK(r.ignored("src/Makefile", false));
    CHECK_FALSE(r.ignored("src/Makefile.am", false));
    CHECK(r.ignored("config.h", false));
    CHECK_FALSE(r.ignored("src/config.h", false));  // anchored literal
    CHECK(r.ignored("out/libfoo.a", false));         // a glob, not a suffix
    CHECK_FALSE(r.ignored("out/foo.a", false));
    CHECK(r.ignored("x*star", false));               // escaped '*' is a literal star
}

// ignored() cuts the path to each .gitignore's base once per file of patterns: the last match
// still wins across files, whether they share a base or not, and truncate() keeps that.
TEST_CASE("the last matching pattern wins across .gitignore files with shared and nested bases", "[scanners][gitignore]") {
    IgnoreRules r;
    r.add("", "*.log\n");
    r.add("sub", "!keep.log\n");
    r.add("sub", "keep.log\n");      // a second file with the same base overrides the first
    r.add("sub/deep", "!keep.log\n");
    CHECK(r.ignored("a.log", false));
    CHECK(r.ignored("sub/keep.log", false));
    CHECK_FALSE(r.ignored("sub/deep/keep.log", false));
    CHECK(r.ignored("subway/keep.log", false));  // "subway" is not below "sub"
    CHECK_FALSE(r.ignored("sub", false));
    r.truncate(3);
    CHECK(r.ignored("sub/deep/keep.log", false));
    r.truncate(2);
    CHECK_FALSE(r.ignored("sub/keep.log", false));
    CHECK(r.ignored("sub/other.log", false));
}
