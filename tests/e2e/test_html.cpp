// `nhi report --format html`: one self-contained page. Checked as text (no external
// references, charts present, every identity listed, names escaped) and in Debian's headless
// Chromium (no requests leave the page, the script runs, the table sorts, it renders).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <regex>

#include "support.hpp"

using namespace nhi::test;

namespace {

constexpr const char* kNow = " --now 2025-06-16T09:00:00Z";
constexpr const char* kChromium = "/usr/bin/chromium";

size_t count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

// The identity rows the page embeds for its table script.
nlohmann::json table_rows(const std::string& html) {
    const std::string open = "<script id=\"nhi-data\" type=\"application/json\">";
    const auto start = html.find(open);
    REQUIRE(start != std::string::npos);
    const auto body = start + open.size();
    return nlohmann::json::parse(html.substr(body, html.find("</script>", body) - body));
}

// The text of one <figure id="..."> element.
std::string figure(const std::string& html, const std::string& id) {
    const auto start = html.find("<figure id=\"" + id + "\"");
    if (start == std::string::npos) return "";
    return html.substr(start, html.find("</figure>", start) - start);
}

// The inventory with a review recorded before it, so the page has a trend and a diff.
void reviewed_inventory(const TempDir& dir) {
    REQUIRE(import_samples(dir.path()));
    REQUIRE(run_nhi("report summary --record --now 2025-03-31T00:00:00Z", dir.path()).code == 0);
}

// Runs headless Chromium on `url` with a net log; returns the process result.
Result chromium(const TempDir& dir, const std::string& url, const std::string& action, const std::string& netlog) {
    return run_shell(std::string("timeout 180 ") + kChromium +
                         " --headless --no-sandbox --disable-gpu --hide-scrollbars --disable-background-networking"
                         " --disable-component-update --no-first-run --disable-sync --user-data-dir='" +
                         (dir.path() / "profile").string() + "' --log-net-log='" + netlog + "' " + action + " '" + url + "'",
                     dir.path());
}

// URLs the page itself asked for. The browser's own traffic (update checks) has no origin
// as initiator; a request made by the document has one ("null" for a file).
std::vector<std::string> page_requests(const fs::path& netlog) {
    auto log = nlohmann::json::parse(read_file(netlog), nullptr, false);
    REQUIRE_FALSE(log.is_discarded());
    const auto start_job = log["constants"]["logEventTypes"].value("URL_REQUEST_START_JOB", -1);
    REQUIRE(start_job >= 0);
    std::vector<std::string> out;
    for (const auto& e : log["events"]) {
        if (e.value("type", -2) != start_job || !e.contains("params")) continue;
        const auto& p = e["params"];
        if (p.value("initiator", "not an origin") != "not an origin") out.push_back(p.value("url", ""));
    }
    return out;
}

}  // namespace

TEST_CASE("report summary --format html is one self-contained page with charts and every identity",
          "[e2e][report][html]") {
    TempDir dir;
    reviewed_inventory(dir);
    // An agent config whose server name is markup: the page must show it, not run it.
    dir.write("agents/.mcp.json", R"({"mcpServers": {"<img src=x onerror=alert(1)>": {"command": "npx", "args": ["srv"]}}})");
    REQUIRE(run_nhi("inventory import agents/.mcp.json", dir.path()).code == 0);

    auto r = run_nhi(std::string("report summary --format html -o review.html") + kNow, dir.path());
    REQUIRE(r.code == 0);
    CHECK(r.out.empty());  // -o: the page goes to the file only
    const std::string html = read_file(dir / "review.html");
    CHECK(html.rfind("<!doctype html>", 0) == 0);
    CHECK(html.find("default-src 'none'") != std::string::npos);
    // Nothing external: no links, sources or URLs at all.
    for (const char* banned : {"http://", "https://", "<link", " src=\"", "@import", "url("}) {
        INFO(banned);
        CHECK(html.find(banned) == std::string::npos);
    }
    for (const char* chart : {"chart-tiers", "chart-age", "chart-owners", "chart-trend"}) {
        INFO(chart);
        CHECK(figure(html, chart).find("<svg role=\"img\"") != std::string::npos);
    }
    // Trend: the recorded review and now, five series (identities and four tiers).
    CHECK(count(figure(html, "chart-trend"), "<circle") == 10);
    CHECK(html.find("id=\"changes\"") != std::string::npos);  // since the last review

    auto summary = nlohmann::json::parse(run_nhi(std::string("report summary --format json") + kNow, dir.path()).out);
    // Every identity is in the table, each with its factors and their OWASP ids.
    const auto rows = table_rows(html);
    CHECK(rows.size() == summary["identities"].get<size_t>());
    bool markup_kept_as_text = false;
    for (const auto& row : rows) {
        if (row["t"].get<int>() > 1) CHECK_FALSE(row["f"].empty());
        for (const auto& f : row["f"]) CHECK(f[0].get<std::string>().rfind("NHI", 0) == 0);
        markup_kept_as_text |= row["n"] == "<img src=x onerror=alert(1)>";
    }
    CHECK(markup_kept_as_text);
    CHECK(html.find("<img") == std::string::npos);  // escaped in the page source (\u003c)

    // The table can be cut to the tiers that matter; HTML is only for the review commands.
    auto high = run_nhi(std::string("report risk --format html --min-tier high") + kNow, dir.path());
    REQUIRE(high.code == 0);
    CHECK(table_rows(high.out).size() == summary["tiers"].value("critical", size_t(0)) + summary["tiers"].value("high", size_t(0)));
    CHECK(run_nhi("report owners --format html", dir.path()).code == 2);
    // An unwritable destination is a one-line error, and no partial file is left.
    auto bad = run_nhi("report summary --format html -o no/such/dir/review.html", dir.path());
    CHECK(bad.code == 2);
    CHECK(bad.err.rfind("nhi: error: no/such/dir/review.html: cannot write", 0) == 0);
}

