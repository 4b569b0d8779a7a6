#include "cli/cli.hpp"
#include "cli/fatal.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <map>

#include "cli/commands.hpp"
#include "util/expected.hpp"
#include "util/text.hpp"

namespace nhi::cli {

namespace {

// Messages from the OS and libraries start with a capital ("No such file"); the contract
// is lower-case. Acronyms ("SQL logic error") keep their case.
std::string lower_first(std::string s) {
    if (s.size() > 1 && std::isupper(static_cast<unsigned char>(s[0])) && std::islower(static_cast<unsigned char>(s[1])))
        s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
    return s;
}

// `what` is often a path or a name from an export, `why` may quote one: both are escaped
// (newline as \n, ESC as \e, bad UTF-8 as \xNN), so a hostile name can neither forge a second
// message line nor send terminal sequences.
std::string message(const std::string& what, const std::string& why) {
    return what.empty() ? util::printable(lower_first(why)) : util::printable(what) + ": " + util::printable(lower_first(why));
}

}  // namespace

void print_error(const std::string& what, const std::string& why) {
    std::cerr << "nhi: error: " << message(what, why) << "\n";
}

void print_warning(const std::string& what, const std::string& why) {
    std::cerr << "nhi: warning: " << message(what, why) << "\n";
}

std::string suggest(const std::string& word, const std::vector<std::string>& candidates) {
    auto distance = [](const std::string& a, const std::string& b) {
        std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
        for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
        for (size_t i = 1; i <= a.size(); ++i) {
            cur[0] = i;
            for (size_t j = 1; j <= b.size(); ++j)
                cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
            std::swap(prev, cur);
        }
        return prev[b.size()];
    };
    std::string best;
    size_t best_d = std::max<size_t>(2, word.size() / 3) + 1;
    for (const auto& c : candidates) {
        size_t d = distance(word, c);
        if (d < best_d) {
            best_d = d;
            best = c;
        }
    }
    return best;
}

int run(int argc, char** argv) {
    CLI::App app{"nhi: find and govern non-human identities (API keys, tokens, service accounts, agents)", "nhi"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("nhi ") + NHI_VERSION);
    app.footer("Exit codes: 0 nothing at or above --fail-on, 1 findings, 2 usage or runtime error.");

    // The subcommand table: name -> runner, filled by each command's registration.
    std::map<std::string, Runner> table;
    table["scan"] = add_scan_command(app);
    table["rules"] = add_rules_command(app);
    table["baseline"] = add_baseline_command(app);
    table["inventory"] = add_inventory_command(app);
    table["report"] = add_report_command(app);

    // Unknown commands get a suggestion instead of CLI11's generic complaint.
    if (argc > 1 && argv[1][0] != '-' && !table.count(argv[1])) {
        std::vector<std::string> names;
        for (const auto& [n, _] : table) names.push_back(n);
        std::string s = suggest(argv[1], names);
        print_error(std::string("unknown command `") + argv[1] + "`",
                    s.empty() ? "see `nhi --help`" : "did you mean `" + s + "`?");
        return kError;
    }

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::string msg = e.what();
        if (!msg.empty()) msg[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(msg[0])));
        print_error("usage", msg + " (see `nhi --help`)");
        return kError;
    }

    try {
        for (auto* sub : app.get_subcommands()) return table.at(sub->get_name())();
        return kError;
    } catch (const Fatal& f) {
        print_error(f.error.what, f.error.why);
        return kError;
    } catch (const std::bad_alloc&) {
        print_error("", "out of memory");
        return kError;
    } catch (const std::exception& e) {
        print_error("internal", e.what());
        return kError;
    }
}

}  // namespace nhi::cli
