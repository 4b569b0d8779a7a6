#include "util/glob.hpp"

#include <vector>

namespace nhi::util {
namespace {

// Returns the length of a bracket expression starting at p[0]=='[', or 0 when it is not
// closed (then '[' is literal). Sets `matched` for character c.
size_t bracket(std::string_view p, char c, bool& matched) {
    size_t i = 1;
    bool negate = false;
    if (i < p.size() && (p[i] == '!' || p[i] == '^')) {
        negate = true;
        ++i;
    }
    bool hit = false;
    bool first = true;
    while (i < p.size() && (p[i] != ']' || first)) {
        first = false;
        char lo = p[i];
        if (lo == '\\' && i + 1 < p.size()) lo = p[++i];
        if (i + 2 < p.size() && p[i + 1] == '-' && p[i + 2] != ']') {
            char hi = p[i + 2];
            if (c >= lo && c <= hi) hit = true;
            i += 3;
        } else {
            if (c == lo) hit = true;
            ++i;
        }
    }
    if (i >= p.size()) return 0;
    matched = (hit != negate) && c != '/';
    return i + 1;
}

// Matches by recursion on the star positions. A pattern with several stars can backtrack
// exponentially (`a/**...**b` against a long name that does not match: a hostile .gitignore
// hung the walk), so a pattern with more than one star remembers each (pattern, path)
// position that already failed; every position is then tried at most once.
class Matcher {
public:
    Matcher(std::string_view pattern, std::string_view path) : p0_(pattern), s0_(path) {
        size_t stars = 0;
        for (char c : pattern) stars += c == '*';
        if (stars > 1) failed_.assign((pattern.size() + 1) * (path.size() + 1), false);
    }
    bool run() { return match(p0_, s0_); }

private:
    bool match(std::string_view p, std::string_view s) {
        if (failed_.empty()) return match_here(p, s);
        size_t key = (p0_.size() - p.size()) * (s0_.size() + 1) + (s0_.size() - s.size());
        if (failed_[key]) return false;
        bool m = match_here(p, s);
        if (!m) failed_[key] = true;
        return m;
    }

    bool match_here(std::string_view p, std::string_view s) {
        while (!p.empty()) {
            char pc = p[0];
            if (pc == '*') {
                bool dbl = p.size() > 1 && p[1] == '*';
                if (dbl) {
                    // "**/" matches zero or more whole directories; a trailing "**" matches all.
                    std::string_view rest = p.substr(2);
                    if (!rest.empty() && rest[0] == '/') {
                        std::string_view after = rest.substr(1);
                        if (match(after, s)) return true;
                        for (size_t i = 0; i < s.size(); ++i)
                            if (s[i] == '/' && match(after, s.substr(i + 1))) return true;
                        return false;
                    }
                    for (size_t i = 0; i <= s.size(); ++i)
                        if (match(rest, s.substr(i))) return true;
                    return false;
                }
                std::string_view rest = p.substr(1);
                for (size_t i = 0; i <= s.size(); ++i) {
                    if (match(rest, s.substr(i))) return true;
                    if (i < s.size() && s[i] == '/') break;
                }
                return false;
            }
            if (s.empty()) return false;
            if (pc == '?') {
                if (s[0] == '/') return false;
            } else if (pc == '[') {
                bool m = false;
                size_t len = bracket(p, s[0], m);
                if (len) {
                    if (!m) return false;
                    p.remove_prefix(len);
                    s.remove_prefix(1);
                    continue;
                }
                if (s[0] != '[') return false;
            } else {
                if (pc == '\\' && p.size() > 1) {
                    p.remove_prefix(1);
                    pc = p[0];
                }
                if (pc != s[0]) return false;
            }
            p.remove_prefix(1);
            s.remove_prefix(1);
        }
        return s.empty();
    }

    std::string_view p0_, s0_;
    std::vector<bool> failed_;
};

// The first of `*?[\\` in p at or after `from`. string_view::find_first_of calls memchr on
// the set for every character of p, which made this check most of what a rule's `paths:`
// cost per file (five rules, six globs each, on every file scanned).
bool is_special(char c) { return c == '*' || c == '?' || c == '[' || c == '\\'; }

size_t first_special(std::string_view p, size_t from) {
    for (size_t i = from; i < p.size(); ++i)
        if (is_special(p[i])) return i;
    return std::string_view::npos;
}

// What follows a glob's last special character, which a matching path must end with:
// `*/sitemanager.xml` is rejected for `src/main.c` without the matcher. Empty with `**`,
// whose `**/` also matches nothing (`**/a.txt` matches `a.txt`); ']' counts as special, so a
// bracket's contents are never taken for literal text.
std::string_view literal_tail(std::string_view pattern) {
    if (pattern.find("**") != std::string_view::npos) return {};
    size_t tail = pattern.size();
    while (tail > 0 && !is_special(pattern[tail - 1]) && pattern[tail - 1] != ']') --tail;
    return pattern.substr(tail);
}

bool ends_with(std::string_view s, std::string_view end) {
    return s.size() >= end.size() && s.substr(s.size() - end.size()) == end;
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view path) {
    // The common shapes without the matcher (and its memo table): a plain name, and `*.ext`
    // (a '*' stops at '/', so the part it stands for must hold none). Rules ask these of
    // every file and of every match in source code.
    if (first_special(pattern, 0) == std::string_view::npos) return pattern == path;
    if (pattern.size() > 1 && pattern[0] == '*' && first_special(pattern, 1) == std::string_view::npos &&
        pattern.find('/') == std::string_view::npos) {
        const std::string_view suffix = pattern.substr(1);
        return path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix &&
               path.substr(0, path.size() - suffix.size()).find('/') == std::string_view::npos;
    }
    if (!ends_with(path, literal_tail(pattern))) return false;
    return Matcher(pattern, path).run();
}

bool any_glob(const std::vector<std::string>& globs, std::string_view path) {
    const auto slash = path.rfind('/');
    const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    for (const auto& g : globs)
        if (glob_match(g, g.find('/') != std::string::npos ? path : name)) return true;
    return false;
}

GlobSet::GlobSet(const std::vector<std::string>& globs) {
    entries_.reserve(globs.size());
    for (const auto& g : globs) {
        const bool anchored = g.find('/') != std::string::npos;
        if (first_special(g, 0) == std::string_view::npos) {
            entries_.push_back({Entry::Kind::Name, anchored, g, {}});
        } else if (!anchored && g.size() > 1 && g[0] == '*' && first_special(g, 1) == std::string_view::npos) {
            // `*` stops at '/', and an unanchored glob sees only the last component, which has none.
            entries_.push_back({Entry::Kind::Suffix, false, g.substr(1), {}});
        } else {
            entries_.push_back({Entry::Kind::Glob, anchored, g, std::string(literal_tail(g))});
        }
    }
}

bool GlobSet::any(std::string_view path) const {
    const auto slash = path.rfind('/');
    const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    for (const auto& e : entries_) {
        const std::string_view subject = e.anchored ? path : name;
        switch (e.kind) {
            case Entry::Kind::Name:
                if (subject == e.text) return true;
                break;
            case Entry::Kind::Suffix:
                if (ends_with(subject, e.text)) return true;
                break;
            case Entry::Kind::Glob:
                if (ends_with(subject, e.tail) && glob_match(e.text, subject)) return true;
                break;
        }
    }
    return false;
}

}  // namespace nhi::util
