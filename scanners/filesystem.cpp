#include "scanners/filesystem.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

#include "scanners/discovery.hpp"
#include "scanners/gitignore.hpp"
#include "util/text.hpp"
#include "util/worker_pool.hpp"

// The walk never builds a path for the kernel to resolve: every directory is opened relative
// to its parent's descriptor (openat with O_NOFOLLOW|O_DIRECTORY), entries are typed with
// fstatat(AT_SYMLINK_NOFOLLOW), and workers open files relative to a descriptor of their
// directory. So the kernel never resolves a long path (that was quadratic in the depth, and
// failed past PATH_MAX); what each level still costs is its relative path string, which
// .gitignore matching and the output need anyway.
//
// Descriptors are bounded, whatever the depth or width:
// - The walk keeps the descriptors of the deepest directories of its stack (a window of 4
//   to 32, by the limit). Going back up past the window, it reopens the parent as ".." of
//   the child it leaves (one openat per level, checked against the parent's device and
//   inode, so a directory moved during the scan is reported, not silently swapped).
// - Queued files share one duplicate of their directory's descriptor; at most
//   `FdLimits::job_fds` of those are open at once (from RLIMIT_NOFILE), and the walk waits for
//   the workers to release one before taking another.

namespace nhi::scanners {

namespace {

constexpr size_t kQueue = 4096;      // files queued for the workers
constexpr uint64_t kMaxGitignore = 16u << 20;  // read whole; no real one comes near

// Closes a file descriptor on every path out.
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() { reset(); }
    Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    Fd& operator=(Fd&& o) noexcept {
        if (this != &o) {
            reset();
            fd_ = std::exchange(o.fd_, -1);
        }
        return *this;
    }
    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    void reset() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

private:
    int fd_ = -1;
};

std::string errno_text() { return std::strerror(errno); }

// How many descriptors the walk may hold, from the soft RLIMIT_NOFILE.
struct FdLimits {
    size_t window;   // the deepest directories of the stack: an eighth of the limit, 4 to 32
    size_t job_fds;  // shared by queued files: half of what is left after the window, one
                     // file per worker and 64 for the rest (datastore, rules cache, stdio); 1 to 512
};

FdLimits fd_limits(unsigned workers) {
    struct rlimit rl {};
    uint64_t limit = 1024;
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0) limit = rl.rlim_cur == RLIM_INFINITY ? 1u << 20 : rl.rlim_cur;
    FdLimits f{};
    f.window = size_t(std::clamp<uint64_t>(limit / 8, 4, 32));
    uint64_t reserved = f.window + workers + 64;
    f.job_fds = size_t(std::clamp<uint64_t>(limit > reserved ? (limit - reserved) / 2 : 1, 1, 512));
    return f;
}

// Hands out shared duplicates of directory descriptors, at most `n` at once; a request
// waits until a worker releases one. The budget outlives every handle it gave out.
class FdBudget {
public:
    explicit FdBudget(size_t n) : free_(n) {}

    /// A shared duplicate of `fd`; fails when dup fails.
    util::Expected<std::shared_ptr<const Fd>> share(int fd) {
        {
            std::unique_lock lock(mu_);
            freed_.wait(lock, [&] { return free_ > 0; });
            --free_;
        }
        int d = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
        if (d < 0) {
            auto why = errno_text();
            release();
            return util::Error{"dup", why};
        }
        return std::shared_ptr<const Fd>(new Fd(d), [this](const Fd* f) {
            delete f;
            release();
        });
    }

private:
    void release() {
        {
            std::lock_guard lock(mu_);
            ++free_;
        }
        freed_.notify_one();
    }
    std::mutex mu_;
    std::condition_variable freed_;
    size_t free_;
};

struct Job {
    std::shared_ptr<const Fd> dir;  // null: `name` is a path named on the command line
    std::string name;               // what to open, relative to `dir`
    std::string display;            // what to report
};

// Appends what is left of `fd` to `buf`; false (with errno) on a read error. Stops once
// `buf` holds more than `cap` bytes.
bool read_rest(int fd, std::string& buf, uint64_t cap) {
    char chunk[65536];
    while (buf.size() <= cap) {
        ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        if (n == 0) break;
        buf.append(chunk, size_t(n));
    }
    return true;
}

