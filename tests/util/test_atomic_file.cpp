#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "support.hpp"
#include "util/atomic_file.hpp"

using namespace nhi::util;
using nhi::test::TempDir;

namespace {
size_t entries(const std::filesystem::path& dir) {
    size_t n = 0;
    for (auto it = std::filesystem::directory_iterator(dir); it != std::filesystem::directory_iterator(); ++it) ++n;
    return n;
}
}  // namespace

TEST_CASE("AtomicFile replaces the destination only on commit, and leaves no temp", "[util]") {
    TempDir d;
    auto dest = d.write("report.txt", "old report\n");
    {
        auto f = AtomicFile::create(dest.string());
        REQUIRE(f.ok());
        (*f)->stream() << "new report\n";
        CHECK(nhi::test::read_file(dest) == "old report\n");  // nothing visible before commit
        REQUIRE((*f)->commit().ok());
    }
    CHECK(nhi::test::read_file(dest) == "new report\n");
    CHECK(entries(d.path()) == 1);
    {
        auto f = AtomicFile::create(dest.string());
        REQUIRE(f.ok());
        (*f)->stream() << "abandoned";
    }  // destroyed without commit: the last good file stays, the temp goes
    CHECK(nhi::test::read_file(dest) == "new report\n");
    CHECK(entries(d.path()) == 1);
}

TEST_CASE("AtomicFile writes large output whole and sets the requested mode", "[util]") {
    TempDir d;
    std::string big(3 << 20, 'x');
    for (size_t i = 0; i < big.size(); i += 4099) big[i] = '\n';
    REQUIRE(write_file_atomic((d / "big").string(), big, 0600).ok());
    CHECK(nhi::test::read_file(d / "big") == big);
    struct stat st {};
    REQUIRE(::stat((d / "big").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("AtomicFile fails with a reason in a directory that does not exist", "[util]") {
    TempDir d;
    auto f = AtomicFile::create((d / "missing" / "out.json").string());
    REQUIRE_FALSE(f.ok());
    CHECK(f.error().why.find("cannot write") != std::string::npos);
}
