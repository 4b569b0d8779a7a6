// Helpers every importer uses: JSON parsing with positioned errors, time normalisation,
// sentinel values.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "util/expected.hpp"

namespace nhi::scanners::importers {

/// Parses JSON, or JSONC when `comments` (VS Code files); errors carry line and column.
util::Expected<nlohmann::json> parse_json(std::string_view path, std::string_view content, bool comments = false);

/// A timestamp normalised to UTC `YYYY-MM-DDTHH:MM:SSZ`; null for empty, `N/A`,
/// `no_information`, `not_supported` and unparsable values.
nlohmann::json utc(const nlohmann::json& value);
nlohmann::json utc_text(std::string_view value);

/// True for dates that exports use to mean "never expires" (9999-12-31, 2299-12-31).
bool is_never(const nlohmann::json& normalised);

/// Sets data["expires"] from a raw expiry, or data["never_expires"] for the sentinels.
void set_expiry(nlohmann::json& data, const nlohmann::json& raw);

/// A string member, or "" when missing or not a string.
std::string str(const nlohmann::json& j, const char* key);

/// Case-insensitive lookup of an owner-like tag (owner, Owner, team, ...) in a key/value map.
std::optional<std::pair<std::string, std::string>> owner_tag(const nlohmann::json& kv);

/// RFC 3986 percent-decoding (AWS policy documents); "+" is left alone.
std::string percent_decode(std::string_view s);

}  // namespace nhi::scanners::importers
