#include "rules/token_model.hpp"

namespace nhi::rules {
namespace {

constexpr uint8_t kBoundary = 26;
constexpr double kDigitBits = 3.3219;   // log2(10): a digit is as surprising as a random one
constexpr double kSymbolBits = 6.0;     // `+`, `/`, `=`, `!`: rare in words, common in base64
constexpr size_t kMinLetters = 6;       // fewer letters say too little to judge
constexpr double kMinLetterShare = 0.7;

bool lower(char c) { return c >= 'a' && c <= 'z'; }
bool upper(char c) { return c >= 'A' && c <= 'Z'; }
bool letter(char c) { return lower(c) || upper(c); }
bool digit(char c) { return c >= '0' && c <= '9'; }
// Characters that join the words of an identifier, a path or a package name: free, and
// not counted, so `a.b.c` is judged on its words.
bool separator(char c) {
    return c == '_' || c == '-' || c == '.' || c == '/' || c == ':' || c == ' ' || c == '\\';
}

// Calls f(begin, end) for each letter segment of s.
template <class F>
void for_each_segment(std::string_view s, F&& f) {
    size_t i = 0;
    while (i < s.size()) {
        if (!letter(s[i])) {
            ++i;
            continue;
        }
        const size_t b = i;
        ++i;
        while (i < s.size() && letter(s[i])) {
            // A hump: lower then upper starts a word (`userName`); so does the last capital
            // of a run before a lowercase letter (`HTTPServer` -> HTTP, Server).
            if (upper(s[i]) && lower(s[i - 1])) break;
            if (upper(s[i]) && upper(s[i - 1]) && i + 1 < s.size() && lower(s[i + 1])) break;
            ++i;
        }
        f(b, i);
    }
}

uint8_t sym(char c) { return uint8_t((c | 0x20) - 'a'); }

}  // namespace

std::vector<std::string> token_segments(std::string_view s) {
    std::vector<std::string> out;
    for_each_segment(s, [&](size_t b, size_t e) {
        std::string w;
        for (size_t k = b; k < e; ++k) w += char(s[k] | 0x20);
        out.push_back(std::move(w));
    });
    return out;
}

TokenScore score_token(const TokenModel& model, std::string_view s) {
    TokenScore t;
    double bits = 0;
    for (char c : s) {
        if (digit(c)) {
            bits += kDigitBits;
            ++t.counted;
        } else if (!letter(c) && !separator(c)) {
            bits += kSymbolBits;
            ++t.counted;
        }
    }
    unsigned units = 0;
    for_each_segment(s, [&](size_t b, size_t e) {
        uint8_t a = kBoundary, p = kBoundary;
        for (size_t k = b; k <= e; ++k) {
            const uint8_t c = k < e ? sym(s[k]) : kBoundary;
            units += model.cost[(size_t(a) * kTokenSymbols + p) * kTokenSymbols + c];
            a = p;
            p = c;
        }
        t.letters += e - b;
    });
    t.counted += t.letters;
    bits += units * kTokenCostUnit;
    t.bits_per_char = t.counted ? bits / double(t.counted) : 0;
    return t;
}

bool looks_like_words(const TokenModel& model, std::string_view s) {
    const TokenScore t = score_token(model, s);
    return t.letters >= kMinLetters && double(t.letters) >= kMinLetterShare * double(t.counted) &&
           t.bits_per_char <= kWordLikeBits;
}

}  // namespace nhi::rules
