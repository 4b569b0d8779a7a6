// A one-line progress display on stderr for long scans; only on a terminal and never in
// CI, so logs stay clean.
#pragma once
#include <atomic>
#include <thread>

#include "scanners/filesystem.hpp"

namespace nhi::cli {

class Progress {
public:
    /// Starts the display if `enabled`; it redraws a few times a second.
    Progress(const scanners::ScanStats& stats, bool enabled);
    /// Stops and erases the line.
    ~Progress();
    void stop();

    /// True when stderr is a terminal and $CI is unset.
    static bool wanted();

private:
    const scanners::ScanStats& stats_;
    std::atomic<bool> running_{false};
    std::thread thread_;
};

}  // namespace nhi::cli
