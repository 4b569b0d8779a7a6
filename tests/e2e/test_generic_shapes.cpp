// End-to-end: generic detection on the shapes real code gives a secret without a provider
// prefix (tests/fixtures/generic_code, one file per language or format). Each file holds its
// planted lines first and then decoys of the same shapes (environment reads, variables,
// placeholders, redacted log values, hashes, UUIDs): exactly the planted lines are reported.
#include <catch2/catch.hpp>

#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support.hpp"

using namespace nhi::test;

namespace {

using Line = std::pair<std::string, int>;

// Written by bench/corpus.py's code_planted (seed 2026); a line per shape.
const std::set<Line> kPlanted = {
    {"main.go", 1},          // apiKey := "..."
    {"main.go", 2},          // var authToken = "..."
    {"main.go", 3},          // APIKey:      "...",  (struct literal, aligned)
    {"main.go", 4},          // &oauth2.Token{AccessToken: "..."}
    {"main.go", 5},          // tokenClient := billing.NewClient("...")
    {"App.java", 1},         // private static final String API_SECRET = "...";
    {"App.java", 2},         // String githubToken = "...";
    {"App.java", 3},         // client.setApiKey("...");
    {"App.java", 4},         // builder.withCredentials("svc-deploy", "...");
    {"App.java", 5},         // new BasicAWSCredentials("AKIA...", "...")
    {"Settings.kt", 1},      // val token = "..."
    {"Settings.kt", 2},      // const val SIGNING_KEY: String = "..."
    {"Settings.kt", 3},      // private val apiSecret: String = "..."
    {"Program.cs", 1},       // Secret = "...",  (object initialiser)
    {"Program.cs", 2},       // AccessToken = "...",
    {"Program.cs", 3},       // private const string ApiKey = "...";
    {"config.swift", 1},     // let secret = "..."
    {"config.swift", 2},     // static let apiKey: String = "..."
    {"config.swift", 3},     // request.setValue("...", forHTTPHeaderField: "X-Api-Key")
    {"lib.rs", 1},           // let api_key: &str = "...";
    {"lib.rs", 2},           // const AUTH_TOKEN: &str = "...";
    {"lib.rs", 3},           // pub static SECRET_KEY: &'static str = "...";
    {"config.php", 1},       // $apiKey = '...';
    {"config.php", 2},       // 'api_key' => '...',
    {"config.php", 3},       // define('STRIPE_SECRET', '...');
    {"config.php", 4},       // $config['auth_token'] = "...";
    {"app.rb", 1},           // API_KEY = '...'
    {"app.rb", 2},           // api_key: '...',
    {"app.rb", 3},           // config[:api_key] = "..."
    {"app.rb", 4},           // @access_token = '...'
    {"index.ts", 1},         // const apiKey = "...";
    {"index.ts", 2},         // export const githubToken: string = '...';
    {"index.ts", 3},         // headers: { 'X-Api-Key': '...' },
    {"index.ts", 4},         // fetch(`...?api_key=...&limit=50`)
    {"settings.py", 1},      // API_TOKEN = "..."
    {"settings.py", 2},      // {"api_key": "...", ...}
    {"settings.py", 3},      // requests.get("...&access_token=...")
    {"settings.py", 4},      // {"Authorization": "Token ..."}
    {"deploy.sh", 1},        // export TOKEN=...
    {"deploy.sh", 2},        // curl -H "Authorization: Token ..."
    {"deploy.sh", 3},        // curl "...&api_key=..."
    {"deploy.sh", 4},        // curl -H 'X-Api-Key: ...'
    {"profile.ps1", 1},      // $env:API_KEY = "..."
    {"profile.ps1", 2},      // $apiKey = "..."
    {"profile.ps1", 3},      // -Headers @{ "X-Api-Key" = "..." }
    {"credentials.xml", 1},  // Jenkins <password>{AQAAABAAAA...}</password>
    {"credentials.xml", 2},  // Jenkins <privateKey>{AQAAABAAAA...}</privateKey>
    {"credentials.xml", 3},  // <secret>...</secret>
    {"app.properties", 1},   // app.api.key=...
    {"app.properties", 2},   // spring.datasource.password=...
    {"app.properties", 3},   // payments.client-secret=...
    {"config.ini", 2},       // [credentials] / key = ...
    {"config.ini", 3},       // password = ...
    {"config.toml", 1},      // api_key = "..."
    {"config.toml", 3},      // [auth] / key = "..."
    {"main.tf", 1},          // access_key = "AKIA..."
    {"main.tf", 2},          // secret_key = "..."
    {"main.tf", 5},          // provider "vault" { token = "hvs...." }
    {"main.tf", 9},          // provider "vault" { token = "s...." }  (a token before Vault 1.10)
    {"app.log", 1},          // [DEBUG] Using Key=...
    {"app.log", 2},          // token=... user=svc-billing
    {"app.log", 3},          // "GET /v1/items?api_key=... HTTP/1.1"
    {"app.log", 4},          // > Authorization: Token ...
    {"values.yaml", 2},      // credentials: / key: ...
    {"values.yaml", 5},      // auth: / secret: "..."
    {"values.yaml", 7},      // - name: PAYMENTS_API_TOKEN / value: "..."
};

}  // namespace

TEST_CASE("generic detection finds every code shape and none of its decoys", "[e2e][generic]") {
    TempDir d;
    const fs::path root = d / "generic_code";
    fs::copy(fs::path(NHI_FIXTURES) / "generic_code", root, fs::copy_options::recursive);
    auto r = run_nhi("scan . --no-ignore --no-db --format jsonl", root);
    INFO(r.err);
    REQUIRE(r.code == 1);
    std::set<Line> got;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
        if (line.empty() || line[0] != '{') continue;
        auto f = nlohmann::json::parse(line);
        if (f["severity"] == "info") continue;  // a user name beside a secret claims no secret
        std::string path = f["path"].get<std::string>();
        if (path.rfind("./", 0) == 0) path = path.substr(2);
        got.insert({path, f["line"].get<int>()});
    }
    for (const auto& p : kPlanted) {
        INFO("planted " << p.first << ":" << p.second);
        CHECK(got.count(p) == 1);
    }
    for (const auto& g : got) {
        INFO("decoy reported " << g.first << ":" << g.second);
        CHECK(kPlanted.count(g) == 1);
    }
}
