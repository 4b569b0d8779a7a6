// Text decoders (see decode.hpp). find_spans is one pass over the text that runs on every
// blob, so the common case (source code with nothing encoded in it) must cost next to
// nothing; each decoder below accepts only what its encoding produces, and everything it
// decodes must pass is_text, so base64 of an image, a hash or a DER certificate never becomes
// a span. What each accepts, and the noise it avoids:
//
// Words. The pass splits the text into "words": runs of printable ASCII other than space,
// quotes, backticks, backslash and the brackets ()[]{}<>|. A base64 value, a URL or a data:
// URI is one word wherever it sits (a YAML value, a JSON string, an env assignment). The hot
// loop (32 bytes at a time with AVX2, 16 with SSE2, a table lookup per byte elsewhere) only
// counts the length of the current word, and leaves for a word reaching 16 characters, a '%'
// or a backslash: ordinary code is mostly short words, so most of it never leaves. (On 6 curl
// release trees, bench/decode_throughput.sh: 1.43 times as fast as a loop that only compares
// each byte with AVX2, 1.24 times with SSE2 alone.)
//
// base64 / base64url: a run of [A-Za-z0-9+/] or [A-Za-z0-9_-] inside a word, with up to two
// '=' of padding; '=' not at the end of a run ends it, so `KEY=value` gives the value as its
// own run. A run is decoded only when:
//   - it is at least min_base64 characters long (padding included);
//   - it does not mix the two alphabets (`x86_64-linux/gnu` is a path, not base64);
//   - it has both upper- and lower-case letters: base64 of text always does (the first
//     character of every group of 4 is upper-case for spaces, digits and capitals), so this
//     drops identifiers, constants and lower-case paths;
//   - it is not made of hex digits only (SHA digests, commit ids, UUID-less keys);
//   - its first character encodes a byte that may begin UTF-8 (so neither '/', '+' nor most
//     lower-case letters can start it: a path like `usr/lib/...` is rejected without decoding;
//     only a shortcut, since is_text would reject the decoding for its first byte);
//   - padding, if present, makes the length a multiple of 4, with at most two '='. Without
//     padding a run of 4k+2 or 4k+3 characters is unpadded base64 (base64url usually is); a
//     run of 4k+1 is truncated (a value cut by a line limit): its complete groups are decoded.
// Then the decoding must be text (is_text). Base64 in PEM blocks is DER, base64 of images
// begins with bytes that are not UTF-8: both fail the first 48 decoded bytes, before the rest
// is decoded. Lines of base64 of one width (32 or more, a multiple of 4), each filling its
// line under the same indentation, the last one shorter or padded, are one wrapped value
// (PEM at 64, MIME and base64(1) at 76) and decoded as one: taken line by line, the lines of a
// certificate that hold its names decode to text, and a wrapped env file is one span.
//
// data: URIs: `data:` (not preceded by a letter or digit, so `metadata:` is not one), a
// media type of token characters with `;param=value` parameters and an optional `;base64`,
// a comma, and the payload (the rest of the word). image/ (but SVG), audio/, video/ and
// font/ payloads are skipped without decoding; others are decoded (percent-decoded first,
// then base64 when marked) and kept only if the result is text and differs from the payload
// (`data:text/javascript,console.log` has nothing hidden).
//
// percent: a word with at least one valid %XX escape. It is a span only when one of its
// escapes encodes printable ASCII (0x21-0x7E): the tokens the rules look for are printable
// ASCII, so a word whose escapes are only spaces (`%20` in a link in prose), line breaks or
// non-ASCII letters (`%C3%A9` in an article URL) cannot hide a token from them, while
// `S3cr%40t%21` or `%3D` at the end of a token can. '+' stays '+': it is a space only in form
// bodies, and it is a base64 character in the tokens that matter. The whole word is decoded
// (a URL keeps its user, host and key names for the rules' context).
//
// escape: a `\uXXXX` (surrogate pairs joined, `\u{X...}` too) or `\xXX` escape. The span is
// the string around it: from just after the quote that opens it (the last quote on the same
// line that is not escaped nor an apostrophe between letters, no more than 4 KiB back) to
// the matching closing quote or the end of the line (a line continuation ends it too); with
// no quote, from the escape to the next space or quote. The other JSON/JS escapes in it
// (`\n`, `\"`, `\\`, ...) are decoded too. Like percent, the span needs one escape of
// printable ASCII: JSON writers escape only controls and non-ASCII (and Go's `<>&`), so an
// i18n string full of `\u00e9` is left alone, while `\u0067\u0068\u0070\u005f...` (a token
// spelt in escapes to hide it) is decoded. `\xXX` bytes that form UTF-8 together are kept as
// UTF-8, others are Latin-1 code points (JavaScript's reading). A malformed escape (`\u12`)
// is kept as written; a lone surrogate becomes U+FFFD. A string that decodes to a NUL (a C
// byte array) is not text and gives no span.
//
// Every decoder only looks forward from where the last span ended, so spans come out in order
// and never overlap; a string whose escapes were rejected is not decoded again for its next
// backslash, so the pass stays linear.
#include "scanners/decode.hpp"

#include <algorithm>
#include <optional>
#include <cstring>
#include <array>
#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define NHI_DECODE_AVX2 1
#endif

