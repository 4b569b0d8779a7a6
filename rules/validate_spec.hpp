// A rule's `validate:` block: how to ask the provider whether a found secret is live, and what
// its answer says about the identity behind it. The block is data; the validate/ layer sends
// the request. Only built-in rules may carry one: a repository's rule files can never add or
// redirect a validation target (docs/VALIDATION.md).
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "rules/rule.hpp"
#include "util/expected.hpp"

namespace nhi::rules {

/// What a provider's answer must look like to mean one outcome. Every given part must hold:
/// the status is one of `status` (when given) and the JSON value at `json_pointer` (RFC 6901)
/// equals `equals` (compared as JSON text, so `true`, `"ok"`, `3`) or, when `equals` is empty,
/// merely exists.
struct ResponseMatch {
    std::vector<int> status;
    std::string json_pointer;
    std::string equals;  // JSON text; empty: the pointer only has to resolve
    bool empty() const { return status.empty() && json_pointer.empty(); }
};

struct ValidateSpec {
    std::string method = "GET";  // GET or POST
    // https only, with a literal host: placeholders may appear in the path and query only.
    std::string url;
    // Header values, the body and basic-auth parts are templates: {secret} is the found secret,
    // {<name>} a companion from `needs`. Values that go into the URL or a form body are
    // percent-encoded when substituted.
    std::vector<std::pair<std::string, std::string>> headers;
    bool basic = false;
    std::string basic_user, basic_password;
    std::string body, content_type;
    // Requests that need a signature instead of a plain secret:
    //   "aws-sigv4"  AWS Signature V4 over the request, key id from `needs: {key_id: ...}`,
    //                secret key = the finding's secret (sign_region, sign_service);
    //   "google-jwt" the finding is a service-account key (JSON or PEM + client_email);
    //                a JWT signed with it is exchanged at the request URL for a token.
    std::string sign, sign_region, sign_service;
    // Other parts of the credential, each taken from the nearest finding of the named rule in
    // the same file (AWS key id beside its secret, Twilio account SID beside its token).
    std::vector<std::pair<std::string, std::string>> needs;  // placeholder name -> rule id
    ResponseMatch live, revoked;  // neither matching: outcome "unknown"
    // Identity fields the live answer gives: field -> "/json/pointer" or "header:<name>".
    // Fields: login, user_id, account, arn, email, name, team, org, scopes, expires_at.
    std::vector<std::pair<std::string, std::string>> identity;
    /// The host of `url` (lower case), where the secret may be sent and nowhere else.
    std::string host() const;
};

/// The identity fields a validate block may name; anything else is refused at load.
const std::vector<std::string>& identity_fields();

/// Parses the canonical JSON form of a rule's block (Rule::validate); fails naming the rule
/// and the bad key. The loader calls it on every block, so a built-in rule's block that loaded
/// always parses.
util::Expected<ValidateSpec> parse_validate_spec(const Rule& rule);

}  // namespace nhi::rules
