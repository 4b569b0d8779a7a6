#include <catch2/catch.hpp>
#include <algorithm>

#include <sys/mman.h>
#include <unistd.h>

#include "cli/fatal.hpp"

#include "rules/engine.hpp"
#include "rules/filters.hpp"
#include "rules/loader.hpp"
#include "support.hpp"
#include "util/glob.hpp"

using namespace nhi::rules;

namespace {

const char* kRules = R"yml(
provider: test
rules:
  - id: test.token
    name: Test token
    pattern: '\b(?<secret>tok_[A-Za-z0-9]{20})\b'
    min_entropy: 3.0
    confidence: high
    examples: ['tok_Ab3dEf6hIj9kLm2nOp5q']
    negative_examples: ['tok_short']
  - id: test.assign
    name: Generic assignment
    pattern: 'key\s*=\s*"(?<secret>[A-Za-z0-9_]{20,})"'
    confidence: low
    examples: ['key = "Zx8Cv7Bn6Mq5Wr4Ty3Ui"']
    negative_examples: ['key = 1']
  - id: test.lookbehind
    name: Needs prefilter mode
    pattern: '(?<![A-Za-z])LB_(?<secret>[0-9]{6})(?![0-9])'
    examples: ['LB_123456']
    negative_examples: ['xLB_123456']
)yml";

std::shared_ptr<const Engine> make_engine(const std::string& cache_dir = "") {
    auto parsed = parse_rule_file("test.yml", kRules);
    REQUIRE(parsed.ok());
    RuleSet set;
    set.rules = parsed.value();
    set.hash = "test-hash-1";
    EngineOptions o;
    o.cache_dir = cache_dir;
    auto e = Engine::create(set, o);
    REQUIRE(e.ok());
    return e.value();
}

}  // namespace

TEST_CASE("engine finds secrets with exact offsets", "[rules][engine]") {
    auto engine = make_engine();
    auto w = nhi::cli::take(engine->make_worker());
    std::string text = "first line\nTOKEN=tok_Ab3dEf6hIj9kLm2nOp5q and tok_Zz9yXx8wVv7uTt6sSr5q\n";
    auto ms = w->scan(text);
    REQUIRE(ms.size() == 2);
    CHECK(text.substr(ms[0].secret_start, ms[0].secret_end - ms[0].secret_start) == "tok_Ab3dEf6hIj9kLm2nOp5q");
    CHECK(text.substr(ms[1].secret_start, ms[1].secret_end - ms[1].secret_start) == "tok_Zz9yXx8wVv7uTt6sSr5q");
}

TEST_CASE("engine applies entropy, placeholder and inline-allow filters", "[rules][engine]") {
    auto engine = make_engine();
    auto w = nhi::cli::take(engine->make_worker());
    CHECK(w->scan("tok_aaaaaaaaaaaaaaaaaaaa").empty());  // entropy
    CHECK(w->scan("tok_EXAMPLEabcdefghijklm").empty());   // placeholder
    CHECK(w->scan("x = tok_Ab3dEf6hIj9kLm2nOp5q  # nhi:allow").empty());
    CHECK(w->scan("x = tok_Ab3dEf6hIj9kLm2nOp5q\n# nhi:allow on the next line does not count").size() == 1);
}

TEST_CASE("a more confident rule shadows a generic match of the same secret", "[rules][engine]") {
    auto engine = make_engine();
    auto w = nhi::cli::take(engine->make_worker());
    auto ms = w->scan(R"(key = "tok_Ab3dEf6hIj9kLm2nOp5q")");
    REQUIRE(ms.size() == 1);
    CHECK(engine->rules()[ms[0].rule].id == "test.token");
}

TEST_CASE("patterns Hyperscan cannot run exactly are prefiltered and confirmed", "[rules][engine]") {
    auto engine = make_engine();
    auto w = nhi::cli::take(engine->make_worker());
    CHECK(w->scan("a LB_123456 b").size() == 1);
    CHECK(w->scan("xLB_123456").empty());
    CHECK(w->scan("LB_1234567").empty());
}

TEST_CASE("engine scans large blobs and finds secrets far from the start", "[rules][engine]") {
    auto engine = make_engine();
    auto w = nhi::cli::take(engine->make_worker());
    std::string big(3 << 20, 'x');
    big.replace(big.size() - 100, 24, "tok_Ab3dEf6hIj9kLm2nOp5q");
    big[big.size() - 101] = ' ';
    big[big.size() - 76] = ' ';
    auto ms = w->scan(big);
    REQUIRE(ms.size() == 1);
    CHECK(ms[0].secret_start == big.size() - 100);
}

