// Reading a provider's answer: the block's live and revoked matchers decide the outcome, and
// a live answer gives the identity fields.
#pragma once
#include <nlohmann/json.hpp>

#include "db/model.hpp"
#include "rules/validate_spec.hpp"
#include "validate/http.hpp"

namespace nhi::validate {

/// The outcome `spec` gives `response`: live (identity filled), revoked, or unknown with a
/// reason ("redirect not followed", "answer is not JSON", "unexpected answer (HTTP 500)").
/// checked_at is left to the caller. Never fails, never throws.
db::Validation judge(const rules::ValidateSpec& spec, const HttpResponse& response);

/// The identity fields `spec` names, from `response` and its parsed JSON (`body`, may be
/// null or discarded); `scopes` split on commas and spaces into a list. Missing fields are left out.
nlohmann::json extract_identity(const rules::ValidateSpec& spec, const HttpResponse& response,
                                const nlohmann::json& body);

}  // namespace nhi::validate
