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

namespace {
// Length of the valid UTF-8 sequence at p (1-4), or 0 when it is not one. Overlong forms,
// surrogates and code points past U+10FFFF are invalid, as JSON encoders require.
size_t utf8_sequence(const unsigned char* p, size_t left) {
    unsigned c = p[0];
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || n > left) return 0;
    unsigned cp = n == 1 ? c : n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
    for (size_t i = 1; i < n; ++i) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    static const unsigned min_for[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}
}  // namespace

std::string printable(std::string_view s) {
    static const char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(s.size());
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    for (size_t i = 0; i < s.size();) {
        unsigned char c = p[i];
        size_t n = utf8_sequence(p + i, s.size() - i);
        // C1 controls (U+0080..U+009F, encoded C2 80..C2 9F) act like ESC on many terminals.
        bool c1 = n == 2 && c == 0xC2 && p[i + 1] < 0xA0;
        if (n == 1 && c >= 0x20 && c != 0x7F) {
            if (c == '\\') out += "\\\\";
            else out += char(c);
        } else if (n > 1 && !c1) {
            out.append(s.substr(i, n));
        } else {
            size_t take = n ? n : 1;
            for (size_t k = 0; k < take; ++k) {
                unsigned char b = p[i + k];
                if (b == '\n') out += "\\n";
                else if (b == '\r') out += "\\r";
                else if (b == '\t') out += "\\t";
                else if (b == 0x1B) out += "\\e";
                else {
                    out += "\\x";
                    out += hex[b >> 4];
                    out += hex[b & 15];
                }
            }
            i += take;
            continue;
        }
        i += n;
    }
    return out;
}

std::string shell_quote(std::string_view s) {
    bool safe = !s.empty();
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || std::string_view("_@%+=:,./-").find(c) != std::string_view::npos)) {
            safe = false;
            break;
        }
    if (safe) return std::string(s);
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') out += "'\\''";
        else out += c;
    }
    return out + "'";
}

Expected<uint64_t> parse_size(const std::string& s) {
    const Error bad{"", "`" + s + "` is not a size (e.g. 500K, 25M, 1G)"};
    size_t digits = 0;
    while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
    if (digits == 0 || digits > 19) return bad;
    uint64_t n = std::stoull(s.substr(0, digits));  // at most 19 digits: no overflow
    std::string unit = s.substr(digits);
    unsigned shift = 0;
    if (unit == "" || unit == "B") shift = 0;
    else if (unit == "K" || unit == "KiB" || unit == "k") shift = 10;
    else if (unit == "M" || unit == "MiB" || unit == "m") shift = 20;
    else if (unit == "G" || unit == "GiB" || unit == "g") shift = 30;
    else return bad;
    if (shift && n > (UINT64_MAX >> shift)) return bad;
    return n << shift;
}

}  // namespace nhi::util
