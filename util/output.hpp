// Where a report goes: stdout, or a file written beside its destination and renamed into
// place on success, so an interrupted or failed run never leaves half a report where the
// last good one was.
#pragma once
#include <fstream>
#include <iostream>
#include <string>

namespace nhi::util {

class Output {
public:
    /// `path` empty means stdout. Throws Fatal when the file cannot be created.
    explicit Output(std::string path);
    ~Output();
    Output(const Output&) = delete;
    Output& operator=(const Output&) = delete;

    std::ostream& stream() { return path_.empty() ? std::cout : file_; }
    bool is_stdout() const { return path_.empty(); }
    /// Flushes and, for a file, moves it into place. Throws Fatal on a write error.
    void commit();

private:
    std::string path_, temp_;
    std::ofstream file_;
    bool committed_ = false;
};

}  // namespace nhi::util
