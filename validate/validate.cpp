// The run: findings grouped by credential, one request per group, sent by a pool of workers
// (each with its own libcurl handle) under a per-host rate limit with backoff on 429/503.
#include "validate/validate.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "rules/validators.hpp"
#include "util/hash.hpp"
#include "util/time.hpp"
#include "util/worker_pool.hpp"
#include "validate/http.hpp"
#include "validate/match.hpp"
#include "validate/request.hpp"

namespace nhi::validate {

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kUrlVar = "NHI_TEST_ONLY_VALIDATION_URL";
constexpr const char* kCaVar = "NHI_TEST_ONLY_VALIDATION_CA";
constexpr long kMaxRetryAfterSeconds = 30;

// Only https on a loopback host, with nothing but an optional port and "/" after it.
util::Status check_test_url(const std::string& url) {
    const util::Error refused{kUrlVar, "only an https URL on a loopback host (127.0.0.1, ::1, localhost) is allowed"};
    const std::string scheme = "https://";
    if (url.compare(0, scheme.size(), scheme) != 0) return refused;
    std::string rest = url.substr(scheme.size());
    while (!rest.empty() && rest.back() == '/') rest.pop_back();
    std::string host = rest, port;
    if (!rest.empty() && rest[0] == '[') {
        auto close = rest.find(']');
        if (close == std::string::npos) return refused;
        host = rest.substr(0, close + 1);
        port = rest.substr(close + 1);
    } else if (auto colon = rest.find(':'); colon != std::string::npos) {
        host = rest.substr(0, colon);
        port = rest.substr(colon);
    }
    if (host != "127.0.0.1" && host != "[::1]" && host != "localhost") return refused;
    if (!port.empty()) {
        if (port[0] != ':' || port.size() < 2 || port.size() > 6) return refused;
        for (size_t i = 1; i < port.size(); ++i)
            if (!std::isdigit(static_cast<unsigned char>(port[i]))) return refused;
    }
    return util::ok_status();
}

// Requests to one host start no faster than `rate` a second, with bursts of up to a second's
// worth (GCRA, the token bucket as a schedule); a 429/503 pauses the host for every worker.
class HostLimiter {
public:
    explicit HostLimiter(double rate) : rate_(rate) {}

    void acquire(const std::string& host) {
        Clock::time_point start;
        {
            std::lock_guard lock(mu_);
            auto now = Clock::now();
            auto& h = hosts_[host];
            start = std::max(now, h.blocked_until);
            if (rate_ > 0) {
                auto interval = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / rate_));
                auto tau = interval * (std::max(1.0, rate_) - 1.0);
                if (h.tat < start) h.tat = start;
                start = std::max(start, h.tat - std::chrono::duration_cast<Clock::duration>(tau));
                h.tat += interval;
            }
        }
        std::this_thread::sleep_until(start);
    }

    void pause(const std::string& host, std::chrono::milliseconds wait) {
        std::lock_guard lock(mu_);
        auto& h = hosts_[host];
        h.blocked_until = std::max(h.blocked_until, Clock::now() + wait);
    }

private:
    struct Host {
        Clock::time_point tat{}, blocked_until{};
    };
    double rate_;
    std::mutex mu_;
    std::map<std::string, Host> hosts_;
};

// One credential to try: every finding with this rule, secret and companions shares its answer.
struct Job {
    const rules::ValidateSpec* spec = nullptr;
    std::string rule_id, host;
    Values values;
    std::vector<size_t> findings;
    db::Validation outcome;  // set before the run (skipped) or by the worker that ran it
};

db::Validation outcome(std::string status, std::string reason, int http_status = 0) {
    db::Validation v;
    v.status = std::move(status);
    v.reason = std::move(reason);
    v.http_status = http_status;
    v.checked_at = util::format_utc(util::now_unix());
    return v;
}

// A provider's answer may echo what it was sent (a token field an identity pointer names):
// any identity value or reason holding a part of the credential is dropped, so the outcome
// can be printed and stored as it is.
void drop_echoes(nlohmann::json& j, const Values& values) {
    if (j.is_string()) {
        const auto& s = j.get_ref<const std::string&>();
        for (const auto& [name, value] : values)
            if (value.size() >= 4 && s.find(value) != std::string::npos) {
                j = "[removed: the answer held the " + name + "]";
                return;
            }
    } else if (j.is_structured()) {
        for (auto& child : j) drop_echoes(child, values);
    }
}

