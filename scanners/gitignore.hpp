// .gitignore semantics for the filesystem walk: per-directory files, negation, anchoring,
// directory-only patterns and `**`.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace nhi::scanners {

class IgnoreRules {
public:
    /// Parses the text of one .gitignore that lives in directory `base` (relative to the
    /// scan root, "" for the root itself).
    void add(std::string_view base, std::string_view text);

    /// True when `rel` (relative to the scan root, '/'-separated) is ignored. The last
    /// matching pattern wins, as in git.
    bool ignored(std::string_view rel, bool is_dir) const;

    bool empty() const { return patterns_.empty(); }

private:
    struct Pattern {
        std::string base;  // directory holding the .gitignore, "" or "a/b"
        std::string glob;
        bool negate = false;
        bool dir_only = false;
        bool anchored = false;  // contains a '/' other than a trailing one
    };
    std::vector<Pattern> patterns_;
};

}  // namespace nhi::scanners
