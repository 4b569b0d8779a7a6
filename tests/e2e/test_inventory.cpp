// `nhi inventory` end to end: every sample export imported with the real binary, counts,
// joins across files, owners, expiry and staleness filters, idempotent re-import, rejected
// files that leave the datastore as it was, and links from scan findings.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "support.hpp"

using namespace nhi::test;

namespace {

const fs::path kExports = fs::path(NHI_FIXTURES) / "exports";
constexpr const char* kNow = "--now 2025-06-16T09:00:00Z";

std::string all_samples() {
    std::string args;
    auto manifest = nlohmann::json::parse(read_file(kExports / "manifest.json"));
    for (const auto& f : manifest["files"]) args += " '" + (kExports / f["path"].get<std::string>()).string() + "'";
    return args;
}

nlohmann::json list(const fs::path& cwd, const std::string& filters = "") {
    auto r = run_nhi(std::string("inventory list --format json ") + kNow + " " + filters, cwd);
    REQUIRE(r.code == 0);
    return nlohmann::json::parse(r.out);
}

const nlohmann::json* by_key(const nlohmann::json& rows, const std::string& key) {
    for (const auto& r : rows)
        if (r["key"] == key) return &r;
    return nullptr;
}

}  // namespace

TEST_CASE("inventory imports every sample export with joins, owners and expiry", "[e2e][inventory]") {
    TempDir dir;
    auto imp = run_nhi("inventory import" + all_samples(), dir.path());
    INFO(imp.err);
    REQUIRE(imp.code == 0);

    auto rows = list(dir.path());
    auto manifest = nlohmann::json::parse(read_file(kExports / "manifest.json"));
    size_t manifest_credentials = 0;
    for (const auto& f : manifest["files"]) manifest_credentials += f["credentials"].get<size_t>();
    size_t credentials = 0;
    for (const auto& r : rows) credentials += r["credentials"].size();
    // Joins: list-access-keys describes 4 keys the credential report already has (same user
    // and creation time), and the key file is one of the keys in its service account's list.
    CHECK(credentials == manifest_credentials - 4 - 1);

    // A key file and its key entry are one credential with facts from both files.
    const auto* ci = by_key(rows, "gcp:sa/ci-deployer@acme-prod-4821.iam.gserviceaccount.com");
    REQUIRE(ci);
    auto key_file = nlohmann::json::parse(read_file(kExports / "gcp/service-account-key-file.ci-deployer.json"));
    bool joined = false;
    for (const auto& c : (*ci)["credentials"])
        if (c["key"] == "gcp:sa-key/" + key_file["private_key_id"].get<std::string>())
            joined = c["data"].contains("distributed_file") && c["data"].contains("key_type");
    CHECK(joined);

    // AWS access keys from list-access-keys carry the key id the credential report lacks.
    const auto* deployer = by_key(rows, "aws:user/ci-deployer");
    REQUIRE(deployer);
    CHECK((*deployer)["credentials"].size() == 2);
    for (const auto& c : (*deployer)["credentials"]) CHECK(c["data"].contains("key_id"));

    // A Kubernetes service account and the IAM role it assumes (IRSA) are related.
    const auto* sa = by_key(rows, "k8s:sa/payments/payments-api");
    const auto* role = by_key(rows, "aws:role/payments-api-irsa");
    REQUIRE(sa);
    REQUIRE(role);
    bool related = false;
    for (const auto& r : (*sa)["related"]) related |= r["id"] == (*role)["id"];
    CHECK(related);

    // Owners where planted, with their source.
    CHECK((*sa)["owner"] == "payments-team@acme.test");
    CHECK((*sa)["owner_source"] == "export");
    CHECK(by_key(rows, "k8s:sa/default/default")->at("owner").is_null());

    // MCP servers are agents; a literal secret is stored hashed, never in clear.
    auto agents = list(dir.path(), "--actor agent");
    CHECK(agents.size() == 23);  // 4 + 3 + 4 + 4 + 3 + 5 server entries
    CHECK(agents.dump().find("S3cr3t-EXAMPLE") == std::string::npos);
}

