// Git-style wildcard matching: `*` and `?` stop at '/', `**` crosses directories,
// `[...]` classes with `!`/`^` negation and ranges.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace nhi::util {

/// True when `path` (with '/' separators) matches `pattern` in full.
bool glob_match(std::string_view pattern, std::string_view path);

/// True when one of `globs` matches `path`; a glob without '/' names a file anywhere (it is
/// matched against the path's last component, as in .gitignore).
bool any_glob(const std::vector<std::string>& globs, std::string_view path);

/// A rule's `paths:` or `skip_paths:` list, sorted out once for matching every file: a glob
/// without '/' names a file anywhere (it is matched against the path's last component, as in
/// .gitignore), one with '/' is matched against the whole path. any() answers as any_glob
/// does; a plain name or `*.ext` then costs one comparison instead of
/// glob_match's look at the pattern on every call.
class GlobSet {
public:
    GlobSet() = default;
    explicit GlobSet(const std::vector<std::string>& globs);
    bool empty() const { return entries_.empty(); }
    /// True when one of the globs matches `path` ('/'-separated).
    bool any(std::string_view path) const;

private:
    struct Entry {
        enum class Kind { Name, Suffix, Glob } kind;
        bool anchored;        // has a '/': matched against the whole path
        std::string text;     // the name, the suffix after '*', or the glob
        std::string tail;     // a glob's literal end, which the subject must end with
    };
    std::vector<Entry> entries_;
};

}  // namespace nhi::util
