// GitHub/GitLab CODEOWNERS: who owns a path. A weak owner signal for credentials found in a
// repository and for identities its configuration declares.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nhi::scanners {

class CodeOwners {
public:
    /// Loads CODEOWNERS from the repository holding `path` (CODEOWNERS, .github/, .gitlab/ or
    /// docs/ at its root); nothing when there is none.
    static std::optional<CodeOwners> find(const std::string& path);
    /// Parses CODEOWNERS text; `root` is the directory its patterns are relative to.
    static CodeOwners parse(std::string_view text, std::string root);

    /// The owners of `path` (absolute, or relative to the scanned directory as scan output
    /// prints it), space-separated; empty when no rule matches. The last matching rule wins.
    std::string owners_of(const std::string& path) const;
    const std::string& root() const { return root_; }

private:
    struct Rule {
        std::string glob, owners;
    };
    std::vector<Rule> rules_;
    std::string root_;
    std::string base_;  // what relative paths are relative to (the scanned directory)
};

}  // namespace nhi::scanners