TEST_CASE("inventory list filters by expiry, staleness, owner, provider and source", "[e2e][inventory]") {
    TempDir dir;
    REQUIRE(run_nhi("inventory import" + all_samples(), dir.path()).code == 0);
    auto names = [&](const std::string& filters) {
        std::set<std::string> out;
        for (const auto& r : list(dir.path(), filters)) out.insert(r["name"].get<std::string>());
        return out;
    };
    auto expiring = names("--expiring-within 30");
    CHECK(expiring.count("acme-reporting-connector"));  // secret ends 2025-06-30
    CHECK_FALSE(expiring.count("acme-billing-sync"));   // 2026
    auto stale = names("--unused-for 90");
    CHECK(stale.count("ops-legacy-admin"));  // last used 2016
    CHECK_FALSE(stale.count("ci-deployer"));
    auto unowned = names("--no-owner --provider kubernetes");
    // ops/old-operator: the record of a ClusterRoleBinding to a missing SA (a dangling binding,
    // which the reports list apart; the inventory lists its rows as stored).
    CHECK(unowned == std::set<std::string>{"default/default", "kube-system/legacy-dashboard", "ops/old-operator"});
    CHECK(names("--owner payments-team") .count("payments/payments-api"));
    for (const auto& r : list(dir.path(), "--source k8s/list.json")) CHECK(r["provider"] == "kubernetes");

    auto csv = run_nhi(std::string("inventory list --format csv --provider github ") + kNow, dir.path());
    REQUIRE(csv.code == 0);
    CHECK(csv.out.rfind("id,key,provider,kind,actor,name,owner", 0) == 0);
    CHECK(std::count(csv.out.begin(), csv.out.end(), '\n') == 1 + 11);  // header + 4 + 4 + 3
    auto text = run_nhi(std::string("inventory list ") + kNow, dir.path());
    CHECK(text.out.find("(none)") != std::string::npos);
}

TEST_CASE("re-importing changes nothing; each import is a run the past can be read at", "[e2e][inventory]") {
    TempDir dir;
    REQUIRE(run_nhi("inventory import" + all_samples(), dir.path()).code == 0);
    auto before = list(dir.path());
    auto again = run_nhi("inventory import" + all_samples(), dir.path());
    REQUIRE(again.code == 0);
    CHECK(again.err.find(" new, 0 changed") != std::string::npos);
    std::istringstream lines(again.err);
    for (std::string line; std::getline(lines, line);)
        if (line.find(" identities (") != std::string::npos) {
            INFO(line);
            CHECK(line.find("(0 new, 0 changed), ") != std::string::npos);
        }
    CHECK(list(dir.path()) == before);

    // As of run 1 only the first file's identities existed.
    auto first = run_nhi("inventory import '" + (kExports / "k8s/list.json").string() + "'", dir.path());
    REQUIRE(first.code == 0);
    auto at1 = list(dir.path(), "--run 1");
    CHECK(at1.size() < before.size());
    for (const auto& r : at1) CHECK(r["first_run"] == 1);
}

TEST_CASE("a malformed export is rejected whole and the datastore is unchanged", "[e2e][inventory]") {
    TempDir dir;
    REQUIRE(run_nhi("inventory import '" + (kExports / "github/deploy-keys.web-app.json").string() + "'", dir.path()).code == 0);
    auto before = list(dir.path());
    // A truncated k8s list: the service accounts before the cut must not be kept.
    std::string k8s = read_file(kExports / "k8s/list.json");
    std::ofstream(dir.path() / "broken.json") << k8s.substr(0, k8s.size() / 2);
    std::ofstream(dir.path() / "report.csv") << "user,arn,user_creation_time\nbob,arn:aws:iam::1:user/bob,2024-01-01T00:00:00Z,extra\n";
    std::ofstream(dir.path() / "odd.json") << "{\"hello\": 1}";
    for (const char* f : {"broken.json", "report.csv", "odd.json", "missing.json"}) {
        auto r = run_nhi(std::string("inventory import ") + f, dir.path());
        INFO(f << ": " << r.err);
        CHECK(r.code == 2);
        CHECK(r.err.rfind(std::string("nhi: error: ") + f + ": ", 0) == 0);
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    }
    auto broken = run_nhi("inventory import broken.json", dir.path());
    CHECK(broken.err.find("line ") != std::string::npos);
    CHECK(list(dir.path()) == before);
    // Good files next to a bad one still import; the exit code reports the failure.
    auto mixed = run_nhi("inventory import odd.json '" + (kExports / "k8s/list.json").string() + "'", dir.path());
    CHECK(mixed.code == 2);
    CHECK(list(dir.path(), "--provider kubernetes").size() == 6);  // 5 SAs and the dangling binding's record
}

