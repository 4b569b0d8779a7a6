// `nhi rules list|check`.
#include <fmt/format.h>

#include <iostream>

#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/shared_options.hpp"
#include "rules/check.hpp"
#include "rules/hs_cache.hpp"
#include "rules/loader.hpp"
#include "util/hash.hpp"

namespace nhi::cli {

void require_rule_id(const std::string& id, const std::vector<rules::Rule>& rules, const std::string& where) {
    std::vector<std::string> ids;
    for (const auto& r : rules) {
        if (r.id == id) return;
        ids.push_back(r.id);
    }
    std::string s = suggest(id, ids);
    throw util::Fatal({where, "unknown rule id `" + id + "`" + (s.empty() ? "" : "; did you mean `" + s + "`?")});
}

std::shared_ptr<const rules::Engine> load_engine(const std::vector<std::string>& extra_rule_paths,
                                                 const std::set<std::string>& disabled) {
    auto set = util::take(rules::load_rules(extra_rule_paths));
    if (!disabled.empty()) {
        std::string ids;
        for (const auto& id : disabled) {
            require_rule_id(id, set.rules, "disable");
            ids += id + '\n';
        }
        std::erase_if(set.rules, [&](const rules::Rule& r) { return disabled.count(r.id) > 0; });
        // The compiled database differs, so its cache key must too.
        set.hash = util::sha256_hex(set.hash + "\ndisabled:\n" + ids);
    }
    rules::EngineOptions eo;
    eo.cache_dir = rules::hs_cache::default_dir();
    return util::take(rules::Engine::create(std::move(set), eo));
}

namespace {

struct RulesArgs {
    std::vector<std::string> rule_paths;
    std::string format = "text";
};

int list(const RulesArgs& a) {
    auto set = util::take(rules::load_rules(a.rule_paths));
    if (a.format == "json") {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& r : set.rules)
            out.push_back({{"id", r.id},
                           {"name", r.name},
                           {"provider", r.nhi.provider},
                           {"kind", r.nhi.kind},
                           {"actor", r.nhi.actor},
                           {"severity", rules::to_string(r.severity)},
                           {"confidence", rules::to_string(r.confidence)},
                           {"validator", r.validator},
                           {"min_entropy", r.min_entropy},
                           {"revocation", r.revocation},
                           {"references", r.references},
                           {"source", r.source}});
        std::cout << out.dump(2) << "\n";
        return kOk;
    }
    for (const auto& r : set.rules)
        std::cout << fmt::format("{:<40} {:<9} {:<14} {}\n", r.id, rules::to_string(r.severity), r.validator.empty() ? "-" : r.validator, r.name);
    std::cout << fmt::format("{} rules\n", set.rules.size());
    return kOk;
}

int check(const RulesArgs& a) {
    auto engine = load_engine(a.rule_paths);
    auto failures = rules::check_rules(*engine);
    size_t examples = 0;
    for (const auto& r : engine->rules()) examples += r.examples.size() + r.negative_examples.size();
    for (const auto& f : failures) print_error(f.rule_id, f.message);
    std::cout << fmt::format("{} rules, {} examples: {} passed, {} failed\n", engine->rules().size(), examples,
                             examples - failures.size(), failures.size());
    return failures.empty() ? kOk : kFindings;
}

}  // namespace

Runner add_rules_command(CLI::App& app) {
    auto args = std::make_shared<RulesArgs>();
    auto* cmd = app.add_subcommand("rules", "List the detection rules or check them against their examples");
    cmd->require_subcommand(1);
    auto* l = cmd->add_subcommand("list", "List rules (built-in and --rules)");
    l->add_option("--rules", args->rule_paths, "Extra rule file or directory (repeatable)");
    l->add_option("-f,--format", args->format, "Output format")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
    auto* c = cmd->add_subcommand("check", "Run every rule's examples and negative examples");
    c->add_option("--rules", args->rule_paths, "Extra rule file or directory (repeatable)");
    return [args, l] { return l->parsed() ? list(*args) : check(*args); };
}

}  // namespace nhi::cli
