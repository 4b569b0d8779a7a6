#include "rules/rule_blob.hpp"

#include <cstdint>
#include <cstring>

namespace nhi::rules {
namespace {

void put(std::string& out, uint64_t v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); }
void put(std::string& out, const std::string& s) {
    put(out, uint64_t(s.size()));
    out += s;
}
void put(std::string& out, const std::vector<std::string>& v) {
    put(out, uint64_t(v.size()));
    for (const auto& s : v) put(out, s);
}

struct Reader {
    std::string_view in;
    bool ok = true;
    uint64_t u64() {
        uint64_t v = 0;
        if (in.size() < sizeof v) return ok = false, 0;
        std::memcpy(&v, in.data(), sizeof v);
        in.remove_prefix(sizeof v);
        return v;
    }
    std::string str() {
        const uint64_t n = u64();
        if (!ok || n > in.size()) return ok = false, std::string();
        std::string s(in.substr(0, n));
        in.remove_prefix(n);
        return s;
    }
    std::vector<std::string> strs() {
        const uint64_t n = u64();
        std::vector<std::string> v;
        for (uint64_t i = 0; ok && i < n; ++i) v.push_back(str());  // each costs bytes, so a bad n ends in !ok
        return v;
    }
};

}  // namespace

std::string encode_rules(const std::vector<Rule>& rules) {
    std::string out = "nhi-rules 3\n";
    put(out, uint64_t(rules.size()));
    for (const Rule& r : rules) {
        for (const std::string* s : {&r.id, &r.name, &r.pattern, &r.prefilter, &r.validator, &r.nhi.provider,
                                     &r.nhi.kind, &r.nhi.actor, &r.revocation, &r.validate, &r.source, &r.negative_exempt})
            put(out, *s);
        for (const auto* v : {&r.references, &r.examples, &r.negative_examples, &r.claims, &r.paths, &r.skip_paths})
            put(out, *v);
        uint64_t entropy = 0;
        std::memcpy(&entropy, &r.min_entropy, sizeof entropy);
        for (uint64_t u : {entropy, uint64_t(r.confidence), uint64_t(r.severity), uint64_t(r.max_length),
                           uint64_t(r.skip_placeholder_filter), uint64_t(r.weak_is_secret), uint64_t(r.generic),
                           uint64_t(r.context), uint64_t(r.reference), uint64_t(r.token_filter)})
            put(out, u);
    }
    return out;
}

std::optional<std::vector<Rule>> decode_rules(std::string_view bytes) {
    constexpr std::string_view kMagic = "nhi-rules 3\n";
    if (bytes.substr(0, kMagic.size()) != kMagic) return std::nullopt;
    Reader rd{bytes.substr(kMagic.size())};
    const uint64_t n = rd.u64();
    std::vector<Rule> rules;
    for (uint64_t i = 0; rd.ok && i < n; ++i) {
        Rule r;
        for (std::string* s : {&r.id, &r.name, &r.pattern, &r.prefilter, &r.validator, &r.nhi.provider, &r.nhi.kind,
                               &r.nhi.actor, &r.revocation, &r.validate, &r.source, &r.negative_exempt})
            *s = rd.str();
        for (auto* v : {&r.references, &r.examples, &r.negative_examples, &r.claims, &r.paths, &r.skip_paths})
            *v = rd.strs();
        const uint64_t entropy = rd.u64();
        std::memcpy(&r.min_entropy, &entropy, sizeof entropy);
        r.confidence = Confidence(rd.u64());
        r.severity = Severity(rd.u64());
        r.max_length = size_t(rd.u64());
        r.skip_placeholder_filter = rd.u64() != 0;
        r.weak_is_secret = rd.u64() != 0;
        r.generic = rd.u64() != 0;
        r.context = rd.u64() != 0;
        r.reference = rd.u64() != 0;
        const uint64_t filter = rd.u64();
        if (filter > uint64_t(TokenFilter::Both)) rd.ok = false;
        r.token_filter = TokenFilter(filter);
        rules.push_back(std::move(r));
    }
    if (!rd.ok || rules.size() != n || !rd.in.empty()) return std::nullopt;
    return rules;
}

}  // namespace nhi::rules
