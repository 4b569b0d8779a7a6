#include "util/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <vector>

namespace nhi::util {
namespace {

mode_t current_umask() {
    static const mode_t mask = [] {
        mode_t m = ::umask(022);
        ::umask(m);
        return m;
    }();
    return mask;
}

}  // namespace

int AtomicFile::FdBuf::sync() { return drain() ? 0 : -1; }

bool AtomicFile::FdBuf::drain() {
    const char* p = pbase();
    while (p < pptr()) {
        ssize_t n = ::write(fd_, p, size_t(pptr() - p));
        if (n < 0) {
            if (errno == EINTR) continue;
            failed_ = true;
            break;
        }
        p += n;
    }
    setp(buf_, buf_ + sizeof buf_);
    return !failed_;
}

AtomicFile::FdBuf::int_type AtomicFile::FdBuf::overflow(int_type c) {
    if (!drain()) return traits_type::eof();
    if (c != traits_type::eof()) {
        *pptr() = char(c);
        pbump(1);
    }
    return traits_type::not_eof(c);
}

std::streamsize AtomicFile::FdBuf::xsputn(const char* s, std::streamsize n) {
    std::streamsize done = 0;
    while (done < n) {
        std::streamsize room = epptr() - pptr();
        if (room == 0) {
            if (!drain()) return done;
            continue;
        }
        std::streamsize k = std::min(room, n - done);
        std::memcpy(pptr(), s + done, size_t(k));
        pbump(int(k));
        done += k;
    }
    return done;
}

AtomicFile::AtomicFile(std::string path, std::string temp, int fd, mode_t mode)
    : path_(std::move(path)), temp_(std::move(temp)), fd_(fd), mode_(mode), buf_(fd), stream_(&buf_) {}

Expected<std::unique_ptr<AtomicFile>> AtomicFile::create(const std::string& path, mode_t mode) {
    // The temp lives in the destination's directory so the rename never crosses a filesystem.
    std::string dir = ".", base = path;
    if (auto slash = path.rfind('/'); slash != std::string::npos) {
        dir = slash == 0 ? "/" : path.substr(0, slash);
        base = path.substr(slash + 1);
    }
    if (base.empty()) return Error{path, "is a directory"};
    std::string templ = (dir == "/" ? "" : dir) + "/." + base + ".tmp-XXXXXX";
    std::vector<char> name(templ.begin(), templ.end());
    name.push_back('\0');
    // mkstemp creates with O_EXCL and mode 0600: nothing another user planted is opened.
    int fd = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd < 0) return Error{path, std::string("cannot write: ") + std::strerror(errno)};
    return std::unique_ptr<AtomicFile>(new AtomicFile(path, name.data(), fd, mode));
}

AtomicFile::~AtomicFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!done_) ::unlink(temp_.c_str());
}

Status AtomicFile::commit() {
    auto fail = [&](const char* what, int err) -> Status {
        ::close(fd_);
        fd_ = -1;
        ::unlink(temp_.c_str());
        done_ = true;
        return Error{path_, std::string(what) + std::strerror(err)};
    };
    if (done_) return Error{path_, "already committed"};
    stream_.flush();
    if (!stream_ || buf_.failed()) return fail("write failed: ", errno ? errno : EIO);
    if (::fchmod(fd_, mode_ & ~current_umask()) != 0) return fail("cannot set mode: ", errno);
    if (::fsync(fd_) != 0) return fail("cannot sync: ", errno);
    if (::close(fd_) != 0) {
        fd_ = -1;
        return fail("write failed: ", errno);
    }
    fd_ = -1;
    if (std::rename(temp_.c_str(), path_.c_str()) != 0) return fail("cannot move into place: ", errno);
    done_ = true;
    return ok_status();
}

Status write_file_atomic(const std::string& path, std::string_view bytes, mode_t mode) {
    TRY_ASSIGN(auto file, AtomicFile::create(path, mode));
    file->stream().write(bytes.data(), std::streamsize(bytes.size()));
    return file->commit();
}

Expected<std::unique_ptr<Output>> Output::open(const std::string& path) {
    std::unique_ptr<Output> out(new Output());
    if (path.empty()) {
        out->stdout_ = &std::cout;
        return out;
    }
    TRY_ASSIGN(out->file_, AtomicFile::create(path));
    return out;
}

Status Output::commit() {
    if (file_) return file_->commit();
    stdout_->flush();
    if (!*stdout_) return Error{"stdout", "write failed"};
    return ok_status();
}

}  // namespace nhi::util
