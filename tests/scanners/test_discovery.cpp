// Discovery of identities declared in repository configuration, and CODEOWNERS lookups.
#include <catch2/catch.hpp>

#include <fstream>

#include "scanners/codeowners.hpp"
#include "scanners/discovery.hpp"
#include "support.hpp"
#include "util/hash.hpp"

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

namespace {

// A value planted in hostile files: no warning may quote it.
constexpr const char* kMarker = "hush-Vb3kQ8zLm2Xw";

void check_one_warning(const nhi::db::ImportBatch& b, const std::string& starts, const std::string& has) {
    REQUIRE(b.warnings.size() == 1);
    INFO(b.warnings[0]);
    CHECK(b.warnings[0].rfind(starts, 0) == 0);
    CHECK(b.warnings[0].find(has) != std::string::npos);
    CHECK(b.warnings[0].find(kMarker) == std::string::npos);
}

}  // namespace

TEST_CASE("malformed ServiceAccounts are warnings with line and column, never exceptions", "[discovery]") {
    check_one_warning(discover("k8s/a.yaml", "kind: ServiceAccount\nmetadata: x\n"), "k8s/a.yaml: metadata is not a mapping at line 2, column 11", "not recorded");
    check_one_warning(discover("k8s/a.yaml", "kind: ServiceAccount\nmetadata: [a]\n"), "k8s/a.yaml: metadata is not a mapping", "line 2");
    check_one_warning(discover("k8s/a.yaml", "kind: ServiceAccount\n"), "k8s/a.yaml: metadata is not a mapping at line 1", "not recorded");
    check_one_warning(discover("k8s/a.yaml", "kind: ServiceAccount\nmetadata: {name: [x]}\n"), "k8s/a.yaml: metadata.name is missing", "line 2");
    check_one_warning(discover("k8s/a.yaml", "kind: ServiceAccount\nmetadata: {name: a, namespace: {x: y}}\n"), "k8s/a.yaml: metadata.namespace is not text", "line 2");
    check_one_warning(discover("k8s/a.yaml", "kind: ServiceAccount\nmetadata:\n  name: a\n  labels: x\n"), "k8s/a.yaml: metadata.labels is not a mapping at line 4", "ignored");
    auto labels = discover("k8s/a.yaml", "kind: ServiceAccount\nmetadata:\n  name: a\n  labels: {team: t, [k]: v, w: {x: y}}\n");
    check_one_warning(labels, "k8s/a.yaml: 2 entries of metadata.labels are not text", "ignored");
    REQUIRE(labels.identities.size() == 1);  // the identity is still recorded, with what could be read
    CHECK(labels.identities[0].owner == "t");
    // A kind that is not text, a document that is not a map: not ServiceAccounts, no warning.
    CHECK(discover("k8s/a.yaml", "kind: [ServiceAccount]\n---\n- ServiceAccount\n").warnings.empty());
    // An empty namespace is the default one (as<std::string> used to give "null").
    auto empty_ns = discover("k8s/a.yaml", "kind: ServiceAccount\nmetadata:\n  name: a\n  namespace:\n");
    REQUIRE(empty_ns.identities.size() == 1);
    CHECK(empty_ns.identities[0].key == "k8s:sa/default/a");
    check_one_warning(discover("k8s/a.yaml", std::string("kind: ServiceAccount\nmetadata: {name: \"") + kMarker),
                      "k8s/a.yaml: invalid YAML at line", "not recorded");
}

