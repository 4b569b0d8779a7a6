#include "rules/engine.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "rules/filters.hpp"
#include "rules/hs_cache.hpp"
#include "rules/hs_handles.hpp"
#include "rules/token_model.hpp"
#include "rules/validators.hpp"
#include "util/text.hpp"

namespace nhi::rules {

namespace {

// PCRE2 stops a pathological pattern/input pair instead of hanging the scan: the interpreter
// after this many steps or this much backtracking memory, the JIT when its stack is full.
constexpr uint32_t kMatchLimit = 5'000'000;
constexpr uint32_t kHeapLimitKiB = 64 * 1024;
constexpr size_t kJitStackMin = 32 * 1024, kJitStackMax = 1024 * 1024;
// Hyperscan's end offset for a full pattern is exact; a little slack covers lookaheads that
// prefilter mode approximates.
constexpr size_t kTail = 64;
// How far to look for the edges of the line that holds a match (minified files are huge).
constexpr size_t kLineProbe = 4096;

struct RuleCode {
    Pcre2Code code;
    std::vector<uint32_t> secret_groups;  // group numbers named `secret`, or {1}, or {} (group 0)
    size_t before = 0;                    // window start = first hit end - before
};

util::Expected<RuleCode> compile_pcre(const Rule& r) {
    int err = 0;
    PCRE2_SIZE err_off = 0;
    pcre2_code* raw = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(r.pattern.data()), r.pattern.size(),
                                    PCRE2_DUPNAMES | PCRE2_USE_OFFSET_LIMIT, &err, &err_off, nullptr);
    if (!raw) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        return util::Error{r.id, "pattern does not compile at offset " + std::to_string(err_off) + ": " +
                                     reinterpret_cast<char*>(msg)};
    }
    RuleCode rc;
    rc.code.reset(raw);

    uint32_t count = 0, entry_size = 0, captures = 0;
    PCRE2_SPTR table = nullptr;
    pcre2_pattern_info(raw, PCRE2_INFO_NAMECOUNT, &count);
    pcre2_pattern_info(raw, PCRE2_INFO_NAMEENTRYSIZE, &entry_size);
    pcre2_pattern_info(raw, PCRE2_INFO_NAMETABLE, &table);
    pcre2_pattern_info(raw, PCRE2_INFO_CAPTURECOUNT, &captures);
    for (uint32_t i = 0; i < count; ++i) {
        PCRE2_SPTR e = table + i * entry_size;
        uint32_t n = (uint32_t(e[0]) << 8) | e[1];
        if (std::strcmp(reinterpret_cast<const char*>(e + 2), "secret") == 0) rc.secret_groups.push_back(n);
    }
    if (rc.secret_groups.empty() && captures >= 1) rc.secret_groups.push_back(1);
    rc.before = r.max_length;
    return rc;
}

// Compiles the rules whose indices are in `which` into one database; each pattern's id is
// its index in `rules`.
util::Expected<HsDatabase> compile_hs(const std::vector<Rule>& rules, const std::vector<size_t>& which) {
    std::vector<std::string> exprs;
    std::vector<unsigned> flags, ids;
    for (size_t i : which) {
        const Rule& r = rules[i];
        std::string e = r.prefilter.empty() ? r.pattern : r.prefilter;
        // Hyperscan reports no captures and refuses a name used twice (alternatives that
        // each capture `secret`), so the secret groups become plain groups for it.
        for (size_t at = 0; (at = e.find("(?<secret>", at)) != std::string::npos;) e.replace(at, 10, "(?:");
        // Exact mode when Hyperscan supports the pattern; prefilter mode (a superset that
        // PCRE2 then confirms) for lookarounds, backreferences and the like.
        unsigned f = 0;
        hs_expr_info_t* info = nullptr;
        hs_compile_error_t* cerr = nullptr;
        if (hs_expression_info(e.c_str(), f, &info, &cerr) != HS_SUCCESS) {
            HsCompileError owned(cerr);
            f = HS_FLAG_PREFILTER;
            cerr = nullptr;
            if (hs_expression_info(e.c_str(), f, &info, &cerr) != HS_SUCCESS) {
                HsCompileError again(cerr);
                return util::Error{r.id, std::string("pattern is not usable by Hyperscan: ") + again->message};
            }
        }
        std::free(info);
        exprs.push_back(std::move(e));
        flags.push_back(f);
        ids.push_back(static_cast<unsigned>(i));
    }
    std::vector<const char*> ptrs;
    for (const auto& e : exprs) ptrs.push_back(e.c_str());
    hs_database_t* db = nullptr;
    hs_compile_error_t* cerr = nullptr;
    if (hs_compile_multi(ptrs.data(), flags.data(), ids.data(), static_cast<unsigned>(ptrs.size()), HS_MODE_BLOCK,
                         nullptr, &db, &cerr) != HS_SUCCESS) {
        HsCompileError owned(cerr);
        std::string what = "rules";
        if (cerr && cerr->expression >= 0 && size_t(cerr->expression) < which.size())
            what = rules[which[size_t(cerr->expression)]].id;
        return util::Error{what, std::string("Hyperscan compile failed: ") + (cerr ? cerr->message : "unknown")};
    }
    return HsDatabase(db);
}

