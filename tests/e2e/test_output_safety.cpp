// Output that hostile names cannot subvert: a file name that is not UTF-8 still gives valid
// JSON, JSONL and SARIF (and exit 1, not 2); control characters in file and export names
// never reach the terminal; Markdown reports carry no raw HTML or link syntax from exports.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <sstream>

#include "support.hpp"

using namespace nhi::test;

namespace {

// Generated for these tests: the structure of a Stripe live key, never issued.
const std::string kStripe = "sk_live_Q8vR2mTz7KpW4nXc9LbY3hJd";

// No byte a terminal acts on: ESC, BEL, CR or another C0 control other than newline.
bool has_terminal_controls(const std::string& s) {
    for (unsigned char c : s)
        if ((c < 0x20 && c != '\n') || c == 0x7F) return true;
    return false;
}

size_t count_lines_starting(const std::string& text, const std::string& prefix) {
    std::istringstream in(text);
    size_t n = 0;
    for (std::string line; std::getline(in, line);)
        if (line.rfind(prefix, 0) == 0) ++n;
    return n;
}

// A `kubectl get serviceaccounts -A -o json` list whose names are attacks on the reader.
std::string hostile_k8s_list() {
    auto sa = [](const std::string& name, const std::string& owner) {
        return nlohmann::json{{"apiVersion", "v1"},
                              {"kind", "ServiceAccount"},
                              {"metadata",
                               {{"name", name},
                                {"namespace", "default"},
                                {"creationTimestamp", "2020-01-01T00:00:00Z"},
                                {"annotations", {{"owner", owner}}}}}};
    };
    nlohmann::json list = {{"apiVersion", "v1"}, {"kind", "List"}, {"items", nlohmann::json::array()}};
    list["items"].push_back(sa("<img src=x onerror=alert(1)>", "team|a"));
    list["items"].push_back(sa("[click](javascript:alert(1))", "*bold* _em_ `code`"));
    list["items"].push_back(sa("evil\x1b]0;pwned\x07\nCRITICAL forged line", "=HYPERLINK(\"http://x\")"));
    return list.dump();
}

}  // namespace

