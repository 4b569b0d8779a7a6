// Typed writes and reads of runs and findings.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "db/database.hpp"
#include "db/model.hpp"

namespace nhi::db {

class Store {
public:
    explicit Store(Database& db) : db_(db) {}

    /// Records the start of a run; returns its id.
    util::Expected<int64_t> begin_run(const std::string& kind, const std::string& source,
                                      const std::string& rules_hash);
    /// Marks a run finished with its counters.
    util::Status finish_run(int64_t run, const std::string& status, const nlohmann::json& stats);

    /// Writes findings and their occurrences in one transaction. The plaintext secret is
    /// written only when `store_secrets` is true.
    util::Status record_findings(int64_t run, const std::vector<Finding>& findings, bool store_secrets);

    /// Number of rows in a table, for tests and summaries.
    util::Expected<int64_t> count(const std::string& table);

private:
    Database& db_;
};

}  // namespace nhi::db
