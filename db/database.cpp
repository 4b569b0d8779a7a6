#include "db/database.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "db/schema.hpp"

namespace nhi::db {
namespace fs = std::filesystem;

int schema_version() { return static_cast<int>(migrations().size()); }

void Database::Close::operator()(sqlite3* db) const { sqlite3_close_v2(db); }
void Statement::Finalize::operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }

std::string resolve_path(const std::string& flag_value) {
    if (!flag_value.empty()) return flag_value;
    if (const char* env = std::getenv("NHI_DB"); env && *env) return env;
    return ".nhi/nhi.db";
}

util::Expected<std::unique_ptr<Database>> Database::open(const std::string& path) {
    std::error_code ec;
    fs::path p(path);
    if (p.has_parent_path() && !fs::exists(p.parent_path(), ec)) {
        fs::create_directories(p.parent_path(), ec);
        if (ec) return util::Error{path, "cannot create directory: " + ec.message()};
        ::chmod(p.parent_path().c_str(), 0700);
    }
    // Create the file ourselves with 0600 so it is never readable by others, even briefly.
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return util::Error{path, std::string("cannot open datastore: ") + std::strerror(errno)};
    ::close(fd);

    std::unique_ptr<Database> d(new Database());
    d->path_ = path;
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    d->db_.reset(raw);
    if (rc != SQLITE_OK)
        return util::Error{path, std::string("cannot open datastore: ") + (raw ? sqlite3_errmsg(raw) : "out of memory")};
    sqlite3_busy_timeout(raw, 10000);
    sqlite3_extended_result_codes(raw, 1);

    // A file that is not a database fails here, on first read.
    auto ver = d->prepare("PRAGMA user_version");
    if (!ver) return util::Error{path, "not an nhi datastore: " + ver.error().why};
    auto has = ver->step();
    if (!has) return util::Error{path, "not an nhi datastore: " + has.error().why};
    int current = static_cast<int>(ver->column_int(0));
    ver = Statement();
    if (current > schema_version())
        return util::Error{path, "datastore schema version " + std::to_string(current) +
                                     " is newer than this nhi supports (" + std::to_string(schema_version()) +
                                     "); upgrade nhi"};
    if (auto s = d->exec("PRAGMA journal_mode=WAL"); !s) return util::Error{path, s.error().why};
    if (auto s = d->exec("PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL"); !s) return util::Error{path, s.error().why};

    const auto& steps = migrations();
    for (int v = current; v < static_cast<int>(steps.size()); ++v) {
        Transaction tx(*d);
        if (auto s = d->exec(steps[size_t(v)]); !s)
            return util::Error{path, "migration to version " + std::to_string(v + 1) + " failed: " + s.error().why};
        if (auto s = d->exec("PRAGMA user_version=" + std::to_string(v + 1)); !s) return util::Error{path, s.error().why};
        if (auto s = tx.commit(); !s) return util::Error{path, s.error().why};
    }
    // WAL and SHM side files get the same private mode as the main file.
    for (const char* suffix : {"-wal", "-shm"}) ::chmod((path + suffix).c_str(), 0600);
    return d;
}

Database::~Database() = default;

util::Status Database::exec(std::string_view sql) {
    char* err = nullptr;
    std::string s(sql);
    if (sqlite3_exec(db_.get(), s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : sqlite3_errmsg(db_.get());
        sqlite3_free(err);
        return util::Error{path_, msg};
    }
    return util::ok_status();
}

util::Expected<Statement> Database::prepare(std::string_view sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK)
        return util::Error{path_, sqlite3_errmsg(db_.get())};
    return Statement(db_.get(), stmt);
}

int64_t Database::last_insert_id() const { return sqlite3_last_insert_rowid(db_.get()); }

Statement& Statement::bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_.get(), i, v);
    return *this;
}
Statement& Statement::bind(int i, std::string_view v) {
    sqlite3_bind_text(stmt_.get(), i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
}
Statement& Statement::bind_blob(int i, std::string_view v) {
    sqlite3_bind_blob(stmt_.get(), i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
}
Statement& Statement::bind_null(int i) {
    sqlite3_bind_null(stmt_.get(), i);
    return *this;
}

util::Expected<bool> Statement::step() {
    int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return util::Error{"datastore", sqlite3_errmsg(db_)};
}

util::Status Statement::run() {
    auto r = step();
    if (!r) return r.error();
    reset();
    return util::ok_status();
}

void Statement::reset() {
    sqlite3_reset(stmt_.get());
    sqlite3_clear_bindings(stmt_.get());
}

int64_t Statement::column_int(int i) const { return sqlite3_column_int64(stmt_.get(), i); }
int Statement::parameter_count() const { return sqlite3_bind_parameter_count(stmt_.get()); }

std::string Statement::column_text(int i) const {
    auto* t = sqlite3_column_text(stmt_.get(), i);
    return t ? std::string(reinterpret_cast<const char*>(t), size_t(sqlite3_column_bytes(stmt_.get(), i))) : "";
}
std::string Statement::column_blob(int i) const {
    auto* b = static_cast<const char*>(sqlite3_column_blob(stmt_.get(), i));
    return b ? std::string(b, size_t(sqlite3_column_bytes(stmt_.get(), i))) : "";
}
bool Statement::column_null(int i) const { return sqlite3_column_type(stmt_.get(), i) == SQLITE_NULL; }

Transaction::Transaction(Database& db) : db_(db) {
    if (auto s = db_.exec("BEGIN IMMEDIATE"); !s) throw util::Fatal(s.error());
}
Transaction::~Transaction() {
    if (!done_) (void)db_.exec("ROLLBACK");
}
util::Status Transaction::commit() {
    done_ = true;
    return db_.exec("COMMIT");
}

}  // namespace nhi::db
