// The SQLite datastore: one file, WAL, versioned schema with forward-only migrations.
// Nothing outside db/ touches sqlite3 directly.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "util/expected.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace nhi::db {

/// The schema version this binary writes; older files are migrated forward on open.
int schema_version();

class Statement;

class Database {
public:
    /// Opens (creating with mode 0600, its directory 0700) and migrates the datastore.
    /// Fails on an unwritable path, a file that is not SQLite, or a newer schema.
    static util::Expected<std::unique_ptr<Database>> open(const std::string& path);
    ~Database();

    /// Runs SQL with no results; fails with SQLite's message.
    util::Status exec(std::string_view sql);
    /// Prepares a statement; every value is bound, never formatted into SQL.
    util::Expected<Statement> prepare(std::string_view sql);
    int64_t last_insert_id() const;
    const std::string& path() const { return path_; }
    sqlite3* handle() const { return db_.get(); }

private:
    struct Close {
        void operator()(sqlite3* db) const;
    };
    Database() = default;
    std::unique_ptr<sqlite3, Close> db_;
    std::string path_;
};

/// A prepared statement; steps, binds and reads columns.
class Statement {
public:
    Statement() = default;
    Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}

    Statement& bind(int i, int64_t v);
    Statement& bind(int i, std::string_view v);
    Statement& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
    Statement& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
    Statement& bind_null(int i);
    /// Binds bytes as a BLOB (object ids), not TEXT.
    Statement& bind_blob(int i, std::string_view v);
    Statement& bind_opt(int i, const std::optional<std::string>& v) {
        return v ? bind(i, *v) : bind_null(i);
    }

    /// True while a row is available; fails on SQLite errors.
    util::Expected<bool> step();
    /// Steps to completion of a statement that returns no rows.
    util::Status run();
    void reset();

    int64_t column_int(int i) const;
    /// The number of ?N parameters the statement takes.
    int parameter_count() const;
    std::string column_text(int i) const;
    std::string column_blob(int i) const;
    bool column_null(int i) const;

private:
    struct Finalize {
        void operator()(sqlite3_stmt* s) const;
    };
    sqlite3* db_ = nullptr;
    std::unique_ptr<sqlite3_stmt, Finalize> stmt_;
};

/// Commits on commit(), rolls back on destruction otherwise: a failed batch leaves nothing.
class Transaction {
public:
    explicit Transaction(Database& db);
    ~Transaction();
    util::Status commit();

private:
    Database& db_;
    bool done_ = false;
};

/// The datastore path from --db, then $NHI_DB, then ./.nhi/nhi.db.
std::string resolve_path(const std::string& flag_value);

}  // namespace nhi::db
