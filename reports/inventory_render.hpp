// Renderers for `nhi inventory list|show`: text, JSON, JSONL and CSV.
#pragma once
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "db/inventory.hpp"

namespace nhi::reports {

/// Facts derived from an identity and its credentials, the ones filters and columns use.
struct IdentityFacts {
    std::string owner, owner_source;      // strongest owner, if any
    size_t credentials = 0, active = 0;   // active: not disabled, inactive, expired or invalid
    std::string expires;                  // earliest expiry among active credentials ("" = none known)
    bool never_expires = false;           // an active credential that never expires
    std::string last_used;                // latest use of the identity or any credential
    std::string created;
    size_t linked_findings = 0;           // scan findings that expose one of its credentials
};

IdentityFacts derive(const db::IdentityRow& row, const std::string& now_utc);

/// How much an owner source is worth: explicit and export tags are high, CODEOWNERS medium,
/// a git author low (it names who typed the secret, not who answers for it).
const char* owner_confidence(const std::string& source);

/// One identity as a JSON object (what json/jsonl print).
nlohmann::json to_json(const db::IdentityRow& row, const std::string& now_utc);

void render_inventory(const std::vector<const db::IdentityRow*>& rows, const std::string& format,
                      const std::string& now_utc, std::ostream& out);

/// `references`: where scanned code names the identity (Inventory::code_references).
void render_identity(const db::IdentityRow& row,
                     const std::vector<std::tuple<int64_t, std::string, nlohmann::json>>& history,
                     const std::vector<db::Inventory::CodeReference>& references, const std::string& format,
                     const std::string& now_utc, std::ostream& out);

}  // namespace nhi::reports