TEST_CASE("set-owner wins over export owners; annotations need reasons; show explains", "[e2e][inventory]") {
    TempDir dir;
    REQUIRE(run_nhi("inventory import '" + (kExports / "k8s/list.json").string() + "'", dir.path()).code == 0);
    REQUIRE(run_nhi("inventory set-owner payments/payments-api team-payments-oncall", dir.path()).code == 0);
    auto rows = list(dir.path());
    const auto* sa = by_key(rows, "k8s:sa/payments/payments-api");
    REQUIRE(sa);
    CHECK((*sa)["owner"] == "team-payments-oncall");
    CHECK((*sa)["owner_source"] == "explicit");
    CHECK((*sa)["owners"].size() == 2);  // the export's owner is kept as a weaker source

    CHECK(run_nhi("inventory annotate default/default --kind accepted-risk --reason 'unused default SA'", dir.path()).code == 2);
    CHECK(run_nhi("inventory annotate default/default --kind accepted-risk --reason 'unused default SA' --expires 2026-01-01",
                  dir.path()).code == 0);
    auto show = run_nhi(std::string("inventory show default/default ") + kNow, dir.path());
    REQUIRE(show.code == 0);
    CHECK(show.out.find("accepted-risk: unused default SA (until 2026-01-01") != std::string::npos);
    CHECK(run_nhi("inventory show no-such-thing", dir.path()).code == 2);

    // Re-importing keeps the explicit owner and the annotation.
    REQUIRE(run_nhi("inventory import '" + (kExports / "k8s/list.json").string() + "'", dir.path()).code == 0);
    auto after = list(dir.path());
    CHECK(by_key(after, "k8s:sa/payments/payments-api")->at("owner") == "team-payments-oncall");
    CHECK(by_key(after, "k8s:sa/default/default")->at("annotations").size() == 1);
}

TEST_CASE("a leaked access key found by scan links to the imported credential", "[e2e][inventory]") {
    TempDir dir;
    const std::string key_id = "AKIAQ3EGUKZT7MWJ5NRB";  // generated; base32 body, never issued
    std::ofstream(dir.path() / "list-access-keys.deploy-bot.json")
        << R"({"AccessKeyMetadata": [{"UserName": "deploy-bot", "AccessKeyId": ")" << key_id
        << R"(", "Status": "Active", "CreateDate": "2024-05-01T10:00:00Z"}]})";
    fs::create_directories(dir.path() / "src");
    std::ofstream(dir.path() / "src" / "deploy.sh") << "export AWS_ACCESS_KEY_ID=" << key_id << "\n";
    auto scan = run_nhi("scan src", dir.path());
    REQUIRE(scan.code == 1);
    auto imp = run_nhi("inventory import list-access-keys.deploy-bot.json", dir.path());
    REQUIRE(imp.code == 0);
    CHECK(imp.err.find("1 linked to scan findings") != std::string::npos);
    auto rows = list(dir.path());
    const auto* bot = by_key(rows, "aws:user/deploy-bot");
    REQUIRE(bot);
    CHECK((*bot)["linked_findings"] == 1);
    auto show = run_nhi("inventory show deploy-bot", dir.path());
    CHECK(show.out.find("exposed by scan findings") != std::string::npos);
    CHECK(show.out.find("aws iam update-access-key --user-name deploy-bot --access-key-id " + key_id) != std::string::npos);
}

