#include "scanners/codeowners.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/glob.hpp"

namespace fs = std::filesystem;

namespace nhi::scanners {

std::optional<CodeOwners> CodeOwners::find(const std::string& path) {
    std::error_code ec;
    fs::path dir = fs::absolute(path, ec);
    if (ec) return std::nullopt;
    if (!fs::is_directory(dir, ec)) dir = dir.parent_path();
    // The repository root: the nearest directory with .git; else the scanned directory.
    fs::path root = dir;
    for (fs::path p = dir; !p.empty(); p = p.parent_path()) {
        if (fs::exists(p / ".git", ec)) {
            root = p;
            break;
        }
        if (p == p.parent_path()) break;
    }
    for (const char* rel : {".github/CODEOWNERS", "CODEOWNERS", ".gitlab/CODEOWNERS", "docs/CODEOWNERS"}) {
        std::ifstream in(root / rel);
        if (!in) continue;
        std::stringstream ss;
        ss << in.rdbuf();
        auto c = parse(ss.str(), root.string());
        c.base_ = dir.string();
        return c;
    }
    return std::nullopt;
}

CodeOwners CodeOwners::parse(std::string_view text, std::string root) {
    CodeOwners c;
    c.base_ = root;
    c.root_ = std::move(root);
    std::istringstream lines{std::string(text)};
    for (std::string line; std::getline(lines, line);) {
        if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
        std::istringstream words(line);
        std::string pattern, owner, owners;
        if (!(words >> pattern) || pattern.front() == '[') continue;  // blank, or a GitLab [Section]
        while (words >> owner) owners += (owners.empty() ? "" : " ") + owner;
        // gitignore-style: a leading or inner slash anchors to the root; otherwise the name
        // matches at any depth; a trailing slash (or any match) covers what is below it.
        if (pattern.back() == '/') pattern.pop_back();
        bool anchored = pattern.find('/') != std::string::npos;
        if (!pattern.empty() && pattern.front() == '/') pattern.erase(0, 1);
        if (!anchored && pattern.rfind("**", 0) != 0) pattern = "**/" + pattern;
        if (!pattern.empty()) c.rules_.push_back({pattern, owners});
    }
    return c;
}

std::string CodeOwners::owners_of(const std::string& path) const {
    std::error_code ec;
    fs::path p0(path);
    fs::path full = p0.is_absolute() ? p0 : fs::path(base_) / p0;
    fs::path rel = fs::relative(full.lexically_normal(), root_, ec);
    if (ec || rel.empty() || *rel.begin() == "..") return "";
    const std::string p = rel.generic_string();
    if (p == ".") return "";
    for (auto it = rules_.rbegin(); it != rules_.rend(); ++it)
        if (util::glob_match(it->glob, p) || util::glob_match(it->glob + "/**", p)) return it->owners;
    return "";
}

}  // namespace nhi::scanners
