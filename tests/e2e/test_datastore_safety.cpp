// The datastore with the real binary: concurrent first uses, planted files in a shared
// directory, and data that the datastore must keep readable.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "db/database.hpp"
#include "db/inventory.hpp"
#include "support.hpp"

using namespace nhi;
using namespace nhi::test;

namespace {

const fs::path kExports = fs::path(NHI_FIXTURES) / "exports";

}  // namespace

TEST_CASE("four imports started together on a new datastore all succeed", "[e2e][datastore]") {
    const char* files[] = {"aws/credential-report.csv", "gcp/service-accounts.json", "k8s/list.json",
                           "github/fine-grained-pats.json"};
    // Several fresh datastores: one round can miss the window in which the migrations race.
    for (int round = 0; round < 4; ++round) {
        TempDir dir;
        std::string script = "{ ";  // one group, so that run_shell's cd applies to all
        for (int i = 0; i < 4; ++i)
            script += "( NHI_CACHE_DIR='" + (fs::temp_directory_path() / "nhi-test-cache").string() + "' '" NHI_BINARY
                      "' inventory import --db state/nhi.db '" + (kExports / files[i]).string() + "' 2>err" +
                      std::to_string(i) + "; echo $? >rc" + std::to_string(i) + " ) & ";
        script += "wait; }";
        auto r = run_shell(script, dir.path());
        REQUIRE(r.code == 0);
        for (int i = 0; i < 4; ++i) {
            INFO("round " << round << ", import " << i << ": " << read_file(dir / ("err" + std::to_string(i))));
            CHECK(read_file(dir / ("rc" + std::to_string(i))) == "0\n");
        }
        auto database = db::Database::open((dir / "state/nhi.db").string());
        REQUIRE(database.ok());
        auto runs = db::Inventory(*database.value()).runs("import");
        REQUIRE(runs.ok());
        CHECK(runs->size() == 4);
    }
}

TEST_CASE("a datastore path refuses a planted file or symlink in a shared directory", "[e2e][datastore]") {
    TempDir dir;
    const std::string imp = "inventory import --db shared/nhi.db '" + (kExports / "k8s/list.json").string() + "'";
    SECTION("a file another user could have made, mode 0666") {
        auto planted = dir.write("shared/nhi.db", "");
        REQUIRE(::chmod(planted.c_str(), 0666) == 0);
        auto r = run_nhi(imp, dir.path());
        CHECK(r.code == 2);
        CHECK(r.err.find("shared/nhi.db: datastore is writable by group or others (mode 0666)") != std::string::npos);
        CHECK(read_file(planted).empty());
    }
    SECTION("a symlink to a file elsewhere") {
        fs::create_directories(dir / "shared");
        fs::create_symlink(dir / "victim", dir / "shared/nhi.db");
        auto r = run_nhi(imp, dir.path());
        CHECK(r.code == 2);
        CHECK(r.err.find("datastore is a symbolic link; refusing to follow it") != std::string::npos);
        CHECK_FALSE(fs::exists(dir / "victim"));
    }
}