namespace {

// `pages` readable pages followed by one that faults on any access, so a read past the end of
// a blob placed at the end of the readable part crashes the test instead of passing unseen.
class GuardedPages {
public:
    explicit GuardedPages(size_t pages) : page_(size_t(::sysconf(_SC_PAGESIZE))), size_(pages * page_) {
        void* m = ::mmap(nullptr, size_ + page_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        REQUIRE(m != MAP_FAILED);
        base_ = static_cast<char*>(m);
        REQUIRE(::mprotect(base_ + size_, page_, PROT_NONE) == 0);
    }
    ~GuardedPages() { ::munmap(base_, size_ + page_); }
    GuardedPages(const GuardedPages&) = delete;
    GuardedPages& operator=(const GuardedPages&) = delete;

    // `text` copied so that its last byte is the last readable one.
    std::string_view place(std::string_view text) {
        REQUIRE(text.size() <= size_);
        char* at = base_ + size_ - text.size();
        std::copy(text.begin(), text.end(), at);
        return {at, text.size()};
    }

private:
    size_t page_, size_;
    char* base_ = nullptr;
};

std::shared_ptr<const Engine> builtin_engine() {
    static std::shared_ptr<const Engine> engine = [] {
        auto set = load_rules({});
        REQUIRE(set.ok());
        auto e = Engine::create(set.value(), {});
        REQUIRE(e.ok());
        return e.value();
    }();
    return engine;
}

}  // namespace

// Hyperscan 5.4's AVX-512 fat Teddy, which the built-in database selects, reads up to 63 bytes
// past the end of its input (vectorscan issue #322); fuzz_engine crashed on the first input below
// when libFuzzer's buffer ended at a page end. On a CPU without AVX-512 VBMI this passes either way.
TEST_CASE("a blob ending at an unmapped page is scanned without reading past it", "[rules][engine]") {
    auto engine = builtin_engine();
    auto w = nhi::cli::take(engine->make_worker());
    GuardedPages mem(80);
    const std::string fuzz_crash = "       " + std::string(67, 'l') + "}</   <password>{AQAAABAAAAAgUvIVAU";
    CHECK(w->scan(mem.place(fuzz_crash), true).empty());
    // Every length up to two pages of text dense with rule keywords, each ending at the guard page.
    std::string dense;
    while (dense.size() < 8192) dense += "<password>{AQAAAB}</  token=ghp_ AKIA xoxb- sk-ant- https://u:p@h/ ";
    for (size_t n = 1; n <= dense.size(); ++n) w->scan(mem.place(std::string_view(dense).substr(dense.size() - n)), true);
    // A secret ending exactly at the guard page is found; in a blob longer than the padded tail it
    // is found once both at the end and across the seam where the blob is cut.
    const std::string tok = "tok_Ab3dEf6hIj9kLm2nOp5q";
    auto test_engine = make_engine();
    auto tw = nhi::cli::take(test_engine->make_worker());
    auto ms = tw->scan(mem.place("x " + tok));
    REQUIRE(ms.size() == 1);
    CHECK(ms[0].secret_start == 2);
    std::string big(80 * 4096, 'x');
    big.replace(big.size() - tok.size(), tok.size(), tok);
    big[big.size() - tok.size() - 1] = ' ';
    const size_t seam = big.size() - (192u << 10) - 10;  // the cut is 192 KiB before the end
    big.replace(seam, tok.size(), tok);
    big[seam - 1] = ' ';
    big[seam + tok.size()] = ' ';
    ms = tw->scan(mem.place(big));
    REQUIRE(ms.size() == 2);
    CHECK(ms[0].secret_start == seam);
    CHECK(ms[1].secret_start == big.size() - tok.size());
}

TEST_CASE("the compiled database is cached on disk and reused", "[rules][engine]") {
    nhi::test::TempDir dir;
    auto first = make_engine(dir.path().string());
    CHECK_FALSE(first->loaded_from_cache());
    auto second = make_engine(dir.path().string());
    CHECK(second->loaded_from_cache());
    // The cached database finds the same things.
    CHECK(nhi::cli::take(second->make_worker())->scan("tok_Ab3dEf6hIj9kLm2nOp5q").size() == 1);
    // A corrupt cache file is ignored and rebuilt quietly.
    for (auto& e : std::filesystem::directory_iterator(dir.path())) std::ofstream(e.path()) << "garbage";
    auto third = make_engine(dir.path().string());
    CHECK_FALSE(third->loaded_from_cache());
    CHECK(nhi::cli::take(third->make_worker())->scan("tok_Ab3dEf6hIj9kLm2nOp5q").size() == 1);
}

TEST_CASE("rule files with errors are rejected with the file and rule named", "[rules][loader]") {
    auto bad_yaml = parse_rule_file("bad.yml", "rules: [\n");
    REQUIRE_FALSE(bad_yaml.ok());
    CHECK(bad_yaml.error().what == "bad.yml");

    auto no_examples = parse_rule_file("r.yml", "rules:\n  - id: a.b\n    name: n\n    pattern: 'x'\n");
    REQUIRE_FALSE(no_examples.ok());
    CHECK(no_examples.error().what == "r.yml: a.b");

    auto bad_validator = parse_rule_file(
        "r.yml", "rules:\n  - {id: a.b, name: n, pattern: x, validator: nope, examples: [x], negative_examples: [y]}\n");
    REQUIRE_FALSE(bad_validator.ok());
    CHECK(bad_validator.error().why.find("unknown validator") != std::string::npos);

    RuleSet set;
    set.rules = parse_rule_file("r.yml", "rules:\n  - {id: a.b, name: n, pattern: '(unclosed', examples: [x], "
                                         "negative_examples: [y]}\n")
                    .value();
    set.hash = "h";
    auto e = Engine::create(set, {});
    REQUIRE_FALSE(e.ok());
    CHECK(e.error().what == "a.b");
}

TEST_CASE("is_placeholder recognises templates, references and filler", "[rules][filters]") {
    for (const char* s : {"${GITHUB_TOKEN}", "{{ token }}", "<your-api-key>", "AKIAIOSFODNN7EXAMPLE", "xxxxxxxxxxxx",
                          "changeme", "password", "&lt;YOUR_KEY&gt;", "os.environ", "process.env.KEY", "000000000000", "your_api_key_here"}) {
        INFO(s);
        CHECK(is_placeholder(s));
    }
    for (const char* s : {"qBhy02hoi8ucTVyAmSRnraF4pk0bZu3i8raG", "Vq8rT2mLx9wPz4", "hunter2Vk7Q!x"}) {
        INFO(s);
        CHECK_FALSE(is_placeholder(s));
    }
}

TEST_CASE("unknown rule keys are rejected, claims and paths are read", "[rules][loader]") {
    auto typo = parse_rule_file("r.yml", "rules:\n  - {id: a.b, name: n, pattern: x, min_entopy: 3, examples: [x], "
                                         "negative_examples: [y]}\n");
    REQUIRE_FALSE(typo.ok());
    CHECK(typo.error().what == "r.yml: a.b");
    CHECK(typo.error().why.find("min_entopy") != std::string::npos);

    auto ok = parse_rule_file("r.yml", "rules:\n  - {id: a.b, name: n, pattern: x, claims: [abc_], paths: ['.pgpass', "
                                       "'config/*.key'], generic: true, examples: [x], negative_examples: [y]}\n");
    REQUIRE(ok.ok());
    const Rule& r = ok.value().at(0);
    CHECK(r.claims == std::vector<std::string>{"abc_"});
    CHECK(r.generic);
    CHECK(r.applies_to("db/.pgpass"));
    CHECK(r.applies_to(".pgpass"));
    CHECK(r.applies_to("config/master.key"));
    CHECK_FALSE(r.applies_to("other/config/master.key"));
    CHECK_FALSE(r.applies_to("db/pgpass.txt"));
}

TEST_CASE("is_placeholder: selectors, labels, ARNs, counting runs; weak passwords on request", "[rules][filters]") {
    for (const char* s : {"#add-password", "Password:", "arn:aws:iam::aws:policy/IAMUserChangePassword",
                          "px-api-a1b2c3d4-e5f6", "00-ABCDEFGHIJKL-x", "true"}) {
        INFO(s);
        CHECK(is_placeholder(s));
    }
    CHECK(is_placeholder("admin"));
    CHECK_FALSE(is_placeholder("admin", /*weak_is_secret=*/true));
    CHECK(is_placeholder("null", /*weak_is_secret=*/true));
}

TEST_CASE("classify_value tells weak and documentation values from placeholders", "[rules][filters]") {
    // Hard-coded all the same: reported at info.
    for (const char* s : {"secret", "myPassword", "p@ssw0rd", "open sesame", "open-sesame", "D1fficultP%40ssw0rd",
                          "s3cr3t", "2YotnFZFEjr1zCsicMWpAA", "-anonymous@"}) {
        INFO(s);
        CHECK(classify_value(s) == ValueClass::Weak);
        // In a credential file a weak password is simply the password.
        CHECK(classify_value(s, /*weak_is_secret=*/true) == ValueClass::Secret);
    }
    // Never reported: templates, references, markers, format fields.
    for (const char* s : {"${DB_PASSWORD}", "{self.password}'", "{api.key}", "AKIAIOSFODNN7EXAMPLE", "your_token_here",
                          "%DB_PASS%"}) {
        INFO(s);
        CHECK(classify_value(s) == ValueClass::Placeholder);
    }
    for (const char* s : {"#gets0m3", "Vq8rT2mLx9wPz4", "hunter2Vk7Q!x"}) {
        INFO(s);
        CHECK(classify_value(s) == ValueClass::Secret);
    }
    CHECK(classify_value("#add-password") == ValueClass::Placeholder);  // a CSS selector
}

TEST_CASE("reference and context rules must be severity info; skip_paths is read", "[rules][loader]") {
    auto loud = parse_rule_file("r.yml", "rules:\n  - {id: a.b, name: n, pattern: x, reference: true, severity: high, "
                                         "examples: [x], negative_examples: [y]}\n");
    REQUIRE_FALSE(loud.ok());
    CHECK(loud.error().why.find("info") != std::string::npos);
    auto ok = parse_rule_file("r.yml", "rules:\n  - {id: a.b, name: n, pattern: x, reference: true, severity: info, "
                                       "skip_paths: ['*.py'], examples: [x], negative_examples: [y]}\n");
    REQUIRE(ok.ok());
    const Rule& r = ok.value().at(0);
    CHECK(r.reference);
    CHECK(r.secretless());
    CHECK_FALSE(r.applies_to("src/lexer.py"));
    CHECK(r.applies_to("deploy/.env"));
}

namespace {

// tests/fixtures/rules/costly.yml: a rule catastrophic for PCRE2 and one matching everywhere.
const std::string kCostlyRules = nhi::test::read_file(std::string(NHI_FIXTURES) + "/rules/costly.yml");

std::shared_ptr<const Engine> costly_engine() {
    auto parsed = parse_rule_file("costly.yml", kCostlyRules);
    REQUIRE(parsed.ok());
    RuleSet set;
    set.rules = parsed.value();
    set.hash = "test-costly-1";
    auto e = Engine::create(set, {});
    REQUIRE(e.ok());
    return e.value();
}

size_t rule_index(const Engine& e, const std::string& id) {
    for (size_t i = 0; i < e.rules().size(); ++i)
        if (e.rules()[i].id == id) return i;
    FAIL("no rule " << id);
    return 0;
}

}  // namespace

TEST_CASE("a PCRE2 limit is reported per blob, naming the rule, never the content", "[rules][engine]") {
    auto engine = costly_engine();
    auto w = nhi::cli::take(engine->make_worker());
    const std::string path = "logs/app.log";
    std::string text = "start\n" + std::string(40, 'a') + "!\n";
    w->scan(text, false, &path);
    const auto& rep = w->last_report();
    REQUIRE(rep.hit_limit());
    CHECK(rep.limit_rules == std::vector<size_t>{rule_index(*engine, "test.catastrophic")});
    CHECK_FALSE(rep.failed());
    auto warnings = report_warnings(*engine, rep, path);
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].what == path);
    CHECK(warnings[0].why.find("test.catastrophic") != std::string::npos);
    CHECK(warnings[0].why.find("aaaa") == std::string::npos);
    CHECK(w->rule_stats().rules[rule_index(*engine, "test.catastrophic")].limit_blobs == 1);
    // The end-of-scan report calls the rule slow.
    auto slow = rule_warnings(*engine, w->rule_stats());
    REQUIRE(slow.size() == 1);
    CHECK(slow[0].what == "rule test.catastrophic");
    CHECK(slow[0].why.find("is slow") == 0);

    // The report belongs to the last blob only.
    w->scan("nothing to see here", false, &path);
    CHECK(w->last_report().clean());
}

