#include "reports/environment.hpp"

#include <cctype>
#include <set>

#include "reports/common.hpp"

namespace nhi::reports {
namespace {

// One word: its environment, or "". Trailing digits are ignored (prod2, stg01).
const char* word_environment(std::string w) {
    while (!w.empty() && std::isdigit(static_cast<unsigned char>(w.back()))) w.pop_back();
    if (w == "prod" || w == "production" || w == "prd" || w == "live") return "production";
    if (w == "staging" || w == "stage" || w == "stg" || w == "preprod" || w == "uat") return "staging";
    if (w == "dev" || w == "development" || w == "sandbox" || w == "local") return "development";
    if (w == "test" || w == "testing" || w == "qa") return "test";
    return "";
}

}  // namespace

std::string environment_of_text(std::string_view text) {
    std::set<std::string> found;
    std::string word;
    for (size_t i = 0; i <= text.size(); ++i) {
        const char c = i < text.size() ? char(std::tolower(static_cast<unsigned char>(text[i]))) : ' ';
        if (std::isalnum(static_cast<unsigned char>(c))) {
            word += c;
            continue;
        }
        if (const char* e = word_environment(word); *e) found.insert(e);
        word.clear();
    }
    // "prod-to-staging-sync" names two: no single answer.
    return found.size() == 1 ? *found.begin() : "";
}

std::string environment_of_path(std::string_view path) {
    size_t cut = path.size();
    for (int parts = 0; parts < 3 && cut != std::string_view::npos && cut > 0; ++parts)
        cut = path.find_last_of('/', cut - 1);
    return environment_of_text(cut == std::string_view::npos ? path : path.substr(cut + 1));
}

std::string environment_of(const db::IdentityRow& r) {
    std::string text = r.name;
    for (const char* field : {"namespace", "project_id", "project", "account_alias", "account_name", "subscription",
                              "subscription_name", "environment", "repository", "repo"})
        text += " " + json_text(r.data, field);
    if (auto e = environment_of_text(text); !e.empty()) return e;
    // Export files are often kept under a temporary or home directory: only their name counts.
    for (const auto& s : r.sources) {
        const auto slash = s.find_last_of('/');
        if (auto e = environment_of_text(slash == std::string::npos ? s : s.substr(slash + 1)); !e.empty()) return e;
    }
    return "";
}

}  // namespace nhi::reports
