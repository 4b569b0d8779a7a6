// A provider's answer is hostile input: whatever comes back over the network is read by the
// built-in blocks' matchers (status, JSON pointers, identity fields). Also a validate block's
// JSON form, as the rule loader hands it to parse_validate_spec.
//   first byte 0xFF: the rest is a validate block (canonical JSON);
//   otherwise: byte 0 picks a built-in block, bytes 1-2 the status, then header lines up to an
//   empty line, then the body.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_util.hpp"
#include "rules/loader.hpp"
#include "rules/validate_spec.hpp"
#include "validate/match.hpp"

namespace {

const std::vector<nhi::rules::ValidateSpec>& specs() {
    static const std::vector<nhi::rules::ValidateSpec> all = [] {
        std::vector<nhi::rules::ValidateSpec> out;
        auto set = nhi::rules::load_rules({});
        NHI_FUZZ_CHECK(set.ok());
        for (const auto& r : set->rules)
            if (!r.validate.empty()) {
                auto spec = nhi::rules::parse_validate_spec(r);
                NHI_FUZZ_CHECK(spec.ok());  // the loader accepted it
                out.push_back(std::move(spec).value());
            }
        NHI_FUZZ_CHECK(!out.empty());
        return out;
    }();
    return all;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 3) return 0;
    std::string_view in(reinterpret_cast<const char*>(data), size);
    if (static_cast<uint8_t>(in[0]) == 0xFF) {
        nhi::rules::Rule r;
        r.id = "fuzz.rule";
        r.validate = std::string(in.substr(1));
        auto spec = nhi::rules::parse_validate_spec(r);
        if (spec) NHI_FUZZ_CHECK(!spec->host().empty());  // a block that parses has a fixed host
        return 0;
    }
    const auto& all = specs();
    const auto& spec = all[static_cast<uint8_t>(in[0]) % all.size()];
    nhi::validate::HttpResponse res;
    res.status = 100 + (static_cast<uint8_t>(in[1]) << 8 | static_cast<uint8_t>(in[2])) % 500;
    std::string_view rest = in.substr(3);
    while (!rest.empty()) {
        const size_t nl = rest.find('\n');
        std::string_view line = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
        if (line.empty()) break;
        const size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        res.headers.emplace_back(std::string(line.substr(0, colon)), std::string(line.substr(colon + 1)));
    }
    res.body = std::string(rest);
    const auto v = nhi::validate::judge(spec, res);
    NHI_FUZZ_CHECK(v.status == "live" || v.status == "revoked" || v.status == "unknown");
    NHI_FUZZ_CHECK(v.identity.is_object());
    if (v.status != "live") NHI_FUZZ_CHECK(v.identity.empty());
    (void)v.identity.dump();  // what is printed and stored must serialise
    return 0;
}
