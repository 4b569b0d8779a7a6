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

TEST_CASE("a docker auth whose user is not UTF-8 is recorded, not an abort", "[e2e][datastore]") {
    TempDir dir;
    // base64 of "\xe9\xff\xfe" "deploy:Kq7vR2mX9pLw4Zt8": a Latin-1 user name and bytes no UTF-8 has.
    dir.write("tree/config.json", R"({"auths": {"registry.example.com": {"auth": "6f/+ZGVwbG95OktxN3ZSMm1YOXBMdzRadDg="}}})");
    auto r = run_nhi("scan tree", dir.path());
    INFO(r.err);
    CHECK(r.code == 1);  // a finding, recorded (before: exit 2, type_error 316 from the datastore)
    CHECK(r.out.find("nhi.docker.config-auth") != std::string::npos);
    CHECK(r.err.find("type_error") == std::string::npos);
}

TEST_CASE("an export nested 2,000 deep leaves every report readable", "[e2e][datastore]") {
    TempDir dir;
    auto user = [](const std::string& name, const std::string& groups) {
        return R"({"UserName":")" + name + R"(","UserId":"AIDA)" + name + R"(EXAMPLE","Arn":"arn:aws:iam::111122223333:user/)" +
               name + R"(","CreateDate":"2021-09-14T10:02:33+00:00","GroupList":)" + groups + "}";
    };
    const std::string deep = std::string(2000, '[') + "\"Admins\"" + std::string(2000, ']');
    dir.write("deep.json", R"({"UserDetailList":[)" + user("deep", deep) + "," + user("ok", R"(["Admins"])") +
                               R"(],"GroupDetailList":[],"RoleDetailList":[],"Policies":[]})");
    auto imp = run_nhi("inventory import deep.json", dir.path());
    INFO(imp.err);
    // An importer may refuse the file outright; if it is imported, the deep record is named.
    if (imp.code == 0) CHECK(imp.err.find("aws:user/deep: data nested deeper than 64 levels; not stored") != std::string::npos);
    auto list = run_nhi("inventory list --format json", dir.path());
    INFO(list.err);
    CHECK(list.code == 0);  // before: "datastore: malformed JSON", exit 2
    auto report = run_nhi("report risk --format json", dir.path());
    INFO(report.err);
    // Refused outright, the datastore holds nothing, and a report says so (exit 2, issue 15).
    if (imp.code == 0) CHECK(report.code != 2);
    else CHECK(report.err.find("holds no inventory") != std::string::npos);
}
