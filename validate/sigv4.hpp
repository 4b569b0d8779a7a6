// AWS Signature Version 4 (header form), on OpenSSL: how an STS GetCallerIdentity request is
// signed with a found key id and secret access key.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace nhi::validate {

struct SigV4Request {
    std::string method = "GET";
    std::string host;   // the provider's host, as the signature's Host header
    std::string path = "/";
    std::string query;  // as in the URL (a=b&c=d, already percent-encoded or plain)
    std::vector<std::pair<std::string, std::string>> headers;  // signed besides host and x-amz-date
    std::string body;
    std::string region, service, key_id, secret;
    int64_t time = 0;  // seconds since the epoch
};

struct SigV4Signature {
    std::string amz_date;       // X-Amz-Date header value (20150830T123600Z)
    std::string authorization;  // Authorization header value
    std::string canonical_request, string_to_sign, signature;  // for tests and debugging
};

/// The signature of `r`; never fails (OpenSSL's HMAC and SHA-256 on memory).
SigV4Signature sign_v4(const SigV4Request& r);

}  // namespace nhi::validate
