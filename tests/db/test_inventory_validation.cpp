// A live validation outcome joins its finding to the identity the provider named: the imported
// identity with that ARN, login or e-mail, else one created and marked known only from validation.
#include <catch2/catch.hpp>

#include <filesystem>

#include "db/database.hpp"
#include "db/inventory.hpp"
#include "db/model.hpp"
#include "db/store.hpp"
#include "rules/rule.hpp"
#include "scanners/importers/importers.hpp"
#include "support.hpp"

using namespace nhi;
namespace fs = std::filesystem;

namespace {

const fs::path kExports = fs::path(NHI_FIXTURES) / "exports";

struct Fresh {
    test::TempDir dir;
    std::unique_ptr<db::Database> db = db::Database::open((dir / "nhi.db").string()).value();
    db::Store store{*db};
    db::Inventory inv{*db};

    void import(const std::string& rel) {
        const auto p = kExports / rel;
        auto batch = scanners::importers::parse_export(p.string(), test::read_file(p), "");
        REQUIRE(batch.ok());
        REQUIRE(inv.apply(batch.value(), rel).ok());
    }
    // Records one scan run of `findings` and links it, as nhi scan does.
    size_t scan(const std::vector<db::Finding>& findings) {
        auto run = store.begin_run("scan", "tree", "h").value();
        REQUIRE(store.record_findings(run, findings, false).ok());
        auto links = inv.relink();
        REQUIRE(links.ok());
        return links.value();
    }
    std::vector<db::IdentityRow> rows() { return inv.load().value(); }
    int64_t runs() { return store.count("run").value(); }
};

db::Finding finding(const std::string& rule_id, const std::string& secret, const std::string& path, size_t line) {
    rules::Rule r;
    r.id = rule_id;
    r.name = rule_id;
    return db::make_finding(r, secret, path, line, 1, {});
}

db::Validation live(nlohmann::json identity, const std::string& at = "2026-12-01T10:00:00Z") {
    db::Validation v;
    v.status = "live";
    v.checked_at = at;
    v.http_status = 200;
    v.identity = std::move(identity);
    return v;
}

const db::IdentityRow* by_key(const std::vector<db::IdentityRow>& rows, const std::string& key) {
    for (const auto& r : rows)
        if (r.key == key) return &r;
    return nullptr;
}

// The credential of `r` that a finding with `sha` exposes, and that finding's index in it.
std::pair<const db::CredentialRow*, size_t> exposing(const db::IdentityRow& r, int64_t finding_id) {
    for (const auto& c : r.credentials)
        for (size_t i = 0; i < c.findings.size(); ++i)
            if (c.findings[i] == finding_id) return {&c, i};
    return {nullptr, 0};
}

int64_t finding_id(db::Database& db, const db::Finding& f) {
    auto q = db.prepare("SELECT id FROM finding WHERE rule_id = ?1 AND secret_sha256 = ?2").value();
    q.bind(1, f.rule_id).bind(2, f.secret_sha256);
    REQUIRE(q.step().value());
    return q.column_int(0);
}

std::string via(db::Database& db, int64_t finding) {
    auto q = db.prepare("SELECT via FROM link WHERE finding_id = ?1").value();
    q.bind(1, finding);
    REQUIRE(q.step().value());
    return q.column_text(0);
}

}  // namespace

