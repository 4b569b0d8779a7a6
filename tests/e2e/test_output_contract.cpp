// The JSON and JSONL output contract: schema_version, the schemas in docs/schemas/, snake_case keys.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "support.hpp"

using namespace nhi::test;
using nlohmann::json;

namespace {

const fs::path kSchemas = fs::path(NHI_SOURCE_DIR) / "docs/schemas";

// Runs the schema validator (python3-jsonschema) on `file`; its stderr names what is invalid.
Result validate(const std::string& schema, const fs::path& file, bool jsonl = false) {
    const fs::path where = schema.rfind("sarif", 0) == 0 ? fs::path(NHI_FIXTURES) / "sarif" : kSchemas;
    return run_shell("python3 '" NHI_SOURCE_DIR "/tests/tools/validate_json.py' '" + (where / schema).string() +
                         "' '" + file.string() + "'" + (jsonl ? " --jsonl" : ""),
                     file.parent_path());
}

void sh(const std::string& cmd, const fs::path& cwd) {
    std::string full = "cd '" + cwd.string() +
                       "' && export GIT_AUTHOR_NAME=Dev GIT_AUTHOR_EMAIL=dev@acme.test GIT_COMMITTER_NAME=Dev "
                       "GIT_COMMITTER_EMAIL=dev@acme.test GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 && (" +
                       cmd + ") >/dev/null 2>&1";
    REQUIRE(std::system(full.c_str()) == 0);
}

// Every key of every object in `j`, at any depth, except under `hints` (a validator's facts).
void keys(const json& j, std::vector<std::string>& out) {
    if (j.is_object())
        for (auto it = j.begin(); it != j.end(); ++it) {
            out.push_back(it.key());
            if (it.key() != "hints") keys(it.value(), out);
        }
    else if (j.is_array())
        for (const auto& e : j) keys(e, out);
}

bool snake(const std::string& k) {
    if (k.empty() || !std::islower(static_cast<unsigned char>(k[0]))) return false;
    for (char c : k)
        if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_'))
            return false;
    return true;
}

}  // namespace

TEST_CASE("scan json and jsonl carry schema_version and match docs/schemas", "[e2e][contract]") {
    TempDir d;
    fs::copy(fs::path(NHI_FIXTURES) / "planted", d / "planted", fs::copy_options::recursive);
    REQUIRE(run_nhi("scan planted --no-db --format json -o out.json", d.path()).code == 1);
    REQUIRE(run_nhi("scan planted --no-db --format jsonl -o out.jsonl", d.path()).code == 1);
    auto doc = json::parse(read_file(d / "out.json"));
    CHECK(doc["schema_version"] == 1);
    REQUIRE(!doc["findings"].empty());
    for (const auto& f : doc["findings"]) CHECK(f["schema_version"] == 1);
    std::vector<std::string> all;
    keys(doc, all);
    for (const auto& k : all) {
        INFO(k);
        CHECK(snake(k));
    }
    auto j = validate("scan.schema.json", d / "out.json");
    INFO(j.err);
    CHECK(j.code == 0);
    auto l = validate("finding.schema.json", d / "out.jsonl", true);
    INFO(l.err);
    CHECK(l.code == 0);

    // Git findings (commit, occurrences) and the unpacking counters too.
    fs::create_directories(d / "repo");
    sh("git init -q -b main . && printf 'T=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\\n' > a.env && git add -A && "
       "git commit -q -m one",
       d / "repo");
    REQUIRE(run_nhi("scan --git repo --no-db --format json -o git.json", d.path()).code == 1);
    auto g = validate("scan.schema.json", d / "git.json");
    INFO(g.err);
    CHECK(g.code == 0);
    CHECK(json::parse(read_file(d / "git.json"))["findings"][0]["occurrences"].size() == 1);

    // The schemas themselves reject what breaks the contract.
    d.write("bad.jsonl", "{\"schema_version\": 1, \"rule\": \"x\"}\n");
    CHECK(validate("finding.schema.json", d / "bad.jsonl", true).code == 1);
}

TEST_CASE("sarif validates against the OASIS SARIF 2.1.0 schema", "[e2e][contract]") {
    TempDir d;
    fs::copy(fs::path(NHI_FIXTURES) / "planted", d / "planted", fs::copy_options::recursive);
    REQUIRE(run_nhi("scan planted --no-db --format sarif -o dir.sarif --sarif-max-results 3", d.path()).code == 1);
    REQUIRE(run_nhi("scan - --no-db --format sarif -o stdin.sarif", d.path(),
                    "T=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\n").code == 1);
    fs::create_directories(d / "repo");
    sh("git init -q -b main . && printf 'T=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\\n' > a.env && git add -A && "
       "git commit -q -m one && git rm -q a.env && git commit -q -m two",
       d / "repo");
    REQUIRE(run_nhi("scan --git repo --no-db --format sarif -o git.sarif", d.path()).code == 1);
    for (const char* f : {"dir.sarif", "stdin.sarif", "git.sarif"}) {
        auto v = validate("sarif-schema-2.1.0.json", d / f);
        INFO(f << ": " << v.err);
        CHECK(v.code == 0);
    }
    auto git = json::parse(read_file(d / "git.sarif"));
    CHECK(git["runs"][0]["results"][0]["message"]["text"].get<std::string>().find("only in history: commit") !=
          std::string::npos);
    // The control: the schema rejects a result without a message.
    git["runs"][0]["results"][0].erase("message");
    d.write("broken.sarif", git.dump());
    CHECK(validate("sarif-schema-2.1.0.json", d / "broken.sarif").code == 1);
}

TEST_CASE("report json is an object with schema_version, as_of and run, in snake_case", "[e2e][contract]") {
    TempDir d;
    REQUIRE(import_samples(d.path()));
    for (const char* which : {"risk", "owners", "expiry", "summary"}) {
        auto r = run_nhi(std::string("report ") + which + " --format json --now 2025-06-16T09:00:00Z", d.path());
        INFO(which << ": " << r.err);
        REQUIRE(r.code == 0);
        auto doc = json::parse(r.out);
        REQUIRE(doc.is_object());  // risk was a bare list
        CHECK(doc["schema_version"] == 1);
        CHECK(doc["as_of"] == "2025-06-16T09:00:00Z");
        CHECK(doc["run"].is_null());
        for (auto it = doc.begin(); it != doc.end(); ++it) CHECK(snake(it.key()));
        d.write(std::string(which) + ".json", r.out);
        auto v = validate("report.schema.json", d / (std::string(which) + ".json"));
        INFO(v.err);
        CHECK(v.code == 0);
    }
    CHECK_FALSE(json::parse(read_file(d / "risk.json"))["rows"].empty());
    auto at = json::parse(run_nhi("report risk --format json --run 1", d.path()).out);
    CHECK(at["run"] == 1);
}
