#include "support/mock_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace nhi::test {

namespace {

template <typename T, void (*F)(T*)>
struct Free {
    void operator()(T* p) const { F(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Free<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Free<X509, X509_free>>;
using Ctx = std::unique_ptr<SSL_CTX, Free<SSL_CTX, SSL_CTX_free>>;
using Ssl = std::unique_ptr<SSL, Free<SSL, SSL_free>>;
using Ext = std::unique_ptr<X509_EXTENSION, Free<X509_EXTENSION, X509_EXTENSION_free>>;

[[noreturn]] void die(const std::string& what) { throw std::runtime_error("mock server: " + what); }

void add_ext(X509* cert, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    Ext ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    if (!ext || !X509_add_ext(cert, ext.get(), -1)) die("certificate extension");
}

// A self-signed P-256 certificate for 127.0.0.1 and localhost, valid for a day.
std::pair<Key, Cert> make_certificate() {
    Key key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (!key) die("key generation");
    Cert cert(X509_new());
    if (!cert) die("certificate");
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), long(std::chrono::system_clock::now().time_since_epoch().count() & 0x7fffffff));
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("nhi test server"), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    add_ext(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_ext(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign");
    add_ext(cert.get(), NID_subject_key_identifier, "hash");
    add_ext(cert.get(), NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
    if (!X509_sign(cert.get(), key.get(), EVP_sha256())) die("certificate signature");
    return {std::move(key), std::move(cert)};
}

const char* reason_phrase(int status) {
    switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
    }
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

std::string trim(const std::string& s) {
    size_t b = s.find_first_not_of(" \t\r");
    size_t e = s.find_last_not_of(" \t\r");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

}  // namespace

struct MockServer::Tls {
    Ctx ctx;
};

MockServer::MockServer(Handler handler) : handler_(std::move(handler)) {
    // A client that times out closes its end while we write: that must not kill the suite.
    signal(SIGPIPE, SIG_IGN);
    auto [key, cert] = make_certificate();
    tls_ = std::make_unique<Tls>();
    tls_->ctx.reset(SSL_CTX_new(TLS_server_method()));
    if (!tls_->ctx || SSL_CTX_use_certificate(tls_->ctx.get(), cert.get()) != 1 ||
        SSL_CTX_use_PrivateKey(tls_->ctx.get(), key.get()) != 1)
        die("tls context");

    char templ[] = "/tmp/nhi-mock-XXXXXX";
    if (!mkdtemp(templ)) die("temp dir");
    dir_ = templ;
    ca_file_ = dir_ + "/ca.pem";
    FILE* f = std::fopen(ca_file_.c_str(), "w");
    if (!f) die("ca file");
    bool wrote = PEM_write_X509(f, cert.get()) == 1;
    std::fclose(f);
    if (!wrote) die("ca file");

    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) die("socket");
    int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listen_fd_, 64) != 0)
        die("bind 127.0.0.1");
    socklen_t len = sizeof addr;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
}

MockServer::~MockServer() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
        // Wake every connection blocked in a read.
        for (int fd : open_fds_) shutdown(fd, SHUT_RDWR);
    }
    stop_cv_.notify_all();
    if (acceptor_.joinable()) acceptor_.join();
    std::vector<std::thread> threads;
    {
        std::lock_guard lock(mu_);
        threads.swap(threads_);
    }
    for (auto& t : threads)
        if (t.joinable()) t.join();
    if (listen_fd_ >= 0) close(listen_fd_);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

void MockServer::accept_loop() {
    while (!stop_) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0) continue;  // wakes to see stop_
        int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        timeval tv{30, 0};  // a client that goes quiet does not hold a thread forever
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        std::lock_guard lock(mu_);
        if (stop_) {
            close(fd);
            break;
        }
        open_fds_.push_back(fd);
        threads_.emplace_back([this, fd] { serve(fd); });
    }
}

bool MockServer::sleep_unless_stopped(int ms) {
    std::unique_lock lock(mu_);
    return !stop_cv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stop_.load(); });
}

MockResponse MockServer::answer(const MockRequest& r) {
    Handler h;
    {
        std::lock_guard lock(mu_);
        requests_.push_back(r);
        h = handler_;
    }
    try {
        return h(r);
    } catch (...) {
        return MockResponse{500, {}, "handler threw", 0};
    }
}

void MockServer::serve(int fd) {
    Ssl ssl(SSL_new(tls_->ctx.get()));
    if (ssl && SSL_set_fd(ssl.get(), fd) == 1 && SSL_accept(ssl.get()) == 1) {
        std::string buf;
        char chunk[16384];
        auto fill = [&]() {
            int n = SSL_read(ssl.get(), chunk, sizeof chunk);
            if (n <= 0) return false;
            buf.append(chunk, size_t(n));
            return true;
        };
        // Keep-alive: one request after another on the connection until the client closes.
        while (!stop_) {
            size_t end;
            while ((end = buf.find("\r\n\r\n")) == std::string::npos)
                if (!fill()) goto done;
            MockRequest req;
            std::string head = buf.substr(0, end);
            buf.erase(0, end + 4);
            size_t eol = head.find("\r\n");
            std::string line = head.substr(0, eol);
            size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
            if (sp1 == std::string::npos || sp2 <= sp1) break;
            req.method = line.substr(0, sp1);
            req.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
            size_t pos = eol == std::string::npos ? head.size() : eol + 2;
            while (pos < head.size()) {
                size_t next = head.find("\r\n", pos);
                if (next == std::string::npos) next = head.size();
                std::string h = head.substr(pos, next - pos);
                auto colon = h.find(':');
                if (colon != std::string::npos) req.headers[lower(trim(h.substr(0, colon)))] = trim(h.substr(colon + 1));
                pos = next + 2;
            }
            size_t length = 0;
            if (auto it = req.headers.find("content-length"); it != req.headers.end())
                length = size_t(std::strtoull(it->second.c_str(), nullptr, 10));
            while (buf.size() < length)
                if (!fill()) goto done;
            req.body = buf.substr(0, length);
            buf.erase(0, length);

            MockResponse res = answer(req);
            if (res.delay_ms > 0 && !sleep_unless_stopped(res.delay_ms)) break;
            std::string out = "HTTP/1.1 " + std::to_string(res.status) + " " + reason_phrase(res.status) + "\r\n";
            out += "Content-Length: " + std::to_string(res.body.size()) + "\r\n";
            for (const auto& [n, v] : res.headers) out += n + ": " + v + "\r\n";
            out += "\r\n" + res.body;
            if (SSL_write(ssl.get(), out.data(), int(out.size())) <= 0) break;
            if (lower(req.header("connection")) == "close") break;
        }
    done:
        SSL_shutdown(ssl.get());
    }
    ssl.reset();
    std::lock_guard lock(mu_);
    open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
    close(fd);
}

std::vector<MockRequest> MockServer::requests() const {
    std::lock_guard lock(mu_);
    return requests_;
}

size_t MockServer::request_count() const {
    std::lock_guard lock(mu_);
    return requests_.size();
}

void MockServer::set_handler(Handler handler) {
    std::lock_guard lock(mu_);
    handler_ = std::move(handler);
}

void MockServer::clear_requests() {
    std::lock_guard lock(mu_);
    requests_.clear();
}

}  // namespace nhi::test
