// The text decoders on arbitrary bytes: find_spans twice (default options, and options picked
// by the first byte, which take the byte loop instead of the 16-byte one and small limits),
// then sniff_charset and to_utf8 in every charset. Every span must lie inside the input, in
// order and not overlapping, and decode to text; the limits must hold; UTF-16 output must
// be valid UTF-8 and UTF-8 output the input minus its BOM.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_util.hpp"
#include "scanners/decode.hpp"

namespace decode = nhi::scanners::decode;

namespace {

void check_spans(std::string_view text, const decode::Options& o) {
    const auto spans = decode::find_spans(text, o);
    NHI_FUZZ_CHECK(spans.size() <= o.max_spans);
    size_t last = 0, output = 0;
    for (const auto& s : spans) {
        NHI_FUZZ_CHECK(s.start >= last);
        NHI_FUZZ_CHECK(s.start < s.end);
        NHI_FUZZ_CHECK(s.end <= text.size());
        NHI_FUZZ_CHECK(decode::is_text(s.text));
        NHI_FUZZ_CHECK(s.kind != nullptr && *s.kind != '\0');
        output += s.text.size();
        last = s.end;
    }
    NHI_FUZZ_CHECK(output <= o.max_output);
}

// Well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool valid_utf8(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        size_t len = b < 0x80 ? 1 : (b >= 0xc2 && b <= 0xdf) ? 2 : (b >= 0xe0 && b <= 0xef) ? 3 : (b >= 0xf0 && b <= 0xf4) ? 4 : 0;
        if (len == 0 || i + len > s.size()) return false;
        uint32_t cp = len == 1 ? b : (b & (0x7f >> len));
        for (size_t k = 1; k < len; ++k) {
            const auto c = static_cast<unsigned char>(s[i + k]);
            if ((c & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (c & 0x3f);
        }
        static constexpr uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        i += len;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    check_spans(text, {});
    if (size > 0) {
        decode::Options o;
        o.min_base64 = 4 + (data[0] & 15);         // 4..19: under 16 takes the byte loop
        o.max_spans = 1 + ((data[0] >> 4) & 7);    // 1..8
        o.max_output = (data[0] & 0x80) ? 64 : o.max_output;
        check_spans(text.substr(1), o);
    }

    const decode::Charset sniffed = decode::sniff_charset(text);
    NHI_FUZZ_CHECK(*decode::charset_name(sniffed) != '\0');
    for (auto c : {decode::Charset::Utf16Le, decode::Charset::Utf16Be}) {
        const std::string out = decode::to_utf8(text, c);
        NHI_FUZZ_CHECK(valid_utf8(out));
        NHI_FUZZ_CHECK(out.size() <= size / 2 * 3);  // at most 3 bytes per unit, 4 per pair
    }
    for (auto c : {decode::Charset::Utf8, decode::Charset::Utf8Bom}) {
        const std::string out = decode::to_utf8(text, c);
        const bool bom = text.substr(0, 3) == "\xEF\xBB\xBF";
        NHI_FUZZ_CHECK(out == text.substr(bom ? 3 : 0));
    }
    return 0;
}