std::string_view line_around(std::string_view data, size_t start, size_t end) {
    size_t lo = start, hi = end;
    size_t lo_stop = start > kLineProbe ? start - kLineProbe : 0;
    while (lo > lo_stop && data[lo - 1] != '\n') --lo;
    size_t hi_stop = std::min(data.size(), end + kLineProbe);
    while (hi < hi_stop && data[hi] != '\n') ++hi;
    return data.substr(lo, hi - lo);
}

}  // namespace

const char* allow_form_name(AllowForm form) {
    switch (form) {
        case AllowForm::Nhi: return "nhi:allow";
        case AllowForm::NhiNextLine: return "nhi:allow-next-line";
        case AllowForm::Gitleaks: return "gitleaks:allow";
        case AllowForm::DetectSecrets: return "pragma: allowlist secret";
    }
    return "";
}

namespace {

constexpr std::string_view kNextLine = "nhi:allow-next-line";

// `nhi:allow` as a marker of its own, not the start of `nhi:allow-next-line` (which speaks
// for the line below, not its own).
bool has_nhi_allow(std::string_view line) {
    for (size_t at = 0; (at = line.find("nhi:allow", at)) != std::string_view::npos; at += 9)
        if (line.compare(at, kNextLine.size(), kNextLine) != 0) return true;
    return false;
}

}  // namespace

std::optional<AllowForm> inline_allow(std::string_view data, size_t start, size_t end, size_t secret_start) {
    const std::string_view line = line_around(data, start, end);
    if (has_nhi_allow(line)) return AllowForm::Nhi;
    if (line.find("gitleaks:allow") != std::string_view::npos) return AllowForm::Gitleaks;
    if (line.find("pragma: allowlist secret") != std::string_view::npos) return AllowForm::DetectSecrets;
    // The line above the secret's own line: a match may begin with the whitespace, newline
    // included, before a key name, so its start can sit on the line above.
    const size_t at = std::min(std::max(secret_start, start), data.size());
    size_t lo = at;
    while (lo > 0 && data[lo - 1] != '\n') --lo;
    if (lo == 0) return std::nullopt;  // the first line has none above it
    // lo - 1 is the newline that ends the line above.
    const std::string_view above = line_around(data, lo - 1, lo - 1);
    if (above.find(kNextLine) != std::string_view::npos) return AllowForm::NhiNextLine;
    return std::nullopt;
}

struct Engine::Impl {
    // Context rules (user, host, database beside a secret) match all over ordinary code and
    // are worth confirming only in a blob that holds a secret, so they live in a database of
    // their own that is scanned only then: on 16 curl trees their confirmation alone was
    // a third of the scan.
    HsDatabase db;      // secrets and references
    HsDatabase ctx_db;  // context rules; null when there are none
    // Path-scoped rules (.pgpass, .git-credentials) have no literal to anchor on and would tax
    // every byte of every file in Hyperscan; PCRE2 runs them whole on the few files they
    // name instead.
    // Their globs are compiled once: they are asked of every file.
    struct PathRule {
        size_t rule;
        util::GlobSet skip, only;
    };
    std::vector<PathRule> path_rules, ctx_path_rules;
    // Rules with `skip_paths:` (the unquoted .env rules skip source code): a file they skip
    // gets no PCRE2 window for them, instead of confirmations dropped at the findings stage
    // (on a curl tree, nhi.env.password opened 2,761 windows, most of them in C files).
    std::vector<PathRule> skip_rules;
    // PCRE2 code per rule, compiled and JIT-compiled on the rule's first Hyperscan hit: most
    // rules never fire on a given input, and JIT-compiling all 967 of them was most of a warm
    // start. Workers share the Engine, so each rule compiles once under its own once_flag.
    struct LazyCode {
        std::once_flag once;
        RuleCode rc;  // rc.code stays null when the pattern does not compile
    };
    std::unique_ptr<LazyCode[]> codes;
    std::vector<std::string> claims;  // every specific rule's prefixes, for generic rules

    // Rule `ri`'s code, compiling it on first use; its `code` is null when it cannot compile.
    const RuleCode& code(const std::vector<Rule>& rules, size_t ri) const {
        LazyCode& c = codes[ri];
        std::call_once(c.once, [&] {
            if (!c.rc.code) {
                auto compiled = compile_pcre(rules[ri]);
                if (!compiled) return;  // the scan reports the rule as failed
                c.rc = std::move(compiled).value();
            }
            // JIT is an optimisation; the interpreter gives the same answers if it is unavailable.
            pcre2_jit_compile(c.rc.code.get(), PCRE2_JIT_COMPLETE);
        });
        return c.rc;
    }
};