// Seconds from Retry-After (the delta form), capped; nullopt for an absent or HTTP-date value.
std::optional<long> retry_after(const HttpResponse& r) {
    std::string v = r.header("retry-after");
    if (v.empty() || v.size() > 9 || !std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); }))
        return std::nullopt;
    return std::min(std::stol(v), kMaxRetryAfterSeconds);
}

db::Validation run_one(const Job& job, HttpClient& client, HostLimiter& limiter, const Options& o,
                       const std::string& base_url) {
    for (int attempt = 0;; ++attempt) {
        // Built for each attempt: a signature carries the time.
        auto req = build_request(*job.spec, job.values, base_url, util::now_unix());
        if (!req) return outcome("unknown", req.error().why);
        limiter.acquire(job.host);
        auto res = client.send(req.value());
        if (!res) return outcome("error", res.error().why);
        long status = res->status;
        if (status == 429 || status == 503) {
            if (attempt >= o.max_retries) return outcome("unknown", "rate limited", int(status));
            long seconds = retry_after(res.value()).value_or(1L << std::min(attempt, 4));
            limiter.pause(job.host, std::chrono::milliseconds(std::min(seconds, kMaxRetryAfterSeconds) * 1000));
            continue;
        }
        auto v = judge(*job.spec, res.value());
        v.checked_at = util::format_utc(util::now_unix());
        return v;
    }
}

// Findings with their plaintext, by (rule id, path): where companions are looked for.
using CompanionIndex = std::map<std::pair<std::string, std::string>, std::vector<const db::Finding*>>;

// The nearest finding of `rule_id` in `f`'s file with its plaintext, by line distance.
const db::Finding* nearest(const CompanionIndex& index, const db::Finding& f, const std::string& rule_id) {
    auto it = index.find({rule_id, f.path});
    if (it == index.end()) return nullptr;
    const db::Finding* best = nullptr;
    auto distance = [&](const db::Finding& g) {
        return std::make_pair(g.line > f.line ? g.line - f.line : f.line - g.line,
                              g.column > f.column ? g.column - f.column : f.column - g.column);
    };
    for (const db::Finding* g : it->second) {
        if (g == &f) continue;
        if (!best || distance(*g) < distance(*best)) best = g;
    }
    return best;
}

}  // namespace

util::Status options_from_environment(Options& o) {
    const char* url = std::getenv(kUrlVar);
    const char* ca = std::getenv(kCaVar);
    if (url && *url) {
        TRY(check_test_url(url));
        o.test_base_url = url;
    }
    if (ca && *ca) {
        // A CA of its own would let someone read the requests to the real providers.
        if (o.test_base_url.empty()) return util::Error{kCaVar, "is used only with " + std::string(kUrlVar)};
        o.test_ca_file = ca;
    }
    return util::ok_status();
}

