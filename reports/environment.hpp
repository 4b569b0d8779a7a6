// Which deployment environment (production, staging, development, test) a name or path
// belongs to, from its words: `acme-prod-4821`, `config/staging/app.env`, `payments-dev`.
// The risk model uses it for NHI8: one credential used across environments means a breach of
// the weakest one (a laptop's dev config) is a breach of production.
#pragma once
#include <string>
#include <string_view>

#include "db/inventory.hpp"

namespace nhi::reports {

/// The environment a text's words name, or "" when none or more than one does.
std::string environment_of_text(std::string_view text);

/// The environment of a file path, judged on its last three components only: the directories
/// above a checkout (`/tmp/test-run/…`) say nothing about what the file configures.
std::string environment_of_path(std::string_view path);

/// The environment of an identity: its name, namespace, project, account alias or
/// subscription, else the name of the file that described it.
std::string environment_of(const db::IdentityRow& row);

}  // namespace nhi::reports