namespace nhi::scanners::decode {
namespace {

// Shorter decodings are accidents (any 12 characters of mixed-case identifier have a fair
// chance of decoding to 9 printable bytes) and too short to hold a credential anyway; 8 keeps
// an 8-character password (12 base64 characters) and `user:pass` in a docker `auth`.
constexpr size_t kMinText = 8;

// Escapes rejected this far back from their string's opening quote start at themselves: a
// string that long is a blob, and the quote is more likely the end of an earlier string.
constexpr size_t kMaxStringReach = 4096;

// Words this long are looked at again (fewer when min_base64 is set lower). A data: URI that
// decodes to kMinText bytes of text is longer than this; so is any base64 run looked at.
constexpr size_t kWordTrigger = 16;

// Lines of base64 this wide or wider, all of one width, are one wrapped value (see wrapped()).
constexpr size_t kMinWrapWidth = 32;

enum : uint16_t {
    kWord = 1 << 0,       // may be part of a word (see above)
    kB64 = 1 << 1,        // in either base64 alphabet (without '=')
    kUpper = 1 << 2,
    kLower = 1 << 3,
    kNonHex = 1 << 4,     // a base64 character that is not a hex digit
    kStd = 1 << 5,        // '+' or '/'
    kUrl = 1 << 6,        // '-' or '_'
    kPercent = 1 << 7,
    kColon = 1 << 8,
    kQuote = 1 << 9,      // " ' `
    kBackslash = 1 << 10,
    kNewline = 1 << 11,
};

constexpr std::array<uint16_t, 256> make_classes() {
    std::array<uint16_t, 256> t{};
    for (int c = 0x21; c < 0x7f; ++c) t[c] = kWord;
    for (char c : std::string_view("\"'`\\<>()[]{}|")) t[static_cast<unsigned char>(c)] = 0;
    for (int c = 'A'; c <= 'Z'; ++c) t[c] |= kB64 | kUpper | (c > 'F' ? kNonHex : 0);
    for (int c = 'a'; c <= 'z'; ++c) t[c] |= kB64 | kLower | (c > 'f' ? kNonHex : 0);
    for (int c = '0'; c <= '9'; ++c) t[c] |= kB64;
    t['+'] |= kB64 | kStd | kNonHex;
    t['/'] |= kB64 | kStd | kNonHex;
    t['-'] |= kB64 | kUrl | kNonHex;
    t['_'] |= kB64 | kUrl | kNonHex;
    t['%'] |= kPercent;
    t[':'] |= kColon;
    t['"'] = t['\''] = t['`'] = kQuote;
    t['\\'] = kBackslash;
    t['\n'] = kNewline;
    return t;
}
constexpr std::array<uint16_t, 256> kClass = make_classes();

constexpr std::array<int8_t, 256> make_b64_values() {
    std::array<int8_t, 256> v{};
    for (auto& x : v) x = -1;
    for (int c = 'A'; c <= 'Z'; ++c) v[c] = static_cast<int8_t>(c - 'A');
    for (int c = 'a'; c <= 'z'; ++c) v[c] = static_cast<int8_t>(c - 'a' + 26);
    for (int c = '0'; c <= '9'; ++c) v[c] = static_cast<int8_t>(c - '0' + 52);
    v['+'] = v['-'] = 62;
    v['/'] = v['_'] = 63;
    return v;
}
constexpr std::array<int8_t, 256> kB64Value = make_b64_values();

int hex_value(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool printable_ascii(uint32_t c) { return c > 0x20 && c < 0x7f; }

void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
        out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
}

// The length of the well-formed UTF-8 sequence at s[i] (strict: no overlongs, surrogates or
// code points past U+10FFFF, as the Unicode standard's table 3-7), 0 if there is none; *cp
// gets the code point. With `cut_ok`, a sequence cut short by the end of `s` counts as
// well-formed (a prefix being checked), and *cp is U+FFFD.
size_t utf8_sequence(std::string_view s, size_t i, uint32_t* cp, bool cut_ok = false) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
        *cp = b0;
        return 1;
    }
    size_t len;
    unsigned char lo = 0x80, hi = 0xbf;  // the range of the second byte
    uint32_t value;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
        len = 2, value = b0 & 0x1f;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
        len = 3, value = b0 & 0x0f;
        if (b0 == 0xe0) lo = 0xa0;  // overlong
        if (b0 == 0xed) hi = 0x9f;  // surrogates
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
        len = 4, value = b0 & 0x07;
        if (b0 == 0xf0) lo = 0x90;  // overlong
        if (b0 == 0xf4) hi = 0x8f;  // past U+10FFFF
    } else {
        return 0;
    }
    for (size_t k = 1; k < len; ++k) {
        if (i + k >= s.size()) {
            if (!cut_ok) return 0;
            *cp = 0xfffd;
            return s.size() - i;
        }
        const auto b = static_cast<unsigned char>(s[i + k]);
        if (k == 1 ? (b < lo || b > hi) : ((b & 0xc0) != 0x80)) return 0;
        value = (value << 6) | (b & 0x3f);
    }
    *cp = value;
    return len;
}

// Text checks shared by is_text and the early look at a base64 prefix. "Bad" code points are
// C0 controls other than tab, line feed, form feed and carriage return, DEL and the C1
// controls. Real text has next to none (an ANSI colour escape in a log, a form feed in old
// source); binary that happens to be valid UTF-8 (small integers, length-prefixed records)
// has them in a large share of its bytes (a fifth or more: every small integer is one).
// One in 32 (about 3%) leaves room for a stray ESC or BEL in a log line and is still far
// below what binary shows; a text shorter than 32 code points may have none. Valid UTF-8
// itself is the stronger test: random bytes fail it within a few bytes, and so does the
// first byte of a PNG (0x89) or the length byte of a DER SEQUENCE (0x82).
bool text_like(std::string_view s, bool cut_ok) {
    size_t cps = 0, bad = 0;
    for (size_t i = 0; i < s.size();) {
        uint32_t cp = 0;
        const size_t len = utf8_sequence(s, i, &cp, cut_ok);
        if (len == 0 || cp == 0) return false;
        if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\f' && cp != '\r') || (cp >= 0x7f && cp < 0xa0)) ++bad;
        ++cps;
        i += len;
    }
    return bad * 32 <= cps;
}

