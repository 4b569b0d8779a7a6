// One function per export format; importers.cpp dispatches by format name.
#pragma once
#include <map>
#include <set>
#include <string_view>

#include "db/records.hpp"
#include "scanners/importers/common.hpp"
#include "util/expected.hpp"

namespace nhi::scanners::importers {

// The records belong to the datastore's model; importers only fill them.
using db::CredentialRecord;
using db::IdentityRecord;
using db::ImportBatch;

// Each reads its input through Input: JSON formats walk it record by record, so
// a large export never sits in memory whole; text formats (CSV, TOML) read it
// whole.
using Parser = util::Expected<ImportBatch> (*)(std::string_view path, Input& in);

util::Expected<ImportBatch> parse_aws_credential_report(std::string_view path, Input& in);
util::Expected<ImportBatch> parse_aws_access_keys(std::string_view path, Input& in);
util::Expected<ImportBatch> parse_aws_authorization_details(std::string_view path, Input& in);
util::Expected<ImportBatch> parse_gcp_service_accounts(std::string_view path, Input& in);
util::Expected<ImportBatch> parse_gcp_service_account_keys(std::string_view path, Input& in);
util::Expected<ImportBatch> parse_gcp_key_file(std::string_view path, Input& in);
util::Expected<ImportBatch> parse_gcp_iam_policy(std::string_view path, Input& in);
util::Expected<ImportBatch> parse_azure_applications(std::string_view path, Input& in);
util::Expected<ImportBatch> parse_azure_service_principals(std::string_view path, Input& in);
util::Expected<ImportBatch> parse_k8s_list(std::string_view path, Input& in);
util::Expected<ImportBatch> parse_github_deploy_keys(std::string_view path, Input& in);
util::Expected<ImportBatch> parse_github_app_installations(std::string_view path, Input& in);
util::Expected<ImportBatch> parse_github_fine_grained_pats(std::string_view path, Input& in);
util::Expected<ImportBatch> parse_mcp_json(std::string_view path, Input& in);
util::Expected<ImportBatch> parse_codex_toml(std::string_view path, Input& in);

}  // namespace nhi::scanners::importers
