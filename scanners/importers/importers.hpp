// `nhi inventory import`: format detection and the parsers for cloud, cluster,
// GitHub and agent-config exports. Formats and their quirks:
// ../shared/samples/exports/README.md.
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

/// Names the format of `content` (file name `path` breaks ties), or an error
/// saying why not.
util::Expected<std::string> detect_format(std::string_view path, std::string_view content);

/// Parses one export held in memory. Errors name the line and column where the
/// input stops making sense (never its bytes); an entry that cannot be read is
/// skipped with a warning in the batch naming it.
util::Expected<ImportBatch> parse_export(std::string_view path, std::string_view content, const std::string& format);

/// Parses the export file at `open_path`, named `name` in keys and messages, as
/// parse_export does, handing each record (and warning) to `sink` as soon as it
/// is read: JSON lists are read one record at a time, so memory follows the
/// largest record, not the file. Returns the format's name; fails when the file
/// cannot be read or parsed, or when the sink fails (what it already took is
/// then the sink's to discard).
util::Expected<std::string> import_file(const std::string& open_path, std::string_view name, const std::string& format,
                                        db::RecordSink& sink);

}  // namespace nhi::scanners::importers