TEST_CASE("scan records the identities a repository declares, owned per CODEOWNERS", "[e2e][inventory][discovery]") {
    TempDir dir;
    const fs::path repo = dir.path() / "repo";
    for (const char* d : {".git", ".github/workflows", "k8s", "infra", ".docker"}) fs::create_directories(repo / d);
    std::ofstream(repo / ".github/CODEOWNERS") << "*  @acme/platform\n/infra/ @acme/cloud\nk8s/ @acme/sre\n";
    std::ofstream(repo / "k8s/sa.yaml") << "kind: ServiceAccount\nmetadata:\n  name: api\n  namespace: pay\n";
    std::ofstream(repo / "infra/iam.tf") << "resource \"aws_iam_user\" \"d\" {\n  name = \"ci-bot\"\n}\n"
                                         << "resource \"aws_iam_access_key\" \"d\" {\n  user = aws_iam_user.d.name\n}\n";
    std::ofstream(repo / ".github/workflows/deploy.yml")
        << "jobs:\n  d:\n    steps:\n      - with:\n          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}\n";
    std::ofstream(repo / ".github/workflows/oidc.yml") << "permissions:\n  id-token: write\n";
    // deploy-bot:ghp_... as docker stores it (base64); the token is generated, never issued.
    std::ofstream(repo / ".docker/config.json")
        << R"({"auths": {"ghcr.io": {"auth": "ZGVwbG95LWJvdDpnaHBfUXc4ZVI0dFk2dVUyaU8wcEEzc0Q1Zkc3aEoxa0w5ekg="}}})";
    std::ofstream(repo / "k8s/broken.yaml") << "kind: ServiceAccount\nmetadata: [\n";

    auto scan = run_nhi("scan repo --no-ignore", dir.path());
    INFO(scan.out << scan.err);
    CHECK(scan.code == 1);  // the docker auth is a finding too
    CHECK(scan.out.find("identities declared in config files recorded") != std::string::npos);
    CHECK(scan.err.find("k8s/broken.yaml: invalid YAML") != std::string::npos);

    auto rows = list(dir.path(), "--source 'nhi scan'");
    std::map<std::string, const nlohmann::json*> by;
    for (const auto& r : rows) by[r["key"].get<std::string>()] = &r;
    REQUIRE(by.count("k8s:sa/pay/api"));
    CHECK(by["k8s:sa/pay/api"]->at("owner") == "@acme/sre");
    CHECK(by["k8s:sa/pay/api"]->at("owner_source") == "codeowners");
    REQUIRE(by.count("aws:user/ci-bot"));
    CHECK(by["aws:user/ci-bot"]->at("owner") == "@acme/cloud");
    CHECK(by["aws:user/ci-bot"]->at("credentials").size() == 1);
    REQUIRE(by.count("github:workflow/.github/workflows/deploy.yml"));
    CHECK(by["github:workflow/.github/workflows/deploy.yml"]->at("data")["oidc"] == false);
    CHECK(by["github:workflow/.github/workflows/oidc.yml"]->at("data")["oidc"] == true);
    REQUIRE(by.count("docker:.docker/config.json#ghcr.io"));
    CHECK(by["docker:.docker/config.json#ghcr.io"]->at("linked_findings") == 1);
    CHECK(nlohmann::json(rows).dump().find("ZGVwbG95LWJvdDpnaHBf") == std::string::npos);

    // Scanning again records nothing new.
    auto again = run_nhi("scan repo --no-ignore", dir.path());
    CHECK(list(dir.path(), "--source 'nhi scan'") .size() == rows.size());
}

