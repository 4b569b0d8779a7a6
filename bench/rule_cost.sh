#!/usr/bin/env bash
# Per-rule matching cost over a directory (see bench/rule_cost.cpp): which rules' Hyperscan
# hits open the most PCRE2 windows and which confirmations cost most. Needs a configured
# build/ (scripts/build.sh); links its rules library.
# usage: bench/rule_cost.sh DIR [TOP]
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --build build --target nhi_rules nhi_util >/dev/null
out="${TMPDIR:-/tmp}/nhi-rule-cost"
# shellcheck disable=SC2046
g++ -std=c++20 -O2 -Ibuild/layers/rules -Ibuild/layers/util bench/rule_cost.cpp \
  build/rules/libnhi_rules.a build/util/libnhi_util.a \
  $(pkg-config --cflags --libs libhs libpcre2-8 yaml-cpp fmt) -lcrypto -lz -pthread -o "$out"
"$out" "$@"
