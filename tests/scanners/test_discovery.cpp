// Discovery of identities declared in repository configuration, and CODEOWNERS lookups.
#include <catch2/catch.hpp>

#include <fstream>

#include "scanners/codeowners.hpp"
#include "scanners/discovery.hpp"
#include "support.hpp"

using namespace nhi::scanners;

TEST_CASE("CODEOWNERS: last match wins, anchored and floating patterns, directories", "[discovery][codeowners]") {
    auto c = CodeOwners::parse("# comment\n*  @acme/platform\n/infra/ @acme/cloud\nk8s/ @acme/sre\n*.tf @acme/tf # trailing\n"
                               "[Section]\ndocs/**/*.md @acme/docs\n",
                               "/repo");
    CHECK(c.owners_of("/repo/README.md") == "@acme/platform");
    CHECK(c.owners_of("/repo/infra/net/vpc.yaml") == "@acme/cloud");
    CHECK(c.owners_of("/repo/infra/iam.tf") == "@acme/tf");
    CHECK(c.owners_of("/repo/apps/k8s/sa.yaml") == "@acme/sre");
    CHECK(c.owners_of("/repo/docs/a/b/x.md") == "@acme/docs");
    CHECK(c.owners_of("/elsewhere/x") == "");
    auto none = CodeOwners::parse("/only/this @x\n", "/repo");
    CHECK(none.owners_of("/repo/other/file") == "");
}

TEST_CASE("discovery reads manifests, Terraform, workflows, agent configs and registry auths", "[discovery]") {
    CHECK(discoverable("k8s/sa.yaml"));
    CHECK(discoverable("infra/main.tf"));
    CHECK(discoverable(".cursor/mcp.json"));
    CHECK(discoverable("home/.docker/config.json"));
    CHECK(discoverable(".npmrc"));
    CHECK_FALSE(discoverable("src/main.cpp"));
    CHECK_FALSE(discoverable("package.json"));

    auto k8s = discover("k8s/sa.yaml", "kind: ServiceAccount\nmetadata:\n  name: api\n  namespace: pay\n"
                                       "  labels: {team: payments}\n---\nkind: ConfigMap\nmetadata: {name: x}\n");
    REQUIRE(k8s.identities.size() == 1);
    CHECK(k8s.identities[0].key == "k8s:sa/pay/api");  // the key a cluster export uses
    CHECK(k8s.identities[0].owner == "payments");

    auto tf = discover("infra/iam.tf", "resource \"aws_iam_user\" \"d\" {\n  name = \"ci\"\n}\n"
                                       "resource \"aws_iam_access_key\" \"d\" {\n  user = aws_iam_user.d.name\n}\n"
                                       "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n}\n");
    REQUIRE(tf.identities.size() == 1);
    CHECK(tf.identities[0].key == "aws:user/ci");
    REQUIRE(tf.credentials.size() == 1);
    CHECK(tf.credentials[0].identity_key == "aws:user/ci");
    CHECK(tf.credentials[0].data["in_terraform_state"] == true);

    auto wf = discover(".github/workflows/d.yml", "jobs:\n  d:\n    steps:\n      - with:\n          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}\n");
    REQUIRE(wf.identities.size() == 1);
    CHECK(wf.identities[0].data["oidc"] == false);
    CHECK(wf.identities[0].data["static_cloud_keys"] == nlohmann::json::array({"AWS_ACCESS_KEY_ID"}));
    auto oidc = discover(".github/workflows/o.yml", "permissions:\n  id-token: write\njobs: {}\n");
    REQUIRE(oidc.identities.size() == 1);
    CHECK(oidc.identities[0].data["oidc"] == true);
    CHECK(discover(".github/workflows/lint.yml", "jobs:\n  l:\n    steps:\n      - run: make lint\n").identities.empty());

    auto docker = discover(".docker/config.json", R"({"auths": {"ghcr.io": {"auth": "ZGVwbG95OnMzY3IzdA=="}}})");
    REQUIRE(docker.credentials.size() == 1);
    CHECK(docker.identities[0].data["user"] == "deploy");
    CHECK(docker.credentials[0].data.dump().find("ZGVwbG95OnMzY3IzdA") == std::string::npos);

    auto broken = discover("k8s/bad.yaml", "kind: ServiceAccount\nmetadata: [\n");
    CHECK(broken.identities.empty());
    REQUIRE(broken.warnings.size() == 1);
    CHECK(broken.warnings[0].find("k8s/bad.yaml: invalid YAML at line") == 0);
}
