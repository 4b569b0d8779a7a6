#include "scanners/importers/common.hpp"

#include <cctype>

#include "util/time.hpp"

namespace nhi::scanners::importers {

util::Expected<nlohmann::json> parse_json(std::string_view path, std::string_view content, bool comments) {
    try {
        return nlohmann::json::parse(content.begin(), content.end(), nullptr, /*allow_exceptions=*/true, comments);
    } catch (const nlohmann::json::parse_error& e) {
        // nlohmann reports a byte offset; people want a line.
        size_t off = e.byte > 0 ? size_t(e.byte) - 1 : 0, line = 1, col = 1;
        for (size_t i = 0; i < off && i < content.size(); ++i) {
            if (content[i] == '\n') {
                ++line;
                col = 1;
            } else {
                ++col;
            }
        }
        std::string msg = e.what();
        auto cut = msg.find("]: ");
        if (cut != std::string::npos) msg = msg.substr(cut + 3);
        return util::Error{std::string(path), "invalid JSON at line " + std::to_string(line) + ", column " +
                                                  std::to_string(col) + ": " + msg};
    }
}

nlohmann::json utc_text(std::string_view v) {
    if (v.empty() || v == "N/A" || v == "no_information" || v == "not_supported") return nullptr;
    auto t = util::parse_iso8601(v);
    if (!t) return nullptr;
    return util::format_utc(*t);
}

nlohmann::json utc(const nlohmann::json& value) {
    if (!value.is_string()) return nullptr;
    return utc_text(value.get_ref<const std::string&>());
}

bool is_never(const nlohmann::json& n) {
    if (!n.is_string()) return false;
    const auto& s = n.get_ref<const std::string&>();
    return s.size() >= 4 && s.compare(0, 4, "2299") >= 0;
}

void set_expiry(nlohmann::json& data, const nlohmann::json& raw) {
    auto e = utc(raw);
    if (e.is_null()) return;
    if (is_never(e)) data["never_expires"] = true;
    else data["expires"] = e;
}

std::string str(const nlohmann::json& j, const char* key) {
    if (!j.is_object()) return "";
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

std::optional<std::pair<std::string, std::string>> owner_tag(const nlohmann::json& kv) {
    if (!kv.is_object()) return std::nullopt;
    // Strongest first: an explicit owner beats a team.
    for (const char* want : {"owner", "owner-email", "contact", "team", "squad"}) {
        for (const auto& [k, v] : kv.items()) {
            std::string lk;
            for (char c : k) lk.push_back(char(std::tolower(static_cast<unsigned char>(c))));
            if (lk == want && v.is_string() && !v.get<std::string>().empty()) return std::make_pair(k, v.get<std::string>());
        }
    }
    return std::nullopt;
}

std::string percent_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() + 0 && i + 2 <= s.size() - 1 && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
            out.push_back(char(hex(s[i + 1]) * 16 + hex(s[i + 2])));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

}  // namespace nhi::scanners::importers
