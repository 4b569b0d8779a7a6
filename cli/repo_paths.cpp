#include "cli/repo_paths.hpp"

#include <filesystem>

namespace nhi::cli {

namespace fs = std::filesystem;

std::string scan_base(const std::vector<std::string>& paths, bool git) {
    if (git) return "";
    std::error_code ec;
    if (paths.size() == 1 && paths[0] != "-" && fs::is_directory(paths[0], ec)) return paths[0];
    for (const auto& p : paths)
        if (p != "-") return ".";
    return "";
}

std::string find_repo_root(const std::string& dir) {
    std::error_code ec;
    fs::path start = fs::weakly_canonical(fs::absolute(dir, ec), ec);
    if (ec) return "";
    for (fs::path p = start; !p.empty(); p = p.parent_path()) {
        if (fs::exists(p / ".git", ec)) return p.string();
        if (p == p.parent_path()) break;
    }
    return "";
}

std::string prefix_under(const std::string& path, const std::string& base) {
    if (path.empty() || base.empty()) return prefix_under(path.empty() ? "." : path, base.empty() ? "." : base);
    std::error_code ec;
    fs::path p = fs::weakly_canonical(fs::absolute(path, ec), ec);
    if (ec) return "";
    fs::path b = fs::weakly_canonical(fs::absolute(base, ec), ec);
    if (ec) return "";
    auto rel = fs::relative(p, b, ec).generic_string();
    if (ec || rel.empty() || rel == "." || rel.rfind("..", 0) == 0) return "";
    return rel + "/";
}

std::string repo_prefix(const std::vector<std::string>& paths, bool git) {
    std::string base = scan_base(paths, git);
    if (base.empty()) return "";
    std::string root = find_repo_root(base);
    return root.empty() ? "" : prefix_under(base, root);
}

std::string join_repo_path(const std::string& prefix, const std::string& path) {
    if (!path.empty() && path[0] == '/') return path;
    const size_t bang = path.find('!');
    std::string file = prefix + path.substr(0, bang);
    std::string joined = fs::path(file).lexically_normal().generic_string();
    return bang == std::string::npos ? joined : joined + path.substr(bang);
}

}  // namespace nhi::cli
