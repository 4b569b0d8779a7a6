#include "util/output.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unistd.h>

#include "util/expected.hpp"

namespace nhi::util {

Output::Output(std::string path) : path_(std::move(path)) {
    if (path_.empty()) return;
    temp_ = path_ + ".tmp-" + std::to_string(::getpid());
    file_.open(temp_, std::ios::binary | std::ios::trunc);
    if (!file_) throw Fatal({path_, std::string("cannot write: ") + std::strerror(errno)});
}

Output::~Output() {
    if (!path_.empty() && !committed_) {
        file_.close();
        std::remove(temp_.c_str());
    }
}

void Output::commit() {
    if (path_.empty()) {
        std::cout.flush();
        if (!std::cout) throw Fatal({"stdout", "write failed"});
        return;
    }
    file_.close();
    if (!file_) throw Fatal({path_, "write failed"});
    if (std::rename(temp_.c_str(), path_.c_str()) != 0)
        throw Fatal({path_, std::string("cannot move into place: ") + std::strerror(errno)});
    committed_ = true;
}

}  // namespace nhi::util
