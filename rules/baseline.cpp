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
}

util::Expected<Baseline> load_baseline(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return util::Error{path, "cannot read baseline file"};
    std::ostringstream ss;
    ss << in.rdbuf();
    auto j = nlohmann::json::parse(ss.str(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) return util::Error{path, "not a JSON baseline file"};
    if (j.value("nhi_baseline", 0) != kFormat)
        return util::Error{path, "unsupported baseline format (expected \"nhi_baseline\": 1)"};
    if (!j.contains("findings") || !j["findings"].is_array()) return util::Error{path, "missing `findings` list"};
    Baseline b;
    for (const auto& f : j["findings"]) {
        if (!f.is_object() || !f.contains("fingerprint") || !f["fingerprint"].is_string())
            return util::Error{path, "each finding needs a `fingerprint`"};
        b.entries.insert({f["fingerprint"], f.value("rule", ""), f.value("path", "")});
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
