// Environment classification for NHI8: words in names and the tail of paths.
#include <catch2/catch.hpp>

#include "reports/environment.hpp"

using namespace nhi::reports;

TEST_CASE("environment_of_text reads environment words", "[reports][environment]") {
    CHECK(environment_of_text("acme-prod-4821") == "production");
    CHECK(environment_of_text("payments_STAGING") == "staging");
    CHECK(environment_of_text("stg01-api") == "staging");
    CHECK(environment_of_text("dev") == "development");
    CHECK(environment_of_text("qa-runner") == "test");
    // Words only: "product" and "devops" are not environments.
    CHECK(environment_of_text("product-catalog") == "");
    CHECK(environment_of_text("devops-bot") == "");
    // Two environments named: no single answer.
    CHECK(environment_of_text("prod-to-staging-sync") == "");
}

TEST_CASE("environment_of_path looks only at the last three components", "[reports][environment]") {
    CHECK(environment_of_path("config/production/app.env") == "production");
    CHECK(environment_of_path("deploy/staging.yaml") == "staging");
    CHECK(environment_of_path("/home/dev/src/app/settings.py") == "");  // "dev" is above the tail
    CHECK(environment_of_path("app.env") == "");
}

TEST_CASE("environment_of an identity: its fields first, then its export's file name", "[reports][environment]") {
    nhi::db::IdentityRow r;
    r.name = "ci-deployer@acme-prod-4821.iam.gserviceaccount.com";
    CHECK(environment_of(r) == "production");
    r.name = "deployer";
    r.data = {{"namespace", "payments-staging"}};
    CHECK(environment_of(r) == "staging");
    r.data = nlohmann::json::object();
    r.sources = {"/tmp/test-dir/exports/dev-cluster.json"};
    CHECK(environment_of(r) == "development");
    r.sources = {"/tmp/test-dir/cluster.json"};
    CHECK(environment_of(r) == "");
}