// Decodes base64 characters (either alphabet, no padding, no other bytes) into `out`; the
// bits short of a whole byte at the end are dropped (so a truncated run of 4k+1 characters
// gives the bytes of its complete groups).
size_t base64_to(std::string_view s, char* out) {
    uint32_t acc = 0;
    int bits = 0;
    char* o = out;
    for (char c : s) {
        acc = (acc << 6) | static_cast<uint32_t>(kB64Value[static_cast<unsigned char>(c)]);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            *o++ = static_cast<char>((acc >> bits) & 0xff);
        }
    }
    return size_t(o - out);
}

void base64_into(std::string_view s, std::string& out) {
    const size_t at = out.size();
    out.resize(at + s.size() * 3 / 4 + 1);
    out.resize(at + base64_to(s, out.data() + at));
}

// Percent-decodes `s` into `out`; returns how many escapes encoded printable ASCII.
size_t percent_into(std::string_view s, std::string& out) {
    size_t ascii = 0;
    for (size_t k = 0; k < s.size();) {
        int hi, lo;
        if (s[k] == '%' && k + 2 < s.size() && (hi = hex_value(static_cast<unsigned char>(s[k + 1]))) >= 0 &&
            (lo = hex_value(static_cast<unsigned char>(s[k + 2]))) >= 0) {
            const auto b = static_cast<unsigned char>(hi * 16 + lo);
            if (printable_ascii(b)) ++ascii;
            out.push_back(static_cast<char>(b));
            k += 3;
        } else {
            out.push_back(s[k++]);
        }
    }
    return ascii;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

#if defined(__SSE2__)
// The word characters (kWord) among 16 bytes, as a bit mask: printable, not a space, not one
// of "'`<>()[]{}|\. ([\] and {|} are one range once 0x20 is set; ( ) and < > differ in
// one bit.) The hot loop and word_at share it.
inline unsigned word_mask(__m128i v) {
    const __m128i printable = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(0x20)), _mm_cmplt_epi8(v, _mm_set1_epi8(0x7f)));
    const __m128i v20 = _mm_or_si128(v, _mm_set1_epi8(0x20));
    __m128i other = _mm_and_si128(_mm_cmpgt_epi8(v20, _mm_set1_epi8(0x7a)), _mm_cmplt_epi8(v20, _mm_set1_epi8(0x7e)));
    other = _mm_or_si128(other, _mm_cmpeq_epi8(_mm_and_si128(v, _mm_set1_epi8(~1)), _mm_set1_epi8(0x28)));
    other = _mm_or_si128(other, _mm_cmpeq_epi8(_mm_and_si128(v, _mm_set1_epi8(~2)), _mm_set1_epi8(0x3c)));
    other = _mm_or_si128(other, _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                             _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\'')), _mm_cmpeq_epi8(v, _mm_set1_epi8('`')))));
    return static_cast<unsigned>(_mm_movemask_epi8(_mm_andnot_si128(other, printable)));
}

// Bit mask of the bytes of v in [lo, hi] (ASCII bounds).
inline unsigned in_range(__m128i v, char lo, char hi) {
    return static_cast<unsigned>(
        _mm_movemask_epi8(_mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(char(lo - 1))), _mm_cmplt_epi8(v, _mm_set1_epi8(char(hi + 1))))));
}
#endif

class Finder {
public:
    Finder(std::string_view text, const Options& options)
        : t_(text), opt_(options), trigger_(std::clamp<size_t>(options.min_base64, 1, kWordTrigger)) {}

    std::vector<Span> run() {
        if (opt_.max_spans == 0) return {};
        // The hot loop keeps the length of the current word and leaves it only for a '%', a
        // backslash or a word reaching the length worth a look; that word is then looked at
        // once, from its start. Sixteen bytes at a time where SSE2 is there (every x86-64).
        size_t i = 0, run = 0;
#if defined(NHI_DECODE_AVX2)
        if (trigger_ == kWordTrigger && opt_.hot_loop != 16 && has_avx2()) i = blocks32(0, run);
#endif
#if defined(__SSE2__)
        if (trigger_ == kWordTrigger) i = blocks(i, run);
#endif
        while (i < t_.size() && !full_) i = step(i, run);
        return std::move(spans_);
    }

private:
    // One byte of the hot loop at i, `run` the length of the word before it; returns where
    // to go on.
    size_t step(size_t i, size_t& run) {
        const uint16_t c = kClass[static_cast<unsigned char>(t_[i])];
        run = (c & kWord) ? run + 1 : 0;
        if (__builtin_expect((c & (kPercent | kBackslash)) == 0 && run != trigger_, 1))
            return i + 1;
        const size_t last = (c & kBackslash) ? backslash(i) : word_at(i + 1 - run);
        run = 0;
        return last + 1;
    }

#if defined(__SSE2__)
    // The hot loop sixteen bytes at a time: a block with no '%' or backslash whose words
    // stay short is passed over; any other goes through step(). Returns where it stopped
    // (fewer than 16 bytes from the end); `run` is the length of the word before that.
    size_t blocks(size_t i, size_t& run) {
        const auto* p = reinterpret_cast<const unsigned char*>(t_.data());
        const size_t n = t_.size();
        const __m128i pct = _mm_set1_epi8('%'), bs = _mm_set1_epi8('\\');
        while (i + 16 <= n && !full_) {
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
            const unsigned hot = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, pct), _mm_cmpeq_epi8(v, bs))));
            const unsigned word = word_mask(v);
            i = block(i, run, word, hot, 16);
        }
        return i;
    }
