#include "rules/path_context.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace nhi::rules {

namespace {

constexpr std::array<const char*, kPathContexts> kNames = {"source", "example", "test",     "fixture",
                                                           "docs",   "vendor",  "generated"};

// Which context wins when several folders or names say something: someone else's code and
// build output first (a test inside node_modules is not ours), then test data, tests,
// examples, documentation.
int priority(PathContext c) {
    switch (c) {
        case PathContext::Vendor: return 6;
        case PathContext::Generated: return 5;
        case PathContext::Fixture: return 4;
        case PathContext::Test: return 3;
        case PathContext::Example: return 2;
        case PathContext::Docs: return 1;
        case PathContext::Source: break;
    }
    return 0;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

template <size_t N>
bool one_of(std::string_view s, const std::array<std::string_view, N>& set) {
    return std::find(set.begin(), set.end(), s) != set.end();
}

constexpr std::array<std::string_view, 14> kVendorDirs = {
    "node_modules", "vendor",  "vendors",    "third_party",   "third-party",  "thirdparty", "3rdparty",
    "external",     "bower_components", "site-packages", "dist-packages", ".venv", "pods", "carthage"};
constexpr std::array<std::string_view, 8> kGeneratedDirs = {"dist",  "build", "__generated__", "generated",
                                                            ".next", ".nuxt", "coverage",      "htmlcov"};
constexpr std::array<std::string_view, 12> kFixtureDirs = {"fixtures",  "fixture",   "__fixtures__", "testdata",
                                                           "test-data", "test_data", "testfiles",    "cassettes",
                                                           "__snapshots__", "snapshots", "mocks", "__mocks__"};
// Folders that hold data when they sit inside a test folder (tests/data, src/test/resources).
constexpr std::array<std::string_view, 7> kTestDataDirs = {"data", "certs", "keys", "files", "resources", "assets",
                                                           "samples"};
constexpr std::array<std::string_view, 9> kTestDirs = {"test", "tests",   "__tests__", "spec",       "specs",
                                                       "e2e",  "testing", "androidtest", "integration-tests"};
constexpr std::array<std::string_view, 9> kExampleDirs = {"examples", "example",  "samples",   "sample",   "demo",
                                                          "demos",    "tutorial", "tutorials", "quickstart"};
constexpr std::array<std::string_view, 6> kDocsDirs = {"docs", "doc", "documentation", "man", "manual", "wiki"};

PathContext of_dirs(const std::vector<std::string>& dirs) {
    PathContext best = PathContext::Source;
    auto take = [&](PathContext c) {
        if (priority(c) > priority(best)) best = c;
    };
    bool in_test = false;
    for (const auto& d : dirs) {
        if (one_of(d, kVendorDirs)) take(PathContext::Vendor);
        else if (one_of(d, kGeneratedDirs)) take(PathContext::Generated);
        else if (one_of(d, kFixtureDirs) || (in_test && one_of(d, kTestDataDirs))) take(PathContext::Fixture);
        else if (one_of(d, kTestDirs)) take(PathContext::Test);
        else if (one_of(d, kExampleDirs)) take(PathContext::Example);
        else if (one_of(d, kDocsDirs)) take(PathContext::Docs);
        in_test = in_test || one_of(d, kTestDirs);
    }
    return best;
}

// An extension that makes a file code, not a document: `history.js` is source.
bool code_extension(std::string_view ext) {
    constexpr std::array<std::string_view, 26> code = {"c",  "h",   "cc",  "cpp", "hpp", "go",   "py",   "js",  "ts",
                                                       "jsx", "tsx", "rb",  "java", "kt", "cs",  "swift", "rs",  "php",
                                                       "sh", "ps1", "pl",  "lua", "scala", "m", "yml",  "json"};
    return one_of(ext, code);
}

PathContext of_name(std::string_view name) {
    const std::string n = lower(name);
    constexpr std::array<std::string_view, 10> locks = {"package-lock.json", "yarn.lock",  "pnpm-lock.yaml",
                                                        "composer.lock",     "gemfile.lock", "cargo.lock",
                                                        "poetry.lock",       "go.sum",       "npm-shrinkwrap.json",
                                                        "pipfile.lock"};
    if (one_of(std::string_view(n), locks)) return PathContext::Generated;
    for (std::string_view s : {".min.js", ".min.css", ".js.map", ".css.map", ".pb.go", "_pb2.py", ".pb.h", ".pb.cc",
                               ".g.dart", ".designer.cs"})
        if (ends_with(n, s)) return PathContext::Generated;
    if (n.find(".generated.") != std::string::npos || n.find("_generated.") != std::string::npos)
        return PathContext::Generated;
    if (ends_with(n, ".snap")) return PathContext::Fixture;
    // Test files by each language's convention (name case matters for Java/C#: FooTest.java).
    for (std::string_view s : {"_test.go", "_test.py", "_test.rb", "_spec.rb", "_test.exs", "_test.dart"})
        if (ends_with(n, s)) return PathContext::Test;
    if (starts_with(n, "test_") && ends_with(n, ".py")) return PathContext::Test;
    for (std::string_view mid : {".test.", ".spec.", ".tests."})
        if (n.find(mid) != std::string::npos) return PathContext::Test;
    for (std::string_view s : {"Test.java", "Tests.java", "Test.kt", "Tests.kt", "Tests.cs", "Test.cs", "Tests.swift",
                               "Test.php", "Test.scala", "Spec.scala"})
        if (ends_with(name, s)) return PathContext::Test;
    // Templates of a config file, not the config: `.env.example`, `config.sample.yml`.
    for (std::string_view mid : {".example", ".sample", ".dist", ".template", ".tmpl"}) {
        auto at = n.find(mid);
        if (at != std::string::npos && (at + mid.size() == n.size() || n[at + mid.size()] == '.'))
            return PathContext::Example;
    }
    for (std::string_view s : {".md", ".markdown", ".rst", ".adoc", ".asciidoc", ".textile"})
        if (ends_with(n, s)) return PathContext::Docs;
    // Project documents by name: README, README.curl, CHANGES.0, NEWS.txt (but history.js is code).
    for (std::string_view p : {"readme", "changelog", "changes", "history", "news", "install", "faq", "todo",
                               "contributing", "authors", "thanks", "bugs", "release-notes", "releases"})
        if (n == p || (starts_with(n, std::string(p) + ".") && !code_extension(n.substr(p.size() + 1))))
            return PathContext::Docs;
    // Manual pages: curl.1, CURLOPT_URL.3, nhi.1.md.
    if (n.size() > 2 && n[n.size() - 2] == '.' && n.back() >= '1' && n.back() <= '9') return PathContext::Docs;
    // What autotools generates and projects commit: libtool's ltmain.sh, configure, config.guess.
    constexpr std::array<std::string_view, 9> autotools = {"ltmain.sh", "configure",  "config.guess",
                                                           "config.sub", "aclocal.m4", "install-sh",
                                                           "depcomp",   "missing",    "makefile.in"};
    if (one_of(std::string_view(n), autotools)) return PathContext::Generated;
    return PathContext::Source;
}

PathContext one_path(std::string_view path) {
    std::vector<std::string> dirs;
    size_t start = 0;
    for (size_t slash; (slash = path.find('/', start)) != std::string_view::npos; start = slash + 1)
        if (slash > start) dirs.push_back(lower(path.substr(start, slash - start)));
    const PathContext d = of_dirs(dirs), n = of_name(path.substr(start));
    return priority(n) > priority(d) ? n : d;
}

}  // namespace

const char* to_string(PathContext c) { return kNames[size_t(c)]; }

std::optional<PathContext> parse_path_context(std::string_view name) {
    for (size_t i = 0; i < kNames.size(); ++i)
        if (name == kNames[i]) return PathContext(i);
    return std::nullopt;
}

PathContext path_context(std::string_view path) {
    PathContext best = PathContext::Source;
    size_t start = 0;
    while (true) {
        const size_t bang = path.find('!', start);
        const PathContext c = one_path(path.substr(start, bang == std::string_view::npos ? bang : bang - start));
        if (priority(c) > priority(best)) best = c;
        if (bang == std::string_view::npos) return best;
        start = bang + 1;
    }
}

std::string fixture_reason(std::string_view rule_id, std::string_view path, PathContext c) {
    if (c != PathContext::Fixture && c != PathContext::Test) return "";
    const std::string p = "/" + lower(path);
    const bool key = starts_with(rule_id, "nhi.key.");  // PEM, OpenSSH, PuTTY, PGP, age key files
    if (key && (p.find("/certs/") != std::string::npos || p.find("/keys/") != std::string::npos ||
                p.find("/ssl/") != std::string::npos || p.find("/tls/") != std::string::npos))
        return "a private key in a test certificates folder";
    if (c != PathContext::Fixture) return "";
    // testdata/accounts/*/RSA4096/*.key: test data that is a key file is the test's own key.
    if (key) return "a private key in test data";
    if (rule_id.find("netrc") != std::string_view::npos) return "netrc credentials in a test data file";
    for (std::string_view http : {"basic-auth", "authorization", "bearer", "url-credentials", "proxy"})
        if (rule_id.find(http) != std::string_view::npos) return "credentials in recorded HTTP traffic (test data)";
    return "";
}

}  // namespace nhi::rules
