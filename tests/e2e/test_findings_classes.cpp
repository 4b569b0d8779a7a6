// Findings that are not leaked secrets: references to identities and resources, and weak or
// documentation values. Both are severity info, so they are reported without failing a
// pipeline, and neither makes context findings worth keeping.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "support.hpp"

using namespace nhi::test;

namespace {

// path:line -> "severity rule"
std::map<std::string, std::string> findings(const std::string& jsonl) {
    std::map<std::string, std::string> out;
    std::istringstream lines(jsonl);
    for (std::string line; std::getline(lines, line);) {
        if (line.empty() || line[0] != '{') continue;
        auto f = nlohmann::json::parse(line);
        out[f["path"].get<std::string>() + ":" + std::to_string(f["line"].get<int>())] =
            f["severity"].get<std::string>() + " " + f["rule"].get<std::string>();
    }
    return out;
}

// One commit of everything in `dir`.
bool commit_all(const TempDir& dir) {
    return run_shell("git init -q . && git add -A && git -c user.name=t -c user.email=t@example.test commit -qm one",
                     dir.path()).code == 0;
}

}  // namespace

TEST_CASE("references: ARNs, accounts, buckets and stores are info findings on their own", "[e2e][scan][reference]") {
    TempDir dir;
    dir.write("infra/policy.json",
              "{\"Principal\": {\"AWS\": \"arn:aws:iam::804213579346:role/ci-deployer\"},\n"
              " \"Resource\": \"arn:aws:s3:::billing-exports/*\"}\n");
    dir.write("infra/docs.json", "{\"Principal\": {\"AWS\": \"arn:aws:iam::123456789012:role/example\"}}\n");
    dir.write("web/.env", "ASSETS=https://media-prod.s3.eu-west-1.amazonaws.com/logo.png\n"
                          "SHOP=acme-outlet.myshopify.com\nDB_HOST=db.internal.example.test\n");
    auto r = run_nhi("scan . --format jsonl --no-db", dir.path());
    INFO(r.out << r.err);
    // Nothing here is a secret: the default gate (low) passes.
    CHECK(r.code == 0);
    auto f = findings(r.out);
    CHECK(f["infra/policy.json:1"] == "info nhi.ref.aws-arn");
    CHECK(f["infra/policy.json:2"] == "info nhi.ref.aws-arn");
    CHECK(f["web/.env:1"] == "info nhi.ref.s3-bucket");
    CHECK(f["web/.env:2"] == "info nhi.ref.shopify-store");
    // AWS's documentation account names nobody; a host is context, and without a secret
    // beside it it stays quiet.
    CHECK(f.count("infra/docs.json:1") == 0);
    CHECK(f.count("web/.env:3") == 0);
    CHECK(f.size() == 4);
    CHECK(run_nhi("scan . --no-db --fail-on info", dir.path()).code == 1);
    // A reference is no secret: the text report shows the name whole.
    auto text = run_nhi("scan infra --no-db", dir.path());
    CHECK(text.out.find("arn:aws:iam::804213579346:role/ci-deployer") != std::string::npos);
}

TEST_CASE("weak and documentation values are reported at info, placeholders not at all", "[e2e][scan][weak]") {
    TempDir dir;
    dir.write("a/settings.env", "DB_URL=postgresql://app:secret@localhost:5432/app\n");
    dir.write("b/mongo.txt", "mongodb://myDatabaseUser:D1fficultP%40ssw0rd@mongodb0.example.com:27017/\n");
    dir.write("c/app.yml", "password: \"${DB_PASSWORD}\"\napi_key: \"<your-api-key>\"\n");
    dir.write("d/real.env", "DB_PASSWORD=Vq8rT2mLx9wPz4!\n");
    auto r = run_nhi("scan a b c --format jsonl --no-db", dir.path());
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    auto f = findings(r.out);
    CHECK(f["a/settings.env:1"] == "info nhi.generic.database-url");
    CHECK(f["b/mongo.txt:1"] == "info nhi.generic.database-url");
    CHECK(f.size() == 2);  // templates and <your-...> are never findings
    // The JSON says why the value is only info.
    CHECK(r.out.find("\"weak_value\":true") != std::string::npos);
    // A real password is still a secret and still fails the default gate.
    auto real = run_nhi("scan d --format jsonl --no-db", dir.path());
    CHECK(real.code == 1);
    CHECK(findings(real.out)["d/real.env:1"].rfind("info", 0) != 0);
    CHECK(run_nhi("scan a --no-db --fail-on info", dir.path()).code == 1);
}

