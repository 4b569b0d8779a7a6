#!/usr/bin/env bash
# scripts/sanitize.sh: builds nhi and the test suite with AddressSanitizer + UBSan
# (-DNHI_SANITIZE=ON, UBSan fatal) into ./build-asan and runs the suite there through ctest.
# Any sanitizer report fails the test that triggered it: ASan and UBSan abort the process
# (the binary the e2e tests run too), and a leak exits with code 86.
set -euo pipefail
cd "$(dirname "$0")/.."
build=build-asan
launcher=(); command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# -O1 -g1: ASan asks for -O1 or higher, line tables are enough for its reports, and on
# the two-core CI machine a test file compiles in about half the time it takes at -O2 -g.
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
  -DNHI_SANITIZE=ON "${launcher[@]}" >/dev/null
cmake --build "$build" -j"$(nproc)" --target nhi nhi_tests
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:exitcode=86:strict_string_checks=1:detect_stack_use_after_return=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$PWD/scripts/lsan.supp:print_suppressions=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:abort_on_error=1}"
cd "$build"
ctest --output-on-failure -j"$(nproc)" --timeout 600
