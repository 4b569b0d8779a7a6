// path_context: what kind of file a path is, from folder names, file names and extensions.
#include <catch2/catch.hpp>

#include "rules/path_context.hpp"

using namespace nhi::rules;

TEST_CASE("path_context tells live code from tests, fixtures, docs, examples, vendor and generated",
          "[rules][path_context]") {
    struct Case {
        const char* path;
        PathContext want;
    };
    const Case cases[] = {
        {"src/app/config.py", PathContext::Source},
        {"lib/http.c", PathContext::Source},
        {".env", PathContext::Source},
        {"deploy/prod/values.yaml", PathContext::Source},
        {"contest/main.go", PathContext::Source},          // not a test folder
        {"src/history.js", PathContext::Source},           // a name that starts like HISTORY
        {"tests/unit/test_client.py", PathContext::Test},
        {"pkg/client/client_test.go", PathContext::Test},
        {"src/test/java/com/acme/ClientTest.java", PathContext::Test},
        {"web/src/api.spec.ts", PathContext::Test},
        {"spec/models/user_spec.rb", PathContext::Test},
        {"tests/data/test1234", PathContext::Fixture},    // curl's recorded traffic
        {"tests/certs/server.key", PathContext::Fixture},
        {"src/test/resources/application.yml", PathContext::Fixture},
        {"internal/testdata/creds.json", PathContext::Fixture},
        {"__snapshots__/App.test.js.snap", PathContext::Fixture},
        {"docs/INSTALL.md", PathContext::Docs},
        {"README.md", PathContext::Docs},
        {"docs/libcurl/curl_easy_setopt.3", PathContext::Docs},
        {"CHANGES", PathContext::Docs},
        {"CHANGES.0", PathContext::Docs},
        {"README.curl", PathContext::Docs},
        {"curl.1", PathContext::Docs},
        {"lib/install.py", PathContext::Source},
        {"ltmain.sh", PathContext::Generated},
        {"configure", PathContext::Generated},
        {"docs/examples/https.c", PathContext::Example},  // an example beats the docs folder
        {".env.example", PathContext::Example},
        {"config/settings.sample.yml", PathContext::Example},
        {"node_modules/pkg/test/fixtures/key.pem", PathContext::Vendor},  // someone else's tests
        {"vendor/github.com/x/y/z.go", PathContext::Vendor},
        {"dist/app.min.js", PathContext::Generated},
        {"web/static/bundle.min.js", PathContext::Generated},
        {"package-lock.json", PathContext::Generated},
        {"api/v1/service.pb.go", PathContext::Generated},
        // An archive entry is judged by both sides of `!`.
        {"release/app.jar!BOOT-INF/classes/application.properties", PathContext::Source},
        {"tests/fixtures/app.jar!BOOT-INF/classes/application.properties", PathContext::Fixture},
        {"lib/app.jar!META-INF/maven/x/README.md", PathContext::Docs},
    };
    for (const auto& c : cases) {
        INFO(c.path);
        CHECK(to_string(path_context(c.path)) == std::string(to_string(c.want)));
    }
}

TEST_CASE("path contexts round-trip through their names", "[rules][path_context]") {
    for (size_t i = 0; i < kPathContexts; ++i) {
        auto c = PathContext(i);
        REQUIRE(parse_path_context(to_string(c)) == c);
    }
    CHECK_FALSE(parse_path_context("tests").has_value());
}

TEST_CASE("fixture_reason: only layouts that make a value test data for certain", "[rules][path_context]") {
    CHECK(fixture_reason("nhi.key.pem-private", "tests/certs/server.key", PathContext::Fixture) ==
          "a private key in a test certificates folder");
    CHECK(fixture_reason("nhi.netrc.password", "tests/data/test478", PathContext::Fixture) ==
          "netrc credentials in a test data file");
    CHECK(fixture_reason("nhi.http.basic-auth-header", "tests/data/test1", PathContext::Fixture) ==
          "credentials in recorded HTTP traffic (test data)");
    // A real key under tests/ but outside a certs folder, or a key in live code: no reason.
    CHECK(fixture_reason("nhi.key.pem-private", "certificates/testdata/accounts/a/RSA4096/k.key",
                         path_context("certificates/testdata/accounts/a/RSA4096/k.key")) == "a private key in test data");
    CHECK(fixture_reason("nhi.key.pem-private", "tests/deploy_key.pem", PathContext::Test).empty());
    CHECK(fixture_reason("nhi.key.pem-private", "certs/server.key", PathContext::Source).empty());
    CHECK(fixture_reason("nhi.github.pat", "tests/data/test1", PathContext::Fixture).empty());
}