TEST_CASE("a live AWS key's ARN links its secret to the imported IAM user's access key found beside it",
          "[db][inventory][validation]") {
    Fresh s;
    s.import("aws/authorization-details.json");
    s.import("aws/list-access-keys.ci-deployer.json");
    auto key_id = finding("nhi.aws.access-key-id", "AKIACIDEPLOYBEXAMPLE", "deploy/.env", 1);
    auto secret = finding("nhi.aws.secret-access-key", std::string(36, 'w') + "Q1x9", "deploy/.env", 2);
    secret.validation = live({{"arn", "arn:aws:iam::111122223333:user/service/ci-deployer"},
                              {"account", "111122223333"}, {"user_id", "AIDAEXAMPLE"}});
    const auto identities_before = s.rows().size();
    CHECK(s.scan({key_id, secret}) == 2);  // the key id by its hash, the secret by validation

    const auto rows = s.rows();
    CHECK(rows.size() == identities_before);  // no stub: the user was imported
    const auto* user = by_key(rows, "aws:user/ci-deployer");
    REQUIRE(user);
    auto [cred, at] = exposing(*user, finding_id(*s.db, secret));
    REQUIRE(cred);
    CHECK(cred->data.value("key_id", "") == "AKIACIDEPLOYBEXAMPLE");  // the imported key, not a new credential
    CHECK(cred->findings.size() == 2);
    CHECK(cred->validations.at(at).status == "live");
    CHECK(cred->validations.at(at).checked_at == "2026-12-01T10:00:00Z");
    CHECK(via(*s.db, finding_id(*s.db, secret)) == "validation");
    CHECK_FALSE(user->data.contains("known_only_from"));
    CHECK(s.scan({key_id, secret}) == 0);  // linked once
}

TEST_CASE("a live AWS secret alone links to the IAM user with its ARN through a credential of its own",
          "[db][inventory][validation]") {
    Fresh s;
    s.import("aws/authorization-details.json");
    auto secret = finding("nhi.aws.secret-access-key", std::string(36, 'v') + "Z2y8", "app/config.py", 7);
    // The ARN's path is part of the user's ARN; a GetCallerIdentity answer names the same ARN.
    secret.validation = live({{"arn", "arn:aws:iam::111122223333:user/alice.nguyen"}, {"account", "111122223333"}});
    const auto runs_before = s.runs();
    CHECK(s.scan({secret}) == 1);
    const auto rows = s.rows();
    const auto* user = by_key(rows, "aws:user/alice.nguyen");
    REQUIRE(user);
    auto [cred, at] = exposing(*user, finding_id(*s.db, secret));
    REQUIRE(cred);
    CHECK(cred->key.rfind("validation:nhi.aws.secret-access-key:", 0) == 0);
    CHECK(cred->data["known_from"] == "validation");
    CHECK(cred->validations.at(at).status == "live");
    CHECK_FALSE(user->data.contains("known_only_from"));
    CHECK(s.runs() == runs_before + 2);  // the scan, and the validation import that made the credential

    // A user of the ARN that no export described yet: created from the ARN, as the credential
    // report would key it, so a later import merges into it.
    auto other = finding("nhi.aws.secret-access-key", std::string(36, 'u') + "Y3z7", "app/other.py", 3);
    other.validation = live({{"arn", "arn:aws:iam::444455556666:user/build/robot"}});
    CHECK(s.scan({other}) == 1);
    const auto rows2 = s.rows();
    const auto* robot = by_key(rows2, "aws:user/robot");
    REQUIRE(robot);
    CHECK(robot->kind == "iam-user");
    CHECK(robot->data["known_only_from"] == nlohmann::json::array({"validation"}));
    CHECK(robot->data["account"] == "444455556666");
    CHECK(by_key(rows2, "aws:user/alice.nguyen")->credentials.size() == user->credentials.size());  // still there
}

