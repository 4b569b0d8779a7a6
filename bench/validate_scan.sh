#!/usr/bin/env bash
# Scan time with --validate: 200 planted secrets of 8 providers against the loopback mock
# provider (tests/support/mock_server), 100 ms per answer, beside the same scan without it.
# usage: bench/validate_scan.sh [BUILD_DIR]   (default build; needs nhi_tests built)
set -euo pipefail
build=${1:-build}
"$build/tests/nhi_tests" "[validate-scan-bench]" --success 2>&1 | grep -E "^(findings|scan:)" || true
