#include "db/database.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
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

namespace {

std::string errno_text() { return std::strerror(errno); }

std::string octal_mode(mode_t m) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", unsigned(m & 07777));
    return buf;
}

// Creates the missing directories of `dir` one by one with 0700: a datastore directory is
// private, and so is every parent nhi makes for it.
util::Status make_private_dirs(const fs::path& dir) {
    std::error_code ec;
    if (dir.empty() || fs::exists(dir, ec)) return util::ok_status();
    TRY(make_private_dirs(dir.parent_path()));
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        return util::Error{dir.string(), "cannot create directory: " + errno_text()};
    return util::ok_status();
}

// Why a file someone else could have written must not be opened: another user owns it, or
// group or others can write it (then they could plant rows, or read what nhi stores).
util::Status check_owner_and_mode(const std::string& path, const struct stat& st, const char* what) {
    if (!S_ISREG(st.st_mode)) return util::Error{path, std::string(what) + " is not a regular file; refusing to open it"};
    if (st.st_uid != ::geteuid())
        return util::Error{path, std::string(what) + " is owned by another user (uid " + std::to_string(st.st_uid) +
                                     "); refusing to open it"};
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        return util::Error{path, std::string(what) + " is writable by group or others (mode " + octal_mode(st.st_mode) +
                                     "); refusing to open it (chmod 600 it if you trust its contents)"};
    return util::ok_status();
}

// The -wal and -shm side files hold the newest rows: one another user planted would be read
// as ours. SQLite creates missing ones with the main file's mode.
util::Status check_side_files(const std::string& path) {
    for (const char* suffix : {"-wal", "-shm"}) {
        const std::string side = path + suffix;
        struct stat st {};
        if (::lstat(side.c_str(), &st) != 0) {
            if (errno == ENOENT) continue;
            return util::Error{side, "cannot inspect datastore file: " + errno_text()};
        }
        if (S_ISLNK(st.st_mode)) return util::Error{side, "datastore file is a symbolic link; refusing to follow it"};
        TRY(check_owner_and_mode(side, st, "datastore file"));
    }
    return util::ok_status();
}

// Opens the main file ourselves before SQLite does: created exclusively with 0600 (never
// readable by others, even briefly, and never someone else's file), or an existing one opened
// without following a symlink and checked on the descriptor. Returns its (device, inode).
util::Expected<std::pair<dev_t, ino_t>> open_main_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST) fd = ::open(path.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ELOOP) return util::Error{path, "datastore is a symbolic link; refusing to follow it"};
        return util::Error{path, "cannot open datastore: " + errno_text()};
    }
    struct stat st {};
    const bool ok = ::fstat(fd, &st) == 0;
    const std::string stat_error = ok ? "" : errno_text();
    ::close(fd);
    if (!ok) return util::Error{path, "cannot inspect datastore: " + stat_error};
    TRY(check_owner_and_mode(path, st, "datastore"));
    return std::pair<dev_t, ino_t>{st.st_dev, st.st_ino};
}

}  // namespace

util::Expected<std::unique_ptr<Database>> Database::open(const std::string& path) {
    fs::path p(path);
    if (p.has_parent_path()) TRY(make_private_dirs(p.parent_path()));
    TRY_ASSIGN(auto id, open_main_file(path));
    TRY(check_side_files(path));

    std::unique_ptr<Database> d(new Database());
    d->path_ = path;
    sqlite3* raw = nullptr;
    // NOFOLLOW: SQLite would otherwise resolve a symlink swapped in since our check.
    int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW,
                             nullptr);
    d->db_.reset(raw);
    if (rc != SQLITE_OK)
        return util::Error{path, std::string("cannot open datastore: ") + (raw ? sqlite3_errmsg(raw) : "out of memory")};
    // The file SQLite opened must be the one we checked, not one renamed into its place.
    struct stat now {};
    if (::lstat(path.c_str(), &now) != 0 || now.st_dev != id.first || now.st_ino != id.second)
        return util::Error{path, "datastore was replaced while it was being opened; refusing to use it"};
    sqlite3_busy_timeout(raw, 10000);
    sqlite3_extended_result_codes(raw, 1);

    // A file that is not a database fails here, on first read.
    TRY_ASSIGN(int current, d->user_version());
    if (current > schema_version()) return d->newer_schema(current);
    // Switching a new file to WAL can return SQLITE_BUSY at once, without the busy handler,
    // while another process makes the same switch: retry for the busy timeout's length.
    for (int attempt = 0;; ++attempt) {
        auto s = d->exec("PRAGMA journal_mode=WAL");
        if (s) break;
        if (attempt >= 200 || s.error().why.find("locked") == std::string::npos)
            return util::Error{path, s.error().why};
        ::usleep(50 * 1000);
    }
    if (auto s = d->exec("PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL"); !s) return util::Error{path, s.error().why};
    if (current < schema_version()) TRY(d->migrate());
    return d;
}

