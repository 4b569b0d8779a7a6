#!/usr/bin/env bash
# scripts/fuzz.sh [SECONDS]: builds the libFuzzer targets (clang, ASan+UBSan, ./build-fuzz),
# replays the fixed crashes in fuzz/regressions/<target>/, then runs every target for SECONDS
# (default 60) on its seed corpus, two at a time, and prints exec/s per target. Fails if a
# regression input or a target crashes (a crash, a leak, an OOM over 2 GB or a 10 s input).
# New crashes are left in build-fuzz/artifacts/<target>/; see fuzz/README.md for what to do.
#
# Environment: FUZZ_TARGETS="engine config" runs a subset; FUZZ_JOBS=1 runs one at a time;
# FUZZ_KEEP_GOING=1 runs in libFuzzer's fork mode, which keeps fuzzing past crashes, OOMs and
# timeouts and counts them (for long runs; the exit code is still non-zero if any was found).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
jobs="${FUZZ_JOBS:-2}"
targets=(${FUZZ_TARGETS:-engine discovery importers config baseline gitignore decode archive validate})
build=build-fuzz

# Longest input per target: big enough for the 40 KB tokens and deep nesting that broke the
# parsers before, small enough that each input stays fast under ASan.
max_len() {
  case "$1" in
    engine|discovery|importers|decode|archive|validate) echo 65536 ;;
    config|baseline) echo 16384 ;;
    gitignore) echo 4096 ;;
  esac
}
common=(-rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10 -print_final_stats=1)
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export NHI_FUZZ_CACHE="$PWD/$build/hs-cache"  # the engine target's compiled rules, reused
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"

launcher=(); command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DNHI_FUZZ=ON -DNHI_BUILD_TESTS=OFF "${launcher[@]}" >/dev/null
cmake --build "$build" -j"$(nproc)" --target nhi_fuzz
fuzz/seeds.sh "$build" "$build/seeds"

failed=0
# Fixed crashes must keep passing: each file is run once, as a plain input.
for t in "${targets[@]}"; do
  dir="fuzz/regressions/$t"
  [ -d "$dir" ] || continue
  mapfile -t inputs < <(find "$dir" -type f ! -name '*.md' | sort)
  [ ${#inputs[@]} -gt 0 ] || continue
  if "$build/fuzz/fuzz_$t" "${common[@]}" "${inputs[@]}" >"$build/regressions-$t.log" 2>&1; then
    echo "fuzz: $t: ${#inputs[@]} regression inputs pass"
  else
    echo "fuzz: $t: a regression input in $dir crashes again (log: $build/regressions-$t.log)" >&2
    failed=1
  fi
done

mkdir -p "$build/logs"
rm -f "$build"/logs/*.rc
touch "$build/logs/.start"  # artifacts newer than this are this run's
run_one() {
  local t="$1" corpus="$build/corpus/$1" art="$build/artifacts/$1/"
  mkdir -p "$corpus" "$art"
  local extra=()
  [ "${FUZZ_KEEP_GOING:-0}" = 1 ] && extra=(-fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1)
  # The first directory collects new inputs (kept between runs); the seeds are read only.
  local rc=0
  "$build/fuzz/fuzz_$t" "${common[@]}" "${extra[@]}" -max_len="$(max_len "$t")" \
    -max_total_time="$seconds" -artifact_prefix="$art" "$corpus" "$build/seeds/$t" \
    >"$build/logs/$t.log" 2>&1 || rc=$?
  echo "$rc" >"$build/logs/$t.rc"
}

running=0
for t in "${targets[@]}"; do
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n || true; running=$((running - 1)); fi
done
wait || true

printf '%-10s %-8s %10s %12s %8s  %s\n' target result exec/s executions crashes artifacts
for t in "${targets[@]}"; do
  log="$build/logs/$t.log"
  rc="$(cat "$build/logs/$t.rc" 2>/dev/null || echo 1)"
  execs="$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | tail -1 | grep -o '[0-9]*$' || true)"
  rate="$(grep -oE 'stat::average_exec_per_sec: *[0-9]+' "$log" | tail -1 | grep -o '[0-9]*$' || true)"
  if [ -z "$rate" ]; then  # fork mode prints no final stats: take its last status line
    rate="$(grep -oE 'exec/s: *[0-9]+' "$log" | tail -1 | grep -o '[0-9]*$' || true)"
    execs="$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#' || true)"
  fi
  arts="$(find "$build/artifacts/$t" -type f -newer "$build/logs/.start" 2>/dev/null | wc -l)"
  result=ok; [ "$rc" = 0 ] && [ "$arts" -eq 0 ] || { result=FAILED; failed=1; }
  printf '%-10s %-8s %10s %12s %8s  %s\n' "$t" "$result" "${rate:-?}" "${execs:-?}" "$arts" \
    "$([ "$arts" -gt 0 ] && echo "$build/artifacts/$t/ (log: $log)")"
done
if [ "$failed" -ne 0 ]; then
  echo "fuzz: FAILED: reproduce with $build/fuzz/fuzz_<target> <artifact>; see fuzz/README.md" >&2
  exit 1
fi
echo "fuzz: ok (${#targets[@]} targets, ${seconds}s each)"
