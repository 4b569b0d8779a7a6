#!/usr/bin/env bash
# Configures and builds nhi into ./build (Release with debug info).
set -euo pipefail
cd "$(dirname "$0")/.."
launcher=(); command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)  # faster rebuilds where present
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >/dev/null
cmake --build build -j"$(nproc)"