TEST_CASE("a rule matching too often in one blob stops there and is reported once", "[rules][engine]") {
    auto engine = costly_engine();
    auto w = nhi::cli::take(engine->make_worker());
    const size_t chatty = rule_index(*engine, "test.chatty");
    std::string many;
    for (int i = 0; i < 1500; ++i) many += "w" + std::to_string(100 + i % 900) + " ";
    const std::string a = "a.txt", b = "b.txt";
    auto ms = w->scan(many, false, &a);
    CHECK(ms.size() <= kMaxMatchesPerRule);
    CHECK(w->last_report().clean());  // a cap is not a failure of the blob
    w->scan(many, false, &b);
    CHECK(w->scan("w123 w456", false, &b).size() == 2);  // the cap is per blob
    const auto& stats = w->rule_stats();
    CHECK(stats.rules[chatty].capped_blobs == 2);
    CHECK(stats.rules[chatty].first_capped == a);
    auto warnings = rule_warnings(*engine, stats);
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].what == "rule test.chatty");
    CHECK(warnings[0].why == "matched more than 1000 times in a.txt and 1 more; matches past 1000 were not confirmed");
}

TEST_CASE("rule statistics merge across workers; a rule taking most of the time is slow", "[rules][engine]") {
    auto engine = costly_engine();
    const size_t chatty = rule_index(*engine, "test.chatty");
    RuleStats one, two;
    one.rules.resize(engine->rules().size());
    two.rules.resize(engine->rules().size());
    one.scan_ns = 3'000'000'000;
    one.rules[chatty].confirm_ns = 2'000'000'000;
    two.scan_ns = 1'000'000'000;
    two.rules[chatty].confirm_ns = 900'000'000;
    two.rules[chatty].capped_blobs = 1;
    two.rules[chatty].first_capped = "x.txt";
    RuleStats total;
    total.merge(one);
    total.merge(two);
    CHECK(total.scan_ns == 4'000'000'000);
    CHECK(total.rules[chatty].confirm_ns == 2'900'000'000);
    CHECK(total.rules[chatty].first_capped == "x.txt");
    auto w = rule_warnings(*engine, total);
    REQUIRE(w.size() == 2);
    CHECK(w[1].why.find("is slow: it took 2.9 s of 4.0 s of matching (72%)") == 0);
    // A small share, or a short scan, is not slow.
    total.rules[chatty].capped_blobs = 0;
    total.scan_ns = 10'000'000'000;
    CHECK(rule_warnings(*engine, total).empty());
    RuleStats quick;
    quick.rules.resize(engine->rules().size());
    quick.scan_ns = 100'000'000;
    quick.rules[chatty].confirm_ns = 99'000'000;
    CHECK(rule_warnings(*engine, quick).empty());
}

TEST_CASE("a Hyperscan failure is named in a warning", "[rules][engine]") {
    auto engine = costly_engine();
    ScanReport rep;
    CHECK(report_warnings(*engine, rep, "a.txt").empty());
    rep.engine_error = "Hyperscan scan failed (error -3)";
    CHECK(rep.failed());
    auto w = report_warnings(*engine, rep, "a.txt");
    REQUIRE(w.size() == 1);
    CHECK(w[0].what == "a.txt");
    CHECK(w[0].why.find("Hyperscan scan failed") == 0);
}

TEST_CASE("allow comments: nhi:allow-next-line, gitleaks:allow and detect-secrets' pragma, each counted", "[rules][engine][allow]") {
    auto engine = make_engine();
    auto w = nhi::cli::take(engine->make_worker());
    const std::string tok = "tok_Ab3dEf6hIj9kLm2nOp5q";
    // The next-line form speaks for the line below only.
    CHECK(w->scan("# nhi:allow-next-line\nx = " + tok + "\n").empty());
    CHECK(w->scan("# nhi:allow-next-line\n  key = \"Zx8Cv7Bn6Mq5Wr4Ty3Ui\"\n").empty());  // generic rule
    CHECK(w->scan("// nhi:allow-next-line\n\nx = " + tok + "\n").size() == 1);  // a blank line between
    CHECK(w->scan("x = " + tok + "\n# nhi:allow-next-line\n").size() == 1);    // below, not above
    CHECK(w->scan("x = " + tok + "  # nhi:allow-next-line\n").size() == 1);    // not its own line
    CHECK(w->scan("x = " + tok + "  # gitleaks:allow\n").empty());
    CHECK(w->scan("x = " + tok + "  # pragma: allowlist secret\n").empty());
    CHECK(w->scan("# gitleaks:allow\nx = " + tok + "\n").size() == 1);  // same-line forms stay on their line
    CHECK(w->scan("x = " + tok + "  # nhi:allow\n").empty());
    CHECK(w->scan("x = " + tok + " # nhi:allow-next-line nhi:allow\n").empty());  // both: the plain one counts
    const AllowCounts& c = w->allow_counts();
    CHECK(c[AllowForm::NhiNextLine] == 2);
    CHECK(c[AllowForm::Gitleaks] == 1);
    CHECK(c[AllowForm::DetectSecrets] == 1);
    CHECK(c[AllowForm::Nhi] == 2);
    CHECK(c.total() == 6);
    CHECK(w->rule_stats().allowed.total() == 6);
    RuleStats sum;
    sum.merge(w->rule_stats());
    sum.merge(w->rule_stats());
    CHECK(sum.allowed[AllowForm::Gitleaks] == 2);
    CHECK(std::string(allow_form_name(AllowForm::DetectSecrets)) == "pragma: allowlist secret");
}

TEST_CASE("inline_allow looks only at the match's line and the one above", "[rules][engine][allow]") {
    const std::string text = "a\n# nhi:allow-next-line\nsecret here\nsecret there\n";
    const size_t first = text.find("secret here"), second = text.find("secret there");
    CHECK(inline_allow(text, first, first + 6, first) == AllowForm::NhiNextLine);
    CHECK_FALSE(inline_allow(text, second, second + 6, second).has_value());
    CHECK_FALSE(inline_allow("secret", 0, 6, 0).has_value());  // first line: nothing above
    // A match that begins with the newline before its key: the secret's line decides.
    CHECK(inline_allow(text, first - 1, first + 6, first) == AllowForm::NhiNextLine);
}

// The forms skip_paths take: `*.ext` and plain names apply to the file's name anywhere in
// the tree.
TEST_CASE("skip_paths of the form *.ext and plain names apply to the file name anywhere", "[rules][loader]") {
    Rule r;
    r.skip_paths = {"*.c", "*.tar.gz", "*.", "*x", ".pgpass", "main.cc"};
    struct Case {
        const char* path;
        bool applies;
    };
    const Case cases[] = {
        {"main.c", false},     {"src/main.c", false}, {".c", false},         {"main.cc", false},
        {"src/main.cc", false}, {"main.c.txt", true},  {"a/b.tar.gz", false}, {"b.gz", true},
        {"file.", false},       {"dir.c/file", true},  {"box", false},        {"src/x", false},
        {"X", true},            {".pgpass", false},    {"db/.pgpass", false}, {"pgpass", true},
        {"main.ccc", true},
    };
    for (const auto& c : cases) {
        INFO(c.path);
        CHECK(r.applies_to(c.path) == c.applies);
    }
}

// A rule's skip_paths are applied before its matches are confirmed: the built-in unquoted
// .env rules skip source code, and a C file gets no window for them at all. A git blob may
// live at several paths, so its caller asks for every match and applies skip_paths per path.
TEST_CASE("skip_paths keep a rule from matching in the files it skips, unless the caller applies them", "[rules][engine]") {
    auto engine = builtin_engine();
    auto w = nhi::cli::take(engine->make_worker());
    const std::string text = "DB_PASSWORD=Vq8rT2mLx9kP\n";
    const auto& rules = engine->rules();
    auto has_env_password = [&](const std::vector<Match>& ms) {
        return std::any_of(ms.begin(), ms.end(), [&](const Match& m) { return rules[m.rule].id == "nhi.env.password"; });
    };
    const std::string env = "deploy/app.env", c = "src/main.c";
    CHECK(has_env_password(w->scan(text, false, &env)));
    CHECK_FALSE(has_env_password(w->scan(text, false, &c)));
    CHECK(has_env_password(w->scan(text, false, &env)));  // the skip lasted one blob
    CHECK(has_env_password(w->scan(text, false, &c, /*apply_skip_paths=*/false)));
    CHECK(has_env_password(w->scan(text, false, nullptr)));
    // Every rule with skip_paths is still in the database for the files it does not skip.
    for (const auto& r : rules)
        if (!r.skip_paths.empty() && r.paths.empty() && !r.examples.empty()) {
            INFO(r.id);
            const auto ms = w->scan(r.examples.front(), true, &env);
            CHECK(std::any_of(ms.begin(), ms.end(), [&](const Match& m) { return rules[m.rule].id == r.id; }));
        }
}
