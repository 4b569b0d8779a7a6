// A validation outcome for tests of what the reports make of it.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "db/model.hpp"

namespace nhi::test {

/// An outcome of `status` checked at `at` with that HTTP status; unknown and error say "timeout".
inline db::Validation outcome(const std::string& status, const std::string& at, int http,
                              nlohmann::json identity = nlohmann::json::object()) {
    db::Validation v;
    v.status = status;
    v.checked_at = at;
    v.http_status = http;
    if (status == "unknown" || status == "error") v.reason = "timeout";
    v.identity = std::move(identity);
    return v;
}

}  // namespace nhi::test
