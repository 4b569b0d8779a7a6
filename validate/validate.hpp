// Live validation (opt-in): asks each provider whether a found secret still works, while the
// plaintext is in memory, and keeps only the answer (db::Validation). The requests are the
// built-in rules' `validate:` blocks (rules/validate_spec.hpp); docs/VALIDATION.md says what is
// sent where and why it is safe.
#pragma once
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "db/model.hpp"
#include "rules/rule.hpp"
#include "util/expected.hpp"

namespace nhi::validate {

struct Options {
    // Requests in flight at once. Providers answer in 100-500 ms, so the run is bound by
    // latency, not CPU. Measured (tests/validate/test_bench.cpp, 200 secrets, 100 ms answers):
    // over ten hosts at 4/s each, 20.4 s at 1, 5.1 s at 4, 4.2 s at 8, 4.1 s at 16: past 8 the
    // per-host rate, not the concurrency, bounds the run (one host at 4/s: 49 s at any).
    size_t concurrency = 8;
    long timeout_ms = 10000;       // per request, connect included
    double per_host_per_second = 4;  // steady rate to one host
    int max_retries = 2;           // on 429 / 503, after Retry-After or exponential backoff
    // Test only: from NHI_TEST_ONLY_VALIDATION_URL / NHI_TEST_ONLY_VALIDATION_CA (see
    // options_from_environment). Requests go to <base>/<provider host><path>.
    std::string test_base_url, test_ca_file;
};

/// Reads the test-only overrides from the environment into `o`. Fails when the override names
/// a host that is not loopback (127.0.0.1, ::1, localhost) or is not https.
util::Status options_from_environment(Options& o);

/// What a run did, for the scan summary.
struct Counts {
    size_t checked = 0;  // distinct secrets tried
    size_t live = 0, revoked = 0, unknown = 0, error = 0;
    size_t not_supported = 0;  // findings whose rule has no validate block
    // Findings known only by hash (a git blob scanned before): not sent; they keep the outcome
    // stored with them.
    size_t not_in_memory = 0;
    // Findings whose checksum fails (rules::kInvalidHint): no provider issued them, so they
    // are not sent.
    size_t invalid = 0;
};

/// Validates, in place, every finding whose rule has a validate block and whose plaintext is
/// in memory. One request per distinct (rule, secret, companions); every finding with that
/// secret gets the outcome. Never fails the scan: a failure is an outcome ("error") and, once
/// per cause, a call to `warning`. `rule_of` returns the rule for an id, or nullptr.
Counts validate_findings(std::vector<db::Finding>& findings,
                         const std::function<const rules::Rule*(const std::string&)>& rule_of, const Options& o,
                         const std::function<void(const util::Error&)>& warning);

}  // namespace nhi::validate
