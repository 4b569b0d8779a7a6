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
