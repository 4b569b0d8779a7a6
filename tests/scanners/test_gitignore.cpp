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
