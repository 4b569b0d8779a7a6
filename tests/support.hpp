// Test helpers: temporary directories and running the real nhi binary.
#pragma once
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "util/hash.hpp"

namespace nhi::test {

namespace fs = std::filesystem;

/// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
public:
    TempDir() {
        std::random_device rd;
        path_ = fs::temp_directory_path() / ("nhi-test-" + std::to_string(rd()) + std::to_string(::getpid()));
        fs::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    const fs::path& path() const { return path_; }
    fs::path operator/(const std::string& rel) const { return path_ / rel; }

    /// Writes `content` to `rel`, creating parent directories.
    fs::path write(const std::string& rel, const std::string& content) const {
        fs::path p = path_ / rel;
        fs::create_directories(p.parent_path());
        std::ofstream(p, std::ios::binary) << content;
        return p;
    }

private:
    fs::path path_;
};

inline std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct Result {
    int code = -1;
    std::string out;
    std::string err;
};

/// Runs shell `command` in `cwd` with stdout and stderr captured apart.
inline Result run_shell(const std::string& command, const fs::path& cwd, const std::string& stdin_text = "") {
    static int counter = 0;
    fs::path base = fs::temp_directory_path() / ("nhi-run-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::string out = base.string() + ".out", err = base.string() + ".err", in = base.string() + ".in";
    std::ofstream(in, std::ios::binary) << stdin_text;
    std::string cmd = "cd '" + cwd.string() + "' && " + command + " <'" + in + "' >'" + out + "' 2>'" + err + "'";
    int status = std::system(cmd.c_str());
    Result r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = read_file(out);
    r.err = read_file(err);
    fs::remove(out);
    fs::remove(err);
    fs::remove(in);
    return r;
}

/// Runs `nhi ARGS` through the shell in `cwd`, with stdout and stderr captured apart.
/// `args` is shell text: the tests quote their own paths.
inline Result run_nhi(const std::string& args, const fs::path& cwd, const std::string& stdin_text = "") {
    return run_shell("NHI_CACHE_DIR='" + (fs::temp_directory_path() / "nhi-test-cache").string() + "' CI=true '" NHI_BINARY
                     "' " + args,
                     cwd, stdin_text);
}

/// A fake classic GitHub token of the real shape (30 base62 characters and their CRC-32 in 6
/// more), different for each `seed`: planted secrets told apart by their SHA-256.
inline std::string fake_github_token(unsigned seed) {
    static const char* alpha = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    std::string body;
    uint32_t x = 2654435761u ^ seed;
    for (int i = 0; i < 30; ++i) {
        x = x * 1103515245u + 12345u;
        body += alpha[(x >> 10) % 62];
    }
    return "ghp_" + body + util::base62(util::crc32(body), 6);
}

/// Imports every sample export the manifest lists (tests/fixtures/exports) into `cwd`'s
/// datastore. Returns false when the import fails.
inline bool import_samples(const fs::path& cwd) {
    const fs::path exports = fs::path(NHI_FIXTURES) / "exports";
    std::string args;
    auto manifest = nlohmann::json::parse(read_file(exports / "manifest.json"));
    for (const auto& f : manifest["files"]) args += " '" + (exports / f["path"].get<std::string>()).string() + "'";
    return run_nhi("inventory import" + args, cwd).code == 0;
}

}  // namespace nhi::test
