// How word-like a candidate secret is: a character trigram model of English words and code
// identifiers, trained at build time (rules/token_model_gen.cpp) and compiled in as a table.
//
// Why: Shannon entropy only counts distinct characters, so `getUserAccountSettingsHandler`
// (3.9 bits per byte) or `kubernetes_service_account_name` (3.7) pass a 3.5 floor that a
// random 16-character token barely reaches. A language model sees what entropy cannot: each
// piece of an identifier is a plausible English spelling, a random token's pieces are not.
//
// The model. Symbols are the 26 letters plus a word boundary. Training text is Debian's
// `wamerican` word list (/usr/share/dict/american-english, about 100k words) and
// rules/token_model_words.txt (code vocabulary: the identifiers of nhi's own sources and a
// hand-written list of abbreviations, protocols and product names, weighted 4x so that `cfg`
// or `kubectl` count for as much as the dictionary's many inflections). Each training word is
// split like a candidate (below) and counted once per spelling. P(c | a b) is Witten-Bell
// smoothed down to bigrams and add-one unigrams, stored as -log2 P in eighths of a bit
// (27^3 bytes, saturating at 31.9 bits).
//
// Scoring a candidate. It is split into segments at camelCase humps (`getHTTPServer` ->
// get, http, server), at digit runs and at every other character (`_ - . / :` and the
// rest). A letter segment costs the sum of its trigrams from "^^" to its closing
// boundary; a digit costs log2(10); any other character except the separators costs
// 6 bits. The score is the mean cost in bits per counted character: English words and
// identifiers average 3.8-5.2 (Python identifiers 4.1, C identifiers 4.8, Debian package
// names 5.2), random tokens 8-9.4 (base62 9.2, random lowercase 9.3), random hex 6.0.
// looks_like_words() is true when the mean is at most kWordLikeBits and the candidate is
// mostly letters (hex and digit strings are for entropy to judge, not a spelling model).
// At 5.0 bits none of 2,100 random tokens of 16-64 characters reads as words, and 74% of
// 2,100 held-out word-like strings do; 5.5 starts to catch random lowercase. The rule field
// `token_filter` (entropy | ngram | both) picks the filter; README ("Entropy or the token
// model") has the per-family measurement, bench/token_filter.py reproduces it.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nhi::rules {

constexpr size_t kTokenSymbols = 27;  // a-z, then the word boundary
constexpr size_t kTokenTableSize = kTokenSymbols * kTokenSymbols * kTokenSymbols;
constexpr double kTokenCostUnit = 0.125;  // one table step, in bits

/// A trained model: cost[(a * 27 + b) * 27 + c] is -log2 P(c | a b) in eighths of a bit.
struct TokenModel {
    const uint8_t* cost = nullptr;
};

/// The model compiled into the binary (generated at build time).
const TokenModel& builtin_token_model();
/// A short fingerprint of the built-in table, so the rules hash changes with the model.
std::string_view builtin_token_model_id();

/// The lowercase letter segments of `s`, split at camelCase humps, digits and other characters.
std::vector<std::string> token_segments(std::string_view s);

struct TokenScore {
    double bits_per_char = 0;  // mean cost of the counted characters
    size_t letters = 0;        // letters in `s`
    size_t counted = 0;        // letters, digits and non-separator symbols
};

/// How surprising `s` is under `model`: low is word-like.
TokenScore score_token(const TokenModel& model, std::string_view s);

/// A mean at or under this many bits per character reads as words (bench/token_filter.py).
constexpr double kWordLikeBits = 5.0;

/// True when `s` reads as words or identifiers under `model`: at least 6 letters,
/// letters at least 70% of the counted characters, and a mean cost at most kWordLikeBits.
bool looks_like_words(const TokenModel& model, std::string_view s);
inline bool looks_like_words(std::string_view s) { return looks_like_words(builtin_token_model(), s); }

}  // namespace nhi::rules
