#!/usr/bin/env bash
# README command 1: install dependencies, build, and scan the bundled sample.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
# The sample holds planted (fake) secrets, so findings and exit code 1 are the expected result.
rc=0
./build/nhi scan samples/demo --db build/demo.db || rc=$?
if [ "$rc" -ne 1 ]; then echo "quickstart: expected findings (exit 1) from the sample, got $rc" >&2; exit 1; fi
echo "quickstart: ok (the findings above are planted fakes in samples/demo)"