namespace {

// settings.db.password, data.vault_secret.value: a dotted chain of lowercase identifiers is
// an expression that reads the secret, not the secret.
bool is_dotted_expression(std::string_view s) {
    if (s.find('.') == std::string_view::npos) return false;
    bool segment_start = true;
    for (char c : s) {
        if (c == '.') {
            if (segment_start) return false;
            segment_start = true;
        } else if (segment_start) {
            if (!(std::islower(static_cast<unsigned char>(c)) || c == '_')) return false;
            segment_start = false;
        } else if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_')) {
            return false;
        }
    }
    return !segment_start;
}

// EllipticCurvePrivateKey, SchemeFunction, Ed25519PrivateKey: a name made of words. After
// each capital comes a run of lowercase letters (two or more, unless a digit follows), which
// a random string of mixed case almost never keeps up for a whole name.
bool is_camel_words(std::string_view s) {
    if (s.size() < 4) return false;
    size_t lower = 0, runs = 0, letters = 0;
    for (size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (!std::isalnum(c) && c != '_') return false;
        if (!std::islower(c)) {
            letters += std::isalpha(c) != 0;
            ++i;
            continue;
        }
        size_t j = i;
        while (j < s.size() && std::islower(static_cast<unsigned char>(s[j]))) ++j;
        const bool digit_next = j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]));
        if (j - i < 2 && !digit_next && j < s.size()) return false;
        lower += j - i;
        letters += j - i;
        ++runs;
        i = j;
    }
    return runs && lower * 3 >= letters * 2 && lower >= 3 * runs;
}

// Code, not a credential: a member access (`AnalysisImpl.second`, `self.config.value`), or an
// identifier (`_S_token_ord_char`, `DEFAULT_TOKEN_NAME`, `read_the_token_file`) on the right
// of an assignment in source code.
bool is_code_identifier(std::string_view s) {
    if (s.empty()) return false;
    size_t dots = 0, unders = 0, digits = 0, upper = 0, lower = 0;
    bool segment_start = true, last_segment_lower = true;
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (ch == '.') {
            if (segment_start) return false;
            ++dots;
            segment_start = true;
            last_segment_lower = true;
            continue;
        }
        if (segment_start && !(std::isalpha(c) || ch == '_')) return false;
        if (!(std::isalnum(c) || ch == '_')) return false;
        segment_start = false;
        unders += ch == '_';
        digits += std::isdigit(c) != 0;
        upper += std::isupper(c) != 0;
        lower += std::islower(c) != 0;
        if (!(std::islower(c) || ch == '_')) last_segment_lower = false;
    }
    if (segment_start) return false;
    if (dots) {  // obj.member, ec.EllipticCurvePrivateKey, Token.Name.Builtin
        if (last_segment_lower) return true;
        for (auto seg : util::split(s, '.'))
            if (!is_camel_words(seg)) return false;
        return true;
    }
    if (s.front() == '_' && is_camel_words(s.substr(1))) return true;  // "_EllipticCurvePrivateKey"
    if (digits) return false;
    if (s.front() == '_' && unders >= 2) return true;  // _S_token_ord_char
    if (!lower && unders >= 1) return true;            // DEFAULT_TOKEN_NAME
    return !upper && unders >= 3;                      // read_the_token_file
}

}  // namespace

// A filesystem path (`PWD: '/home/dev/project'`, `key_file = ./certs/app.key`): where a
// secret lives, not the secret.
bool is_path(std::string_view s) {
    if (s.size() > 2 && s[0] == '/' && s.find('/', 1) != std::string_view::npos) return true;
    if (s.rfind("~/", 0) == 0 || s.rfind("./", 0) == 0 || s.rfind("../", 0) == 0) return true;
    return s.size() > 3 && std::isalpha(static_cast<unsigned char>(s[0])) && s[1] == ':' && s[2] == '\\';
}

// 1.302138, 10.0.4.12: a version or an address, not a secret.
bool is_dotted_number(std::string_view s) {
    return s.find('.') != std::string_view::npos && s.front() != '.' && s.back() != '.' &&
           s.find_first_not_of("0123456789.") == std::string_view::npos;
}

bool Engine::generic_rejects(std::string_view secret) const {
    if (is_dotted_number(secret) || util::is_uuid(secret) || is_dotted_expression(secret) || is_code_identifier(secret) || is_path(secret))
        return true;
    for (const auto& c : impl_->claims)
        if (secret.size() >= c.size() && secret.compare(0, c.size(), c) == 0) return true;
    return false;
}