TEST_CASE("the HTML report in headless Chromium: no requests leave it, charts draw, the table sorts",
          "[e2e][report][html][chromium]") {
    INFO("Debian's chromium package is needed; scripts/test.sh installs it");
    REQUIRE(fs::exists(kChromium));
    TempDir dir;
    reviewed_inventory(dir);
    REQUIRE(run_nhi(std::string("report summary --format html -o review.html") + kNow, dir.path()).code == 0);

    // The request check itself must be able to fail: a page with an external image trips it.
    dir.write("control.html", "<!doctype html><img src=\"http://127.0.0.1:9/pixel.png\">");
    chromium(dir, "file://" + (dir / "control.html").string(), "--dump-dom", (dir / "control.netlog").string());
    const auto control = page_requests(dir / "control.netlog");
    REQUIRE(std::count(control.begin(), control.end(), "http://127.0.0.1:9/pixel.png") == 1);

    // The report, opened already sorted by name, as a shared link would.
    auto dom = chromium(dir, "file://" + (dir / "review.html").string() + "#sort=name-asc", "--dump-dom",
                        (dir / "report.netlog").string());
    REQUIRE(dom.code == 0);
    CHECK(page_requests(dir / "report.netlog").empty());
    CHECK(dom.out.find("data-ready=\"1\"") != std::string::npos);  // the script ran
    for (const char* chart : {"chart-tiers", "chart-age", "chart-owners", "chart-trend"}) {
        INFO(chart);
        CHECK(figure(dom.out, chart).find("<svg") != std::string::npos);
    }
    CHECK(dom.out.find("data-col=\"name\" aria-sort=\"ascending\"") != std::string::npos);
    static const std::regex row(R"(<tr><td data-v="\d"><span class="tier t\d">\w+</span></td><td class="num">\d+</td>)"
                                R"(<td>[^<]*</td><td>[^<]*</td><td>([^<]*)</td>)");
    std::vector<std::string> names;
    for (auto it = std::sregex_iterator(dom.out.begin(), dom.out.end(), row); it != std::sregex_iterator(); ++it) {
        std::string n = (*it)[1];
        std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return char(std::tolower(c)); });
        names.push_back(n);
    }
    CHECK(names.size() == table_rows(read_file(dir / "review.html")).size());  // under one page of 100
    CHECK(std::is_sorted(names.begin(), names.end()));

    // And it renders: a screenshot of the page (looked at by a person when the report changes).
    auto shot = chromium(dir, "file://" + (dir / "review.html").string(),
                         "--window-size=1280,2000 --screenshot='" + (dir / "review.png").string() + "'",
                         (dir / "shot.netlog").string());
    REQUIRE(shot.code == 0);
    const std::string png = read_file(dir / "review.png");
    CHECK(png.size() > 20000);
    CHECK(png.rfind("\x89PNG", 0) == 0);
}

TEST_CASE("the HTML summary lists the factors the inventory shows, with OWASP id, floor and source",
          "[e2e][report][html]") {
    TempDir dir;
    const fs::path cases = fs::path(NHI_FIXTURES) / "risk";
    const auto expected = nlohmann::json::parse(read_file(cases / "expected.json"));
    for (const auto& f : expected["files"])
        REQUIRE(run_nhi("inventory import '" + (cases / f.get<std::string>()).string() + "'", dir.path()).code == 0);
    auto r = run_nhi("report summary --format html --now " + expected["now"].get<std::string>(), dir.path());
    REQUIRE(r.code == 0);
    const auto start = r.out.find("<section id=\"factors\">");
    REQUIRE(start != std::string::npos);
    const std::string section = r.out.substr(start, r.out.find("</section>", start) - start);
    for (const char* id : {"cluster-admin-sa", "default-sa-privileged", "github-oidc-no-sub", "third-party-no-external-id",
                           "cross-environment-trust", "key-file-exposed", "agent-literal-secret", "pat-admin-scope",
                           "pat-no-expiry", "deploy-key-write-unused", "expired-present", "dangling-binding", "root-key"})
        CHECK_THAT(section, Catch::Contains(std::string("<code>") + id + "</code>"));
    CHECK_THAT(section, Catch::Contains("Prowler rbac_cluster_admin_usage"));
    CHECK_THAT(section, Catch::Contains("Dangling bindings (3)") && Catch::Contains("missing ServiceAccount ops/old-operator"));
    // Each row's details say how its tier was reached.
    for (const auto& row : table_rows(r.out)) CHECK_THAT(row["h"].get<std::string>(), Catch::Contains("tier "));
}