Counts validate_findings(std::vector<db::Finding>& findings,
                         const std::function<const rules::Rule*(const std::string&)>& rule_of, const Options& o,
                         const std::function<void(const util::Error&)>& warning) {
    Counts counts;
    std::map<std::string, std::optional<rules::ValidateSpec>> specs;  // by rule id; nullopt: does not parse
    std::vector<Job> jobs;
    std::map<std::string, size_t> job_of;  // credential key -> index in jobs
    std::vector<util::Error> causes;
    CompanionIndex companions;
    for (const auto& f : findings)
        if (!f.secret.empty()) companions[{f.rule_id, f.path}].push_back(&f);

    for (size_t i = 0; i < findings.size(); ++i) {
        const db::Finding& f = findings[i];
        auto it = specs.find(f.rule_id);
        if (it == specs.end()) {
            const rules::Rule* rule = rule_of ? rule_of(f.rule_id) : nullptr;
            std::optional<rules::ValidateSpec> spec;
            if (rule && !rule->validate.empty()) {
                auto parsed = rules::parse_validate_spec(*rule);
                if (parsed) spec = std::move(parsed).value();
                else causes.push_back(parsed.error());
            }
            it = specs.emplace(f.rule_id, std::move(spec)).first;
        }
        if (!it->second) {
            ++counts.not_supported;
            continue;
        }
        // Only a hash is left (a blob an earlier history scan read): nothing can be sent, and
        // the finding keeps the outcome the datastore holds for it, if any.
        if (f.secret.empty()) {
            ++counts.not_in_memory;
            continue;
        }
        // A token whose checksum fails was issued by no provider: asking would only send a
        // string that may be a real token edited by hand.
        if (rules::is_invalid(f.hints)) {
            ++counts.invalid;
            continue;
        }
        const rules::ValidateSpec& spec = *it->second;
        std::string key = f.rule_id + '\0' + (f.secret_sha256.empty() ? util::sha256_hex(f.secret) : f.secret_sha256);
        Values values;
        std::string missing;
        if (!f.secret.empty()) {
            values["secret"] = f.secret;
            for (const auto& [name, rule_id] : spec.needs) {
                const db::Finding* c = nearest(companions, f, rule_id);
                if (!c) {
                    if (missing.empty()) missing = name;
                    continue;
                }
                values[name] = c->secret;
                key += '\0' + name + '=' + util::sha256_hex(c->secret);
            }
        }
        if (!missing.empty()) {
            key += '\0';
            key += "missing=" + missing;
        }
        auto [slot, fresh] = job_of.emplace(key, jobs.size());
        if (fresh) {
            Job job;
            job.spec = &spec;
            job.rule_id = f.rule_id;
            job.host = spec.host();
            if (!missing.empty()) job.outcome = outcome("unknown", "no " + missing + " found beside the secret");
            else job.values = std::move(values);
            jobs.push_back(std::move(job));
        }
        jobs[slot->second].findings.push_back(i);
    }

    std::vector<size_t> to_send;
    for (size_t j = 0; j < jobs.size(); ++j)
        if (!jobs[j].outcome.done()) to_send.push_back(j);

    std::string base_url, ca_file;
    if (!o.test_base_url.empty()) {
        if (auto s = check_test_url(o.test_base_url); !s) {
            for (size_t j : to_send) jobs[j].outcome = outcome("error", "test-only validation url refused");
            causes.push_back(s.error());
            to_send.clear();
        } else {
            base_url = o.test_base_url;
            ca_file = o.test_ca_file;  // only ever with the loopback override
        }
    }

    if (!to_send.empty()) {
        HostLimiter limiter(o.per_host_per_second);
        HttpOptions http{o.timeout_ms, size_t(1) << 20, ca_file, !base_url.empty()};
        unsigned threads = unsigned(std::clamp<size_t>(o.concurrency, 1, to_send.size()));
        util::WorkerPool<size_t> pool(threads, threads * 2, [&]() -> util::Expected<util::WorkerPool<size_t>::Handler> {
            // A worker that cannot make its handle answers "error" for its jobs rather than
            // stopping the others.
            auto made = HttpClient::create(http);
            std::shared_ptr<HttpClient> client;
            std::string why = made ? "" : made.error().why;
            if (made) client = std::make_shared<HttpClient>(std::move(made).value());
            return util::WorkerPool<size_t>::Handler([&, client, why](size_t& j) -> util::Status {
                Job& job = jobs[j];
                try {
                    job.outcome = client ? run_one(job, *client, limiter, o, base_url) : outcome("error", why);
                } catch (const std::exception&) {
                    job.outcome = outcome("error", "internal error");
                }
                return util::ok_status();
            });
        });
        for (size_t j : to_send)
            if (!pool.submit(j)) break;
        if (auto s = pool.finish(); !s) causes.push_back(s.error());
        counts.checked = to_send.size();
    }

    std::set<std::pair<std::string, std::string>> warned;
    auto warn = [&](const util::Error& e) {
        if (warning && warned.emplace(e.what, e.why).second) warning(e);
    };
    for (const auto& e : causes) warn(e);
    for (auto& job : jobs) {
        if (!job.outcome.done()) job.outcome = outcome("error", "not sent");
        drop_echoes(job.outcome.identity, job.values);
        nlohmann::json reason = job.outcome.reason;
        drop_echoes(reason, job.values);
        job.outcome.reason = reason.get<std::string>();
        const std::string& s = job.outcome.status;
        if (s == "live") ++counts.live;
        else if (s == "revoked") ++counts.revoked;
        else if (s == "unknown") ++counts.unknown;
        else ++counts.error;
        if (s != "live" && s != "revoked") warn(util::Error{"validation at " + job.host, job.outcome.reason});
        for (size_t i : job.findings) findings[i].validation = job.outcome;
    }
    return counts;
}

}  // namespace nhi::validate
