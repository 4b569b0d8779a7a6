#include "rules/baseline.hpp"

#include "util/atomic_file.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace nhi::rules {

namespace {
constexpr int kFormat = 1;
// A baseline is two levels deep; nlohmann's DOM is freed by recursion, so depth is bounded
// while parsing, before a hostile file 60,000 levels deep becomes a tree.
constexpr int kMaxDepth = 64;

std::string text_of(const nlohmann::json& f, const char* key) {
    auto it = f.find(key);
    return it != f.end() && it->is_string() ? it->get<std::string>() : "";
}
}  // namespace

util::Expected<Baseline> load_baseline(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return util::Error{path, "cannot read baseline file"};
    std::ostringstream ss;
    ss << in.rdbuf();
    bool too_deep = false;
    nlohmann::json::parser_callback_t limit = [&](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
        if (depth > kMaxDepth) too_deep = true;
        return !too_deep;  // once too deep, keep nothing more
    };
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(ss.str(), limit, false);
    } catch (const nlohmann::json::exception&) {
        return util::Error{path, "not a JSON baseline file"};
    }
    if (too_deep) return util::Error{path, "nested more than " + std::to_string(kMaxDepth) + " levels deep; not a baseline"};
    if (j.is_discarded() || !j.is_object()) return util::Error{path, "not a JSON baseline file"};
    // Every member is checked for its type before use: value() and get() throw on a mismatch.
    auto format = j.find("nhi_baseline");
    if (format == j.end() || !format->is_number_integer() || format->get<int64_t>() != kFormat)
        return util::Error{path, "unsupported baseline format (expected \"nhi_baseline\": 1)"};
    auto findings = j.find("findings");
    if (findings == j.end() || !findings->is_array()) return util::Error{path, "missing `findings` list"};
    Baseline b;
    for (const auto& f : *findings) {
        if (!f.is_object() || !f.contains("fingerprint") || !f["fingerprint"].is_string())
            return util::Error{path, "each finding needs a `fingerprint`"};
        b.entries.insert({f["fingerprint"].get<std::string>(), text_of(f, "rule"), text_of(f, "path")});
    }
    return b;
}

util::Status write_baseline(const std::string& path, const Baseline& baseline) {
    nlohmann::json j = {{"nhi_baseline", kFormat}, {"findings", nlohmann::json::array()}};
    for (const auto& e : baseline.entries)
        j["findings"].push_back({{"fingerprint", e.fingerprint}, {"rule", e.rule}, {"path", e.path}});
    return util::write_file_atomic(path, j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

}  // namespace nhi::rules
