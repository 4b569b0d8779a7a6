#include "rules/yaml_guard.hpp"

#include <vector>

namespace nhi::rules {

util::Status check_yaml_nesting(std::string_view name, std::string_view text, size_t max_depth) {
    std::vector<size_t> indents;  // block collections open at these columns
    size_t flow = 0, line = 1;
    char quote = 0;               // inside a quoted scalar: ' or "
    size_t i = 0;
    auto fail = [&] {
        return util::Error{std::string(name), "YAML nested more than " + std::to_string(max_depth) +
                                                  " levels deep at line " + std::to_string(line)};
    };
    while (i < text.size()) {
        // At a line start outside flow and quotes: the indentation, then any "- " entries,
        // each of which opens one more level.
        if (!quote && flow == 0) {
            size_t col = 0;
            while (i + col < text.size() && text[i + col] == ' ') ++col;
            size_t j = i + col;
            if (j < text.size() && text[j] != '\n' && text[j] != '\r' && text[j] != '#') {
                while (!indents.empty() && indents.back() >= col) indents.pop_back();
                indents.push_back(col);
                while (j + 1 < text.size() && (text[j] == '-' || text[j] == '?') && (text[j + 1] == ' ')) {
                    j += 2;
                    while (j < text.size() && text[j] == ' ') ++j;
                    indents.push_back(j - i);
                }
                if (indents.size() > max_depth) return fail();
            }
            i = j;
        }
        // The rest of the line: flow brackets outside quoted scalars, up to a comment.
        char prev = i > 0 ? text[i - 1] : '\n';
        for (; i < text.size() && text[i] != '\n'; prev = text[i], ++i) {
            const char c = text[i];
            if (quote) {
                if (c == '\\' && quote == '"' && i + 1 < text.size()) ++i;  // never past the end
                else if (c == quote) quote = 0;
                continue;
            }
            const bool scalar_start = prev == ' ' || prev == '\n' || prev == '[' || prev == '{' || prev == ',' ||
                                      prev == ':' || prev == '-';
            if ((c == '\'' || c == '"') && scalar_start) quote = c;
            else if (c == '#' && (prev == ' ' || prev == '\t' || prev == '\n')) {
                while (i < text.size() && text[i] != '\n') ++i;
                break;
            } else if (c == '[' || c == '{') {
                if (++flow + indents.size() > max_depth) return fail();
            } else if ((c == ']' || c == '}') && flow > 0) {
                --flow;
            }
        }
        if (i < text.size()) ++i, ++line;  // the newline
    }
    return util::ok_status();
}

}  // namespace nhi::rules
