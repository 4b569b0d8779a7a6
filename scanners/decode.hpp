// Text decoders: the encoded spans of a text (base64 and base64url values, data: URIs,
// percent-encoded URLs, \uXXXX and \xXX escapes in JSON and JS strings) and the text they
// stand for, and the character sets a text file may be written in (UTF-16 with or without a
// BOM, UTF-8 with a BOM). The scan pipeline (scanners/unpack) scans what they give with the
// same rules, pointing findings at the encoded span in the outer text.
//
// Only decoded *text* is given: base64 of an image, a hash, a certificate or any other binary
// decodes to bytes that are not text and is dropped here, so it cannot become noise.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace nhi::scanners::decode {

/// One encoded span of a text and what it decodes to.
struct Span {
    size_t start = 0, end = 0;  // the encoded bytes, [start, end) in the input
    std::string text;           // what they decode to: valid UTF-8 text
    const char* kind = "";      // "base64", "base64url", "data-uri", "percent", "escape"
};

struct Options {
    size_t min_base64 = 16;          // shortest base64 run considered (encoded characters)
    size_t max_spans = 256;          // spans given per input; the rest are ignored
    size_t max_output = 16u << 20;   // decoded bytes given per input, all spans together
    // Which hot loop passes over the text: 0, the widest this CPU has (32 bytes with AVX2);
    // 16, the SSE2 one. The spans are the same (tests compare them); only speed differs.
    unsigned hot_loop = 0;
};

/// Options for a text that is itself the decoding of a span (a layer below): its values are
/// short (a docker `auth` of `user:pass` is 12 base64 characters) and the text is small, so
/// runs from 12 characters are looked at; the limits are the defaults. Never fails.
Options nested_options();

/// The spans of `text` that decode to text, in order and not overlapping. Never fails: what
/// does not decode, or decodes to binary, is simply not a span. One linear pass, so it can run
/// on every blob.
std::vector<Span> find_spans(std::string_view text, const Options& options = {});

/// True when `bytes` is text worth scanning: valid UTF-8, no NUL, nearly all printable or
/// whitespace. The test every decoder applies to what it decoded.
bool is_text(std::string_view bytes);

enum class Charset { Utf8, Utf8Bom, Utf16Le, Utf16Be };

/// The character set of a blob judged by its first bytes: a BOM, or for UTF-16 without one
/// the pattern of zero bytes that ASCII text leaves in every other byte.
Charset sniff_charset(std::string_view head);

/// A short name for `c` ("utf-16le", ...), the label findings in such a file carry.
const char* charset_name(Charset c);

/// `data` (in charset `c`, BOM included or not) as UTF-8 without a BOM. Invalid units and
/// unpaired surrogates become U+FFFD; a trailing odd byte is dropped. Line breaks are kept,
/// so line numbers are those of the original file.
std::string to_utf8(std::string_view data, Charset c);

}  // namespace nhi::scanners::decode
