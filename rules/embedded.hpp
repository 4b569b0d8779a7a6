#pragma once
#include <string_view>
#include <vector>

namespace nhi::rules {

struct EmbeddedFile {
    std::string_view name;
    std::string_view content;
};

/// The built-in rule files (rules/data/*.yml), embedded at build time, sorted by name.
const std::vector<EmbeddedFile>& embedded_rule_files();

}  // namespace nhi::rules
