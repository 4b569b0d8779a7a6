#!/usr/bin/env bash
# Directory-scan throughput of `nhi scan` against the read floor (`rg -c -F` of a literal
# that is absent), in the same run on the same tree. Reports wall times and the ratio.
#
# usage: bench/dir_scan.sh GIT_DIR [N_TAGS] [TAG_GLOB]
#   GIT_DIR   a git directory (bare is fine), e.g. one brought in with the search tool's fetch
#   N_TAGS    how many release tags to extract side by side (default 12)
#   TAG_GLOB  which tags (default 'curl-*_0')
# Environment: NHI (default build/nhi), TREE (default /tmp/nhi-bench-tree), RUNS (default 3).
set -euo pipefail
git_dir=${1:?usage: bench/dir_scan.sh GIT_DIR [N_TAGS] [TAG_GLOB]}
n=${2:-12}
glob=${3:-curl-*_0}
nhi=${NHI:-build/nhi}
tree=${TREE:-/tmp/nhi-bench-tree}
runs=${RUNS:-3}

if [ ! -d "$tree" ]; then
  mkdir -p "$tree"
  for tag in $(git --git-dir="$git_dir" tag -l "$glob" --sort=-creatordate | head -n "$n"); do
    mkdir -p "$tree/$tag"
    git --git-dir="$git_dir" archive "$tag" | tar -x -C "$tree/$tag"
  done
fi
size=$(du -sb "$tree" | cut -f1)
files=$(find "$tree" -type f | wc -l)
echo "tree: $tree, $files files, $((size / 1048576)) MiB"

# Warm the page cache so both tools read from memory.
rg -c -F 'nhi-absent-literal-7f3a' "$tree" >/dev/null || true
export NHI_CACHE_DIR=${NHI_CACHE_DIR:-/tmp/nhi-bench-cache}
"$nhi" scan "$tree" --no-db --format jsonl --fail-on none >/dev/null

best() { sort -n | head -1; }
time_cmd() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || true
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
rg_times=(); nhi_times=()
for _ in $(seq "$runs"); do
  rg_times+=("$(time_cmd rg -c -F --no-ignore 'nhi-absent-literal-7f3a' "$tree")")
  nhi_times+=("$(time_cmd "$nhi" scan "$tree" --no-db --no-ignore --format jsonl --fail-on none)")
done
rg_best=$(printf '%s\n' "${rg_times[@]}" | best)
nhi_best=$(printf '%s\n' "${nhi_times[@]}" | best)
rss=$( { /usr/bin/time -f '%M' "$nhi" scan "$tree" --no-db --no-ignore --format jsonl --fail-on none >/dev/null; } 2>&1 | tail -1)
findings=$("$nhi" scan "$tree" --no-db --no-ignore --format jsonl --fail-on none | wc -l)
rules=$("$nhi" rules list | tail -1)
printf 'rg -c -F (read floor): best %.3fs of %d\n' "$rg_best" "$runs"
printf 'nhi scan (%s):    best %.3fs of %d, %d findings, peak RSS %s KiB\n' "$rules" "$nhi_best" "$runs" "$findings" "$rss"
printf 'ratio nhi/rg: %.2f  (target <= 2.0)   nhi throughput: %.0f MiB/s\n' \
  "$(echo "$nhi_best / $rg_best" | bc -l)" "$(echo "$size / 1048576 / $nhi_best" | bc -l)"