#endif

    // One block of the hot loop from its masks (bit k: byte i + k is a word character, or a
    // '%' or backslash), `width` bytes wide. The bytes up to the first '%' or backslash are
    // judged from the masks: a word reaching the trigger there goes to word_at() from its
    // start (with 16-byte blocks only the word running into the block can reach it), and the
    // '%' or backslash to step(). Returns where to go on; `run` is the length of the word
    // before that.
    size_t block(size_t i, size_t& run, uint32_t word, uint32_t hot, unsigned width) {
        const unsigned upto = hot ? static_cast<unsigned>(__builtin_ctz(hot)) : width;
        const uint32_t in = upto >= 32 ? ~0u : (1u << upto) - 1;
        const uint32_t breaks = ~word & in;
        const size_t lead = breaks ? static_cast<size_t>(__builtin_ctz(breaks)) : upto;
        size_t ws = std::string_view::npos;
        if (run + lead >= kWordTrigger) {
            ws = i - run;  // the word running into the block
        } else if (width > kWordTrigger) {
            uint32_t x = word & in;  // bit k: the 16 bytes from k are all word characters
            x &= x >> 1;
            x &= x >> 2;
            x &= x >> 4;
            x &= x >> 8;
            if (x) ws = i + static_cast<size_t>(__builtin_ctz(x));  // the first word after a break
        }
        if (ws != std::string_view::npos) {
            run = 0;
            return std::max(i + 1, word_at(ws) + 1);
        }
        run = breaks == 0 ? run + upto : upto - 1 - static_cast<size_t>(31 - __builtin_clz(breaks));
        i += upto;
        return hot ? step(i, run) : i;
    }

#if defined(NHI_DECODE_AVX2)
    static bool has_avx2() {
        static const bool yes = __builtin_cpu_supports("avx2");
        return yes;
    }

    // The hot loop 32 bytes at a time, where the CPU has AVX2 (the decode pass was a sixth of
    // a directory scan's CPU with the 16-byte loop). Each byte is classed by two nibble
    // lookups (vpshufb): bits 0-5 mark the bytes that end a word (controls, space, non-ASCII
    // and "'`\<>()[]{}|, one bit per group of high nibbles), bits 6-7 a '%' or backslash. The
    // same events as blocks(): a '%' or backslash goes to step(), and a word reaching 16
    // characters goes to word_at() from its start, which in a 32-byte block may lie inside it.
    __attribute__((target("avx2"))) size_t blocks32(size_t i, size_t& run) {
        const auto* p = reinterpret_cast<const unsigned char*>(t_.data());
        const size_t n = t_.size();
        // lo[x] & hi[y] is the class of byte 0xYX.
        const __m256i lo = _mm256_setr_epi8(
            // 0     1     2     3     4     5     6     7     8     9     a     b     c     d     e     f
            0x13, 0x01, 0x03, 0x01, 0x01, 0x41, 0x01, 0x03, 0x03, 0x03, 0x01, 0x29, static_cast<char>(0xad), 0x29, 0x05, 0x21,
            0x13, 0x01, 0x03, 0x01, 0x01, 0x41, 0x01, 0x03, 0x03, 0x03, 0x01, 0x29, static_cast<char>(0xad), 0x29, 0x05, 0x21);
        const __m256i hi = _mm256_setr_epi8(
            0x01, 0x01, 0x42, 0x04, 0x00, static_cast<char>(0x88), 0x10, 0x20, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
            0x01, 0x01, 0x42, 0x04, 0x00, static_cast<char>(0x88), 0x10, 0x20, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01);
        const __m256i nib = _mm256_set1_epi8(0x0f), ends = _mm256_set1_epi8(0x3f), zero = _mm256_setzero_si256();
        while (i + 32 <= n && !full_) {
            const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
            const __m256i cls = _mm256_and_si256(_mm256_shuffle_epi8(lo, _mm256_and_si256(v, nib)),
                                                 _mm256_shuffle_epi8(hi, _mm256_and_si256(_mm256_srli_epi16(v, 4), nib)));
            const auto word = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_and_si256(cls, ends), zero)));
            const auto hot = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_or_si256(cls, _mm256_slli_epi16(cls, 1))));
            i = block(i, run, word, hot, 32);
        }
        return i;
    }
#endif

    // Handles the word starting at ws; returns the index of its last byte.
    size_t word_at(size_t ws) {
        const auto* p = reinterpret_cast<const unsigned char*>(t_.data());
        uint16_t flags = 0;
        size_t we = ws;
#if defined(__SSE2__)
        // The words that reach here are long (URLs, paths, long identifiers): 16 bytes at a
        // time, with only the flags word() reads (colon, percent, upper, lower).
        for (; we + 16 <= t_.size(); we += 16) {
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + we));
            const unsigned stop = ~word_mask(v) & 0xffffu;
            const unsigned in = stop ? (1u << __builtin_ctz(stop)) - 1 : 0xffffu;
            const unsigned colon = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(':'))));
            const unsigned pct = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('%'))));
            if (colon & in) flags |= kColon;
            if (pct & in) flags |= kPercent;
            if (in_range(v, 'A', 'Z') & in) flags |= kUpper;
            if (in_range(v, 'a', 'z') & in) flags |= kLower;
            if (stop) {
                we += static_cast<size_t>(__builtin_ctz(stop));
                word(ws, we, flags);
                return std::max(we, resume_) - 1;
            }
        }