TEST_CASE("a GitHub login without an identity creates one known only from validation, with scopes and expiry",
          "[db][inventory][validation]") {
    Fresh s;
    s.import("github/fine-grained-pats.json");
    auto pat = finding("nhi.github.pat", "ghp_" + std::string(32, 'S') + "0000", "ci/.npmrc", 2);
    pat.validation = live({{"login", "octo-release-bot"}, {"scopes", {"repo", "workflow"}}, {"expires_at", "2027-01-01T00:00:00Z"}});
    CHECK(s.scan({pat}) == 1);
    auto rows = s.rows();
    const auto* bot = by_key(rows, "github:user/octo-release-bot");
    REQUIRE(bot);
    CHECK(bot->provider == "github");
    CHECK(bot->name == "octo-release-bot");
    CHECK(bot->data["known_only_from"] == nlohmann::json::array({"validation"}));
    CHECK(bot->data["login"] == "octo-release-bot");
    REQUIRE(bot->credentials.size() == 1);
    const auto& cred = bot->credentials[0];
    CHECK(cred.kind == "pat");
    CHECK(cred.data["scopes"] == nlohmann::json::array({"repo", "workflow"}));
    CHECK(cred.expires == "2027-01-01T00:00:00Z");
    CHECK(cred.validations.at(0).status == "live");
    CHECK(via(*s.db, finding_id(*s.db, pat)) == "validation");

    // Nothing new: no run is recorded and the identity stays.
    const auto runs = s.runs();
    CHECK(s.scan({pat}) == 0);
    CHECK(s.runs() == runs + 1);  // the scan only
    // A second login later: a new validation run names both, so the first stays present.
    auto other = finding("nhi.github.pat", "ghp_" + std::string(32, 'T') + "1111", "ci/.env", 1);
    other.validation = live({{"login", "jdoe-acme"}});  // an imported PAT owner: linked, not created
    auto third = finding("nhi.gitlab.pat", "glpat-" + std::string(20, 'G'), "ci/.env", 4);
    third.validation = live({{"login", "deployer"}});
    CHECK(s.scan({other, third}) == 2);
    rows = s.rows();
    CHECK(by_key(rows, "github:user/octo-release-bot"));
    REQUIRE(by_key(rows, "gitlab:user/deployer"));
    CHECK(by_key(rows, "gitlab:user/deployer")->provider == "gitlab");
    const auto* jdoe = by_key(rows, "github:user/jdoe-acme");
    REQUIRE(jdoe);
    CHECK_FALSE(jdoe->data.contains("known_only_from"));
    CHECK(exposing(*jdoe, finding_id(*s.db, other)).first);
}

TEST_CASE("an e-mail in a live answer links to the service account with that e-mail", "[db][inventory][validation]") {
    Fresh s;
    s.import("gcp/service-accounts.json");
    auto key = finding("nhi.gcp.service-account-key", "-----BEGIN PRIVATE KEY-----x", "sa.json", 5);
    key.validation = live({{"email", "ci-deployer@acme-prod-4821.iam.gserviceaccount.com"}});
    const auto n = s.rows().size();
    CHECK(s.scan({key}) == 1);
    const auto rows = s.rows();
    CHECK(rows.size() == n);
    const auto* sa = by_key(rows, "gcp:sa/ci-deployer@acme-prod-4821.iam.gserviceaccount.com");
    REQUIRE(sa);
    CHECK(exposing(*sa, finding_id(*s.db, key)).first);
}

TEST_CASE("only live outcomes with identity fields link; a later revoked check keeps the link, shown revoked",
          "[db][inventory][validation]") {
    Fresh s;
    auto pat = finding("nhi.github.pat", "ghp_" + std::string(32, 'U') + "2222", "a.txt", 1);
    pat.validation.status = "unknown";
    pat.validation.checked_at = "2026-12-01T10:00:00Z";
    pat.validation.reason = "timeout";
    CHECK(s.scan({pat}) == 0);
    CHECK(s.rows().empty());
    pat.validation = live({{"login", "ghost-bot"}});
    CHECK(s.scan({pat}) == 1);
    db::Validation revoked;
    revoked.status = "revoked";
    revoked.checked_at = "2026-12-03T08:00:00Z";
    revoked.http_status = 401;
    REQUIRE(s.store.record_validation(0, pat.rule_id, pat.secret_sha256, revoked).ok());
    CHECK(s.inv.relink().value() == 0);
    const auto rows = s.rows();
    REQUIRE(rows.size() == 1);
    REQUIRE(rows[0].credentials.size() == 1);
    CHECK(rows[0].credentials[0].validations.at(0).status == "revoked");
    CHECK(rows[0].credentials[0].validations.at(0).checked_at == "2026-12-03T08:00:00Z");
}