Engine::~Engine() = default;

util::Expected<std::shared_ptr<const Engine>> Engine::create(RuleSet rules, const EngineOptions& options) {
    if (rules.rules.empty()) return util::Error{"rules", "no rules to scan with"};
    std::shared_ptr<Engine> e(new Engine());
    e->impl_ = std::make_unique<Impl>();
    e->impl_->codes = std::make_unique<Impl::LazyCode[]>(rules.rules.size());
    for (const auto& r : rules.rules)
        if (!r.generic) e->impl_->claims.insert(e->impl_->claims.end(), r.claims.begin(), r.claims.end());
    std::vector<size_t> main_rules, ctx_rules;
    for (size_t i = 0; i < rules.rules.size(); ++i) {
        const Rule& r = rules.rules[i];
        if (!r.paths.empty()) {
            (r.context ? e->impl_->ctx_path_rules : e->impl_->path_rules)
                .push_back({i, util::GlobSet(r.skip_paths), util::GlobSet(r.paths)});
            continue;
        }
        (r.context ? ctx_rules : main_rules).push_back(i);
        if (!r.skip_paths.empty()) e->impl_->skip_rules.push_back({i, util::GlobSet(r.skip_paths), {}});
    }
    // A rule set whose Hyperscan database is cached compiled whole before (the cache is written
    // only after every pattern compiled), so its PCRE2 patterns wait for their first hit. Any
    // other rule set has each pattern compiled now, so a bad one fails the start, naming it.
    bool validated = false;
    auto validate_patterns = [&]() -> util::Status {
        if (validated) return util::ok_status();
        validated = true;
        for (size_t i = 0; i < rules.rules.size(); ++i) {
            auto c = compile_pcre(rules.rules[i]);
            if (!c) return c.error();
            e->impl_->codes[i].rc = std::move(c).value();
        }
        return util::ok_status();
    };
    e->from_cache_ = true;
    auto load_or_compile = [&](const std::vector<size_t>& which, const char* part,
                               HsDatabase& into) -> util::Status {
        if (which.empty()) return util::ok_status();
        const std::string key = hs_cache::key(rules.hash + ":" + part);
        // Built into the binary for the build machine's CPU; the disk cache serves other CPUs
        // and rule sets changed by user rules or `disable:`.
        into = hs_cache::load_embedded(key);
        if (into) return util::ok_status();
        into = hs_cache::load(options.cache_dir, key);
        if (into) return util::ok_status();
        e->from_cache_ = false;
        TRY(validate_patterns());
        auto db = compile_hs(rules.rules, which);
        if (!db) return db.error();
        into = std::move(db).value();
        hs_cache::store(options.cache_dir, key, into.get());
        return util::ok_status();
    };
    if (main_rules.empty() && e->impl_->path_rules.empty())
        return util::Error{"rules", "no rules that find secrets: only context rules"};
    if (auto st = load_or_compile(main_rules, "main", e->impl_->db); !st) return st.error();
    if (auto st = load_or_compile(ctx_rules, "context", e->impl_->ctx_db); !st) return st.error();
    e->rules_ = std::move(rules);
    return std::shared_ptr<const Engine>(std::move(e));
}

struct Pcre2JitStackFree {
    void operator()(pcre2_jit_stack* p) const { pcre2_jit_stack_free(p); }
};

struct Worker::State {
    HsScratch scratch;
    Pcre2MatchData md;
    Pcre2MatchContext mctx;
    std::unique_ptr<pcre2_jit_stack, Pcre2JitStackFree> jit_stack;
    struct Open {
        bool active = false;
        size_t start = 0, limit = 0;
    };
    std::vector<Open> open;        // one per rule: the window being extended
    std::vector<size_t> touched;   // rules with an open window, to reset cheaply
    struct Window {
        size_t rule, start, limit;
    };
    std::vector<Window> windows;
    const Engine* engine = nullptr;
    size_t base = 0;  // offset of the slice Hyperscan is scanning
    std::string padded;  // a blob's tail copied away from a page end (scan_database)

    // The current blob: its path (when the caller named one), what stopped matching, and how
    // often each rule matched, to cap a rule that matches all over it.
    const std::string* path = nullptr;
    ScanReport report;
    std::vector<uint32_t> matched;  // per rule, this blob; past kMaxMatchesPerRule the rule stops
    std::vector<size_t> counted;    // rules with a nonzero count, to reset cheaply
    std::vector<uint8_t> skipped;   // per rule: its skip_paths cover this blob's path
    std::vector<size_t> skipping;   // rules skipped in this blob, to reset cheaply
    RuleStats stats;

    void flush(size_t rule) {
        Open& o = open[rule];
        windows.push_back({rule, o.start, o.limit});
        o.active = false;
    }

