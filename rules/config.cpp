#include "rules/config.hpp"
#include "rules/path_context.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "rules/yaml_guard.hpp"
#include "util/glob.hpp"
#include "util/text.hpp"

namespace nhi::rules {
namespace fs = std::filesystem;

namespace {

bool path_matches(const std::vector<std::string>& globs, std::string_view path) {
    for (const auto& g : globs) {
        if (util::glob_match(g, path)) return true;
        // A directory glob ("tests/fixtures/") or bare directory name covers what is below it.
        std::string dir = g;
        while (!dir.empty() && dir.back() == '/') dir.pop_back();
        if (!dir.empty() && path.size() > dir.size() && path[dir.size()] == '/' &&
            util::glob_match(dir, path.substr(0, dir.size())))
            return true;
    }
    return false;
}

// A config file is a few KB; anything near this is not one.
constexpr size_t kMaxConfigBytes = 1 << 20;

util::Expected<std::vector<std::string>> strings(const YAML::Node& n, const std::string& key, const std::string& name) {
    std::vector<std::string> out;
    if (!n) return out;
    if (!n.IsSequence()) return util::Error{name, "`" + key + "` must be a list"};
    for (const auto& v : n) {
        if (!v.IsScalar()) return util::Error{name, "`" + key + "` must be a list of strings"};
        out.push_back(v.Scalar());
    }
    return out;
}

util::Expected<std::string> scalar(const YAML::Node& n, const std::string& key, const std::string& name) {
    if (!n.IsScalar()) return util::Error{name, "`" + key + "` must be a string"};
    return n.Scalar();
}

std::string resolve(const std::string& base, const std::string& p) {
    if (p.empty() || fs::path(p).is_absolute() || base.empty()) return p;
    return (fs::path(base) / p).lexically_normal().string();
}

util::Expected<bool> boolean(const YAML::Node& n, const std::string& key, const std::string& name) {
    TRY_ASSIGN(auto v, scalar(n, key, name));
    if (v == "true") return true;
    if (v == "false") return false;
    return util::Error{name, "`" + key + "` must be true or false"};
}

// The unpacking keys (decode, archives, max_depth, max_decoded_size) and validate.
util::Status parse_unpack(const YAML::Node& root, const std::string& n, RepoConfig& c) {
    if (const auto& v = root["decode"]) {
        TRY_ASSIGN(c.decode, boolean(v, "decode", n));
    }
    if (const auto& v = root["archives"]) {
        TRY_ASSIGN(c.archives, boolean(v, "archives", n));
    }
    if (const auto& v = root["validate"]) {
        TRY_ASSIGN(c.validate, boolean(v, "validate", n));
    }
    if (const auto& v = root["no_fail_in"]) {
        if (!v.IsSequence()) return util::Error{n, "`no_fail_in` must be a list of path contexts"};
        for (const auto& item : v) {
            TRY_ASSIGN(auto name, scalar(item, "no_fail_in", n));
            if (!parse_path_context(name))
                return util::Error{n, "`no_fail_in`: unknown path context `" + name +
                                          "` (known: source, example, test, fixture, docs, vendor, generated)"};
            c.no_fail_in.push_back(name);
        }
    }
    if (const auto& v = root["max_depth"]) {
        TRY_ASSIGN(auto s, scalar(v, "max_depth", n));
        if (s.empty() || s.size() > 2 || s.find_first_not_of("0123456789") != std::string::npos)
            return util::Error{n, "`max_depth` must be a number from 0 to 99"};
        c.max_depth = unsigned(std::stoul(s));
    }
    if (const auto& v = root["max_decoded_size"]) {
        TRY_ASSIGN(auto s, scalar(v, "max_decoded_size", n));
        auto size = util::parse_size(s);
        if (!size) return util::Error{n, "`max_decoded_size`: " + size.error().why};
        c.max_decoded_size = size.value();
    }
    return util::ok_status();
}

}  // namespace

bool RepoConfig::allowed(std::string_view rule, std::string_view path, std::string_view secret_sha256) const {
    if (!allow_secrets.empty() && allow_secrets.count(std::string(secret_sha256))) return true;
    if (path_matches(allow_paths, path)) return true;
    for (const auto& r : allow_rules)
        if (r.rule == rule && (r.paths.empty() || path_matches(r.paths, path))) return true;
    return false;
}

util::Expected<RepoConfig> parse_config(std::string_view name, std::string_view text, const std::string& base_dir) {
    RepoConfig c;
    c.source = std::string(name);
    const std::string n(name);
    if (text.size() > kMaxConfigBytes) return util::Error{n, "larger than 1 MiB; not a config file"};
    TRY(check_yaml_nesting(n, text));
    // yaml-cpp throws on malformed input and on conversions (BadConversion, BadSubscript);
    // each is an error naming the file and line, never an exception out of here.
    try {
        YAML::Node root = YAML::Load(std::string(text));
        if (root.IsNull()) return c;
        if (!root.IsMap()) return util::Error{n, "expected a mapping at the top level"};
        for (const auto& kv : root) {
            TRY_ASSIGN(auto key, scalar(kv.first, "key", n));
            static const std::set<std::string> known = {"allow",  "disable",  "rules",     "baseline",        "decode",
                                                        "archives", "max_depth", "max_decoded_size", "validate",
                                                        "no_fail_in"};
            if (!known.count(key))
                return util::Error{n, "unknown key `" + key +
                                          "` (known: allow, disable, rules, baseline, decode, archives, max_depth, "
                                          "max_decoded_size, validate, no_fail_in)"};
        }
        if (const auto& allow = root["allow"]) {
            if (!allow.IsMap()) return util::Error{n, "`allow` must be a mapping"};
            for (const auto& kv : allow) {
                TRY_ASSIGN(auto key, scalar(kv.first, "allow key", n));
                if (key != "paths" && key != "rules" && key != "secrets")
                    return util::Error{n, "unknown key `allow." + key + "` (known: paths, rules, secrets)"};
            }
            TRY_ASSIGN(c.allow_paths, strings(allow["paths"], "allow.paths", n));
            TRY_ASSIGN(auto secrets, strings(allow["secrets"], "allow.secrets", n));
            for (const auto& s : secrets) {
                if (s.size() != 64 || s.find_first_not_of("0123456789abcdef") != std::string::npos)
                    return util::Error{n, "`allow.secrets` takes SHA-256 hex digests (the secret_sha256 of a finding), "
                                          "never secrets themselves"};
                c.allow_secrets.insert(s);
            }
            if (const auto& rules = allow["rules"]) {
                if (!rules.IsMap()) return util::Error{n, "`allow.rules` must map rule ids to path lists"};
                for (const auto& kv : rules) {
                    RepoConfig::RuleAllow ra;
                    TRY_ASSIGN(ra.rule, scalar(kv.first, "allow.rules key", n));
                    if (!kv.second.IsNull()) {
                        TRY_ASSIGN(ra.paths, strings(kv.second, "allow.rules." + ra.rule, n));
                    }
                    c.allow_rules.push_back(std::move(ra));
                }
            }
        }
        TRY_ASSIGN(auto disabled, strings(root["disable"], "disable", n));
        c.disabled_rules.insert(disabled.begin(), disabled.end());
        TRY_ASSIGN(auto extra, strings(root["rules"], "rules", n));
        for (const auto& r : extra) c.extra_rules.push_back(resolve(base_dir, r));
        if (const auto& b = root["baseline"]) {
            TRY_ASSIGN(auto baseline, scalar(b, "baseline", n));
            c.baseline = resolve(base_dir, baseline);
        }
        TRY(parse_unpack(root, n, c));
    } catch (const YAML::Exception& e) {
        return util::Error{n, "invalid YAML at line " + std::to_string(e.mark.line + 1) + ": " + e.msg};
    }
    return c;
}

util::Expected<RepoConfig> load_config(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return util::Error{path, "cannot read config file"};
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse_config(path, ss.str(), fs::path(path).parent_path().string());
}

std::string find_config(const std::string& root) {
    std::error_code ec;
    fs::path start = fs::weakly_canonical(fs::absolute(root, ec), ec);
    if (ec) return "";
    if (!fs::is_directory(start, ec)) start = start.parent_path();
    for (fs::path p = start; !p.empty(); p = p.parent_path()) {
        for (const char* name : {".nhi.yml", ".nhi.yaml"})
            if (fs::is_regular_file(p / name, ec)) return (p / name).string();
        if (fs::exists(p / ".git", ec) || p == p.parent_path()) break;  // stop at the repository root
    }
    return "";
}

}  // namespace nhi::rules