#endif
        for (uint16_t c; we < t_.size() && ((c = kClass[p[we]]) & kWord); ++we) flags |= c;
        word(ws, we, flags);
        return std::max(we, resume_) - 1;
    }

    // Handles the backslash at i; returns the index of the last byte handled (the escaped
    // character, which neither starts a word nor closes a string).
    size_t backslash(size_t i) {
        if (i + 1 >= t_.size()) return i;
        const char e = t_[i + 1];
        if (e == '/' && i > 0 && (kClass[static_cast<unsigned char>(t_[i - 1])] & kB64)) return escaped_slashes(i);
        if ((e == 'u' || e == 'x') && i >= escapes_tried_) {
            size_t end = i;
            if (escape(i, &end)) return end - 1;
            escapes_tried_ = end;
        }
        return i + 1;
    }

    size_t budget() const { return opt_.max_output - std::min(opt_.max_output, output_); }

    void emit(size_t start, size_t end, const char* kind) {
        spans_.push_back(Span{start, end, buf_, kind});
        output_ += buf_.size();
        last_end_ = end;
        if (spans_.size() >= opt_.max_spans) full_ = true;
    }

    void word(size_t ws, size_t we, uint16_t flags) {
        if (flags & kColon) {
            const std::string_view w = t_.substr(ws, we - ws);
            for (size_t c = w.find(':'); c != std::string_view::npos; c = w.find(':', c + 1)) {
                const size_t d = ws + c;
                if (d >= ws + 4 && iequals(t_.substr(d - 4, 4), "data") &&
                    (d == ws + 4 || !(kClass[static_cast<unsigned char>(t_[d - 5])] & kB64))) {
                    const int r = data_uri(d - 4, we);
                    if (r > 0) return;       // a span, or a binary payload not worth a look
                    break;                   // not a data: URI after all; the word as usual
                }
            }
        }
        if ((flags & kPercent) && percent(ws, we)) return;
        if (we - ws >= opt_.min_base64 && (flags & kUpper) && (flags & kLower)) base64_runs(ws, we);
    }

    void base64_runs(size_t ws, size_t we) {
        const auto* p = reinterpret_cast<const unsigned char*>(t_.data());
        size_t k = ws;
        while (k < we && !full_) {
            if (!(kClass[p[k]] & kB64)) {
                ++k;
                continue;
            }
            const size_t rs = k;
            uint16_t f = 0;
            while (k < we && (kClass[p[k]] & kB64)) f |= kClass[p[k++]];
            const size_t re = k;
            size_t pad = 0;
            while (k < we && p[k] == '=') ++pad, ++k;
            base64_run(rs, re, pad, f);
            if (resume_ > we) return;  // a wrapped block took the lines below
        }
    }

    void base64_run(size_t rs, size_t re, size_t pad, uint16_t f) {
        size_t len = re - rs;
        if (len + pad < opt_.min_base64 || len + pad < 4) return;
        if ((f & kStd) && (f & kUrl)) return;
        if (!(f & kUpper) || !(f & kLower) || !(f & kNonHex)) return;
        const int first = kB64Value[static_cast<unsigned char>(t_[rs])];
        if (!(first < 32 || (first >= 48 && first <= 61))) return;
        if (pad == 0 && len % 4 == 0 && len >= kMinWrapWidth && wrapped(rs, re, f)) return;
        if (pad > 2 || (pad > 0 && (len + pad) % 4 != 0)) return;
        if (len * 3 / 4 > budget()) return;
        decode_base64(t_.substr(rs, len), rs, re + pad, f);
    }

    // Base64 written with its slashes escaped, `QWxh\/ZGRp`: PHP's json_encode and some other
    // JSON writers escape '/' by default. The word around the backslash at i, with every `\/`
    // taken as '/', is judged as a base64 run of its own and replaces a span its first part
    // gave. Returns the index of the word's last byte.
    size_t escaped_slashes(size_t i) {
        const auto* p = reinterpret_cast<const unsigned char*>(t_.data());
        size_t ws = i;
        while (ws > 0 && i - ws < kMaxStringReach && (kClass[p[ws - 1]] & kB64)) --ws;
        std::string run;
        uint16_t f = 0;
        size_t we = ws;
        while (we < t_.size()) {
            if (kClass[p[we]] & kB64) {
                f |= kClass[p[we]];
                run += t_[we++];
            } else if (t_[we] == '\\' && we + 1 < t_.size() && t_[we + 1] == '/') {
                f |= kClass['/'];
                run += '/';
                we += 2;
            } else {
                break;
            }
        }
        size_t end = we;
        while (end < t_.size() && t_[end] == '=' && end - we < 2) ++end;
        const size_t padded = run.size() + (end - we);
        if (padded < opt_.min_base64 || padded % 4 == 1 || (end > we && padded % 4 != 0)) return end - 1;
        if ((f & kUrl) || !(f & kUpper) || !(f & kLower) || !(f & kNonHex) || we <= last_end_) return end - 1;
        const int first = kB64Value[static_cast<unsigned char>(run[0])];
        if (!(first < 32 || (first >= 48 && first <= 61))) return end - 1;  // as base64_run
        if (run.size() * 3 / 4 > budget()) return end - 1;
        // The part before the first `\/` may have been a span of its own: the whole run
        // replaces it, if it decodes. A span that began before the word (a percent-encoded
        // word holding it) keeps its place, and this run is left alone: spans never overlap.
        const bool replaces = !spans_.empty() && spans_.back().start >= ws;
        const size_t keep = spans_.size() - (replaces ? 1 : 0);
        const size_t floor = keep ? spans_[keep - 1].end : 0;
        if (ws < floor) return end - 1;
        std::optional<Span> replaced;
        const size_t output_before = output_, last_end_before = last_end_;
        if (replaces) {
            replaced = std::move(spans_.back());
            spans_.pop_back();
            output_ -= std::min(output_, replaced->text.size());
            last_end_ = floor;
            full_ = false;
        }
        const size_t before = spans_.size();
        decode_base64(run, ws, end, f);
        if (spans_.size() == before && replaced) {  // not text after all: the part stays
            spans_.push_back(std::move(*replaced));
            output_ = output_before;
            last_end_ = last_end_before;
            if (spans_.size() >= opt_.max_spans) full_ = true;
        }
        return end - 1;
    }

    // Decodes `run` (base64 characters only) into buf_ and emits [start, end) if it is text.
    void decode_base64(std::string_view run, size_t start, size_t end, uint16_t f) {
        // A look at the first 48 bytes, on the stack, before decoding the run: most runs that
        // get here are identifiers or blobs whose decoding is not text from its first bytes.
        char head[48];
        const size_t got = base64_to(run.substr(0, 64), head);
        if (!text_like(std::string_view(head, got), run.size() > 64)) return;
        buf_.clear();
        base64_into(run, buf_);
        if (!is_text(buf_)) return;
        emit(start, end, (f & kUrl) ? "base64url" : "base64");
    }

    // A run [rs, re) that fills its line, with lines like it below it: base64 wrapped at a
    // fixed width (PEM at 64, MIME and base64(1) at 76). The lines are decoded as one, so a
    // PEM body is judged as the DER it is (taken line by line, the lines holding a
    // certificate's names decode to text) and a wrapped text is one span. Returns false
    // when the run is alone on its line; otherwise the block is consumed, a span or not.
    bool wrapped(size_t rs, size_t re, uint16_t f) {
        const size_t n = t_.size();
        size_t ls = rs;  // the line's start: only blanks before the run
        while (ls > last_end_ && (t_[ls - 1] == ' ' || t_[ls - 1] == '\t')) --ls;
        if (ls > 0 && t_[ls - 1] != '\n') return false;
        const std::string_view indent = t_.substr(ls, rs - ls);
        const auto line_end = [&](size_t k) -> size_t {  // past the line break at k, or npos
            if (k == n) return n;
            if (t_[k] == '\n') return k + 1;
            if (t_[k] == '\r' && k + 1 < n && t_[k + 1] == '\n') return k + 2;
            return npos;
        };
        size_t next = line_end(re);
        if (next == npos) return false;
        const size_t width = re - rs;
        // Joined only while within the output budget, so a huge block costs no memory;
        // past that it is still consumed, as one block.
        std::string joined(t_.substr(rs, width));
        size_t end = re, pad = 0, lines = 1;
        bool over = width * 3 / 4 > budget();
        while (next < n && t_.substr(next, indent.size()) == indent) {
            size_t k = next + indent.size();
            const size_t cs = k;
            while (k < n && (kClass[static_cast<unsigned char>(t_[k])] & kB64)) f |= kClass[static_cast<unsigned char>(t_[k++])];
            const size_t ce = k;
            while (k < n && t_[k] == '=') ++k;
            const size_t after = line_end(k);
            if (ce == cs || k - cs > width || after == npos) break;
            over = over || (joined.size() + ce - cs) * 3 / 4 > budget();
            if (!over) joined.append(t_.substr(cs, ce - cs));
            end = k, pad = k - ce, ++lines;
            next = after;
            if (k - cs < width || pad > 0) break;  // a short or padded line ends the block
        }
        if (lines < 2) return false;
        resume_ = std::max(resume_, end);
        if (over || ((f & kStd) && (f & kUrl))) return true;
        if (pad > 2 || (pad > 0 && (joined.size() + pad) % 4 != 0)) return true;
        decode_base64(joined, rs, end, f);
        return true;
    }

    bool percent(size_t ws, size_t we) {
        if (we - ws > budget()) return false;
        // Most words with a '%' are format strings (`%02x`, `%s`): look for one escape of
        // printable ASCII before decoding the word.
        const std::string_view w = t_.substr(ws, we - ws);
        bool any = false;
        for (size_t k = w.find('%'); k != std::string_view::npos && k + 2 < w.size(); k = w.find('%', k + 1)) {
            const int hi = hex_value(static_cast<unsigned char>(w[k + 1])), lo = hex_value(static_cast<unsigned char>(w[k + 2]));
            if (hi >= 0 && lo >= 0 && printable_ascii(static_cast<unsigned char>(hi * 16 + lo))) {
                any = true;
                break;
            }
        }
        if (!any) return false;
        buf_.clear();
        if (percent_into(t_.substr(ws, we - ws), buf_) == 0 || !is_text(buf_)) return false;
        emit(ws, we, "percent");
        return true;
    }

    // 1: a span, or a payload skipped as binary by its media type; 0: not a data: URI.
    int data_uri(size_t start, size_t we) {
        const std::string_view uri = t_.substr(start, we - start);
        const size_t comma = uri.find(',');
        if (comma == std::string_view::npos) return 0;
        std::string_view meta = uri.substr(5, comma - 5);
        bool base64 = false;
        // The media type and parameters: token characters, '/', ';' and '='.
        for (char c : meta) {
            const auto u = static_cast<unsigned char>(c);
            if (!(kClass[u] & (kB64)) && c != '.' && c != '!' && c != '#' && c != '$' && c != '&' && c != '^' &&
                c != ';' && c != '=')
                return 0;
        }
        const size_t semi = meta.rfind(';');
        if (semi != std::string_view::npos && iequals(meta.substr(semi + 1), "base64")) {
            base64 = true;
            meta = meta.substr(0, semi);
        }
        const std::string_view type = meta.substr(0, meta.find(';'));
        if (!type.empty() && type.find('/') == std::string_view::npos) return 0;
        if ((istarts_with(type, "image/") && !iequals(type, "image/svg+xml")) || istarts_with(type, "audio/") ||
            istarts_with(type, "video/") || istarts_with(type, "font/"))
            return 1;
        const std::string_view payload = uri.substr(comma + 1);
        if (payload.size() > budget()) return 1;
        buf_.clear();
        percent_into(payload, buf_);
        if (base64) {
            std::string encoded;
            encoded.swap(buf_);
            while (!encoded.empty() && encoded.back() == '=') encoded.pop_back();
            for (char c : encoded)
                if (kB64Value[static_cast<unsigned char>(c)] < 0) return 1;
            base64_into(encoded, buf_);
        }
        // An unencoded payload is already there for the rules to see: no span for it.
        if (!is_text(buf_) || (!base64 && buf_ == payload)) return 1;
        emit(start, we, "data-uri");
        return 1;
    }

    // Decodes the string around the escape at `at`; *end is where its string ends.
    bool escape(size_t at, size_t* end) {
        const auto* p = reinterpret_cast<const unsigned char*>(t_.data());
        const size_t n = t_.size();
        // The opening quote: the nearest one back on the same line that is not escaped, no
        // further back than the last span or rejected string (so each byte is looked at
        // backwards once) nor kMaxStringReach.
        const size_t floor = std::max({last_end_, escapes_tried_, at > kMaxStringReach ? at - kMaxStringReach : 0});
        size_t start = at;
        unsigned char q = 0;
        for (size_t k = at; k > floor;) {
            const unsigned char c = p[--k];
            if (c == '\n') break;
            if (!(kClass[c] & kQuote)) continue;
            const auto letter = [](unsigned char x) { return (kClass[x] & (kUpper | kLower)) != 0; };
            if (c == '\'' && k > floor && letter(p[k - 1]) && letter(p[k + 1])) continue;  // "it's"
            size_t slashes = 0;
            while (k - slashes > floor && p[k - slashes - 1] == '\\') ++slashes;
            if (slashes % 2 == 0) {
                q = c;
                start = k + 1;
                break;
            }
        }
        const size_t limit = budget();
        buf_.clear();
        size_t ascii = 0;
        size_t j = start;
        while (j < n && buf_.size() <= limit) {
            const unsigned char c = p[j];
            if (q ? c == q : (c == ' ' || c == '\t' || (kClass[c] & kQuote))) break;
            if (c == '\n' || c == '\r') break;
            if (c != '\\' || j + 1 >= n) {
                buf_.push_back(static_cast<char>(c));
                ++j;
                continue;
            }
            const unsigned char e = p[j + 1];
            if (e == '\n' || e == '\r') break;  // a line continuation: the string's line ends
            if (e == 'u') {
                uint32_t cp = 0;
                const size_t len = unicode_escape(j, &cp);
                if (len == 0) {
                    buf_.append("\\u");
                    j += 2;
                    continue;
                }
                if (printable_ascii(cp)) ++ascii;
                append_utf8(buf_, cp);
                j += len;
            } else if (e == 'x') {
                j = hex_escapes(j, &ascii);
            } else {
                switch (e) {
                    case 'n': buf_.push_back('\n'); break;
                    case 't': buf_.push_back('\t'); break;
                    case 'r': buf_.push_back('\r'); break;
                    case 'f': buf_.push_back('\f'); break;
                    case '"': case '\'': case '`': case '\\': case '/': buf_.push_back(static_cast<char>(e)); break;
                    default:  // not decoded: kept as written
                        buf_.push_back('\\');
                        buf_.push_back(static_cast<char>(e));
                }
                j += 2;
            }
        }
        *end = j;
        if (ascii == 0 || buf_.size() > limit || !is_text(buf_)) return false;
        emit(start, j, "escape");
        return true;
    }

    // `\uXXXX` (a surrogate pair as two of them) or `\u{X..}` at j: the code point and the
    // length, 0 when malformed. A lone surrogate is U+FFFD.
    size_t unicode_escape(size_t j, uint32_t* cp) const {
        const auto hex4 = [&](size_t k, uint32_t* v) {
            if (k + 4 > t_.size()) return false;
            uint32_t x = 0;
            for (size_t m = 0; m < 4; ++m) {
                const int h = hex_value(static_cast<unsigned char>(t_[k + m]));
                if (h < 0) return false;
                x = x * 16 + static_cast<uint32_t>(h);
            }
            *v = x;
            return true;
        };
        if (j + 2 < t_.size() && t_[j + 2] == '{') {
            uint32_t x = 0;
            size_t k = j + 3, digits = 0;
            for (; k < t_.size() && digits < 7; ++k, ++digits) {
                const int h = hex_value(static_cast<unsigned char>(t_[k]));
                if (h < 0) break;
                x = x * 16 + static_cast<uint32_t>(h);
            }
            if (digits == 0 || digits > 6 || k >= t_.size() || t_[k] != '}' || x > 0x10ffff) return 0;
            *cp = (x >= 0xd800 && x <= 0xdfff) ? 0xfffd : x;
            return k + 1 - j;
        }
        uint32_t u = 0;
        if (!hex4(j + 2, &u)) return 0;
        if (u >= 0xd800 && u <= 0xdbff) {
            uint32_t lo = 0;
            if (j + 7 < t_.size() && t_[j + 6] == '\\' && t_[j + 7] == 'u' && hex4(j + 8, &lo) && lo >= 0xdc00 &&
                lo <= 0xdfff) {
                *cp = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
                return 12;
            }
            *cp = 0xfffd;
            return 6;
        }
        *cp = (u >= 0xdc00 && u <= 0xdfff) ? 0xfffd : u;
        return 6;
    }

    // One `\xXX` at j, or several when they spell one UTF-8 sequence; returns the position
    // after them. A lone byte of 0x80 or more is the Latin-1 code point (JavaScript's reading).
    size_t hex_escapes(size_t j, size_t* ascii) {
        const auto byte_at = [&](size_t k) -> int {
            if (k + 4 > t_.size() || t_[k] != '\\' || t_[k + 1] != 'x') return -1;
            const int hi = hex_value(static_cast<unsigned char>(t_[k + 2]));
            const int lo = hex_value(static_cast<unsigned char>(t_[k + 3]));
            return (hi < 0 || lo < 0) ? -1 : hi * 16 + lo;
        };
        const int b = byte_at(j);
        if (b < 0) {
            buf_.append("\\x");
            return j + 2;
        }
        if (b < 0x80) {
            if (printable_ascii(static_cast<uint32_t>(b))) ++*ascii;
            buf_.push_back(static_cast<char>(b));
            return j + 4;
        }
        char seq[4] = {static_cast<char>(b)};
        size_t len = 1;
        while (len < 4) {
            const int next = byte_at(j + 4 * len);
            if (next < 0x80 || next >= 0xc0) break;
            seq[len++] = static_cast<char>(next);
        }
        uint32_t cp = 0;
        const size_t ok = utf8_sequence(std::string_view(seq, len), 0, &cp);
        if (ok > 1) {
            buf_.append(seq, ok);
            return j + 4 * ok;
        }
        append_utf8(buf_, static_cast<uint32_t>(b));
        return j + 4;
    }

    static constexpr size_t npos = std::string_view::npos;
    std::string_view t_;
    const Options& opt_;
    const size_t trigger_;  // the word length that leaves the hot loop
    std::vector<Span> spans_;
    std::string buf_;
    size_t output_ = 0;
    size_t last_end_ = 0;
    size_t escapes_tried_ = 0;
    size_t resume_ = 0;  // where a decoder that read past its word went on to
    bool full_ = false;
};

