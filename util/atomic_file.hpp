// Every file nhi writes (reports, scan output, baselines, caches) is written to a private
// temp file in the destination's directory and renamed over it on success, so a failed or
// interrupted run never leaves half a file where the last good one was, and a reader never
// sees one. The temp is removed on every failure path.
#pragma once
#include <sys/types.h>

#include <memory>
#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>

#include "util/expected.hpp"

namespace nhi::util {

class AtomicFile {
public:
    /// Creates the temp file beside `path` (exclusively, never following a link). `mode` is
    /// the final file's mode before the umask. Fails when the directory is not writable.
    static Expected<std::unique_ptr<AtomicFile>> create(const std::string& path, mode_t mode = 0666);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    std::ostream& stream() { return stream_; }
    /// Flushes, syncs and renames the temp over the destination. Fails on any write error,
    /// and then the destination is untouched and the temp is gone.
    Status commit();
    const std::string& path() const { return path_; }

private:
    class FdBuf : public std::streambuf {
    public:
        explicit FdBuf(int fd) : fd_(fd) { setp(buf_, buf_ + sizeof buf_); }
        bool failed() const { return failed_; }
        int sync() override;

    protected:
        int_type overflow(int_type c) override;
        std::streamsize xsputn(const char* s, std::streamsize n) override;

    private:
        bool drain();
        int fd_;
        bool failed_ = false;
        char buf_[1 << 16];
    };
    AtomicFile(std::string path, std::string temp, int fd, mode_t mode);
    std::string path_, temp_;
    int fd_;
    mode_t mode_;
    FdBuf buf_;
    std::ostream stream_;
    bool done_ = false;
};

/// Writes `bytes` to `path` through an AtomicFile.
Status write_file_atomic(const std::string& path, std::string_view bytes, mode_t mode = 0666);

/// Where a report goes: stdout, or an AtomicFile. `path` empty means stdout.
class Output {
public:
    static Expected<std::unique_ptr<Output>> open(const std::string& path);
    std::ostream& stream() { return file_ ? file_->stream() : *stdout_; }
    bool is_stdout() const { return !file_; }
    /// Flushes stdout, or moves the file into place; fails on a write error.
    Status commit();

private:
    Output() = default;
    std::unique_ptr<AtomicFile> file_;
    std::ostream* stdout_ = nullptr;
};

}  // namespace nhi::util
