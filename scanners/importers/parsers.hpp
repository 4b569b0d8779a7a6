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

// Each reads its input through Input and adds its records to `b`: JSON formats
// walk it record by record, and the walk hands each record's additions to the
// batch's sink as soon as the record is read, so a large export never sits in
// memory whole. Records a parser can only finish after the walk (roles of a
// policy's members) are flushed when it returns. Text formats (CSV, TOML) and
// small documents are read whole.
using Parser = util::Status (*)(std::string_view path, Input& in, ImportBatch& b);

util::Status parse_aws_credential_report(std::string_view path, Input& in, ImportBatch& b);
util::Status parse_aws_access_keys(std::string_view path, Input& in, ImportBatch& b);
util::Status parse_aws_authorization_details(std::string_view path, Input& in, ImportBatch& b);
util::Status parse_gcp_service_accounts(std::string_view path, Input& in, ImportBatch& b);
util::Status parse_gcp_service_account_keys(std::string_view path, Input& in, ImportBatch& b);
util::Status parse_gcp_key_file(std::string_view path, Input& in, ImportBatch& b);
util::Status parse_gcp_iam_policy(std::string_view path, Input& in, ImportBatch& b);
util::Status parse_azure_applications(std::string_view path, Input& in, ImportBatch& b);
util::Status parse_azure_service_principals(std::string_view path, Input& in, ImportBatch& b);
util::Status parse_azure_sp_owners(std::string_view path, Input& in, ImportBatch& b);
util::Status parse_k8s_list(std::string_view path, Input& in, ImportBatch& b);
util::Status parse_github_deploy_keys(std::string_view path, Input& in, ImportBatch& b);
util::Status parse_github_app_installations(std::string_view path, Input& in, ImportBatch& b);
util::Status parse_github_fine_grained_pats(std::string_view path, Input& in, ImportBatch& b);
util::Status parse_mcp_json(std::string_view path, Input& in, ImportBatch& b);
util::Status parse_codex_toml(std::string_view path, Input& in, ImportBatch& b);

}  // namespace nhi::scanners::importers