// UTF-16 code units of `s` (a BOM-less sample) read little- or big-endian.
uint32_t unit_at(std::string_view s, size_t i, bool le) {
    const auto a = static_cast<unsigned char>(s[i]), b = static_cast<unsigned char>(s[i + 1]);
    return le ? (a | (b << 8)) : ((a << 8) | b);
}

// The share of a sample's units that are printable ASCII, tab or a line break, times 1000.
size_t ascii_units_permille(std::string_view s, bool le) {
    const size_t units = s.size() / 2;
    if (units == 0) return 0;
    size_t ascii = 0;
    for (size_t i = 0; i + 1 < s.size(); i += 2) {
        const uint32_t u = unit_at(s, i, le);
        if ((u >= 0x20 && u < 0x7f) || u == '\t' || u == '\n' || u == '\r') ++ascii;
    }
    return ascii * 1000 / units;
}

// Whether a sample after a UTF-16 BOM reads as text: NUL units, controls and unpaired
// surrogates no more than one in 32 (is_text's bound), so a binary file that happens to begin
// with FF FE is not decoded into noise.
bool utf16_plausible(std::string_view s, bool le) {
    size_t units = 0, bad = 0;
    for (size_t i = 0; i + 1 < s.size(); i += 2, ++units) {
        const uint32_t u = unit_at(s, i, le);
        if (u >= 0xd800 && u <= 0xdbff) {
            if (i + 3 < s.size()) {
                const uint32_t lo = unit_at(s, i + 2, le);
                if (lo >= 0xdc00 && lo <= 0xdfff) {
                    i += 2, ++units;
                    continue;
                }
                ++bad;
            }
        } else if ((u < 0x20 && u != '\t' && u != '\n' && u != '\r' && u != '\f') || (u >= 0xdc00 && u <= 0xdfff) ||
                   u == 0xfffe || u == 0xffff) {
            ++bad;
        }
    }
    return bad * 32 <= units;
}

}  // namespace

