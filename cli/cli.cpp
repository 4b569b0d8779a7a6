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

CLI::Validator choice(std::vector<std::string> values) {
    auto check = [values](std::string& v) -> std::string {
        std::string lower = v;
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (std::find(values.begin(), values.end(), lower) != values.end()) {
            v = lower;
            return "";
        }
        std::string all;
        for (const auto& x : values) all += (all.empty() ? "" : ", ") + x;
        std::string s = suggest(lower, values);
        return "`" + util::printable(v) + "`: expected one of " + all + (s.empty() ? "" : " (did you mean `" + s + "`?)");
    };
    std::string desc;
    for (const auto& x : values) desc += (desc.empty() ? "" : "|") + x;
    return CLI::Validator(check, "{" + desc + "}", "choice");
}

namespace {

// The subcommand a command line names, as deep as it goes; "" when a word that should name one
// names none ("nhi report sumary"), with the message to give in `error`.
std::string unknown_subcommand(CLI::App& app, int argc, char** argv) {
    CLI::App* at = &app;
    std::string path = "nhi";
    for (int i = 1; i < argc; ++i) {
        std::string word = argv[i];
        if (word.empty() || word[0] == '-') return "";
        auto subs = at->get_subcommands([](CLI::App*) { return true; });
        if (subs.empty()) return "";
        CLI::App* next = nullptr;
        std::vector<std::string> names;
        for (auto* s : subs) {
            names.push_back(s->get_name());
            if (s->get_name() == word) next = s;
        }
        if (!next) {
            std::string s = suggest(word, names);
            print_error("unknown command `" + (path == "nhi" ? word : path.substr(4) + " " + word) + "`",
                        s.empty() ? "see `" + path + " --help`" : "did you mean `" + s + "`?");
            return word;
        }
        at = next;
        path += " " + word;
    }
    return "";
}

// The options of the deepest subcommand parsed, for "did you mean" on an unknown flag.
std::vector<std::string> option_names(CLI::App& app) {
    CLI::App* at = &app;
    for (bool deeper = true; deeper;) {
        deeper = false;
        for (auto* s : at->get_subcommands())
            if (s->parsed()) {
                at = s;
                deeper = true;
                break;
            }
    }
    std::vector<std::string> names;
    for (const auto* o : at->get_options()) {
        for (const auto& l : o->get_lnames()) names.push_back("--" + l);
        for (const auto& s : o->get_snames()) names.push_back("-" + s);
    }
    return names;
}

}  // namespace

int run(int argc, char** argv) {
    CLI::App app{"nhi: find and govern non-human identities (API keys, tokens, service accounts, agents)", "nhi"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("nhi ") + NHI_VERSION);
    app.footer("Exit codes: 0 nothing at or above --fail-on, 1 findings, 2 usage or runtime error, 130 interrupted.");

    // The subcommand table: name -> runner, filled by each command's registration.
    std::map<std::string, Runner> table;
    table["scan"] = add_scan_command(app);
    table["rules"] = add_rules_command(app);
    table["baseline"] = add_baseline_command(app);
    table["inventory"] = add_inventory_command(app);
    table["report"] = add_report_command(app);
    table["validate"] = add_validate_command(app);

    // Unknown commands, at every level, get a suggestion instead of CLI11's generic complaint.
    if (!unknown_subcommand(app, argc, argv).empty()) return kError;

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ExtrasError& e) {
        // An unknown flag: the closest option of the command it was given to.
        std::string msg = e.what();
        for (int i = 1; i < argc; ++i) {
            std::string word = argv[i];
            if (word.size() < 2 || word[0] != '-' || msg.find(word) == std::string::npos) continue;
            std::string flag = word.substr(0, word.find('='));
            std::string s = suggest(flag, option_names(app));
            print_error("usage", "unknown option `" + flag + "`" + (s.empty() ? "" : ": did you mean `" + s + "`?") +
                                     " (see `nhi --help`)");
            return kError;
        }
        if (!msg.empty()) msg[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(msg[0])));
        print_error("usage", msg + " (see `nhi --help`)");
        return kError;
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
