#include "scanners/filesystem.hpp"

#include "scanners/discovery.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

#include "scanners/gitignore.hpp"
#include "util/queue.hpp"
#include "util/text.hpp"

namespace nhi::scanners {
namespace fs = std::filesystem;

namespace {

struct Job {
    std::string abs;      // what to open
    std::string display;  // what to report
    uint64_t size = 0;
};

// Closes a file descriptor on every path out.
class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

// Reads a whole regular file into `buf` (reused across files to avoid reallocations).
util::Status read_file(const Job& job, uint64_t max_size, std::string& buf, bool& too_large) {
    too_large = false;
    // O_NONBLOCK so a FIFO that slipped in after the walk cannot block a worker forever.
    Fd fd(::open(job.abs.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    if (fd.get() < 0) return util::Error{job.display, std::strerror(errno)};
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return util::Error{job.display, std::strerror(errno)};
    if (!S_ISREG(st.st_mode)) return util::Error{job.display, "not a regular file"};
    if (uint64_t(st.st_size) > max_size) {
        too_large = true;
        return util::ok_status();
    }
    buf.resize(size_t(st.st_size));
    size_t got = 0;
    while (got < buf.size()) {
        ssize_t n = ::read(fd.get(), buf.data() + got, buf.size() - got);
        if (n < 0) {
            if (errno == EINTR) continue;
            return util::Error{job.display, std::strerror(errno)};
        }
        if (n == 0) break;  // the file shrank while we read it
        got += size_t(n);
    }
    buf.resize(got);
    return util::ok_status();
}

class Walker {
public:
    Walker(const FileScanOptions& o, ScanStats& s, const ScanSinks& k, util::BoundedQueue<Job>& q)
        : opts_(o), stats_(s), sinks_(k), queue_(q) {}

    void walk_dir(const fs::path& root, const std::string& display_root) {
        IgnoreRules ignore;
        walk(root, "", display_root, ignore);
    }

private:
    void warn(const std::string& path, const std::string& why) {
        ++stats_.errors;
        sinks_.warning(util::Error{path, why});
    }

    std::string display(const std::string& display_root, const std::string& rel) {
        if (display_root.empty()) return rel;
        return display_root + "/" + rel;
    }

    void walk(const fs::path& dir, const std::string& rel, const std::string& display_root, IgnoreRules& ignore) {
        struct Scope {  // this directory's .gitignore applies to its subtree only
            IgnoreRules& rules;
            size_t mark;
            ~Scope() { rules.truncate(mark); }
        } scope{ignore, ignore.size()};
        if (opts_.use_ignore) {
            std::ifstream gi(dir / ".gitignore", std::ios::binary);
            if (gi) {
                std::string text((std::istreambuf_iterator<char>(gi)), std::istreambuf_iterator<char>());
                ignore.add(rel, text);
            }
        }
        std::error_code ec;
        fs::directory_iterator it(dir, fs::directory_options::none, ec);
        if (ec) {
            warn(display(display_root, rel.empty() ? "." : rel), ec.message());
            return;
        }
        std::vector<std::pair<std::string, fs::file_type>> entries;
        for (; it != fs::directory_iterator(); it.increment(ec)) {
            if (ec) {
                warn(display(display_root, rel.empty() ? "." : rel), ec.message());
                break;
            }
            std::error_code sec;
            // symlink_status: links are reported as links, never followed, so loops are impossible.
            auto st = it->symlink_status(sec);
            entries.emplace_back(it->path().filename().string(), sec ? fs::file_type::unknown : st.type());
        }
        std::sort(entries.begin(), entries.end());
        for (const auto& [name, type] : entries) {
            std::string child_rel = rel.empty() ? name : rel + "/" + name;
            if (type == fs::file_type::directory) {
                if (name == ".git") continue;
                if (opts_.use_ignore && ignore.ignored(child_rel, true)) {
                    ++stats_.skipped_ignored;
                    continue;
                }
                walk(dir / name, child_rel, display_root, ignore);
            } else if (type == fs::file_type::regular) {
                if (opts_.use_ignore && ignore.ignored(child_rel, false)) {
                    ++stats_.skipped_ignored;
                    continue;
                }
                queue_.push(Job{(dir / name).string(), display(display_root, child_rel), 0});
            } else if (type == fs::file_type::symlink) {
                ++stats_.skipped_symlink;
            } else if (type == fs::file_type::unknown) {
                warn(display(display_root, child_rel), "cannot stat");
            } else {
                ++stats_.skipped_special;
            }
        }
    }

    const FileScanOptions& opts_;
    ScanStats& stats_;
    const ScanSinks& sinks_;
    util::BoundedQueue<Job>& queue_;
};

}  // namespace

std::vector<db::Finding> to_findings(const rules::Engine& engine, const std::vector<rules::Match>& matches,
                                     std::string_view data, const std::string& path, bool path_scoped) {
    std::vector<db::Finding> out;
    out.reserve(matches.size());
    // Matches come sorted by start; secrets start at or after their match, so sort by
    // secret offset for the single forward pass of the line counter.
    std::vector<const rules::Match*> order;
    for (const auto& m : matches) order.push_back(&m);
    std::sort(order.begin(), order.end(),
              [](auto* a, auto* b) { return a->secret_start < b->secret_start; });
    util::LineCounter lines(data);
    bool has_secret = false;
    std::vector<bool> is_context;
    for (const auto* m : order) {
        auto [line, col] = lines.locate(m->secret_start);
        const auto& rule = engine.rules()[m->rule];
        if (path_scoped && !rule.applies_to(path)) continue;
        out.push_back(db::make_finding(rule, data.substr(m->secret_start, m->secret_end - m->secret_start), path,
                                       line, col, m->hints));
        if (!rule.secretless() && !m->weak) has_secret = true;
        is_context.push_back(rule.context);
    }
    // The secret that made context worth keeping may have been dropped for this path (an
    // unquoted `token = Name.Builtin` in Python source): context alone is not reported.
    if (path_scoped && !has_secret) {
        size_t w = 0;
        for (size_t i = 0; i < out.size(); ++i)
            if (!is_context[i]) {
                if (w != i) out[w] = std::move(out[i]);  // never self-move: it empties the finding
                ++w;
            }
        out.resize(w);
    }
    return out;
}

util::Status scan_paths(const FileScanOptions& options, const rules::Engine& engine, ScanStats& stats,
                        const ScanSinks& sinks) {
    // Check every named input first: a typo must fail the run, not pass it quietly.
    for (const auto& p : options.paths) {
        if (p == "-") continue;
        std::error_code ec;
        auto st = fs::symlink_status(p, ec);
        if (ec || st.type() == fs::file_type::not_found)
            return util::Error{p, ec ? ec.message() : "no such file or directory"};
    }

    unsigned jobs = options.jobs ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
    util::BoundedQueue<Job> queue(4096);

    auto scan_blob = [&](rules::Worker& w, std::string_view data, const std::string& display) {
        if (util::looks_binary(data)) {
            ++stats.skipped_binary;
            return;
        }
        auto matches = w.scan(data, /*keep_lone_context=*/false, &display);
        ++stats.files_scanned;
        stats.bytes_scanned += data.size();
        if (sinks.discovered && discoverable(display)) {
            auto batch = discover(display, data);
            if (!batch.identities.empty() || !batch.warnings.empty()) sinks.discovered(std::move(batch));
        }
        if (matches.empty()) return;
        auto findings = to_findings(engine, matches, data, display);
        stats.findings += findings.size();
        sinks.findings(std::move(findings));
    };

    std::vector<std::thread> threads;
    for (unsigned t = 0; t < jobs; ++t) {
        threads.emplace_back([&] {
            auto made = engine.make_worker();
            if (!made) {  // this thread cannot scan: count its share so the walk never blocks
                sinks.warning(made.error());
                while (queue.pop()) ++stats.errors;
                return;
            }
            auto& worker = made.value();
            std::string buf;
            while (auto job = queue.pop()) {
                bool too_large = false;
                auto s = read_file(*job, options.max_file_size, buf, too_large);
                if (!s) {
                    ++stats.errors;
                    sinks.warning(s.error());
                    continue;
                }
                if (too_large) {
                    ++stats.skipped_too_large;
                    continue;
                }
                scan_blob(*worker, buf, job->display);
            }
        });
    }

    Walker walker(options, stats, sinks, queue);
    bool read_stdin = false;
    for (const auto& p : options.paths) {
        if (p == "-") {
            read_stdin = true;
            continue;
        }
        std::error_code ec;
        auto st = fs::symlink_status(p, ec);
        // With one directory, paths are relative to it (the contract CI tools rely on);
        // with several, each keeps its root as a prefix so they cannot collide.
        std::string display_root;
        if (options.paths.size() > 1) {
            display_root = p;
            while (display_root.size() > 1 && display_root.back() == '/') display_root.pop_back();
        }
        // A link named on the command line is the user's explicit choice: follow it once.
        if (st.type() == fs::file_type::directory ||
            (st.type() == fs::file_type::symlink && fs::is_directory(p, ec))) {
            walker.walk_dir(p, display_root);
        } else {
            queue.push(Job{p, p, 0});
        }
    }
    queue.close();
    for (auto& t : threads) t.join();

    if (read_stdin) {
        std::string data;
        char chunk[65536];
        bool truncated = false;
        while (std::cin.read(chunk, sizeof chunk) || std::cin.gcount() > 0) {
            data.append(chunk, size_t(std::cin.gcount()));
            if (data.size() > options.max_file_size) {
                truncated = true;
                break;
            }
        }
        if (truncated) {
            ++stats.skipped_too_large;
            sinks.warning(util::Error{"<stdin>", "larger than --max-file-size; not scanned"});
        } else {
            auto worker = engine.make_worker();
            if (!worker) return worker.error();
            scan_blob(*worker.value(), data, "<stdin>");
        }
    }
    if (stats.files_scanned == 0 && stats.errors > 0)
        return util::Error{"scan", "nothing could be read (" + std::to_string(stats.errors.load()) + " errors)"};
    return util::ok_status();
}

}  // namespace nhi::scanners