TEST_CASE("YAML past the bounds is refused before yaml-cpp builds it", "[discovery]") {
    // yaml-cpp 0.7's LoadAll loops for ever on this one, allocating as it goes.
    check_one_warning(discover("k8s/a.yaml", "- kind: ServiceAccount\n  a:\n    b\n\"c\",\n"),
                      "k8s/a.yaml: the YAML parser stopped making progress at line 4, column 4", "not recorded");
    // The document map is the first level: 64 brackets inside it are one too many.
    const std::string deep = "kind: ServiceAccount\nx: " + std::string(64, '[') + std::string(64, ']') + "\n";
    check_one_warning(discover("k8s/a.yaml", deep), "k8s/a.yaml: YAML nested deeper than 64 levels at line 2, column 67", "");
    const std::string ok_depth = "kind: ServiceAccount\nmetadata: {name: a}\nx: " + std::string(63, '[') + std::string(63, ']') + "\n";
    CHECK(discover("k8s/a.yaml", ok_depth).identities.size() == 1);
    std::string aliases = "kind: ServiceAccount\na: &a x\nb: [";
    for (int i = 0; i < 1000; ++i) aliases += "*a, ";
    check_one_warning(discover("k8s/a.yaml", aliases + "*a]\n"), "k8s/a.yaml: more than 1000 YAML aliases at line 3", "");
    std::string nodes = "kind: ServiceAccount\nb: [";
    for (int i = 0; i < 250'000; ++i) nodes += "1,";
    check_one_warning(discover("k8s/a.yaml", nodes + "1]\n"), "k8s/a.yaml: more than 250000 YAML nodes", "");
    check_one_warning(discover("k8s/a.yaml", "kind: ServiceAccount\n#" + std::string(4u << 20, 'x')),
                      "k8s/a.yaml: larger than the 4 MiB discovery reads", "not recorded");
}

TEST_CASE("Terraform, workflow and .npmrc readers match across lines and on long values", "[discovery]") {
    // An attribute is found after blank lines, not inside another one's value; the first wins.
    auto tf = discover("main.tf", "resource  \"aws_iam_role\"\n\"r-1\" {\n  description = \"name = \\\"x\\\"\"\n\n  name\n= \"deploy\"\n"
                                  "  name = \"second\"\n}\nresource \"aws_iam_access_key\" \"k\" { user = aws_iam_role.r-1.name }\n");
    REQUIRE(tf.identities.size() == 1);
    CHECK(tf.identities[0].key == "aws:role/deploy");
    REQUIRE(tf.credentials.size() == 1);
    CHECK(tf.credentials[0].identity_key == "aws:role/deploy");
    // An unclosed block runs to the end of the file; a huge name is read without recursion.
    const std::string big(40000, 'n');
    auto open = discover("main.tf", "resource \"aws_iam_user\" \"u\" {\n  name = \"" + big + "\"\n");
    REQUIRE(open.identities.size() == 1);
    CHECK(open.identities[0].name == big);

    auto wf = discover(".github/workflows/w.yml", "permissions: {id-token :\twrite}\nenv:\n  A: ${{secrets.deploy_sa_key}}\n"
                                                 "  B: ${{ secrets.GITHUB_TOKEN }}\n  C: ${{ secrets.NPM }\n  D: ${{ secrets.X_CREDENTIALS_JSON }}${{ secrets.NPM_TOKEN }}\n");
    REQUIRE(wf.identities.size() == 1);
    CHECK(wf.identities[0].data["oidc"] == true);
    CHECK(wf.identities[0].data["static_cloud_keys"] == nlohmann::json::array({"deploy_sa_key", "X_CREDENTIALS_JSON"}));
    CHECK(wf.credentials.size() == 3);  // GITHUB_TOKEN is not a credential; NPM is not closed

    auto npm = discover(".npmrc", "registry=https://r.example/\n  //r.example/npm/:_authToken =\n\n npm_tok1 //x/:_authToken=npm_tok2\n"
                                  "//y/:_authToken=${NPM_TOKEN}\n//z:_authToken=" + big + "\n");
    REQUIRE(npm.identities.size() == 2);  // npm_tok2 sits inside the first match's line
    CHECK(npm.identities[0].name == "//r.example/npm/");
    CHECK(npm.identities[1].name == "//z");
    CHECK(npm.credentials[1].data["secret_sha256"] == nhi::util::sha256_hex(big));
}

TEST_CASE("Terraform and .npmrc files shaped to cost quadratic time are bounded", "[discovery]") {
    // 130,000 unclosed blocks: each body runs to the end of the file.
    std::string unclosed;
    for (int i = 0; i < 130'000; ++i) unclosed += "resource \"aws_iam_user\" \"a\" {\n";
    auto tf = discover("main.tf", unclosed);
    check_one_warning(tf, "main.tf: resource blocks nested or unclosed past 64 MiB of bodies at line 18, column 29",
                      "this and later resources were not recorded");
    CHECK(tf.identities.size() == 17);  // the bodies that fit the budget
    // A million blank lines before the token: each run of them is tried once.
    auto npm = discover(".npmrc", std::string(1'000'000, '\n') + "  \n\t//r.example/:_authToken=npm_tok\n");
    REQUIRE(npm.identities.size() == 1);
    CHECK(npm.identities[0].name == "//r.example/");
}

TEST_CASE("docker configs: bounded JSON, errors with line and column, a user name safe for JSON", "[discovery]") {
    check_one_warning(discover(".docker/config.json", "{\"auths\":\n " + std::string(70, '[')),
                      ".docker/config.json: JSON nested deeper than 64 levels at line 2, column 65", "not recorded");
    check_one_warning(discover(".docker/config.json", "{\"auths\": {\"r\": {\"auth\": \"dTpw\", \"n\": 1e999}}}"),
                      ".docker/config.json: a number out of range at line 1", "not recorded");
    check_one_warning(discover(".docker/config.json", std::string("{\"auths\": {\"r\": {\"auth\": \"") + kMarker),
                      ".docker/config.json: invalid JSON at line 1", "not recorded");
    check_one_warning(discover(".docker/config.json", "[1]"), ".docker/config.json: not a JSON object", "not recorded");
    // The user decodes to bytes that are not UTF-8: stored escaped, so the record dumps.
    auto d = discover(".docker/config.json", R"({"auths": {"r": {"auth": "//6AdXNlcjo="}}})");
    REQUIRE(d.identities.size() == 1);
    CHECK(d.identities[0].data["user"] == "\\xff\\xfe\\x80user");
    CHECK_NOTHROW(d.identities[0].data.dump());
}

TEST_CASE("agent configs: JSON errors by line and column, never the bytes last read", "[discovery]") {
    check_one_warning(discover(".mcp.json", std::string(R"({"mcpServers": {"x": {"env": {"K": ")") + kMarker),
                      ".mcp.json: invalid JSON at line 1", "agents in it were not recorded");
    check_one_warning(discover(".cursor/mcp.json", R"({"mcpServers": {"x": {"command": "npx", "env": {"N": 1e999}}}})"),
                      ".cursor/mcp.json: a number out of range at line 1", "not recorded");
    check_one_warning(discover(".mcp.json", "{\"mcpServers\": " + std::string(100, '[')), ".mcp.json: JSON nested deeper", "");
}

TEST_CASE("names from manifests that are not UTF-8 are stored escaped", "[discovery]") {
    auto k = discover("k8s/a.yaml", "kind: ServiceAccount\nmetadata:\n  name: n\xff\n  namespace: caf\xe9\n  labels: {owner: \xfe}\n");
    REQUIRE(k.identities.size() == 1);
    CHECK(k.identities[0].key == "k8s:sa/caf\\xe9/n\\xff");
    CHECK(k.identities[0].owner == "\\xfe");
    CHECK_NOTHROW(k.identities[0].data.dump());
}

TEST_CASE("a registry token that is not UTF-8 has a preview that dumps as JSON", "[discovery]") {
    // Found by fuzzing: the redacted preview kept the invalid bytes, and the record's dump threw.
    auto n = discover(".npmrc", "//r.example/:_authToken=\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6\xf5\xf4\n");
    REQUIRE(n.credentials.size() == 1);
    CHECK_NOTHROW(n.credentials[0].data.dump());
    CHECK(n.credentials[0].data["secret_sha256"] == nhi::util::sha256_hex("\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6\xf5\xf4"));
}