TEST_CASE("a key leaked in git history gets its author as a weak owner", "[e2e][inventory][git]") {
    TempDir dir;
    const std::string key_id = "AKIAW7NRZQ4KDX2MT5VB";  // generated; never issued
    std::ofstream(dir.path() / "list-access-keys.release-bot.json")
        << R"({"AccessKeyMetadata": [{"UserName": "release-bot", "AccessKeyId": ")" << key_id
        << R"(", "Status": "Active", "CreateDate": "2024-05-01T10:00:00Z"}]})";
    REQUIRE(run_nhi("inventory import list-access-keys.release-bot.json", dir.path()).code == 0);
    fs::create_directories(dir.path() / "repo");
    std::ofstream(dir.path() / "repo" / "deploy.env") << "AWS_ACCESS_KEY_ID=" << key_id << "\n";
    const std::string git = "cd '" + (dir.path() / "repo").string() +
                            "' && export GIT_AUTHOR_NAME='Dana Dev' GIT_AUTHOR_EMAIL=dana@acme.test GIT_COMMITTER_NAME=ci "
                            "GIT_COMMITTER_EMAIL=ci@acme.test GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 && "
                            "git init -q -b main . && git add -A && git commit -q -m leak >/dev/null 2>&1";
    REQUIRE(std::system(git.c_str()) == 0);
    auto scan = run_nhi("scan --git repo", dir.path());
    REQUIRE(scan.code == 1);
    auto rows = list(dir.path());
    const auto* bot = by_key(rows, "aws:user/release-bot");
    REQUIRE(bot);
    CHECK((*bot)["linked_findings"] == 1);
    CHECK((*bot)["owner_source"] == "git-author");
    CHECK((*bot)["owner"].get<std::string>().find("Dana Dev") != std::string::npos);
    // The owners report's weak-signal case: an owner known only from a git author.
    CHECK((*bot)["owners"].size() == 1);
}

TEST_CASE("the same literal secret in two agents' configs is reuse", "[e2e][inventory]") {
    TempDir dir;
    fs::create_directories(dir.path() / "laptop-a");
    fs::create_directories(dir.path() / "laptop-b");
    const std::string config = read_file(kExports / "mcp/claude_desktop_config.json");
    std::ofstream(dir.path() / "laptop-a/claude_desktop_config.json") << config;
    std::ofstream(dir.path() / "laptop-b/claude_desktop_config.json") << config;
    REQUIRE(run_nhi("inventory import laptop-a/claude_desktop_config.json laptop-b/claude_desktop_config.json", dir.path())
                .code == 0);
    size_t literal = 0, reused = 0;
    for (const auto& r : list(dir.path(), "--provider mcp"))
        for (const auto& c : r["credentials"]) {
            if (!c["data"]["literal"].get<bool>()) continue;
            ++literal;
            reused += c["reused_by"].size() == 1;
        }
    CHECK(literal == 6);  // 3 literals per copy
    CHECK(reused == literal);
}

TEST_CASE("set-owner, annotate and show refuse a name that several identities share", "[e2e][inventory]") {
    // Before: set-owner picked one of the two (the application) and exited 0.
    TempDir dir;
    REQUIRE(run_nhi("inventory import '" + (kExports / "azure/applications.json").string() + "' '" +
                        (kExports / "azure/service-principals.json").string() + "'",
                    dir.path())
                .code == 0);
    auto rows = list(dir.path());
    std::vector<std::string> ids;
    for (const auto& r : rows)
        if (r["name"] == "acme-ci-deployer") ids.push_back(std::to_string(r["id"].get<int64_t>()));
    REQUIRE(ids.size() == 2);
    for (const std::string cmd : {"set-owner acme-ci-deployer team-x", "annotate acme-ci-deployer --reason why",
                                  "show acme-ci-deployer"}) {
        INFO(cmd);
        auto r = run_nhi("inventory " + cmd, dir.path());
        CHECK(r.code == 2);
        CHECK(r.err.find("nhi: error: acme-ci-deployer: names 2 identities: ") != std::string::npos);
        for (const auto& id : ids) CHECK(r.err.find(id + " (azure, azure:") != std::string::npos);
    }
    for (const auto& r : list(dir.path())) CHECK(r["owner_source"] != "explicit");
    // An id or key still names one.
    CHECK(run_nhi("inventory set-owner " + ids[0] + " team-x", dir.path()).code == 0);
}
