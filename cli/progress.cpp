#include "cli/progress.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string_view>
#include <fmt/format.h>

#include "reports/finding_render.hpp"

namespace nhi::cli {

bool Progress::wanted() {
    const char* ci = std::getenv("CI");
    const char* term = std::getenv("TERM");
    // A dumb terminal cannot redraw a line in place.
    return ::isatty(STDERR_FILENO) && !(ci && *ci) && !(term && std::string_view(term) == "dumb");
}

Progress::Progress(const scanners::ScanStats& stats, bool enabled) : stats_(stats) {
    if (!enabled) return;
    running_ = true;
    thread_ = std::thread([this] {
        auto start = std::chrono::steady_clock::now();
        bool drawn = false;
        while (running_) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            if (elapsed < 0.5) continue;  // short scans stay silent
            fmt::print(stderr, "\r\x1b[Kscanning: {} files, {}, {} findings, {:.1f}s", stats_.files_scanned.load(),
                       reports::human_bytes(stats_.bytes_scanned.load()), stats_.findings.load(), elapsed);
            drawn = true;
        }
        if (drawn) fmt::print(stderr, "\r\x1b[K");
    });
}

void Progress::stop() {
    running_ = false;
    if (thread_.joinable()) thread_.join();
}

Progress::~Progress() { stop(); }

}  // namespace nhi::cli