TEST_CASE("unquoted env-style rules skip source code, and their context goes with them", "[e2e][scan][paths]") {
    TempDir dir;
    // In Python an unquoted right-hand side is an expression, never a literal.
    // (OylS7... is a name here: a variable, as Python reads it.)
    dir.write("lexer.py", "host = 'db.internal.example.test'\ntoken = OylS7MyMXDG9Oy4TXQ23ZEQZ4NWPDEIK\n"
                          "passphrase = _ffi.NULL\n");
    // The same shape in a .env file is a value.
    dir.write("deploy.env", "host=db.internal.example.test\nAPI_TOKEN=OylS7MyMXDG9Oy4TXQ23ZEQZ4NWPDEIK\n");
    auto r = run_nhi("scan . --format jsonl --no-db", dir.path());
    INFO(r.out << r.err);
    auto f = findings(r.out);
    CHECK(f.count("lexer.py:1") == 0);
    CHECK(f.count("lexer.py:2") == 0);
    CHECK(f.count("lexer.py:3") == 0);
    CHECK(f["deploy.env:2"].rfind("medium", 0) == 0);  // a secret, not info
    CHECK(f["deploy.env:1"] == "info nhi.context.host");
    CHECK(r.code == 1);
}

TEST_CASE("code that names key types is not a secret", "[e2e][scan][generic]") {
    TempDir dir;
    dir.write("ec.py", "def load(backend, private_key: \"_EllipticCurvePrivateKey\", data: bytes):\n"
                       "    secret_key = \"ec.EllipticCurvePrivateKey\"\n"
                       "    'Test2::Event::Pass'    => '1.302138',\n");
    auto r = run_nhi("scan . --format jsonl --no-db", dir.path());
    INFO(r.out);
    CHECK(r.code == 0);
    CHECK(findings(r.out).empty());
}

TEST_CASE("a private key pasted as concatenated string literals is found", "[e2e][scan][pem]") {
    TempDir dir;
    // A syntactically valid PEM body (random bytes, never a real key), split as Java code would.
    std::string body = "MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu"
                       "KUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQJAIJLixBy2qpFoS4DSmoEm"
                       "o3qGy0t6z09AIJtH+5OeRV1be+N4cDYJKffGzDa88vQENZiRm0GRq6a+HPGQMd2k"
                       "TQIhAKMSvzIBnni7ot/OSie2TmJLY4SwTQAevXysE2RbFDYdAiEBCUEaRQnMnbp7"
                       "9mxDXDf6AU0cN/RPBjb9qSHDcWZHGzUCIG2Es59z8ugGrDY+pxLQnwfotadxd+Uy"
                       "v/Ow5T0q5gIJAiEAyS4RaI9YG8EWx/2w0T67ZUVAw8eOMB6BIUg0Xcu+3okCIBOs"
                       "/5OiPgoTdSy7bcF9IGpSE8ZgGKzgYQVeU0Pq4nJj";
    std::string java = "String key = \"-----BEGIN RSA PRIVATE KEY-----\" +\n";
    for (size_t i = 0; i < body.size(); i += 64) java += "    \"" + body.substr(i, 64) + "\" +\n";
    java += "    \"-----END RSA PRIVATE KEY-----\";\n";
    dir.write("KeyTest.java", java);
    auto r = run_nhi("scan . --format jsonl --no-db", dir.path());
    INFO(r.out << r.err);
    CHECK(r.code == 1);
    CHECK(findings(r.out)["KeyTest.java:1"] == "critical nhi.key.pem-private");
}

TEST_CASE("git history: a secret dropped for its path takes its context with it", "[e2e][git][paths]") {
    TempDir dir;
    dir.write("lexer.py", "host = 'db.internal.example.test'\ntoken = OylS7MyMXDG9Oy4TXQ23ZEQZ4NWPDEIK\n");
    dir.write("deploy.env", "host=db.internal.example.test\nAPI_TOKEN=OylS7MyMXDG9Oy4TXQ23ZEQZ4NWPDEIK\n");
    REQUIRE(commit_all(dir));
    auto r = run_nhi("scan --git . --format jsonl --no-db", dir.path());
    INFO(r.out << r.err);
    auto f = findings(r.out);
    CHECK(f.count("lexer.py:1") == 0);
    CHECK(f.count("lexer.py:2") == 0);
    CHECK(f["deploy.env:1"] == "info nhi.context.host");
    CHECK(r.code == 1);
}

TEST_CASE("git history keeps weak values at info and references as references, also on a rescan", "[e2e][git][weak]") {
    TempDir dir;
    dir.write("app/.env", "DB_URL=postgresql://app:secret@localhost:5432/app\n"
                          "ROLE=arn:aws:iam::804213579346:role/ci-deployer\n");
    REQUIRE(commit_all(dir));
    // The second run reads the findings back from the datastore instead of the blobs: the
    // severity must come out the same.
    for (int pass = 0; pass < 2; ++pass) {
        auto r = run_nhi("scan --git . --format jsonl --db " + (dir / "nhi.db").string(), dir.path());
        INFO("pass " << pass << "\n" << r.out << r.err);
        CHECK(r.code == 0);
        auto f = findings(r.out);
        CHECK(f["app/.env:1"] == "info nhi.generic.database-url");
        CHECK(f["app/.env:2"] == "info nhi.ref.aws-arn");
    }
}

