#include "rules/loader.hpp"
#include "rules/rule_blob.hpp"

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "rules/embedded.hpp"
#include "rules/revocation.hpp"
#include "rules/token_model.hpp"
#include "rules/validate_spec.hpp"
#include "rules/validators.hpp"
#include "rules/yaml_guard.hpp"
#include "util/hash.hpp"

namespace nhi::rules {
namespace fs = std::filesystem;

namespace {

std::vector<std::string> string_list(const YAML::Node& n) {
    std::vector<std::string> out;
    if (!n) return out;
    if (n.IsScalar()) {
        out.push_back(n.as<std::string>());
        return out;
    }
    for (const auto& item : n) out.push_back(item.as<std::string>());
    return out;
}

// The canonical JSON form of a validate block: scalars stay strings, the parser reads them.
nlohmann::json yaml_to_json(const YAML::Node& n) {
    if (n.IsMap()) {
        nlohmann::json o = nlohmann::json::object();
        for (const auto& kv : n) o[kv.first.as<std::string>()] = yaml_to_json(kv.second);
        return o;
    }
    if (n.IsSequence()) {
        nlohmann::json a = nlohmann::json::array();
        for (const auto& item : n) a.push_back(yaml_to_json(item));
        return a;
    }
    if (n.IsScalar()) return n.as<std::string>();
    return "";
}

bool parse_token_filter(const std::string& s, TokenFilter& out) {
    static constexpr std::pair<std::string_view, TokenFilter> kNames[] = {
        {"entropy", TokenFilter::Entropy}, {"ngram", TokenFilter::Ngram}, {"both", TokenFilter::Both}};
    for (const auto& [name, f] : kNames)
        if (s == name) return out = f, true;
    return false;
}

// Without a `token_filter:` key. Measured by bench/token_filter.py (README, "Entropy or the
// token model"): a generic rule for a key, token or secret sees paths, package names and
// placeholders where a secret could be (`privateKey: "fixtures/certs/localhost/key.pem"`),
// and the model drops them at no cost in recall. A password is chosen by a person, so it is
// words (`goodpassword` is a fake, `Prestigitariu$` a real one alike): the model would drop
// real ones, and entropy stays. Provider rules see their own token shape: the model dropped
// nothing there but two passwords, so entropy stays too.
TokenFilter default_token_filter(const Rule& r) {
    const bool password = r.nhi.kind.find("password") != std::string::npos;
    return r.generic && !password ? TokenFilter::Both : TokenFilter::Entropy;
}

std::string rule_family(const Rule& r, bool coarse) {
    if (!r.generic) return r.claims.empty() ? "keyword" : "prefixed";
    if (coarse) return "generic";
    return r.nhi.kind.find("password") != std::string::npos ? "password" : "secret";
}

// NHI_TOKEN_FILTER (benchmarking only, bench/token_filter.py): `FAMILY=MODE,...` overrides
// the filter of the rules with a min_entropy, per family: `generic` (all generic rules), its
// halves `password` and `secret`, and `keyword` (provider rules that claim no prefix, found
// by a keyword before the value). The override goes into the rules hash so no cached result
// outlives it.
void apply_token_filter_override(std::vector<Rule>& rules, std::string& hash_input) {
    const char* env = std::getenv("NHI_TOKEN_FILTER");
    if (!env || !*env) return;
    hash_input += std::string("NHI_TOKEN_FILTER=") + env + '\0';
    std::istringstream in(env);
    std::string item;
    while (std::getline(in, item, ',')) {
        const auto eq = item.find('=');
        TokenFilter f;
        if (eq == std::string::npos || !parse_token_filter(item.substr(eq + 1), f)) continue;
        const std::string family = item.substr(0, eq);
        for (Rule& r : rules)
            if (r.min_entropy > 0 && family == rule_family(r, family == "generic")) r.token_filter = f;
    }
}

// A secret longer than 1 MiB is no secret a rule can describe.
constexpr long long kMaxLength = 1 << 20;
// A rule file is tens of KB; anything near this is not one.
constexpr size_t kMaxRuleFileBytes = 16 << 20;

util::Expected<Rule> parse_rule(const YAML::Node& n, std::string_view file, const std::string& provider) {
    Rule r;
    r.source = std::string(file);
    auto fail = [&](const std::string& why) {
        return util::Error{std::string(file) + (r.id.empty() ? "" : ": " + r.id), why};
    };
    if (!n.IsMap()) return fail("each rule must be a mapping");
    // A misspelt key would silently change what a rule does; refuse it.
    static const std::set<std::string> known = {
        "id", "name", "pattern", "prefilter", "min_entropy", "token_filter", "validator", "confidence", "severity",
        "max_length", "skip_placeholder_filter", "context", "nhi", "revocation", "references", "examples",
        "negative_examples", "claims", "generic", "paths", "weak_is_secret", "reference", "skip_paths",
        "validate", "negative_exempt"};
    for (const auto& kv : n) {
        auto key = kv.first.as<std::string>();
        if (!known.count(key)) {
            if (n["id"]) r.id = n["id"].as<std::string>();
            return fail("unknown key `" + key + "`");
        }
    }
    if (!n["id"]) return fail("rule without an `id`");
    r.id = n["id"].as<std::string>();
    if (!n["name"]) return fail("missing `name`");
    r.name = n["name"].as<std::string>();
    if (!n["pattern"]) return fail("missing `pattern`");
    r.pattern = n["pattern"].as<std::string>();
    if (n["prefilter"]) r.prefilter = n["prefilter"].as<std::string>();
    if (n["min_entropy"]) {
        r.min_entropy = n["min_entropy"].as<double>();
        // Entropy is in bits per byte: 0 to 8. 1e999 or nan would make a rule never match.
        if (!(r.min_entropy >= 0 && r.min_entropy <= 8)) return fail("min_entropy must be between 0 and 8");
    }
    if (n["validator"]) {
        r.validator = n["validator"].as<std::string>();
        if (!validator_exists(r.validator)) return fail("unknown validator `" + r.validator + "`");
    }
    if (n["confidence"] && !parse_confidence(n["confidence"].as<std::string>(), r.confidence))
        return fail("confidence must be low, medium or high");
    if (n["severity"] && !parse_severity(n["severity"].as<std::string>(), r.severity))
        return fail("severity must be info, low, medium, high or critical");
    if (n["max_length"]) {
        // Read signed, so -1 is refused instead of wrapping to 2^64 - 1.
        const auto v = n["max_length"].as<long long>();
        if (v < 1 || v > kMaxLength) return fail("max_length must be between 1 and " + std::to_string(kMaxLength));
        r.max_length = size_t(v);
    }
    if (n["skip_placeholder_filter"]) r.skip_placeholder_filter = n["skip_placeholder_filter"].as<bool>();
    r.claims = string_list(n["claims"]);
    r.paths = string_list(n["paths"]);
    r.skip_paths = string_list(n["skip_paths"]);
    if (n["generic"]) r.generic = n["generic"].as<bool>();
    if (n["weak_is_secret"]) r.weak_is_secret = n["weak_is_secret"].as<bool>();
    if (n["context"]) r.context = n["context"].as<bool>();
    if (n["reference"]) r.reference = n["reference"].as<bool>();
    if ((r.context || r.reference) && r.severity != Severity::Info)
        return fail("context and reference rules find no secret: their severity must be info");
    r.nhi.provider = provider;
    if (const auto& m = n["nhi"]; m && m.IsMap()) {
        if (m["provider"]) r.nhi.provider = m["provider"].as<std::string>();
        if (m["kind"]) r.nhi.kind = m["kind"].as<std::string>();
        if (m["actor"]) r.nhi.actor = m["actor"].as<std::string>();
    }
    if (r.nhi.actor.empty()) r.nhi.actor = "service";
    r.token_filter = default_token_filter(r);
    if (n["token_filter"] && !parse_token_filter(n["token_filter"].as<std::string>(), r.token_filter))
        return fail("token_filter must be entropy, ngram or both");
    if (n["revocation"]) {
        r.revocation = n["revocation"].as<std::string>();
        if (auto ok = check_revocation_template(r.revocation); !ok) return fail(ok.error().why);
    }
    r.references = string_list(n["references"]);
    r.examples = string_list(n["examples"]);
    r.negative_examples = string_list(n["negative_examples"]);
    if (n["negative_exempt"]) {
        r.negative_exempt = n["negative_exempt"].as<std::string>();
        if (r.negative_exempt.empty()) return fail("negative_exempt must say why the rule can have no near miss");
    }
    if (n["validate"]) {
        // A repository's rule file could otherwise send a found secret anywhere: only the
        // rules built into the binary declare where a secret may be tried.
        if (file.rfind("builtin:", 0) != 0)
            return fail("validate: is accepted only in built-in rules (a rule file cannot add validation targets)");
        r.validate = yaml_to_json(n["validate"]).dump();
        if (auto spec = parse_validate_spec(r); !spec) return spec.error();
    }
    if (r.examples.empty()) return fail("every rule needs at least one example");
    if (r.negative_examples.empty()) return fail("every rule needs at least one negative example");
    return r;
}

}  // namespace

util::Expected<std::vector<Rule>> parse_rule_file(std::string_view name, std::string_view content) {
    const std::string file(name);
    if (content.size() > kMaxRuleFileBytes) return util::Error{file, "larger than 16 MiB; not a rule file"};
    TRY(check_yaml_nesting(file, content));
    // yaml-cpp throws on malformed input and on every conversion (BadConversion for `id: [x]`,
    // `max_length: 1e999`; BadSubscript): each becomes an error naming the file and line.
    try {
        YAML::Node root = YAML::Load(std::string(content));
        if (!root.IsMap() || !root["rules"] || !root["rules"].IsSequence())
            return util::Error{file, "expected a mapping with a `rules` list"};
        std::string provider = root["provider"] ? root["provider"].as<std::string>() : "";
        std::vector<Rule> out;
        for (const auto& n : root["rules"]) {
            auto r = parse_rule(n, name, provider);
            if (!r) return r.error();
            out.push_back(std::move(r).value());
        }
        return out;
    } catch (const YAML::ParserException& e) {
        return util::Error{file, "invalid YAML at line " + std::to_string(e.mark.line + 1) + ": " + e.msg};
    } catch (const YAML::Exception& e) {
        return util::Error{file, "bad value at line " + std::to_string(e.mark.line + 1) + ": " + e.msg};
    }
}

util::Expected<RuleSet> load_rules(const std::vector<std::string>& extra_paths, bool builtin) {
    std::vector<std::pair<std::string, std::string>> files;
    if (builtin)
        for (const auto& f : embedded_rule_files())
            files.emplace_back("builtin:" + std::string(f.name), std::string(f.content));

    auto read = [&](const fs::path& p) -> util::Status {
        std::ifstream in(p, std::ios::binary);
        if (!in) return util::Error{p.string(), "cannot read rule file"};
        std::ostringstream ss;
        ss << in.rdbuf();
        files.emplace_back(p.string(), ss.str());
        return util::ok_status();
    };
    for (const auto& path : extra_paths) {
        std::error_code ec;
        if (fs::is_directory(path, ec)) {
            std::vector<fs::path> found;
            for (const auto& e : fs::directory_iterator(path, ec)) {
                auto ext = e.path().extension().string();
                if (ext == ".yml" || ext == ".yaml") found.push_back(e.path());
            }
            if (ec) return util::Error{path, ec.message()};
            std::sort(found.begin(), found.end());
            if (found.empty()) return util::Error{path, "no .yml or .yaml rule files in this directory"};
            for (const auto& f : found)
                if (auto s = read(f); !s) return s.error();
        } else if (fs::exists(path, ec)) {
            if (auto s = read(path); !s) return s.error();
        } else {
            return util::Error{path, "no such rule file or directory"};
        }
    }

    RuleSet set;
    std::string hash_input;
    std::set<std::string> ids;
    // The built-in rules were parsed at build time: decoding them skips most of a warm start.
    size_t first_to_parse = 0;
    if (builtin) {
        if (auto pre = decode_rules(embedded_parsed_rules())) {
            for (auto& r : *pre) {
                ids.insert(r.id);
                set.rules.push_back(std::move(r));
            }
            for (const auto& f : embedded_rule_files())
                hash_input += "builtin:" + std::string(f.name) + '\0' + std::string(f.content) + '\0';
            first_to_parse = embedded_rule_files().size();
        }
    }
    for (size_t fi = first_to_parse; fi < files.size(); ++fi) {
        const auto& [name, content] = files[fi];
        auto parsed = parse_rule_file(name, content);
        if (!parsed) return parsed.error();
        for (auto& r : parsed.value()) {
            if (!ids.insert(r.id).second) return util::Error{name, "duplicate rule id `" + r.id + "`"};
            set.rules.push_back(std::move(r));
        }
        hash_input += name + '\0' + content + '\0';
    }
    apply_token_filter_override(set.rules, hash_input);
    // The token model judges candidates too: a retrained table is a change of rules.
    hash_input += std::string("token-model ") + std::string(builtin_token_model_id()) + '\0';
    set.hash = util::sha256_hex(hash_input);
    return set;
}

}  // namespace nhi::rules
