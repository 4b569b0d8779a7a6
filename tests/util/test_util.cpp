#include <catch2/catch.hpp>

#include "util/glob.hpp"
#include "util/hash.hpp"
#include "util/text.hpp"

using namespace nhi::util;

TEST_CASE("sha256_hex matches the FIPS 180-2 test vector", "[util]") {
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("crc32 and base62 reproduce GitHub's published token checksum", "[util]") {
    // From GitHub's token-format write-up: body zQWB...kxkJ has checksum 0mLq17.
    CHECK(base62(crc32("zQWBuTSOoRi4A9spHcVY5ncnsDkxkJ"), 6) == "0mLq17");
    CHECK(crc32("123456789") == 0xCBF43926u);
    CHECK(base62(0, 3) == "000");
    CHECK(base62(61, 1) == "z");
}

TEST_CASE("glob_match follows git wildcard rules", "[util]") {
    struct Case {
        const char* pattern;
        const char* path;
        bool match;
    };
    const Case cases[] = {
        {"*.log", "app.log", true},       {"*.log", "dir/app.log", false},  {"**/*.log", "dir/sub/app.log", true},
        {"**/*.log", "app.log", true},    {"build/**", "build/a/b", true},  {"a/**/b", "a/b", true},
        {"a/**/b", "a/x/y/b", true},      {"a?c", "abc", true},             {"a?c", "a/c", false},
        {"[abc].txt", "b.txt", true},     {"[!abc].txt", "b.txt", false},   {"[a-c]x", "bx", true},
        {"*", "dir/file", false},         {"node_modules", "node_modules", true},
        // The shapes matched without the matcher: a plain name, and `*` before a literal.
        {".pgpass", ".pgpass", true},     {".pgpass", "db/.pgpass", false}, {"pgpass", ".pgpass", false},
        {"*.c", ".c", true},              {"*.c", "main.cc", false},        {"*.tar.gz", "a.tar.gz", true},
        {"*x", "box", true},              {"*.c", "dir.c/file", false},     {"*", "", true},
        {"a\\*", "a*", true},             {"a\\*", "ab", false},
        // The literal after the last special character must end the path (checked first);
        // a bracket's contents are not that literal, and `**/` may match nothing.
        {"*/sitemanager.xml", "a/sitemanager.xml", true},  {"*/sitemanager.xml", "a/b/sitemanager.xml", false},
        {"*/sitemanager.xml", "sitemanager.xml", false},   {"*/sitemanager.xml", "a/sitemanager.xmlx", false},
        {"*.[ch]", "x.c", true},          {"*.[ch]", "x.ch", false},        {"a[]]b", "a]b", true},
        {"**/a.txt", "a.txt", true},      {"x/**/a.txt", "x/a.txt", true},  {"*\\a", "ba", true},
        {"d?r/*.key", "dir/k.key", true}, {"d?r/*.key", "dir/k.kex", false}, {"[abc", "[abc", true},
    };
    for (const auto& c : cases) {
        INFO(c.pattern << " vs " << c.path);
        CHECK(glob_match(c.pattern, c.path) == c.match);
    }
}

TEST_CASE("shannon_entropy distinguishes random from repetitive text", "[util]") {
    CHECK(shannon_entropy("") == 0.0);
    CHECK(shannon_entropy("aaaaaaaa") == 0.0);
    CHECK(shannon_entropy("abcdefgh") == Approx(3.0));
    CHECK(shannon_entropy("qBhy02hoi8ucTVyAmSRnraF4pk0bZu3i8raG") > 4.0);
}

TEST_CASE("LineCounter gives 1-based lines and columns", "[util]") {
    std::string text = "one\ntwo\n\nfour";
    LineCounter lc(text);
    CHECK(lc.locate(0) == std::pair<size_t, size_t>{1, 1});
    CHECK(lc.locate(5) == std::pair<size_t, size_t>{2, 2});
    CHECK(lc.locate(8) == std::pair<size_t, size_t>{3, 1});
    CHECK(lc.locate(10) == std::pair<size_t, size_t>{4, 2});
    CHECK(lc.locate(1) == std::pair<size_t, size_t>{1, 2});  // going back restarts correctly
}

TEST_CASE("base64_decode accepts standard and URL-safe input and rejects junk", "[util]") {
    CHECK(base64_decode("aGVsbG8=").value() == "hello");
    CHECK(base64_decode("aGVsbG8").value() == "hello");
    CHECK(base64_decode("-_8").value() == "\xfb\xff");
    CHECK_FALSE(base64_decode("a$b=").has_value());
}

TEST_CASE("looks_binary finds NUL bytes in the probe window only", "[util]") {
    CHECK(looks_binary(std::string("ab\0cd", 5)));
    CHECK_FALSE(looks_binary("plain text"));
    std::string late(10000, 'a');
    late[9000] = '\0';
    CHECK_FALSE(looks_binary(late));
}

TEST_CASE("printable escapes what could forge lines or drive a terminal, and keeps UTF-8", "[util]") {
    CHECK(printable("src/app.py") == "src/app.py");
    CHECK(printable("a\nnhi: error: forged") == "a\\nnhi: error: forged");
    CHECK(printable("x\x1b]0;pwned\x07y") == "x\\e]0;pwned\\x07y");
    CHECK(printable("\x1b[2J") == "\\e[2J");
    CHECK(printable("caf\xc3\xa9") == "caf\xc3\xa9");       // é stays
    CHECK(printable("caf\xe9.txt") == "caf\\xe9.txt");      // Latin-1 é is not UTF-8
    CHECK(printable("\xc2\x9b" "31m") == "\\xc2\\x9b31m");  // C1 CSI
    CHECK(printable("a\\nb") == "a\\\\nb");                  // a literal backslash-n cannot pose as an escape
    CHECK(printable("\xed\xa0\x80") == "\\xed\\xa0\\x80");   // a UTF-16 surrogate is not UTF-8
}

TEST_CASE("shell_quote makes any name one inert shell word", "[util]") {
    CHECK(shell_quote("deploy-bot") == "deploy-bot");
    CHECK(shell_quote("x;touch pwned;#") == "'x;touch pwned;#'");
    CHECK(shell_quote("it's") == "'it'\\''s'");
    CHECK(shell_quote("$(id)") == "'$(id)'");
    CHECK(shell_quote("") == "''");
}

TEST_CASE("glob_match with many stars answers without exponential backtracking", "[util]") {
    // Found by fuzz/gitignore: a .gitignore line like this hung the walk (each star retried
    // every split of the name). The answers must stay right; the suite's timeout is the bound.
    const std::string many = "a/" + std::string(24, '*') + "b";
    const std::string name = "a/" + std::string(40, 'x');
    CHECK_FALSE(glob_match(many, name));
    CHECK(glob_match(many, name + "b"));
    std::string allow = "t";
    for (int i = 0; i < 12; ++i) allow += "***e";
    CHECK_FALSE(glob_match(allow + "q", "t" + std::string(60, 'e')));
    CHECK(glob_match("**/*.log", "var/tmp/x.log"));
    CHECK_FALSE(glob_match("**/*.log", "var/tmp/x.logs"));
}

// GlobSet sorts globs into names, suffixes and the rest once; whatever the shape, any() must
// give any_glob's answer (the engine asks it of every file for the path-scoped rules).
TEST_CASE("GlobSet answers as any_glob for every shape of glob and path", "[util]") {
    const std::vector<std::string> globs = {
        ".pgpass",  "pgpass.conf",      "*.git-credentials", "*/logins.json", "config/credentials/*.key",
        "*.tar.gz", "*",                "*.",                "a\\*",          "*.[ch]",
        "**/x.txt", "dir/**",           "d?r/*.key",         "[abc",          "sub/.pgpass",
        "*x",       "master.key",       "*/",                "",              "*\\.c",
    };
    const std::vector<std::string> paths = {
        ".pgpass",        "db/.pgpass",      "a/b/.pgpass",        "pgpass",      "x.git-credentials",
        "a/.git-credentials", "logins.json", "p/logins.json",      "p/q/logins.json", "config/credentials/prod.key",
        "app/config/credentials/prod.key", "a.tar.gz", "a/b.tar.gz", "x.", "a*", "ab", "x.c", "x.h", "x.ch",
        "x.txt",          "a/x.txt",         "dir/a/b",            "dir/k.key",   "[abc",        "sub/.pgpass",
        "box",            "master.key",      "",                   "/",           "a/",          "x\\.c", "x.c/",
    };
    // Every subset of up to two globs, so an earlier entry of another kind never decides.
    for (size_t i = 0; i < globs.size(); ++i)
        for (size_t j = i; j < globs.size(); ++j) {
            const std::vector<std::string> set = i == j ? std::vector<std::string>{globs[i]}
                                                        : std::vector<std::string>{globs[i], globs[j]};
            const GlobSet compiled(set);
            for (const auto& p : paths) {
                INFO(globs[i] << " , " << globs[j] << " vs " << p);
                CHECK(compiled.any(p) == any_glob(set, p));
            }
        }
    CHECK(GlobSet(std::vector<std::string>{}).empty());
    CHECK_FALSE(GlobSet(std::vector<std::string>{}).any("x"));
    CHECK(GlobSet({"*.key"}).any("a/b/c.key"));
    CHECK_FALSE(GlobSet({"config/credentials/*.key"}).any("app/config/credentials/prod.key"));
}