TEST_CASE("inventory show lists where scanned code names an identity", "[e2e][inventory][reference]") {
    TempDir dir;
    const std::string db = "--db " + (dir / "nhi.db").string();
    // An AWS export of our own (the samples use AWS's documentation account, which names
    // nobody and is never reported), and the GCP sample.
    dir.write("exports/auth.json", R"({"UserDetailList": [{"Path": "/service/", "UserName": "ci-deployer",
      "UserId": "AIDAQ3EGUKZT7MWJ5NRB", "Arn": "arn:aws:iam::804213579346:user/service/ci-deployer",
      "CreateDate": "2024-01-10T12:00:04+00:00", "UserPolicyList": [], "GroupList": [], "AttachedManagedPolicies": []}],
      "GroupDetailList": [], "RoleDetailList": [], "Policies": [], "IsTruncated": false})");
    fs::copy(fs::path(NHI_FIXTURES) / "exports/gcp/iam-policy.json", dir / "exports/iam-policy.json");
    auto imp = run_nhi("inventory import exports/auth.json exports/iam-policy.json " + db, dir.path());
    REQUIRE(imp.code == 0);
    dir.write("repo/deploy/policy.json", "{\"Principal\": {\"AWS\": \"arn:aws:iam::804213579346:user/service/ci-deployer\"}}\n");
    dir.write("repo/k8s/sa.yaml", "annotations:\n  iam.gke.io/gcp-service-account: etl-legacy@acme-prod-4821.iam.gserviceaccount.com\n");
    auto scan = run_nhi("scan repo " + db, dir.path());
    INFO(scan.out << scan.err);
    REQUIRE(scan.code == 0);  // references only: nothing fails the gate

    auto aws = run_nhi("inventory show aws:user/ci-deployer " + db, dir.path());
    INFO(aws.out << aws.err);
    REQUIRE(aws.code == 0);
    CHECK(aws.out.find("referenced in scanned code (1)") != std::string::npos);
    CHECK(aws.out.find("deploy/policy.json:1") != std::string::npos);

    auto gcp = run_nhi("inventory show gcp:sa/etl-legacy@acme-prod-4821.iam.gserviceaccount.com --format json " + db,
                       dir.path());
    INFO(gcp.out << gcp.err);
    REQUIRE(gcp.code == 0);
    auto j = nlohmann::json::parse(gcp.out);
    REQUIRE(j["referenced_at"].size() == 1);
    CHECK(j["referenced_at"][0]["path"] == "k8s/sa.yaml");
    CHECK(j["referenced_at"][0]["line"] == 2);
    // An identity no code names has none.
    auto other = run_nhi("inventory show gcp:sa/ci-deployer@acme-prod-4821.iam.gserviceaccount.com --format json " + db,
                         dir.path());
    REQUIRE(other.code == 0);
    CHECK(nlohmann::json::parse(other.out)["referenced_at"].empty());
}

TEST_CASE("path-scoped rules run on the files they name, in directories and in history", "[e2e][scan][paths]") {
    TempDir dir;
    // Distinct contents: git history reports a blob once, at the first path that holds it.
    dir.write("home/.pgpass", "db.internal:5432:orders:app:rzEBZshBfTf39VMB\n");
    dir.write("conf/pgpass.conf", "db.internal:5432:billing:etl:Vq8rT2mLx9wPz4K7\n");
    dir.write("home/.git-credentials", "https://deploy-bot:Xk29vLq7TzR4@git.example.test\n");
    // The same colon-separated shape anywhere else is just text.
    dir.write("notes/table.txt", "db.internal:5432:audit:ro:Hq3nW8xZp5Lm2Tc9\n");
    REQUIRE(commit_all(dir));
    for (const char* how : {"scan . --format jsonl --no-db", "scan --git . --format jsonl --no-db"}) {
        auto r = run_nhi(how, dir.path());
        INFO(how << "\n" << r.out << r.err);
        CHECK(r.code == 1);
        auto f = findings(r.out);
        CHECK(f["home/.pgpass:1"] == "high nhi.pgpass.password");
        CHECK(f["conf/pgpass.conf:1"] == "high nhi.pgpass.password");
        CHECK(f["home/.git-credentials:1"].find("nhi.git.credential-store") != std::string::npos);
        CHECK(f.count("notes/table.txt:1") == 0);
    }
}