    void begin_blob(const std::string* blob_path) {
        path = blob_path;
        report.limit_rules.clear();
        report.error_rules.clear();
        report.engine_error.clear();
        for (size_t r : counted) matched[r] = 0;
        counted.clear();
        for (size_t r : skipping) skipped[r] = 0;
        skipping.clear();
    }

    void end_blob() {
        for (size_t r : report.limit_rules) ++stats.rules[r].limit_blobs;
    }

    // False once rule `r` has matched too often in this blob to be worth confirming again.
    bool count_match(size_t r) {
        if (matched[r] == 0) counted.push_back(r);
        if (matched[r] == kMaxMatchesPerRule) {
            auto& pr = stats.rules[r];
            ++pr.capped_blobs;
            if (pr.first_capped.empty() && path) pr.first_capped = *path;
        }
        if (matched[r] > kMaxMatchesPerRule) return false;
        return ++matched[r] <= kMaxMatchesPerRule;
    }
    bool capped(size_t r) const { return matched[r] > kMaxMatchesPerRule; }

    void pcre2_failed(size_t r, int rc) {
        const bool limit = rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
                           rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT;
        auto& list = limit ? report.limit_rules : report.error_rules;
        if (std::find(list.begin(), list.end(), r) == list.end()) list.push_back(r);
    }
};

util::Expected<std::unique_ptr<Worker>> Engine::make_worker() const {
    std::unique_ptr<Worker> w(new Worker(*this));
    Worker::State& st = *w->state_;
    hs_scratch_t* s = nullptr;
    // One scratch serves both databases: the second call grows it to fit.
    for (const hs_database_t* db : {impl_->db.get(), impl_->ctx_db.get()}) {
        if (!db) continue;
        if (hs_error_t rc = hs_alloc_scratch(db, &s); rc != HS_SUCCESS) {
            if (s) hs_free_scratch(s);
            return util::Error{"hyperscan", "cannot allocate scratch space (error " + std::to_string(rc) + ")"};
        }
    }
    st.scratch.reset(s);
    st.md.reset(pcre2_match_data_create(64, nullptr));
    st.mctx.reset(pcre2_match_context_create(nullptr));
    st.jit_stack.reset(pcre2_jit_stack_create(kJitStackMin, kJitStackMax, nullptr));
    if (!st.md || !st.mctx || !st.jit_stack) return util::Error{"pcre2", "out of memory"};
    pcre2_set_match_limit(st.mctx.get(), kMatchLimit);
    pcre2_set_heap_limit(st.mctx.get(), kHeapLimitKiB);
    pcre2_jit_stack_assign(st.mctx.get(), nullptr, st.jit_stack.get());
    st.open.resize(rules().size());
    st.matched.resize(rules().size());
    st.skipped.resize(rules().size());
    st.stats.rules.resize(rules().size());
    st.engine = this;
    return w;
}

Worker::Worker(const Engine& engine) : engine_(engine), state_(std::make_unique<State>()) {}

Worker::~Worker() = default;

