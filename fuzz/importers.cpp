// Every `inventory import` parser. The first input byte picks the format: 0 is `auto`
// (detect_format, then its parser), 1..N are format_names() in order; the rest is the export.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_util.hpp"
#include "scanners/importers/importers.hpp"

namespace imp = nhi::scanners::importers;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const auto& names = imp::format_names();
    const size_t pick = data[0] % (names.size() + 1);
    const std::string format = pick == 0 ? "" : names[pick - 1];
    std::string_view content(reinterpret_cast<const char*>(data + 1), size - 1);
    // A neutral name: the name-hint tie-break is exercised by the seeds' own formats.
    const std::string_view path = "export.json";
    if (pick == 0) {
        auto detected = imp::detect_format(path, content);
        if (detected) {
            bool known = false;
            for (const auto& n : names) known = known || n == *detected;
            NHI_FUZZ_CHECK(known);
        }
    }
    auto batch = imp::parse_export(path, content, format);
    (void)batch;
    return 0;
}