std::vector<Span> find_spans(std::string_view text, const Options& options) { return Finder(text, options).run(); }


Options nested_options() {
    Options o;
    o.min_base64 = 12;  // 8 bytes of text (kMinText) with padding; below is never a span
    return o;
}

bool is_text(std::string_view bytes) { return bytes.size() >= kMinText && text_like(bytes, false); }

Charset sniff_charset(std::string_view head) {
    if (head.size() >= 3 && head.substr(0, 3) == "\xEF\xBB\xBF") return Charset::Utf8Bom;
    // The sample: enough units to judge, few enough to be cheap on every file.
    constexpr size_t kSample = 8192;
    if (head.size() >= 2 && (head.substr(0, 2) == "\xFF\xFE" || head.substr(0, 2) == "\xFE\xFF")) {
        const bool le = head[0] == '\xFF';
        // FF FE 00 00 is UTF-32LE's BOM, not handled: left to the binary check.
        if (le && head.size() >= 4 && head[2] == '\0' && head[3] == '\0') return Charset::Utf8;
        if (!utf16_plausible(head.substr(2, kSample), le)) return Charset::Utf8;
        return le ? Charset::Utf16Le : Charset::Utf16Be;
    }
    // Without a BOM only ASCII-heavy UTF-16 can be told from binary: nine units in ten must be
    // printable ASCII or line breaks with the zero byte on the same side. A binary file has
    // zero bytes too (small integers, padding), but not in nine of ten units next to a
    // printable byte; UTF-8 text has no zero bytes at all.
    const std::string_view sample = head.substr(0, kSample);
    if (sample.size() < 8) return Charset::Utf8;
    // Nearly every file is UTF-8 text with no zero byte at all: one memchr settles it.
    if (!std::memchr(sample.data(), '\0', sample.size())) return Charset::Utf8;
    if (ascii_units_permille(sample, true) >= 900) return Charset::Utf16Le;
    if (ascii_units_permille(sample, false) >= 900) return Charset::Utf16Be;
    return Charset::Utf8;
}

