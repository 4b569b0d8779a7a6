// A small HTTPS client on libcurl for validation requests: https only, certificates and host
// names checked, redirects never followed, a timeout on every request and a cap on the
// answer. Errors name what failed in a few words and never carry the URL (its query may hold
// the secret) or curl's own message.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "util/expected.hpp"

namespace nhi::validate {

struct HttpRequest {
    std::string method = "GET";  // GET or POST
    std::string url;             // https://...
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;            // sent with POST
};

struct HttpResponse {
    long status = 0;
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, values trimmed
    std::string body;
    /// The value of the first header named `name` (lower case), or "" when there is none.
    std::string header(const std::string& name) const;
};

struct HttpOptions {
    long timeout_ms = 10000;              // whole request, connect included
    size_t max_body = size_t(1) << 20;    // longer answers fail with "answer too large"
    std::string ca_file;                  // trust only this CA file (the test server's); empty: system CAs
    // The loopback test server is never reached through a proxy (https_proxy in a CI job
    // would otherwise swallow the tests' requests). Off for real providers: proxies honoured.
    bool loopback_without_proxy = false;
};

/// One libcurl easy handle: one thread's connection cache. Not shared between threads.
class HttpClient {
public:
    /// A client with `o`; fails when libcurl cannot be initialised.
    static util::Expected<HttpClient> create(const HttpOptions& o);
    HttpClient(HttpClient&&) noexcept;
    HttpClient& operator=(HttpClient&&) noexcept;
    ~HttpClient();

    /// The answer to `r` (any HTTP status, 3xx included: redirects are not followed); fails on
    /// a transport error with a short lower-case reason ("timeout", "could not connect",
    /// "tls: certificate not trusted", ...).
    util::Expected<HttpResponse> send(const HttpRequest& r);

    struct Impl;

private:
    explicit HttpClient(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

/// RFC 3986 percent-encoding: everything but A-Z a-z 0-9 - . _ ~ becomes %XX.
std::string percent_encode(std::string_view s);

/// Standard base64 (with padding) of the bytes.
std::string base64(std::string_view bytes);

}  // namespace nhi::validate
