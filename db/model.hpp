// The domain model shared by the datastore and the reports.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "rules/path_context.hpp"
#include "rules/rule.hpp"

namespace nhi::db {

/// What the provider said when a found secret was tried (nhi scan --validate, nhi validate).
/// Only this outcome is stored, never the secret that was sent.
struct Validation {
    std::string status;      // live | revoked | unknown | error; empty: not validated
    std::string checked_at;  // ISO 8601 UTC, when the answer came
    int http_status = 0;     // 0: no HTTP answer (timeout, TLS failure, not sent)
    std::string reason;      // for unknown/error: "timeout", "rate limited", "redirect not followed", ...
    // Identity fields the live answer gave (rules::identity_fields(): login, account, arn,
    // scopes as a list, expires_at, ...); empty object otherwise.
    nlohmann::json identity = nlohmann::json::object();
    bool done() const { return !status.empty(); }
};

/// One secret found at one place. `secret` holds the plaintext only in memory: it is
/// written to the datastore only with --store-secrets and printed only when asked.
struct Finding {
    std::string rule_id;
    std::string rule_name;
    rules::Severity severity = rules::Severity::High;
    rules::Confidence confidence = rules::Confidence::Medium;
    std::string provider, kind, actor;
    std::string revocation;
    std::string path;  // relative to the scanned root; inside an archive, `file!entry` (see `inner`)
    // Where inside `path`'s file the secret is, when it is not plain text there: `inner` is the
    // "!entry" chain of archives (already part of `path`; the git scanner re-appends it to each
    // path a blob has), `encoding` the decoders on the way ("base64", "utf-16le/base64").
    std::string inner, encoding;
    size_t line = 0, column = 0;  // 1-based, of the secret's first byte
    std::string secret;
    std::string secret_sha256;
    std::string fingerprint;  // sha256(rule \0 secret_sha256 \0 path), 32 hex: baseline identity
    std::string redacted;
    nlohmann::json hints;  // what validators decoded (expiry, account id, ...)
    Validation validation;  // filled by --validate
    // What kind of file `path` is (live source, test, fixture, docs, ...): orders the output
    // and, with --no-fail-in, keeps test data from failing CI. Set by the scan command.
    rules::PathContext path_context = rules::PathContext::Source;

    // Git provenance: where history first shows this secret at this path.
    std::string commit, author, author_email, date, committer;
    int in_head = -1;  // 1: still in HEAD's tree, 0: only in history, -1: not a git scan
    struct Occurrence {
        std::string commit, path;
        size_t line = 0, column = 0;
    };
    std::vector<Occurrence> occurrences;  // every blob that holds it (git scans)
};

/// Builds a finding with its hashes and redacted preview filled in.
Finding make_finding(const rules::Rule& rule, std::string_view secret, std::string path, size_t line,
                     size_t column, nlohmann::json hints);

/// Copies what a finding reports about its rule (name, provider, revocation...), with the
/// severity and confidence rules::rate gives for its hints.
void apply_rule(Finding& f, const rules::Rule& rule);

/// A preview that identifies a secret to its owner without disclosing it: the first and
/// last characters of long secrets (a prefix such as `ghp_` tells the kind), nothing of
/// short ones.
std::string redact(std::string_view secret);

/// Fingerprint of (rule, secret, path); stable when lines move, different for a new secret.
std::string fingerprint(std::string_view rule_id, std::string_view secret_sha256, std::string_view path);

/// Compact JSON text of `j`, for storing: never throws. Strings holding invalid UTF-8 (a
/// decoded docker user name, a Latin-1 file name) get U+FFFD for the bad bytes, where
/// nlohmann's plain dump() would throw type_error 316.
std::string json_text(const nlohmann::json& j);

}  // namespace nhi::db