namespace {

int on_hit(unsigned int id, unsigned long long /*from*/, unsigned long long slice_to, unsigned int, void* ctx) {
    auto* st = static_cast<Worker::State*>(ctx);
    if (st->skipped[id]) return 0;
    const size_t to = st->base + size_t(slice_to);
    auto& o = st->open[id];
    const size_t before = st->engine->rules()[id].max_length;
    const size_t start = to > before ? to - before : 0;
    if (o.active && start <= o.limit) {
        o.limit = std::max(o.limit, to);
        return 0;
    }
    if (o.active) st->flush(id);
    else st->touched.push_back(id);
    o.active = true;
    o.start = start;
    o.limit = to;
    return 0;
}

// A random hex string cannot reach the entropy of a random base64 one (4 bits per character
// at most, against 6), so a rule's threshold is scaled down for narrow alphabets: 75% of
// the alphabet's maximum, never above the rule's own figure.
double entropy_floor(double min_entropy, std::string_view s) {
    bool digits = true, hex = true;
    for (char c : s) {
        digits = digits && c >= '0' && c <= '9';
        hex = hex && std::isxdigit(static_cast<unsigned char>(c));
    }
    if (digits) return std::min(min_entropy, 0.75 * 3.32);
    if (hex) return std::min(min_entropy, 0.75 * 4.0);
    return min_entropy;
}

// Runs rule `ri`'s PCRE2 over [start, ...) for matches starting at or before `limit`, and
// keeps those that pass every filter.
void confirm(const Engine& engine, const RuleCode& rc, Worker::State& st, size_t ri, size_t start, size_t limit,
             std::string_view data, std::vector<Match>& out, Rejection* rejection) {
    const Rule& rule = engine.rules()[ri];
    if (st.capped(ri)) return;  // matched too often in this blob already
    if (!rc.code) {
        st.pcre2_failed(ri, PCRE2_ERROR_INTERNAL);  // its pattern did not compile: counted, never silent
        return;
    }
    pcre2_set_offset_limit(st.mctx.get(), limit);
    size_t off = start;
    while (off <= limit && off <= data.size()) {
        int rc_ = pcre2_match(rc.code.get(), reinterpret_cast<PCRE2_SPTR>(data.data()), data.size(), off, 0,
                              st.md.get(), st.mctx.get());
        if (rc_ < 0) {
            // A limit stopped a pathological case, or PCRE2 failed: counted, never silent.
            if (rc_ != PCRE2_ERROR_NOMATCH) st.pcre2_failed(ri, rc_);
            break;
        }
        if (!st.count_match(ri)) break;
        PCRE2_SIZE* ov = pcre2_get_ovector_pointer(st.md.get());
        size_t s = ov[0], e = ov[1];
        if (e <= s) {
            off = s + 1;
            continue;
        }
        off = e;
        size_t ss = s, se = e;
        if (!rc.secret_groups.empty()) {
            bool found = false;
            for (uint32_t g : rc.secret_groups) {
                if (int(g) < rc_ && ov[2 * g] != PCRE2_UNSET && ov[2 * g + 1] > ov[2 * g]) {
                    ss = ov[2 * g];
                    se = ov[2 * g + 1];
                    found = true;
                    break;
                }
            }
            if (!found) continue;
        }
        std::string_view secret = data.substr(ss, se - ss);
        Rejection why = Rejection::None;
        Validation v;
        // A weak value (`secret`, `admin`) is judged before entropy: it is short and plain by
        // nature, and what makes it worth a quiet line is that it is hard-coded, not random.
        const ValueClass value = rule.skip_placeholder_filter
                                     ? ValueClass::Secret
                                     : classify_value(secret, rule.weak_is_secret, rule.context || rule.reference);
        const bool weak = value == ValueClass::Weak && !rule.secretless();
        if (value == ValueClass::Placeholder || (value == ValueClass::Weak && rule.secretless()))
            why = Rejection::Placeholder;
        else if (!weak && rule.token_filter != TokenFilter::Ngram && rule.min_entropy > 0 &&
                 util::shannon_entropy(secret) < entropy_floor(rule.min_entropy, secret))
            why = Rejection::Entropy;
        // Identifiers and phrases (`getUserAccountSettingsHandler`) clear an entropy floor
        // that short random tokens barely reach; the token model reads them as words.
        else if (!weak && rule.token_filter != TokenFilter::Entropy && looks_like_words(secret))
            why = Rejection::Words;
        else if (rule.generic && engine.generic_rejects(secret)) why = Rejection::Generic;
        // A token whose checksum alone fails is kept, quiet (Validation::checksum_only).
        else if (!rule.validator.empty() && !(v = validate(rule.validator, secret, rule.weak_is_secret)).valid &&
                 !v.checksum_only)
            why = Rejection::Validator;
        else if (const auto form = inline_allow(data, s, e, ss)) {
            why = Rejection::InlineAllow;
            ++st.stats.allowed.by_form[size_t(*form)];
        }
        if (why != Rejection::None) {
            if (rejection && *rejection == Rejection::None) *rejection = why;
            continue;
        }
        Match m;
        m.rule = ri;
        m.start = s;
        m.end = e;
        m.secret_start = ss;
        m.secret_end = se;
        m.hints = std::move(v.hints);
        if (!v.valid && v.checksum_only) {
            if (!m.hints.is_object()) m.hints = nlohmann::json::object();
            m.hints[kInvalidHint] = kChecksumFails;
        }
        if (weak || is_weak(m.hints)) m.hints[kWeakHint] = true;
        m.weak = is_quiet(m.hints);
        out.push_back(std::move(m));
    }
}

// A generic rule (say, `api_key = ...`) often matches the same secret as a specific one
// (a GitHub token). Report the secret once, under the rule that knows most about it:
// drop a match whose secret overlaps one of strictly higher confidence.
void drop_shadowed(const std::vector<Rule>& rules, std::vector<Match>& ms) {
    if (ms.size() < 2) return;
    std::vector<bool> drop(ms.size(), false);
    std::vector<size_t> order(ms.size());
    for (size_t i = 0; i < ms.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return ms[a].secret_start < ms[b].secret_start; });
    for (size_t x = 0; x < order.size(); ++x) {
        const Match& a = ms[order[x]];
        for (size_t y = x + 1; y < order.size() && ms[order[y]].secret_start < a.secret_end; ++y) {
            const Match& b = ms[order[y]];
            // Context, references, weak values and tokens whose checksum fails never hide a
            // secret: where both claim the same bytes, the secret stays.
            const bool qa = rules[a.rule].secretless() || a.weak, qb = rules[b.rule].secretless() || b.weak;
            if (qa != qb) {
                drop[qa ? order[x] : order[y]] = true;
                continue;
            }
            auto ca = rules[a.rule].confidence, cb = rules[b.rule].confidence;
            if (ca < cb) drop[order[x]] = true;
            else if (cb < ca) drop[order[y]] = true;
        }
    }
    size_t w = 0;
    for (size_t i = 0; i < ms.size(); ++i)
        if (!drop[i]) {
            if (w != i) ms[w] = std::move(ms[i]);
            ++w;
        }
    ms.resize(w);
}

}  // namespace