TEST_CASE("a secret in a Latin-1-named file: json, jsonl and sarif stay valid, the path recoverable",
          "[e2e][output]") {
    TempDir dir;
    const std::string latin1 = "caf\xe9.txt";  // "café" in ISO-8859-1: not UTF-8
    dir.write("src/" + latin1, "stripe = \"" + kStripe + "\"\n");

    auto json = run_nhi("scan --no-db --format json src", dir.path());
    REQUIRE(json.code == 1);
    auto doc = nlohmann::json::parse(json.out);
    REQUIRE(doc["findings"].size() == 1);
    const auto& f = doc["findings"][0];
    CHECK(f["path_escaped"] == "caf\\xe9.txt");      // exact bytes, escaped
    CHECK(f["path"] == "caf\xef\xbf\xbd.txt");        // U+FFFD for the bad byte
    CHECK(json.out.find(kStripe) == std::string::npos);

    auto jsonl = run_nhi("scan --no-db --format jsonl src", dir.path());
    REQUIRE(jsonl.code == 1);
    CHECK(nlohmann::json::parse(jsonl.out.substr(0, jsonl.out.find('\n')))["path_escaped"] == "caf\\xe9.txt");

    auto sarif = run_nhi("scan --no-db --format sarif src", dir.path());
    REQUIRE(sarif.code == 1);
    auto s = nlohmann::json::parse(sarif.out);
    CHECK(s["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "caf%E9.txt");

    auto text = run_nhi("scan --no-db --format text src", dir.path());
    REQUIRE(text.code == 1);
    CHECK(text.out.find("caf\\xe9.txt:1:") != std::string::npos);

    // With the datastore too: the run is recorded and the JSON still renders.
    auto stored = run_nhi("scan --format json src", dir.path());
    CHECK(stored.code == 1);
    CHECK(nlohmann::json::parse(stored.out)["findings"].size() == 1);
}

TEST_CASE("control characters in a file name cannot forge lines or reach the terminal", "[e2e][output]") {
    TempDir dir;
    dir.write("src/x\n\x1b]0;pwned\x07\x1b[2Jcritical forged.txt", "stripe = \"" + kStripe + "\"\n");
    auto r = run_nhi("scan --no-db src", dir.path());
    REQUIRE(r.code == 1);
    CHECK_FALSE(has_terminal_controls(r.out));
    CHECK(count_lines_starting(r.out, "critical") == 1);  // the one finding, no forged second line
    CHECK(r.out.find("x\\n\\e]0;pwned\\x07\\e[2Jcritical forged.txt:1:") != std::string::npos);

    // Errors and warnings name the path: escaped the same way, on one line.
    auto e = run_nhi("scan --no-db src --rules \"$(printf 'rules\\n\\033]0;pwned\\007.yml')\"", dir.path());
    CHECK(e.code == 2);
    CHECK_FALSE(has_terminal_controls(e.err));
    CHECK(count_lines_starting(e.err, "nhi: error: ") == 1);
    CHECK(e.err.find("rules\\n\\e]0;pwned\\x07.yml") != std::string::npos);
}

TEST_CASE("hostile export names: Markdown carries no HTML or links, text no control characters",
          "[e2e][output][report]") {
    TempDir dir;
    auto exp = dir.write("k8s.json", hostile_k8s_list());
    auto imp = run_nhi("inventory import k8s.json", dir.path());
    REQUIRE(imp.code == 0);
    CHECK_FALSE(has_terminal_controls(imp.err));

    const std::string now = " --now 2025-06-16T09:00:00Z";
    for (const char* which : {"risk --min-tier low", "owners", "expiry", "summary"}) {
        INFO(which);
        auto md = run_nhi(std::string("report ") + which + " --format markdown" + now, dir.path());
        REQUIRE(md.code == 0);
        CHECK(md.out.find("<img") == std::string::npos);
        CHECK(md.out.find("](javascript") == std::string::npos);
        CHECK(md.out.find("[click]") == std::string::npos);
        CHECK_FALSE(has_terminal_controls(md.out));
        auto text = run_nhi(std::string("report ") + which + now, dir.path());
        REQUIRE(text.code == 0);
        CHECK_FALSE(has_terminal_controls(text.out));
        CHECK(text.out.find("\nCRITICAL forged") == std::string::npos);
    }
    auto risk = run_nhi("report risk --min-tier low --format markdown" + now, dir.path());
    CHECK(risk.out.find("&lt;img src=x onerror=alert\\(1\\)&gt;") != std::string::npos);
    CHECK(risk.out.find("\\[click\\]\\(javascript:alert\\(1\\)\\)") != std::string::npos);
    CHECK(risk.out.find("team\\|a") != std::string::npos);
    // Every table row still has exactly its six cell borders.
    std::istringstream rows(risk.out);
    for (std::string line; std::getline(rows, line);)
        if (line.rfind("| ", 0) == 0) {
            size_t bars = 0;
            for (size_t i = 0; i < line.size(); ++i)
                if (line[i] == '|' && (i == 0 || line[i - 1] != '\\')) ++bars;
            CHECK(bars == 6);
        }

    // A diff lists what a later import added: the same escaping there.
    dir.write("k8s-2.json", R"({"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": "<script>x</script>[y](javascript:z)\u001b[2J", "namespace": "default"}}]})");
    REQUIRE(run_nhi("inventory import k8s-2.json", dir.path()).code == 0);
    auto diff_md = run_nhi("report diff --from 1 --format markdown" + now, dir.path());
    REQUIRE(diff_md.code == 0);
    CHECK(diff_md.out.find("&lt;script&gt;x&lt;/script&gt;\\[y\\]\\(javascript:z\\)\\\\e\\[2J") != std::string::npos);
    CHECK(diff_md.out.find("<script") == std::string::npos);
    CHECK_FALSE(has_terminal_controls(diff_md.out));
    auto diff_text = run_nhi("report diff --from 1" + now, dir.path());
    REQUIRE(diff_text.code == 0);
    CHECK_FALSE(has_terminal_controls(diff_text.out));

    auto list = run_nhi("inventory list", dir.path());
    REQUIRE(list.code == 0);
    CHECK_FALSE(has_terminal_controls(list.out));
    CHECK(list.out.find("\nCRITICAL forged") == std::string::npos);
    const std::string forged = "default/evil\x1b]0;pwned\x07\nCRITICAL forged line";
    auto json = run_nhi("inventory list --format json", dir.path());
    REQUIRE(json.code == 0);
    int64_t id = 0;
    for (const auto& row : nlohmann::json::parse(json.out))
        if (row["name"] == forged) id = row["id"].get<int64_t>();  // JSON keeps the exact name
    REQUIRE(id != 0);
    auto show = run_nhi("inventory show " + std::to_string(id), dir.path());
    CHECK(show.code == 0);
    CHECK_FALSE(has_terminal_controls(show.out));
    CHECK(show.out.find("default/evil\\e]0;pwned\\x07\\nCRITICAL forged line") != std::string::npos);

    // CSV keeps its formula guard.
    auto csv = run_nhi("inventory list --format csv", dir.path());
    CHECK(csv.out.find("'=HYPERLINK(") != std::string::npos);
    CHECK(csv.out.find(",=HYPERLINK(") == std::string::npos);
    CHECK(csv.out.find(",\"=HYPERLINK(") == std::string::npos);
}
