// Small helpers every report renderer needs.
#pragma once
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "db/inventory.hpp"
#include "util/text.hpp"

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

/// Text for one Markdown line or table cell. Names come from exports and file names anyone
/// could have written: control characters are escaped as on a terminal (util::printable),
/// HTML is entity-escaped (no raw `<img onerror=...>`), and every character Markdown reads as
/// link, emphasis, code or table syntax is backslash-escaped (no `[x](javascript:...)`), so
/// data renders as the literal text it is.
inline std::string md_text(std::string_view raw) {
    std::string out;
    for (char c : util::printable(raw)) {
        switch (c) {
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '&': out += "&amp;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            case '[': case ']': case '(': case ')': case '`': case '*': case '_': case '|': case '\\':
            case '!': case '~': case '#':
                out += '\\';
                out += c;
                break;
            default: out += c;
        }
    }
    return out;
}

/// True when the bytes are well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF).
inline bool valid_utf8(std::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    for (size_t i = 0, n = s.size(); i < n;) {
        unsigned char c = p[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (len == 0 || i + len > n) return false;
        if (len == 2 && c < 0xC2) return false;
        for (size_t k = 1; k < len; ++k)
            if ((p[i + k] & 0xC0) != 0x80) return false;
        if (len == 3 && ((c == 0xE0 && p[i + 1] < 0xA0) || (c == 0xED && p[i + 1] >= 0xA0))) return false;
        if (len == 4 && ((c == 0xF0 && p[i + 1] < 0x90) || c > 0xF4 || (c == 0xF4 && p[i + 1] >= 0x90))) return false;
        i += len;
    }
    return true;
}

/// JSON text that never throws: file names, git authors and scanned bytes need not be UTF-8,
/// and nlohmann refuses to dump invalid UTF-8. Each invalid byte becomes U+FFFD; fields that
/// must stay exact (a path) carry an escaped copy beside them (see finding_json).
inline std::string json_dump(const nlohmann::json& j, int indent = -1) {
    return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace nhi::reports