namespace {

uint64_t now_ns() {
    return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::steady_clock::now().time_since_epoch())
                        .count());
}

}  // namespace

namespace {

// How far past its end Hyperscan may read (see Worker::scan_database), and how much of a blob's
// tail is copied to keep that read inside memory nhi owns.
constexpr size_t kOverread = 64, kPage = 4096, kPadCopy = size_t(1) << 18;

// True when fewer than kOverread bytes separate `end` from the next page, which may be unmapped.
bool overread_unsafe(const char* end) {
    return ((kPage - reinterpret_cast<uintptr_t>(end) % kPage) % kPage) < kOverread;
}

}  // namespace

void Worker::scan_database(const hs_database* db, std::string_view data, std::vector<Match>& out) {
    State& st = *state_;
    st.windows.clear();
    st.touched.clear();
    // Hyperscan takes unsigned int lengths; scan larger blobs in overlapping slices.
    // Slices overlap by 64 KiB so a match across a seam is still seen whole.
    constexpr size_t kSlice = size_t(1) << 30, kOverlap = size_t(1) << 16;
    for (size_t base = 0; base < data.size();) {
        size_t len = std::min(kSlice, data.size() - base);
        if (data.size() - base - len < kOverread) len = data.size() - base;  // no slice ends just short of the blob
        const bool last = base + len == data.size();
        // Hyperscan 5.4's AVX-512 fat Teddy reads up to 63 bytes past the end of what it scans
        // (vectorscan issue #322): harmless unless the end lies that close to an unmapped page,
        // as a blob ending at the end of an mmap or a malloc arena can. A blob that ends there is
        // scanned from a padded copy; a long one is cut so only its last kPadCopy bytes are copied.
        const char* slice = data.data() + base;
        if (last && overread_unsafe(slice + len)) {
            if (len > kPadCopy) {
                len -= kPadCopy - kOverlap;  // safe: ends kPadCopy - kOverlap bytes before the blob does
            } else {
                st.padded.assign(slice, len);
                st.padded.append(kOverread, '\0');
                slice = st.padded.data();
            }
        }
        st.base = base;
        hs_error_t rc = hs_scan(db, slice, static_cast<unsigned>(len), 0, st.scratch.get(), on_hit, &st);
        if (rc != HS_SUCCESS) {
            // What was found before the failure is still confirmed; the rest of the blob is not
            // matched, and the report says so.
            st.report.engine_error = "Hyperscan scan failed (error " + std::to_string(rc) + ")";
            break;
        }
        if (base + len == data.size()) break;
        base += len - kOverlap;
    }
    for (size_t r : st.touched)
        if (st.open[r].active) st.flush(r);
    // One clock read per window: negligible beside a PCRE2 match, and enough to find the rule
    // that costs most.
    uint64_t t = now_ns();
    for (const auto& w : st.windows) {
        confirm(engine_, engine_.impl_->code(engine_.rules(), w.rule), st, w.rule, w.start, w.limit + kTail, data, out, nullptr);
        const uint64_t t2 = now_ns();
        st.stats.rules[w.rule].confirm_ns += t2 - t;
        ++st.stats.rules[w.rule].windows;
        t = t2;
    }
}

std::vector<Match> Worker::scan(std::string_view data, bool keep_lone_context, const std::string* path,
                                bool apply_skip_paths) {
    std::vector<Match> out;
    State& st = *state_;
    st.begin_blob(path);
    if (data.empty()) return out;
    if (path && apply_skip_paths)
        for (const auto& sr : engine_.impl_->skip_rules)
            if (sr.skip.any(*path)) {
                st.skipped[sr.rule] = 1;
                st.skipping.push_back(sr.rule);
            }
    const uint64_t t0 = now_ns();
    const auto& rules = engine_.rules();
    auto run_path_rules = [&](const std::vector<Engine::Impl::PathRule>& which) {
        for (const auto& pr : which)
            if (const size_t ri = pr.rule; !path || Rule::applies_to(pr.skip, pr.only, *path)) {
                const uint64_t t = now_ns();
                confirm(engine_, engine_.impl_->code(rules, ri), st, ri, 0, data.size(), data, out, nullptr);
                st.stats.rules[ri].confirm_ns += now_ns() - t;
            }
    };
    if (engine_.impl_->db) scan_database(engine_.impl_->db.get(), data, out);
    run_path_rules(engine_.impl_->path_rules);
    // Context (a user name, a host) is worth reporting only beside a secret it qualifies; a
    // reference or a weak value is reported for itself and qualifies nothing.
    const bool has_secret =
        std::any_of(out.begin(), out.end(), [&](const Match& m) { return !rules[m.rule].secretless() && !m.weak; });
    if (has_secret || keep_lone_context) {
        if (engine_.impl_->ctx_db) scan_database(engine_.impl_->ctx_db.get(), data, out);
        run_path_rules(engine_.impl_->ctx_path_rules);
    }
    std::sort(out.begin(), out.end(), [](const Match& a, const Match& b) {
        return a.start != b.start ? a.start < b.start : a.rule < b.rule;
    });
    drop_shadowed(rules, out);  // keeps at least one secret where there was one
    st.end_blob();
    st.stats.scan_ns += now_ns() - t0;
    return out;
}

