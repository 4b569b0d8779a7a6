// `nhi inventory import`: format detection and the parsers for cloud, cluster, GitHub and
// agent-config exports. Formats and their quirks: ../shared/samples/exports/README.md.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "db/records.hpp"
#include "util/expected.hpp"

namespace nhi::scanners::importers {

// The records belong to the datastore's model; importers only fill them.
using db::CredentialRecord;
using db::IdentityRecord;
using db::ImportBatch;

/// Every format name `--format` accepts.
const std::vector<std::string>& format_names();

/// Names the format of `content` (file name `path` breaks ties), or an error saying why not.
util::Expected<std::string> detect_format(std::string_view path, std::string_view content);

/// Parses one export. Errors name the line or offset where the input stops making sense; a
/// file either parses whole or not at all.
util::Expected<ImportBatch> parse_export(std::string_view path, std::string_view content, const std::string& format);

}  // namespace nhi::scanners::importers
