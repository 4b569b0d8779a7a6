// A loopback HTTPS (HTTP/1.1) server for tests: it makes a throwaway self-signed certificate
// for 127.0.0.1 and localhost at start, writes it to ca_file() for the client to trust, and
// answers every request with the handler's response, recording what was sent. Used by the
// validation tests and by the CLI's end-to-end tests through NHI_TEST_ONLY_VALIDATION_URL.
#pragma once
#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace nhi::test {

struct MockRequest {
    std::string method;
    std::string target;  // path and query, as sent
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;
    /// The header's value, or "" when it was not sent.
    std::string header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? "" : it->second;
    }
};

struct MockResponse {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    int delay_ms = 0;  // wait this long before answering
};

class MockServer {
public:
    using Handler = std::function<MockResponse(const MockRequest&)>;
    /// Starts listening on 127.0.0.1 on a free port; throws std::runtime_error when it cannot.
    explicit MockServer(Handler handler);
    ~MockServer();
    MockServer(const MockServer&) = delete;
    MockServer& operator=(const MockServer&) = delete;

    int port() const { return port_; }
    /// https://127.0.0.1:<port>
    std::string base_url() const { return "https://127.0.0.1:" + std::to_string(port_); }
    /// The PEM file of the certificate the server presents (its own CA).
    const std::string& ca_file() const { return ca_file_; }
    /// Every request answered or being answered so far, in arrival order.
    std::vector<MockRequest> requests() const;
    size_t request_count() const;
    void set_handler(Handler handler);
    void clear_requests();

    struct Tls;

private:
    void accept_loop();
    void serve(int fd);
    bool sleep_unless_stopped(int ms);
    MockResponse answer(const MockRequest& r);

    std::unique_ptr<Tls> tls_;
    int listen_fd_ = -1;
    int port_ = 0;
    std::string dir_, ca_file_;
    std::atomic<bool> stop_{false};
    mutable std::mutex mu_;
    std::condition_variable stop_cv_;
    Handler handler_;
    std::vector<MockRequest> requests_;
    std::vector<int> open_fds_;
    std::vector<std::thread> threads_;
    std::thread acceptor_;
};

}  // namespace nhi::test
