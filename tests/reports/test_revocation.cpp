// A finding's revocation step names the key it found, never its plaintext unless asked, and
// the user a live validation answer gave.
#include <catch2/catch.hpp>

#include <sstream>

#include "reports/finding_render.hpp"
#include "reports/revocation.hpp"
#include "rules/rule.hpp"
#include "validation_outcome.hpp"

using namespace nhi;
using nlohmann::json;

namespace {

rules::Rule aws_key_rule() {
    rules::Rule r;
    r.id = "nhi.aws.access-key-id";
    r.name = "AWS access key id (long-term)";
    r.revocation = "aws iam update-access-key --access-key-id {match} --status Inactive --user-name {user}";
    return r;
}

db::Finding aws_key(const std::string& id = "AKIAOURCVMIYWZ5MJ6T3") {
    auto r = aws_key_rule();
    return db::make_finding(r, id, "deploy/ci.env", 2, 19, {{"aws_account_id", "123456789012"}});
}

}  // namespace

TEST_CASE("the matched key id is redacted by default and whole with --show-secrets") {
    auto f = aws_key();
    const auto quiet = reports::filled_revocation(f, false);
    CHECK(quiet.find("--access-key-id " + f.redacted + " ") != std::string::npos);
    CHECK(quiet.find("AKIAOURCVMIYWZ5MJ6T3") == std::string::npos);
    CHECK(quiet.find("--user-name USER") != std::string::npos);  // nothing named the user
    CHECK(reports::filled_revocation(f, true).find("--access-key-id AKIAOURCVMIYWZ5MJ6T3 ") != std::string::npos);
    // Loaded from a datastore without --store-secrets, there is no plaintext to show.
    f.secret.clear();
    CHECK(reports::filled_revocation(f, true).find(f.redacted) != std::string::npos);
}

TEST_CASE("the user comes from the live answer's ARN, quoted for the shell when it must be") {
    auto f = aws_key();
    f.validation = test::outcome("live", "2026-12-01T10:00:00Z", 200,
                                 {{"arn", "arn:aws:iam::123456789012:user/ops/ci-deployer"}});
    CHECK(reports::filled_revocation(f, false).find("--user-name ci-deployer") != std::string::npos);
    f.validation.identity = {{"arn", "arn:aws:sts::123456789012:assumed-role/deploy/session"}};
    CHECK(reports::filled_revocation(f, false).find("--user-name USER") != std::string::npos);
    // A provider's answer is outside data: a hostile name cannot add a command.
    f.validation.identity = {{"login", "x; rm -rf ~"}};
    CHECK(reports::filled_revocation(f, false).find("--user-name 'x; rm -rf ~'") != std::string::npos);
}

TEST_CASE("text JSON and SARIF show the filled step and SARIF rule help shows markers") {
    auto f = aws_key();
    reports::RenderOptions o;
    reports::ScanSummary s;
    std::ostringstream text;
    reports::render_text(text, {f}, s, o);
    CHECK(text.str().find("revoke: aws iam update-access-key --access-key-id " + f.redacted) != std::string::npos);
    CHECK(text.str().find("{match}") == std::string::npos);
    CHECK(reports::finding_json(f, o)["revocation"].get<std::string>().find(f.redacted) != std::string::npos);

    std::ostringstream sarif;
    reports::SarifOptions so;
    reports::render_sarif(sarif, {f}, {aws_key_rule()}, so);
    const auto j = json::parse(sarif.str());
    const auto& run = j["runs"][0];
    CHECK(run["tool"]["driver"]["rules"][0]["help"]["text"].get<std::string>().find("--access-key-id KEY_ID") !=
          std::string::npos);
    CHECK(run["results"][0]["properties"]["revocation"].get<std::string>().find(f.redacted) != std::string::npos);
    CHECK(sarif.str().find("AKIAOURCVMIYWZ5MJ6T3") == std::string::npos);
}