util::Expected<int> Database::user_version() {
    auto ver = prepare("PRAGMA user_version");
    if (!ver) return util::Error{path_, "not an nhi datastore: " + ver.error().why};
    auto has = ver->step();
    if (!has) return util::Error{path_, "not an nhi datastore: " + has.error().why};
    return static_cast<int>(ver->column_int(0));
}

util::Error Database::newer_schema(int current) const {
    return util::Error{path_, "datastore schema version " + std::to_string(current) +
                                  " is newer than this nhi supports (" + std::to_string(schema_version()) +
                                  "); upgrade nhi"};
}

// Concurrent first uses (four imports started together on a new file) must not each run the
// migrations: the exclusive lock serializes them, and the version is read again under it, so
// the later ones find the work done.
util::Status Database::migrate() {
    TRY_ASSIGN(auto tx, Transaction::begin(*this, Transaction::Lock::Exclusive));
    TRY_ASSIGN(int current, user_version());
    if (current > schema_version()) return newer_schema(current);
    const auto& steps = migrations();
    for (int v = current; v < static_cast<int>(steps.size()); ++v) {
        if (auto s = exec(steps[size_t(v)]); !s)
            return util::Error{path_, "migration to version " + std::to_string(v + 1) + " failed: " + s.error().why};
        if (auto s = exec("PRAGMA user_version=" + std::to_string(v + 1)); !s) return util::Error{path_, s.error().why};
    }
    if (auto s = tx.commit(); !s) return util::Error{path_, s.error().why};
    return util::ok_status();
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

Statement& Statement::check_bind(int i, int rc) {
    if (rc != SQLITE_OK && !bind_error_)
        bind_error_ = util::Error{"datastore", "cannot bind parameter " + std::to_string(i) + ": " + sqlite3_errstr(rc)};
    return *this;
}
Statement& Statement::bind(int i, int64_t v) { return check_bind(i, sqlite3_bind_int64(stmt_.get(), i, v)); }
// The 64-bit length variants: a value over 2 GiB fails as too big instead of being truncated.
Statement& Statement::bind(int i, std::string_view v) {
    return check_bind(i, sqlite3_bind_text64(stmt_.get(), i, v.data(), sqlite3_uint64(v.size()), SQLITE_TRANSIENT,
                                             SQLITE_UTF8));
}
Statement& Statement::bind_blob(int i, std::string_view v) {
    return check_bind(i, sqlite3_bind_blob64(stmt_.get(), i, v.data(), sqlite3_uint64(v.size()), SQLITE_TRANSIENT));
}
Statement& Statement::bind_null(int i) { return check_bind(i, sqlite3_bind_null(stmt_.get(), i)); }

util::Expected<bool> Statement::step() {
    if (bind_error_) return *bind_error_;
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
    bind_error_.reset();
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

util::Expected<Transaction> Transaction::begin(Database& db, Lock lock) {
    TRY(db.exec(lock == Lock::Exclusive ? "BEGIN EXCLUSIVE" : "BEGIN IMMEDIATE"));
    return Transaction(db);
}
Transaction::~Transaction() {
    if (!done_) (void)db_->exec("ROLLBACK");
}
util::Status Transaction::commit() {
    TRY(db_->exec("COMMIT"));
    // Only now: a COMMIT that failed (a deferred constraint, a full disk) leaves the
    // transaction open, and the destructor must roll it back.
    done_ = true;
    return util::ok_status();
}

}  // namespace nhi::db
