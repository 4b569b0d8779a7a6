#include "validate/http.hpp"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <mutex>

#include "util/text.hpp"

namespace nhi::validate {

namespace {

struct EasyDeleter {
    void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct SlistDeleter {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Easy = std::unique_ptr<CURL, EasyDeleter>;
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

// curl_global_init is not thread-safe in every libcurl build: once, before any handle.
bool global_init() {
    static std::once_flag once;
    static bool ok = false;
    std::call_once(once, [] { ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; });
    return ok;
}

// What one transfer collects; the callbacks fill it.
struct Sink {
    HttpResponse* response = nullptr;
    size_t max_body = 0;
    bool too_large = false;
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
    auto* s = static_cast<Sink*>(user);
    size_t len = size * n;
    if (s->response->body.size() + len > s->max_body) {
        s->too_large = true;
        return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
    s->response->body.append(data, len);
    return len;
}

std::string trim(std::string s) {
    auto sp = [](unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && sp(s.back())) s.pop_back();
    size_t i = 0;
    while (i < s.size() && sp(s[i])) ++i;
    return s.substr(i);
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
    auto* s = static_cast<Sink*>(user);
    std::string line(data, size * n);
    // A status line starts a new header block (after a 100 Continue): keep only the last.
    if (line.rfind("HTTP/", 0) == 0) {
        s->response->headers.clear();
        return size * n;
    }
    auto colon = line.find(':');
    if (colon == std::string::npos || colon == 0) return size * n;
    s->response->headers.emplace_back(trim(util::lower(line.substr(0, colon))), trim(line.substr(colon + 1)));
    return size * n;
}

// A short reason for a transport failure. Never curl_easy_strerror or the error buffer: those
// can quote the URL, and the URL's query may hold the secret.
std::string reason(CURLcode c, bool too_large) {
    if (too_large) return "answer too large";
    switch (c) {
    case CURLE_OPERATION_TIMEDOUT: return "timeout";
    case CURLE_COULDNT_RESOLVE_HOST: return "could not resolve host";
    case CURLE_COULDNT_RESOLVE_PROXY: return "could not resolve proxy";
    case CURLE_COULDNT_CONNECT: return "could not connect";
    case CURLE_PEER_FAILED_VERIFICATION: return "tls: certificate not trusted";
    case CURLE_SSL_CACERT_BADFILE: return "tls: ca file unreadable";
    case CURLE_SSL_CONNECT_ERROR: return "tls: handshake failed";
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER: return "tls: handshake failed";
    case CURLE_UNSUPPORTED_PROTOCOL: return "only https is allowed";
    case CURLE_URL_MALFORMAT: return "malformed url";
    case CURLE_SEND_ERROR: return "connection lost while sending";
    case CURLE_RECV_ERROR: return "connection lost while receiving";
    case CURLE_GOT_NOTHING: return "empty answer";
    case CURLE_WEIRD_SERVER_REPLY: return "not an http answer";
    case CURLE_PARTIAL_FILE: return "answer cut short";
    case CURLE_OUT_OF_MEMORY: return "out of memory";
    default: return "request failed (curl error " + std::to_string(int(c)) + ")";
    }
}

}  // namespace

struct HttpClient::Impl {
    HttpOptions options;
    Easy easy;
};

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;
HttpClient::~HttpClient() = default;

util::Expected<HttpClient> HttpClient::create(const HttpOptions& o) {
    if (!global_init()) return util::Error{"https client", "libcurl could not be initialised"};
    Easy easy(curl_easy_init());
    if (!easy) return util::Error{"https client", "libcurl could not make a handle"};
    auto impl = std::make_unique<Impl>();
    impl->options = o;
    impl->easy = std::move(easy);
    return HttpClient(std::move(impl));
}

util::Expected<HttpResponse> HttpClient::send(const HttpRequest& r) {
    const util::Error setup{"https request", "libcurl refused an option"};
    CURL* h = impl_->easy.get();
    // Reset per request, on the same handle: options never leak from one request to the next,
    // and the connection cache is kept.
    curl_easy_reset(h);
    HttpResponse response;
    Sink sink{&response, impl_->options.max_body, false};
    Slist headers;
    for (const auto& [name, value] : r.headers) {
        std::string line = name + ": " + value;
        if (value.empty()) line = name + ";";  // curl's form for a header with an empty value
        curl_slist* next = curl_slist_append(headers.get(), line.c_str());
        if (!next) return setup;
        headers.release();
        headers.reset(next);
    }
    if (r.method == "POST") {
        // No "Expect: 100-continue" round trip.
        curl_slist* next = curl_slist_append(headers.get(), "Expect:");
        if (!next) return setup;
        headers.release();
        headers.reset(next);
    }
    bool ok = true;
    auto set = [&](CURLoption opt, auto value) { ok = ok && curl_easy_setopt(h, opt, value) == CURLE_OK; };
    set(CURLOPT_URL, r.url.c_str());
    set(CURLOPT_PROTOCOLS_STR, "https");
    set(CURLOPT_REDIR_PROTOCOLS_STR, "https");
    set(CURLOPT_FOLLOWLOCATION, 0L);  // a 3xx is the answer; the secret goes nowhere else
    set(CURLOPT_SSL_VERIFYPEER, 1L);
    set(CURLOPT_SSL_VERIFYHOST, 2L);
    if (!impl_->options.ca_file.empty()) set(CURLOPT_CAINFO, impl_->options.ca_file.c_str());
    if (impl_->options.loopback_without_proxy) set(CURLOPT_NOPROXY, "127.0.0.1,localhost,::1");
    set(CURLOPT_TIMEOUT_MS, impl_->options.timeout_ms);
    set(CURLOPT_CONNECTTIMEOUT_MS, impl_->options.timeout_ms);
    set(CURLOPT_NOSIGNAL, 1L);  // worker threads: no SIGALRM for timeouts
    set(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);  // a proxy's CONNECT answer is not the provider's
    set(CURLOPT_USERAGENT, "nhi/" NHI_VERSION " (secret validation)");
    set(CURLOPT_HTTPHEADER, headers.get());
    set(CURLOPT_WRITEFUNCTION, on_body);
    set(CURLOPT_WRITEDATA, &sink);
    set(CURLOPT_HEADERFUNCTION, on_header);
    set(CURLOPT_HEADERDATA, &sink);
    if (r.method == "POST") {
        set(CURLOPT_POST, 1L);
        set(CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(r.body.size()));
        set(CURLOPT_COPYPOSTFIELDS, r.body.c_str());
    } else if (r.method == "GET") {
        set(CURLOPT_HTTPGET, 1L);
    } else {
        return util::Error{"https request", "method must be GET or POST"};
    }
    if (!ok) return setup;
    CURLcode c = curl_easy_perform(h);
    // The handle keeps pointers to `headers` and `sink`: drop them before they go.
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
    if (c != CURLE_OK) return util::Error{"https request", reason(c, sink.too_large)};
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    response.status = status;
    return response;
}

std::string HttpResponse::header(const std::string& name) const {
    for (const auto& [n, v] : headers)
        if (n == name) return v;
    return "";
}

std::string percent_encode(std::string_view s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += char(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(bytes.data()), int(bytes.size()));
    out.resize(size_t(std::max(n, 0)));
    return out;
}

}  // namespace nhi::validate
