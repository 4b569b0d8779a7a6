#!/usr/bin/env bash
# Throughput of the text decoders' span finder (scanners/decode.cpp) on the text files under
# DIR, e.g. /usr/include or a source tree; built here with the release flags, no CMake needed.
# usage: bench/decode_throughput.sh DIR [-v]   (-v: where each span is, never its text)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${TMPDIR:-/tmp}/nhi-decode-throughput"
g++ -std=c++20 -O2 -I. bench/decode_throughput.cpp scanners/decode.cpp -o "$out"
"$out" "$@"
