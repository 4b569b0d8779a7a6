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
    /// Opens (creating exclusively with mode 0600, new directories 0700) and migrates the
    /// datastore. Fails on an unwritable path; a symlink; a file (or its -wal/-shm) that another
    /// user owns or that group or others can write; a file that is not SQLite; a newer schema.
    static util::Expected<std::unique_ptr<Database>> open(const std::string& path);
    ~Database();

    /// Runs SQL with no results; fails with SQLite's message.
    util::Status exec(std::string_view sql);
    /// Prepares a statement; every value is bound, never formatted into SQL.
    util::Expected<Statement> prepare(std::string_view sql);
    /// The rowid of the last insert on this connection (cannot fail).
    int64_t last_insert_id() const;
    const std::string& path() const { return path_; }
    /// The raw handle, for tests and SQLite limits; nhi code goes through prepare().
    sqlite3* handle() const { return db_.get(); }

private:
    struct Close {
        void operator()(sqlite3* db) const;
    };
    Database() = default;
    util::Expected<int> user_version();
    util::Error newer_schema(int current) const;
    util::Status migrate();
    std::unique_ptr<sqlite3, Close> db_;
    std::string path_;
};

/// A prepared statement; steps, binds and reads columns. Binding cannot fail silently: the
/// first failed bind is kept and returned by the next step() or run().
class Statement {
public:
    Statement() = default;
    Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}

    /// Binds parameter ?i and returns *this for chaining; a failure is kept for step()/run().
    Statement& bind(int i, int64_t v);
    Statement& bind(int i, std::string_view v);
    Statement& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
    Statement& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
    /// Binds SQL NULL to ?i (a failure is kept, as for bind).
    Statement& bind_null(int i);
    /// Binds bytes as a BLOB (object ids), not TEXT.
    Statement& bind_blob(int i, std::string_view v);
    /// Binds the text, or NULL when there is none.
    Statement& bind_opt(int i, const std::optional<std::string>& v) {
        return v ? bind(i, *v) : bind_null(i);
    }

    /// True while a row is available; fails on SQLite errors.
    util::Expected<bool> step();
    /// Steps to completion of a statement that returns no rows.
    util::Status run();
    /// Resets the statement for reuse and clears its bindings (and any kept bind error).
    void reset();

    /// Column i of the current row (0 / empty for NULL); these cannot fail.
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
    Statement& check_bind(int i, int rc);
    sqlite3* db_ = nullptr;
    std::unique_ptr<sqlite3_stmt, Finalize> stmt_;
    std::optional<util::Error> bind_error_;  // the first failed bind since the last reset
};

/// Commits on commit(), rolls back on destruction otherwise: a failed batch (or a failed
/// COMMIT) leaves nothing.
class Transaction {
public:
    enum class Lock { Immediate, Exclusive };
    /// Begins a transaction that takes the write lock now (waiting out the busy timeout);
    /// fails when the lock cannot be had.
    static util::Expected<Transaction> begin(Database& db, Lock lock = Lock::Immediate);
    Transaction(Transaction&& other) noexcept : db_(other.db_), done_(other.done_) { other.done_ = true; }
    Transaction& operator=(Transaction&&) = delete;
    ~Transaction();
    /// Commits; on failure the transaction stays open and the destructor rolls it back.
    util::Status commit();

private:
    explicit Transaction(Database& db) : db_(&db) {}
    Database* db_;
    bool done_ = false;
};

/// The datastore path from --db, then $NHI_DB, then ./.nhi/nhi.db.
std::string resolve_path(const std::string& flag_value);

}  // namespace nhi::db