// A file opened for a job, with its size.
struct Opened {
    Fd fd;
    uint64_t size = 0;
};

util::Expected<Opened> open_job(const Job& job) {
    auto fail = [&](std::string why) { return util::Error{job.display, std::move(why)}; };
    // O_NONBLOCK so a FIFO that slipped in after the walk cannot block a worker forever.
    Fd fd(::openat(job.dir ? job.dir->get() : AT_FDCWD, job.name.c_str(),
                   O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY));
    if (!fd) return fail(errno_text());
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return fail(errno_text());
    if (!S_ISREG(st.st_mode)) return fail("not a regular file");
    return Opened{std::move(fd), uint64_t(st.st_size)};
}

// Reads `fd` for the unpacker, retrying interrupted reads.
archive::ReadFn fd_reader(int fd) {
    return [fd](char* buf, size_t n) -> util::Expected<size_t> {
        for (;;) {
            ssize_t got = ::read(fd, buf, n);
            if (got >= 0) return size_t(got);
            if (errno != EINTR) return util::Error{"", errno_text()};
        }
    };
}

// A regular file for the unpacker: reads and seeks that share one position, so that once
// the size fstat gave has been read the end is known without a read(2) that returns 0. Most
// files of a source tree are smaller than the unpacker's first read: this saves one system
// call in two. The file is read as it was when opened: what is appended while it is being
// scanned (a live log) belongs to the next scan. A size of 0 (procfs-like files that do not
// know theirs) is read to its end as before.
struct FileSource {
    int fd;
    uint64_t size;
    uint64_t pos = 0;

    archive::ReadFn reader() {
        return [this](char* buf, size_t n) -> util::Expected<size_t> {
            if (size > 0 && pos >= size) return size_t(0);
            for (;;) {
                ssize_t got = ::read(fd, buf, n);
                if (got >= 0) {
                    pos += uint64_t(got);
                    return size_t(got);
                }
                if (errno != EINTR) return util::Error{"", errno_text()};
            }
        };
    }
    archive::SeekFn seeker() {
        return [this](int64_t offset, int whence) -> util::Expected<int64_t> {
            off_t at = ::lseek(fd, off_t(offset), whence);
            if (at < 0) return util::Error{"", errno_text()};
            pos = uint64_t(at);
            return int64_t(at);
        };
    }
};

enum class Kind { Dir, File, Link, Special, Unknown };

Kind kind_of(mode_t m) {
    if (S_ISDIR(m)) return Kind::Dir;
    if (S_ISREG(m)) return Kind::File;
    if (S_ISLNK(m)) return Kind::Link;
    return Kind::Special;
}

struct Entry {
    std::string name;
    Kind kind;
    bool operator<(const Entry& o) const { return name < o.name; }
};

// One directory on the walk's explicit stack.
struct Frame {
    Fd fd;  // closed when outside the window; reopened as ".." of the child on the way back
    dev_t dev = 0;
    ino_t ino = 0;
    size_t rel_len = 0;      // this directory's length of Walker::rel_
    size_t ignore_mark = 0;  // its .gitignore patterns start here
    std::vector<Entry> entries;
    size_t next = 0;
    std::shared_ptr<const Fd> for_jobs;  // shared by this directory's queued files
};

class Walker {
public:
    Walker(const FileScanOptions& o, ScanStats& s, const ScanSinks& k, util::WorkerPool<Job>& pool, FdBudget& budget,
           size_t window)
        : opts_(o), stats_(s), sinks_(k), pool_(pool), budget_(budget), window_(window) {}

    /// Walks the directory open as `root`; reports paths under `display_root`.
    void walk(Fd root, const std::string& display_root) {
        display_root_ = display_root;
        rel_.clear();
        ignore_ = IgnoreRules();
        if (!enter(std::move(root))) return;
        while (!stack_.empty() && !pool_.failed()) {
            Frame& top = stack_.back();
            if (top.next == top.entries.size()) {
                leave();
                continue;
            }
            Entry e = std::move(top.entries[top.next++]);  // visit() may grow the stack under `top`
            visit(e);
        }
        while (!stack_.empty()) stack_.pop_back();  // the pool failed: drop the rest
    }

private:
    void warn(const std::string& path, const std::string& why) {
        ++stats_.errors;
        sinks_.warning(util::Error{path, why});
    }
    std::string display(std::string_view rel) const {
        if (rel.empty()) rel = ".";
        if (display_root_.empty()) return std::string(rel);
        return display_root_ + "/" + std::string(rel);
    }
    std::string child(const std::string& name) const { return rel_.empty() ? name : rel_ + "/" + name; }