const char* charset_name(Charset c) {
    switch (c) {
        case Charset::Utf8: return "utf-8";
        case Charset::Utf8Bom: return "utf-8-bom";
        case Charset::Utf16Le: return "utf-16le";
        case Charset::Utf16Be: return "utf-16be";
    }
    return "utf-8";
}

std::string to_utf8(std::string_view data, Charset c) {
    if (c == Charset::Utf8 || c == Charset::Utf8Bom) {
        // UTF-8 bytes are kept as they are, invalid ones too: the scan reports byte columns,
        // and replacing a byte by U+FFFD would move every column after it.
        if (data.substr(0, 3) == "\xEF\xBB\xBF") data.remove_prefix(3);
        return std::string(data);
    }
    const bool le = c == Charset::Utf16Le;
    if (data.size() >= 2 && data.substr(0, 2) == (le ? std::string_view("\xFF\xFE") : std::string_view("\xFE\xFF")))
        data.remove_prefix(2);
    std::string out;
    out.reserve(data.size() / 2 + data.size() / 8);
    for (size_t i = 0; i + 1 < data.size(); i += 2) {
        uint32_t u = unit_at(data, i, le);
        if (u >= 0xd800 && u <= 0xdbff) {
            uint32_t lo = 0;
            if (i + 3 < data.size() && (lo = unit_at(data, i + 2, le)) >= 0xdc00 && lo <= 0xdfff) {
                u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
                i += 2;
            } else {
                u = 0xfffd;
            }
        } else if (u >= 0xdc00 && u <= 0xdfff) {
            u = 0xfffd;
        }
        append_utf8(out, u);
    }
    return out;
}

}  // namespace nhi::scanners::decode
