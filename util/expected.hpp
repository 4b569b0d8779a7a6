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

/// Thrown by value() on a failed result: a bug in the caller, who should have checked or
/// used TRY. Library code never gives up this way; the CLI's one catch reports it as internal.
class BadAccess : public std::logic_error {
public:
    explicit BadAccess(const Error& e) : std::logic_error("value of a failed result: " + e.message()) {}
};

template <typename T>
class [[nodiscard]] Expected {
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
        if (!ok()) throw BadAccess(std::get<1>(v_));
    }
    std::variant<T, Error> v_;
};

/// For operations that return nothing but may fail.
struct Unit {};
using Status = Expected<Unit>;
inline Status ok_status() { return Unit{}; }

}  // namespace nhi::util

// Propagates a failure to the caller, as ccache's TRY does: `TRY(store.commit());`.
#define NHI_CONCAT_(a, b) a##b
#define NHI_CONCAT(a, b) NHI_CONCAT_(a, b)
#define TRY(expr_)                                                     \
    do {                                                               \
        auto&& nhi_try_result_ = (expr_);                              \
        if (!nhi_try_result_) return ::nhi::util::Error(nhi_try_result_.error()); \
    } while (false)
// Declares `var_` from the value of a successful result, or returns its failure:
// `TRY_ASSIGN(auto db, Database::open(path));`.
#define TRY_ASSIGN(var_, expr_) TRY_ASSIGN_IMPL_(NHI_CONCAT(nhi_try_, __LINE__), var_, expr_)
#define TRY_ASSIGN_IMPL_(tmp_, var_, expr_)                   \
    auto tmp_ = (expr_);                                      \
    if (!tmp_) return ::nhi::util::Error(tmp_.error());       \
    var_ = std::move(tmp_).value()
