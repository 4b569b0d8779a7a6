#include "util/text.hpp"

#include <cctype>

#include <array>
#include <cmath>
#include <cstring>

namespace nhi::util {

double shannon_entropy(std::string_view s) {
    if (s.empty()) return 0.0;
    std::array<size_t, 256> counts{};
    for (unsigned char c : s) ++counts[c];
    double h = 0.0;
    const double n = static_cast<double>(s.size());
    for (size_t c : counts) {
        if (!c) continue;
        double p = static_cast<double>(c) / n;
        h -= p * std::log2(p);
    }
    return h;
}

bool looks_binary(std::string_view data, size_t probe) {
    size_t n = std::min(data.size(), probe);
    return n && std::memchr(data.data(), '\0', n) != nullptr;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::optional<std::string> base64_decode(std::string_view s) {
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+' || c == '-') return 62;
        if (c == '/' || c == '_') return 63;
        return -1;
    };
    while (!s.empty() && s.back() == '=') s.remove_suffix(1);
    if (s.size() % 4 == 1) return std::nullopt;
    std::string out;
    out.reserve(s.size() * 3 / 4);
    uint32_t acc = 0;
    int bits = 0;
    for (char c : s) {
        int v = value(c);
        if (v < 0) return std::nullopt;
        acc = (acc << 6) | static_cast<uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xff));
        }
    }
    return out;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    size_t start = 0;
    while (true) {
        size_t p = s.find(sep, start);
        if (p == std::string_view::npos) {
            out.push_back(s.substr(start));
            return out;
        }
        out.push_back(s.substr(start, p - start));
        start = p + 1;
    }
}

std::pair<size_t, size_t> LineCounter::locate(size_t offset) {
    if (offset < pos_) {  // out of order: restart rather than answer wrongly
        pos_ = 0;
        line_ = 1;
        line_start_ = 0;
    }
    offset = std::min(offset, text_.size());
    while (pos_ < offset) {
        const void* nl = std::memchr(text_.data() + pos_, '\n', offset - pos_);
        if (!nl) {
            pos_ = offset;
            break;
        }
        size_t p = static_cast<const char*>(nl) - text_.data();
        ++line_;
        line_start_ = p + 1;
        pos_ = p + 1;
    }
    return {line_, offset - line_start_ + 1};
}

bool is_uuid(std::string_view s) {
    if (s.size() != 36) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') return false;
        } else if (!std::isxdigit(static_cast<unsigned char>(c))) {
            return false;
        }
    }
    return true;
}

}  // namespace nhi::util
