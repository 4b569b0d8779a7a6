// Giving up, the command line's way: a command that cannot go on throws Fatal, and cli::run
// catches it once and prints `nhi: error: <what>: <why>`. Only cli/ does this; the layers
// below return util::Expected and never throw.
#pragma once
#include <stdexcept>
#include <utility>

#include "util/expected.hpp"

namespace nhi::cli {

class Fatal : public std::runtime_error {
public:
    explicit Fatal(util::Error e) : std::runtime_error(e.message()), error(std::move(e)) {}
    util::Error error;
};

/// The value of a successful result; throws Fatal with the failure otherwise.
template <typename T>
T take(util::Expected<T>&& e) {
    if (!e) throw Fatal(e.error());
    return std::move(e).value();
}

}  // namespace nhi::cli
