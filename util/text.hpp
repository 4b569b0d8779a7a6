// Text helpers that know nothing of nhi.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/expected.hpp"

namespace nhi::util {

/// Shannon entropy of the bytes, in bits per byte (0 for empty input).
double shannon_entropy(std::string_view s);

/// True when the first `probe` bytes hold a NUL byte: the same heuristic git and grep use.
bool looks_binary(std::string_view data, size_t probe = 8192);

/// True for the 8-4-4-4-12 hex form of a UUID (either case).
bool is_uuid(std::string_view s);

/// ASCII lower-case copy.
std::string lower(std::string_view s);

/// Decodes standard or URL-safe base64, padded or not; nullopt on any invalid byte.
std::optional<std::string> base64_decode(std::string_view s);

/// A copy safe to print on a terminal: control characters (newline, ESC, BEL, DEL, C1)
/// become `\n`, `\e`, `\xNN`, and bytes that are not UTF-8 become `\xNN`, so a hostile file
/// name or export field cannot forge lines, clear the screen or retitle the terminal.
/// A backslash is doubled, so the escaping cannot be forged either.
std::string printable(std::string_view s);

/// The word quoted for a POSIX shell: `'...'` with each `'` as `'\''`; words made only of
/// safe characters ([A-Za-z0-9_@%+=:,./-]) are returned as they are.
std::string shell_quote(std::string_view s);

/// Splits on a single character, keeping empty fields.
std::vector<std::string_view> split(std::string_view s, char sep);

/// 1-based line and column of a byte offset; walks forward from a known position so a
/// file's matches, taken in offset order, cost one pass over the file.
class LineCounter {
public:
    explicit LineCounter(std::string_view text) : text_(text) {}
    /// Returns {line, column} of `offset`; offsets must not decrease between calls.
    std::pair<size_t, size_t> locate(size_t offset);

private:
    std::string_view text_;
    size_t pos_ = 0;
    size_t line_ = 1;
    size_t line_start_ = 0;
};

/// `s` as a byte count: a number with an optional unit B, K, M, G (or KiB, MiB, GiB; powers of
/// 1024). Fails with why (`what` left empty for the caller) on anything else or an overflow.
Expected<uint64_t> parse_size(const std::string& s);

}  // namespace nhi::util
