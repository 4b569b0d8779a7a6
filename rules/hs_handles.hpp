// RAII owners for the C handles of Hyperscan and PCRE2.
#pragma once
#include <memory>

#include <hs/hs.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace nhi::rules {

struct HsDatabaseFree { void operator()(hs_database_t* p) const { hs_free_database(p); } };
struct HsScratchFree { void operator()(hs_scratch_t* p) const { hs_free_scratch(p); } };
struct HsCompileErrorFree { void operator()(hs_compile_error_t* p) const { hs_free_compile_error(p); } };
struct Pcre2CodeFree { void operator()(pcre2_code* p) const { pcre2_code_free(p); } };
struct Pcre2MatchDataFree { void operator()(pcre2_match_data* p) const { pcre2_match_data_free(p); } };
struct Pcre2MatchContextFree { void operator()(pcre2_match_context* p) const { pcre2_match_context_free(p); } };

using HsDatabase = std::unique_ptr<hs_database_t, HsDatabaseFree>;
using HsScratch = std::unique_ptr<hs_scratch_t, HsScratchFree>;
using HsCompileError = std::unique_ptr<hs_compile_error_t, HsCompileErrorFree>;
using Pcre2Code = std::unique_ptr<pcre2_code, Pcre2CodeFree>;
using Pcre2MatchData = std::unique_ptr<pcre2_match_data, Pcre2MatchDataFree>;
using Pcre2MatchContext = std::unique_ptr<pcre2_match_context, Pcre2MatchContextFree>;

}  // namespace nhi::rules
