#include "scanners/gitignore.hpp"

#include "util/glob.hpp"
#include "util/text.hpp"

namespace nhi::scanners {

void IgnoreRules::add(std::string_view base, std::string_view text) {
    const size_t file = files_++;
    for (auto line : util::split(text, '\n')) {
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        // Trailing spaces are ignored unless escaped.
        while (!line.empty() && line.back() == ' ' && !(line.size() > 1 && line[line.size() - 2] == '\\'))
            line.remove_suffix(1);
        if (line.empty() || line[0] == '#') continue;
        Pattern p;
        p.base = std::string(base);
        p.file = file;
        if (line[0] == '!') {
            p.negate = true;
            line.remove_prefix(1);
        } else if (line[0] == '\\' && line.size() > 1 && (line[1] == '#' || line[1] == '!')) {
            line.remove_prefix(1);
        }
        if (!line.empty() && line.back() == '/') {
            p.dir_only = true;
            line.remove_suffix(1);
        }
        if (line.empty()) continue;
        if (line.find('/') != std::string_view::npos) p.anchored = true;
        if (line[0] == '/') line.remove_prefix(1);
        p.glob = std::string(line);
        const auto special = [](std::string_view v) { return v.find_first_of("*?[\\") != std::string_view::npos; };
        if (!special(p.glob)) {
            p.kind = Pattern::Kind::Literal;
            p.literal = p.glob;
        } else if (!p.anchored && p.glob.size() > 1 && p.glob[0] == '*' && !special(std::string_view(p.glob).substr(1))) {
            p.kind = Pattern::Kind::Suffix;
            p.literal = p.glob.substr(1);
        }
        patterns_.push_back(std::move(p));
    }
}

bool IgnoreRules::ignored(std::string_view rel, bool is_dir) const {
    bool result = false;
    // One .gitignore's patterns are contiguous and share a base: the path is cut to that base
    // and its name found once per file, not once per pattern (the name lookup was most of the
    // walk's matching cost with a root .gitignore of a hundred lines).
    const std::string* base = nullptr;
    size_t file = 0;
    bool inside = false;
    std::string_view sub, name;
    for (const auto& p : patterns_) {
        if (p.dir_only && !is_dir) continue;
        if (!base || p.file != file) {
            base = &p.base;
            file = p.file;
            inside = base->empty() || (rel.size() > base->size() && rel.substr(0, base->size()) == *base &&
                                       rel[base->size()] == '/');
            if (inside) {
                sub = base->empty() ? rel : rel.substr(base->size() + 1);
                const auto slash = sub.rfind('/');
                name = slash == std::string_view::npos ? sub : sub.substr(slash + 1);
            }
        }
        if (!inside) continue;
        const std::string_view subject = p.anchored ? sub : name;
        bool m;
        switch (p.kind) {
            case Pattern::Kind::Literal: m = subject == p.literal; break;
            case Pattern::Kind::Suffix:
                m = subject.size() >= p.literal.size() &&
                    subject.compare(subject.size() - p.literal.size(), p.literal.size(), p.literal) == 0;
                break;
            default: m = util::glob_match(p.glob, subject);
        }
        if (m) result = !p.negate;
    }
    return result;
}

}  // namespace nhi::scanners
