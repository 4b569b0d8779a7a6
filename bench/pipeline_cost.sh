#!/usr/bin/env bash
# What decoding and unpacking cost, apart from the rules added since: three nhi binaries, four
# ways, in turn on a directory tree and on a git history in the same run; medians of user+sys
# CPU and of wall time, and their ratios to the first.
#   base            the commit before decoding and unpacking (BASE, default 5813585, 341 rules)
#   equal           this checkout's code with BASE's rule files: the pipeline's own cost
#   head            this checkout as built in build/ (every rule)
#   head-no-decode  the same with --no-decode --no-archives
# The rule loader has become stricter since BASE (a revocation template names only the slots a
# finding fills): `equal` rewrites BASE's other {slots} as upper-case markers, as the loader asks.
#
# usage: bench/pipeline_cost.sh GIT_DIR [TREE]
#   GIT_DIR  a git directory (bare is fine), e.g. curl's; cloned to $CLONE for the history run
#   TREE     a directory to scan (default /tmp/nhi-bench-tree, as bench/dir_scan.sh makes it)
# Environment: BASE, RUNS (default 5), WORK (default /tmp/nhi-pipeline-cost: the two extra
# builds, kept between runs), CLONE (default /tmp/nhi-bench-clone), NHI (default build/nhi).
set -euo pipefail
cd "$(dirname "$0")/.."
git_dir=$(readlink -f "${1:?usage: bench/pipeline_cost.sh GIT_DIR [TREE]}")
tree=$(readlink -f "${2:-/tmp/nhi-bench-tree}")
base=${BASE:-5813585}
runs=${RUNS:-5}
work=${WORK:-/tmp/nhi-pipeline-cost}
clone=${CLONE:-/tmp/nhi-bench-clone}
head=$(readlink -f "${NHI:-build/nhi}")
export NHI_CACHE_DIR=${NHI_CACHE_DIR:-/tmp/nhi-bench-cache}
[ -d "$tree" ] || { echo "no tree at $tree (bench/dir_scan.sh makes one)" >&2; exit 2; }
[ -d "$clone" ] || git clone -q --no-local "$git_dir" "$clone"
mkdir -p "$work"

launcher=(); command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# build NAME COMMIT [RULES_FROM]: the nhi binary of COMMIT, with RULES_FROM's rules/data if given.
build() {
  local name=$1 commit=$2 rules_from=${3:-} dir="$work/$1"
  local stamp="$commit${rules_from:++rules-$rules_from}"
  if [ -x "$dir.nhi" ] && [ "$(cat "$dir.stamp" 2>/dev/null)" = "$stamp" ]; then return; fi
  echo "building $name ($stamp) ..." >&2
  git worktree remove --force "$dir" 2>/dev/null || rm -rf "$dir"
  git worktree add -f --detach "$dir" "$commit" >/dev/null
  if [ -n "$rules_from" ]; then
    rm -rf "$dir/rules/data"
    git archive "$rules_from" rules/data | tar -x -C "$dir"
    python3 - "$dir/rules/data" <<'EOF'
import pathlib, re, sys
keep = {"match", "user", "account", "email"}
for f in pathlib.Path(sys.argv[1]).glob("*.yml"):
    lines = f.read_text().split("\n")
    for i, line in enumerate(lines):
        if re.match(r"\s*revocation:", line):
            lines[i] = re.sub(r"\{([A-Za-z_-]+)\}",
                              lambda m: m.group(0) if m.group(1) in keep else m.group(1).upper().replace("-", "_"), line)
    f.write_text("\n".join(lines))
EOF
  fi
  cmake -S "$dir" -B "$dir/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNHI_BUILD_TESTS=OFF "${launcher[@]}" >/dev/null
  cmake --build "$dir/build" -j"$(nproc)" --target nhi >/dev/null
  cp "$dir/build/nhi" "$dir.nhi"
  echo "$stamp" >"$dir.stamp"
  git worktree remove --force "$dir"
}
build base "$base"
build equal "$(git rev-parse HEAD)" "$base"

# One timed run of REPS back-to-back scans: "cpu wall" in seconds per scan (a directory scan
# takes a fifth of a second, near the 10 ms resolution of /usr/bin/time).
timed() {
  local reps=$1
  shift
  # shellcheck disable=SC2016  # the loop's $1 and $@ are the inner shell's
  /usr/bin/time -f '%U %S %e' sh -c 'n=$1; shift; for _ in $(seq "$n"); do "$@" >/dev/null 2>&1; done' sh "$reps" "$@" \
    2>&1 >/dev/null | tail -1 | awk -v n="$reps" '{printf "%.4f %.4f\n", ($1 + $2) / n, $3 / n}'
}
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# compare LABEL REPS ARGS...: each binary in turn, RUNS times after one warm-up each.
compare() {
  local label=$1 reps=$2
  shift 2
  local names=(base equal head head-no-decode) out
  declare -A cpu wall
  for n in "${names[@]}"; do cpu[$n]=""; wall[$n]=""; done
  for r in $(seq 0 "$runs"); do
    for n in "${names[@]}"; do
      local bin=$head extra=()
      case $n in
        base | equal) bin="$work/$n.nhi" ;;
        head-no-decode) extra=(--no-decode --no-archives) ;;
      esac
      out=$(timed "$reps" "$bin" scan "$@" "${extra[@]}" --no-db --format jsonl --fail-on none)
      [ "$r" -eq 0 ] && continue  # warm-up: page cache, Hyperscan database cache
      cpu[$n]+="${out% *} "
      wall[$n]+="${out#* } "
    done
  done
  declare -A mc mw
  for n in "${names[@]}"; do
    mc[$n]=$(tr ' ' '\n' <<<"${cpu[$n]}" | grep . | median)
    mw[$n]=$(tr ' ' '\n' <<<"${wall[$n]}" | grep . | median)
  done
  echo "$label (medians of $runs runs each, in turn)"
  for n in "${names[@]}"; do
    printf '  %-15s cpu %7.3fs  wall %7.3fs  against base: cpu x%.2f, wall x%.2f\n' "$n" "${mc[$n]}" "${mw[$n]}" \
      "$(echo "${mc[$n]} / ${mc[base]}" | bc -l)" "$(echo "${mw[$n]} / ${mw[base]}" | bc -l)"
  done
}

echo "base $base: $("$work/base.nhi" rules list | tail -1); head $(git rev-parse --short HEAD): $("$head" rules list | tail -1)"
compare "directory $tree ($(find "$tree" -type f | wc -l) files; 5 scans per run)" 5 "$tree"
compare "history $clone ($(git -C "$clone" rev-list --all | wc -l) commits)" 1 --git "$clone"
echo "equal/base is what decoding and unpacking cost (target: within 10%); head/equal is what the rules added since cost."
