// Helpers every importer uses: bounded JSON parsing (depth, numbers, positioned
// errors that never quote input), record-by-record walks of large export
// arrays, time normalisation, sentinel values, and the per-entry warnings that
// replace silent drops.
#pragma once
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "db/records.hpp"
#include "util/expected.hpp"

namespace nhi::scanners::importers {

/// Containers nested deeper than this are refused: nothing in an export needs
/// more, and unbounded depth overflows the stack of every recursive walk (copy,
/// dump, destroy).
constexpr int kMaxJsonDepth = 64;

/// In Input::walk's `lists`: every member of a top-level object is a record (a
/// map of id to records).
inline const std::string kEveryMember = "\x01*";

/// Where an export's bytes come from: memory, or a file read in chunks. A walk
/// reads the input from its first byte, so detection and parsing may each walk
/// it.
class Input {
public:
    /// Bytes already in memory, named `name` in errors; `content` must outlive
    /// the Input.
    static Input memory(std::string_view content, std::string_view name = {});
    /// A file opened for reading; fails with the path and errno text.
    static util::Expected<Input> file(const std::string& open_path, std::string_view name);

    /// Up to the first `n` bytes (format detection); fails on a read error.
    util::Expected<std::string> head(size_t n);

    /// The whole content, read once (text formats: CSV, TOML); fails on a read
    /// error.
    util::Expected<std::string_view> text();

    /// Called with each element of a streamed list: the list's name ("" when the
    /// document itself is the list), the element's 0-based index and the element.
    using RecordFn = std::function<util::Status(const std::string& list, size_t index, const nlohmann::json& record)>;

    /// Walks the JSON document once, holding one record in memory at a time:
    /// elements of the top-level array (when `lists` holds "") or of the
    /// top-level object's members named in `lists`, or with kEveryMember each
    /// member's value of a top-level object (its key as the list name), go to
    /// `on_record`; the rest of the document is returned (a streamed member as an
    /// empty array, so that its presence shows). After each record, what it
    /// added to `batch` is flushed to the batch's sink. A record whose handler
    /// throws a JSON type error is skipped (what it had added to `batch` is
    /// removed) with a warning in `batch` naming it. Fails with line and column (never input
    /// bytes) on a syntax error, a number out of range or nesting deeper than
    /// kMaxJsonDepth.
    util::Expected<nlohmann::json> walk(const std::set<std::string>& lists, const RecordFn& on_record,
                                        db::ImportBatch& batch, bool comments = false);

    /// The whole document as one value (small formats), with walk's limits.
    util::Expected<nlohmann::json> document(bool comments = false);

    const std::string& name() const { return name_; }

private:
    std::string name_;
    std::string_view memory_;
    std::shared_ptr<std::FILE> file_;
    std::string text_;  // what text() read from a file
};

/// Parses JSON, or JSONC when `comments` (VS Code files), with Input::walk's
/// limits and errors.
util::Expected<nlohmann::json> parse_json(std::string_view path, std::string_view content, bool comments = false);

/// "PATH: what" as a warning line.
std::string warn(std::string_view path, const std::string& what);

/// Records that `entry` was skipped and why (a counted warning, never a silent
/// drop); returns success, so a record handler can `return skip(...)` and the
/// walk goes on.
util::Status skip(db::ImportBatch& b, std::string_view path, const std::string& entry, const std::string& why);

/// A date field normalised to UTC; null when absent or a sentinel (N/A, ...).
/// An unparsable date is also null, and adds a warning naming `entry` and
/// `field` to `b`, so it is never dropped quietly.
nlohmann::json date(db::ImportBatch& b, std::string_view path, const std::string& entry, const char* field,
                    const nlohmann::json& raw);

/// True for the sentinel texts that mean "no date": empty, N/A, no_information,
/// not_supported.
bool is_no_date(std::string_view v);

/// A timestamp normalised to UTC `YYYY-MM-DDTHH:MM:SSZ`; null for empty, `N/A`,
/// `no_information`, `not_supported` and unparsable values.
nlohmann::json utc(const nlohmann::json& value);
nlohmann::json utc_text(std::string_view value);

/// True for dates that exports use to mean "never expires" (9999-12-31,
/// 2299-12-31).
bool is_never(const nlohmann::json& normalised);

/// Sets data["expires"] from a raw expiry, or data["never_expires"] for the
/// sentinels; an unparsable expiry is a warning (see date()).
void set_expiry(db::ImportBatch& b, std::string_view path, const std::string& entry, nlohmann::json& data,
                const nlohmann::json& raw);

/// A numeric or string id as text: a non-negative integer that fits in 64 bits,
/// or a non-empty string; nullopt for floats, negatives, out-of-range numbers
/// and other types.
std::optional<std::string> id_text(const nlohmann::json& value);

/// A string member, or "" when missing or not a string.
std::string str(const nlohmann::json& j, const char* key);

/// Case-insensitive lookup of an owner-like tag (owner, Owner, team, ...) in a
/// key/value map.
std::optional<std::pair<std::string, std::string>> owner_tag(const nlohmann::json& kv);

/// RFC 3986 percent-decoding (AWS policy documents); "+" is left alone.
std::string percent_decode(std::string_view s);

}  // namespace nhi::scanners::importers
