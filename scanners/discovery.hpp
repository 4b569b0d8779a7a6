// Identities a repository declares in its configuration, recorded by `nhi scan` into the
// inventory: Kubernetes ServiceAccount manifests, Terraform resources that create NHIs,
// GitHub Actions workflows (static cloud keys or OIDC), MCP/agent configs, docker
// config.json and .npmrc registry auths. Malformed files and entries are warnings (file, line
// and column, never input bytes), never scan errors; files past discovery's size, depth and
// alias bounds are refused the same way. Nothing here throws or uses std::regex: it runs on
// the scan's worker threads, over trees that may be hostile.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "db/records.hpp"

namespace nhi::scanners {

/// True when `path` (relative, '/'-separated) is a file discovery looks into.
bool discoverable(std::string_view path);

/// The identities and credentials `content` declares; problems go to `batch.warnings` (never throws).
db::ImportBatch discover(std::string_view path, std::string_view content);

}  // namespace nhi::scanners
