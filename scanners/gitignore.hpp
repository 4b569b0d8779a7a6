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

    /// A depth-first walk adds a directory's patterns on the way in and drops them on the way
    /// out, so each path is matched only against the .gitignore files above it, not against
    /// every one seen so far (16 curl trees: about a third of the scan's time).
    size_t size() const { return patterns_.size(); }
    void truncate(size_t n) {
        if (n < patterns_.size()) patterns_.resize(n);
    }

private:
    struct Pattern {
        std::string base;  // directory holding the .gitignore, "" or "a/b"
        size_t file = 0;   // which add() call: one .gitignore's patterns share a base
        std::string glob;
        bool negate = false;
        bool dir_only = false;
        bool anchored = false;  // contains a '/' other than a trailing one
        // Most lines are a plain name (Makefile) or `*.ext`; those skip the glob matcher,
        // which every path of the walk would otherwise run once per pattern.
        enum class Kind { Glob, Literal, Suffix } kind = Kind::Glob;
        std::string literal;  // the name, or the suffix after '*'
    };
    std::vector<Pattern> patterns_;
    size_t files_ = 0;
};

}  // namespace nhi::scanners
