#include "scanners/gitignore.hpp"

#include "util/glob.hpp"
#include "util/text.hpp"

namespace nhi::scanners {

void IgnoreRules::add(std::string_view base, std::string_view text) {
    for (auto line : util::split(text, '\n')) {
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        // Trailing spaces are ignored unless escaped.
        while (!line.empty() && line.back() == ' ' && !(line.size() > 1 && line[line.size() - 2] == '\\'))
            line.remove_suffix(1);
        if (line.empty() || line[0] == '#') continue;
        Pattern p;
        p.base = std::string(base);
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
    for (const auto& p : patterns_) {
        if (p.dir_only && !is_dir) continue;
        std::string_view sub = rel;
        if (!p.base.empty()) {
            if (rel.size() <= p.base.size() || rel.substr(0, p.base.size()) != p.base || rel[p.base.size()] != '/')
                continue;
            sub = rel.substr(p.base.size() + 1);
        }
        std::string_view subject = sub;
        if (!p.anchored) {
            auto slash = sub.rfind('/');
            if (slash != std::string_view::npos) subject = sub.substr(slash + 1);
        }
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