    void visit(const Entry& e) {
        std::string rel = child(e.name);
        switch (e.kind) {
            case Kind::Dir: {
                if (e.name == ".git") return;
                if (opts_.use_ignore && ignore_.ignored(rel, true)) {
                    ++stats_.skipped_ignored;
                    return;
                }
                Frame& parent = stack_.back();
                parent.for_jobs.reset();  // a directory's files hold its descriptor, the walk does not
                Fd fd(::openat(parent.fd.get(), e.name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
                if (!fd) {
                    // A directory replaced by a link since it was listed is still never followed.
                    if (errno == ELOOP || errno == ENOTDIR) ++stats_.skipped_symlink;
                    else warn(display(rel), errno_text());
                    return;
                }
                size_t parent_len = rel_.size();
                rel_ = std::move(rel);
                if (!enter(std::move(fd))) rel_.resize(parent_len);
                return;
            }
            case Kind::File: {
                if (opts_.use_ignore && ignore_.ignored(rel, false)) {
                    ++stats_.skipped_ignored;
                    return;
                }
                Frame& dir = stack_.back();
                if (!dir.for_jobs) {
                    auto shared = budget_.share(dir.fd.get());
                    if (!shared) return warn(display(rel), shared.error().why);
                    dir.for_jobs = std::move(shared.value());
                }
                pool_.submit(Job{dir.for_jobs, e.name, display(rel)});
                return;
            }
            case Kind::Link: ++stats_.skipped_symlink; return;
            case Kind::Special: ++stats_.skipped_special; return;
            case Kind::Unknown: warn(display(rel), "cannot stat"); return;
        }
    }

    // Pushes the directory open as `fd` (its path is rel_): reads its .gitignore and its
    // sorted entries. False, with a warning, when it cannot be listed.
    bool enter(Fd fd) {
        struct stat st {};
        if (::fstat(fd.get(), &st) != 0) {
            warn(display(rel_), errno_text());
            return false;
        }
        Frame f;
        f.dev = st.st_dev;
        f.ino = st.st_ino;
        f.rel_len = rel_.size();
        f.ignore_mark = ignore_.size();
        if (!list(fd.get(), f.entries)) return false;
        if (opts_.use_ignore) read_gitignore(fd.get());
        f.fd = std::move(fd);
        stack_.push_back(std::move(f));
        if (stack_.size() > window_) stack_[stack_.size() - 1 - window_].fd.reset();
        return true;
    }

    // Pops the top directory, reopening its parent through ".." when the window had closed it.
    void leave() {
        Frame done = std::move(stack_.back());
        stack_.pop_back();
        if (stack_.empty()) return;
        Frame& parent = stack_.back();
        ignore_.truncate(done.ignore_mark);
        rel_.resize(parent.rel_len);
        if (parent.fd) return;
        Fd up(::openat(done.fd.get(), "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        struct stat st {};
        if (up && ::fstat(up.get(), &st) == 0 && st.st_dev == parent.dev && st.st_ino == parent.ino) {
            parent.fd = std::move(up);
            return;
        }
        // The directory moved while it was scanned: what is left of it, and of every
        // ancestor whose descriptor is closed, cannot be reached safely.
        warn(display(rel_), "moved during the scan; the rest of it was not scanned");
        size_t mark = done.ignore_mark;
        while (!stack_.empty() && !stack_.back().fd) {
            mark = stack_.back().ignore_mark;
            stack_.pop_back();
        }
        ignore_.truncate(mark);
        if (!stack_.empty()) rel_.resize(stack_.back().rel_len);
    }

    // Lists `dirfd` into `out`, sorted by name; links are typed as links, never followed.
    bool list(int dirfd, std::vector<Entry>& out) {
        int d = ::fcntl(dirfd, F_DUPFD_CLOEXEC, 0);  // fdopendir owns what it is given
        DIR* dir = d < 0 ? nullptr : ::fdopendir(d);
        if (!dir) {
            if (d >= 0) ::close(d);
            warn(display(rel_), errno_text());
            return false;
        }
        std::unique_ptr<DIR, int (*)(DIR*)> own(dir, ::closedir);
        for (;;) {
            errno = 0;
            struct dirent* e = ::readdir(dir);
            if (!e) {
                if (errno) warn(display(rel_), errno_text());
                break;
            }
            std::string_view name = e->d_name;
            if (name == "." || name == "..") continue;
            Kind kind = Kind::Unknown;
            switch (e->d_type) {
                case DT_DIR: kind = Kind::Dir; break;
                case DT_REG: kind = Kind::File; break;
                case DT_LNK: kind = Kind::Link; break;
                case DT_UNKNOWN: {
                    struct stat st {};
                    if (::fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) kind = kind_of(st.st_mode);
                    break;
                }
                default: kind = Kind::Special;
            }
            out.push_back(Entry{std::string(name), kind});
        }
        std::sort(out.begin(), out.end());
        return true;
    }

    // Adds the directory's .gitignore (rel_) to the scoped rules; a link is not read (as git).
    void read_gitignore(int dirfd) {
        Fd fd(::openat(dirfd, ".gitignore", O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY));
        struct stat st {};
        if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return;
        std::string text;
        if (!read_rest(fd.get(), text, kMaxGitignore))
            return warn(display(child(".gitignore")), errno_text());
        if (text.size() > kMaxGitignore)
            return warn(display(child(".gitignore")), "larger than 16 MiB; not read");
        ignore_.add(rel_, text);
    }

    const FileScanOptions& opts_;
    ScanStats& stats_;
    const ScanSinks& sinks_;
    util::WorkerPool<Job>& pool_;
    FdBudget& budget_;
    size_t window_;  // directory descriptors the walk holds
    std::string display_root_;
    std::string rel_;  // the top directory's path relative to the root, '/'-separated
    IgnoreRules ignore_;
    std::vector<Frame> stack_;
};

// A file over --max-file-size is counted as binary or too large by its first bytes only, so
// the counts say the same whatever the limit.
void count_oversized(int fd, ScanStats& stats) {
    std::string head(8192, '\0');
    ssize_t n;
    do n = ::pread(fd, head.data(), head.size(), 0);
    while (n < 0 && errno == EINTR);
    head.resize(n > 0 ? size_t(n) : 0);
    if (util::looks_binary(head)) ++stats.skipped_binary;
    else ++stats.skipped_too_large;
}

// Scans one stream through the unpacker and counts what it was; `seek` when it is a file.
void scan_one(Unpacker& unpacker, const archive::ReadFn& read, const archive::SeekFn* seek, const std::string& display,
              uint64_t max_size, ScanStats& stats, const ScanSinks& sinks) {
    std::vector<db::Finding> findings;
    auto got = unpacker.scan_stream(read, {}, display, max_size, findings, seek);
    if (!got) {
        ++stats.errors;
        sinks.warning(util::Error{display, got.error().why});
        return;
    }
    switch (got.value()) {
        case Unpacker::Outcome::Binary: ++stats.skipped_binary; if (sinks.skipped) sinks.skipped(display, "binary"); return;
        case Unpacker::Outcome::TooLarge: ++stats.skipped_too_large; if (sinks.skipped) sinks.skipped(display, "too large"); return;
        case Unpacker::Outcome::Text:
        case Unpacker::Outcome::Archive: ++stats.files_scanned; break;
    }
    stats.findings += findings.size();
    if (!findings.empty()) sinks.findings(std::move(findings));
}

// Walks or queues each input named on the command line.
void feed(const FileScanOptions& options, Walker& walker, util::WorkerPool<Job>& pool, ScanStats& stats,
          const ScanSinks& sinks) {
    for (const auto& p : options.paths) {
        if (p == "-" || pool.failed()) continue;
        // With one directory, paths are relative to it (the contract CI tools rely on);
        // with several, each keeps its root as a prefix so they cannot collide.
        std::string display_root;
        if (options.paths.size() > 1) {
            display_root = p;
            while (display_root.size() > 1 && display_root.back() == '/') display_root.pop_back();
        }
        // A link named on the command line is the user's explicit choice: followed once.
        Fd dir(::open(p.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK));
        if (dir) walker.walk(std::move(dir), display_root);
        else if (errno == ENOTDIR) pool.submit(Job{nullptr, p, p});
        else {
            ++stats.errors;
            sinks.warning(util::Error{p, errno_text()});
        }
    }
}

}  // namespace

util::Status scan_paths(const FileScanOptions& options, const rules::Engine& engine, ScanStats& stats,
                        const ScanSinks& sinks) {
    // Check every named input first: a typo must fail the run, not pass it quietly.
    for (const auto& p : options.paths) {
        if (p == "-") continue;
        struct stat st {};
        if (::fstatat(AT_FDCWD, p.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return util::Error{p, errno_text()};
    }

    unsigned jobs = options.jobs ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
    FdLimits limits = fd_limits(jobs);
    FdBudget budget(limits.job_fds);  // outlives the pool and every job it holds
    UnpackRun run(options.unpack);
    // Workers outlive their threads so their per-rule costs can be merged after the scan.
    std::mutex workers_mu;
    std::vector<std::shared_ptr<rules::Worker>> workers;
    {
        util::WorkerPool<Job> pool(jobs, kQueue, [&]() -> util::Expected<util::WorkerPool<Job>::Handler> {
            TRY_ASSIGN(std::shared_ptr<rules::Worker> worker, engine.make_worker());
            {
                std::lock_guard lock(workers_mu);
                workers.push_back(worker);
            }
            auto unpacker = std::make_shared<Unpacker>(engine, *worker, run, stats, sinks);
            return util::WorkerPool<Job>::Handler([&, unpacker](Job& job) {
                auto opened = open_job(job);
                if (!opened) {
                    ++stats.errors;
                    sinks.warning(opened.error());
                } else if (options.max_file_size && opened->size > options.max_file_size) {
                    count_oversized(opened->fd.get(), stats);
                    if (sinks.skipped) sinks.skipped(job.display, "larger than --max-file-size");
                } else {
                    FileSource file{opened->fd.get(), opened->size};
                    auto seek = file.seeker();
                    scan_one(*unpacker, file.reader(), &seek, job.display, options.max_file_size, stats,
                             sinks);
                }
                return util::ok_status();
            });
        });
        Walker walker(options, stats, sinks, pool, budget, limits.window);
        feed(options, walker, pool, stats, sinks);
        TRY(pool.finish());
    }

    if (std::find(options.paths.begin(), options.paths.end(), "-") != options.paths.end()) {
        TRY_ASSIGN(std::shared_ptr<rules::Worker> worker, engine.make_worker());
        workers.push_back(worker);
        Unpacker unpacker(engine, *worker, run, stats, sinks);
        const uint64_t skipped = stats.skipped_too_large;
        scan_one(unpacker, fd_reader(STDIN_FILENO), nullptr, "<stdin>", options.max_file_size, stats, sinks);
        if (stats.skipped_too_large > skipped)
            sinks.warning(util::Error{"<stdin>", "larger than --max-file-size; not scanned"});
    }
    rules::RuleStats total;
    for (const auto& w : workers) total.merge(w->rule_stats());
    for (size_t i = 0; i < rules::kAllowForms; ++i) stats.allowed_inline[i] += total.allowed.by_form[i];
    for (const auto& e : rules::rule_warnings(engine, total)) (sinks.rule_warning ? sinks.rule_warning : sinks.warning)(e);
    if (stats.files_scanned == 0 && stats.errors > 0)
        return util::Error{"scan", "nothing could be read (" + std::to_string(stats.errors.load()) + " errors)"};
    return util::ok_status();
}

db::ImportBatch merge_declared(std::vector<db::ImportBatch>&& batches,
                               const std::function<std::string(const std::string&)>& owners_of) {
    db::ImportBatch all;
    all.format = "repository";
    for (auto& b : batches) {
        for (auto& id : b.identities) {
            if (id.owner.empty() && id.data.contains("declared_in") && id.data["declared_in"].is_string()) {
                auto where = id.data["declared_in"].get<std::string>();
                id.owner = owners_of(where);
                id.owner_class = "codeowners";
                id.owner_source = "CODEOWNERS for " + where;
            }
            all.identities.push_back(std::move(id));
        }
        for (auto& c : b.credentials) all.credentials.push_back(std::move(c));
    }
    return all;
}

}  // namespace nhi::scanners
