// Scores stdin, one candidate a line, with the token model (rules/token_model.hpp): prints
// bits per character, letters, counted characters and 1 when it looks like words.
// Built and driven by bench/token_filter.py.
#include <iostream>
#include <string>

#include "rules/token_model.hpp"

int main() {
    std::string line;
    const auto& m = nhi::rules::builtin_token_model();
    while (std::getline(std::cin, line)) {
        const auto t = nhi::rules::score_token(m, line);
        std::cout << t.bits_per_char << '\t' << t.letters << '\t' << t.counted << '\t'
                  << nhi::rules::looks_like_words(m, line) << '\n';
    }
}
