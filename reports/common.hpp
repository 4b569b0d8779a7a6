// Small helpers every report renderer needs.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "db/inventory.hpp"

namespace nhi::reports {

/// A string member of a JSON object, or "" when missing or not a string.
inline std::string json_text(const nlohmann::json& j, const char* key) {
    if (!j.is_object()) return "";
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

/// A credential that can still be used at `now`: not disabled, inactive, invalid or expired.
inline bool is_active(const db::CredentialRow& c, const std::string& now) {
    const std::string& st = c.status;
    if (st == "inactive" || st == "disabled" || st == "expired" || st == "invalid" || st == "deleted") return false;
    return c.expires.empty() || c.expires >= now;
}

/// A CSV field, quoted when it needs to be. Names come from exports anyone could have
/// written: one starting with = + - @ (a spreadsheet formula) gets a leading ' so opening the
/// report in a spreadsheet never runs it.
inline std::string csv_cell(const std::string& raw) {
    std::string v = raw;
    if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r'))
        v.insert(v.begin(), '\'');
    if (v.find_first_of(",\"\n\r") == std::string::npos) return v;
    std::string out = "\"";
    for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

}  // namespace nhi::reports