std::vector<Match> Worker::scan_rule(size_t rule, std::string_view data, Rejection* first_rejection) {
    std::vector<Match> out;
    state_->begin_blob(nullptr);
    if (first_rejection) *first_rejection = Rejection::None;
    confirm(engine_, engine_.impl_->code(engine_.rules(), rule), *state_, rule, 0, data.size(), data, out, first_rejection);
    state_->end_blob();
    return out;
}

const ScanReport& Worker::last_report() const { return state_->report; }
const RuleStats& Worker::rule_stats() const { return state_->stats; }
const AllowCounts& Worker::allow_counts() const { return state_->stats.allowed; }

void RuleStats::merge(const RuleStats& other) {
    if (rules.size() < other.rules.size()) rules.resize(other.rules.size());
    for (size_t i = 0; i < other.rules.size(); ++i) {
        auto& a = rules[i];
        const auto& b = other.rules[i];
        a.confirm_ns += b.confirm_ns;
        a.windows += b.windows;
        a.capped_blobs += b.capped_blobs;
        a.limit_blobs += b.limit_blobs;
        if (a.first_capped.empty()) a.first_capped = b.first_capped;
    }
    scan_ns += other.scan_ns;
    allowed.merge(other.allowed);
}

std::vector<util::Error> report_warnings(const Engine& engine, const ScanReport& report, const std::string& path) {
    std::vector<util::Error> out;
    const auto& rules = engine.rules();
    for (size_t r : report.limit_rules)
        if (r < rules.size())
            out.push_back({path, "rule " + rules[r].id +
                                     " hit a PCRE2 limit (match steps, depth, heap or JIT stack); its matches here were not all confirmed"});
    for (size_t r : report.error_rules)
        if (r < rules.size()) out.push_back({path, "rule " + rules[r].id + " failed in PCRE2; its matches here were not all confirmed"});
    if (!report.engine_error.empty()) out.push_back({path, report.engine_error + "; the rest of it was not matched"});
    return out;
}

namespace {

std::string seconds(uint64_t ns) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", double(ns) / 1e9);
    return buf;
}

}  // namespace

std::vector<util::Error> rule_warnings(const Engine& engine, const RuleStats& stats) {
    std::vector<util::Error> out;
    const auto& rules = engine.rules();
    const std::string cap = std::to_string(kMaxMatchesPerRule);
    for (size_t i = 0; i < stats.rules.size() && i < rules.size(); ++i) {
        const auto& s = stats.rules[i];
        const std::string what = "rule " + rules[i].id;
        if (s.capped_blobs) {
            std::string where = s.first_capped.empty() ? "a blob" : s.first_capped;
            if (s.capped_blobs > 1) where += " and " + std::to_string(s.capped_blobs - 1) + " more";
            out.push_back({what, "matched more than " + cap + " times in " + where + "; matches past " + cap +
                                     " were not confirmed"});
        }
        const bool share = stats.scan_ns && s.confirm_ns >= kSlowRuleMinNs &&
                           double(s.confirm_ns) >= kSlowRuleShare * double(stats.scan_ns);
        if (s.limit_blobs || share) {
            std::string why = "is slow: ";
            if (s.limit_blobs) why += "its pattern hit a PCRE2 limit in " + std::to_string(s.limit_blobs) +
                                      (s.limit_blobs == 1 ? " blob" : " blobs");
            if (s.limit_blobs && share) why += ", and ";
            if (share)
                why += "it took " + seconds(s.confirm_ns) + " of " + seconds(stats.scan_ns) + " of matching (" +
                       std::to_string(int(100.0 * double(s.confirm_ns) / double(stats.scan_ns))) + "%)";
            out.push_back({what, why + "; simplify its pattern or anchor it on a literal"});
        }
    }
    return out;
}

}  // namespace nhi::rules
