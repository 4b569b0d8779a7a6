// A minimal expected<T, Error>: g++ 12 has no std::expected and Debian 12 packages no
// tl::expected, so library code returns this and the CLI has the single catch.
#pragma once
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace nhi::util {

/// One failure: `what` names the thing (a path, a rule id), `why` says what went wrong.
/// Rendered by the CLI as `nhi: error: <what>: <why>`.
struct Error {
    std::string what;
    std::string why;
    std::string message() const { return what.empty() ? why : what + ": " + why; }
};

/// Thrown only to give up; caught once in cli::run.
class Fatal : public std::runtime_error {
public:
    explicit Fatal(Error e) : std::runtime_error(e.message()), error(std::move(e)) {}
    Error error;
};

template <typename T>
class Expected {
public:
    Expected(T value) : v_(std::move(value)) {}
    Expected(Error error) : v_(std::move(error)) {}
    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() & { check(); return std::get<0>(v_); }
    T&& value() && { check(); return std::get<0>(std::move(v_)); }
    const T& value() const& { check(); return std::get<0>(v_); }
    T* operator->() { return &value(); }
    T& operator*() & { return value(); }
    const Error& error() const { return std::get<1>(v_); }

private:
    void check() const {
        if (!ok()) throw Fatal(std::get<1>(v_));
    }
    std::variant<T, Error> v_;
};

/// For operations that return nothing but may fail.
struct Unit {};
using Status = Expected<Unit>;
inline Status ok_status() { return Unit{}; }

/// Returns the value or throws Fatal: for call sites where failure means giving up.
template <typename T>
T take(Expected<T>&& e) {
    return std::move(e).value();
}

}  // namespace nhi::util
