#!/usr/bin/env bash
# Real-code benchmark: how much nhi reports on real repositories, and where. For each
# repository it scans the working tree (the HEAD checkout) and the full history
# (`nhi scan --git`, branches, tags and remote branches), with default options and JSON
# output, and prints one table row per scan: MB scanned, findings above info, findings
# above info per MB, their split by path_context, and wall time. The figures in
# bench/real_code/README.md and the hand-checked samples beside it came from this script.
#
# usage: bench/real_code.sh NHI REPO...
#   NHI   the nhi binary to measure
#   REPO  a working tree (a clone with its .git). Nothing is downloaded here: the measured
#         repositories were brought in with the search tool's `fetch` (a bare git dir under
#         /work/.mirror/OWNER+NAME/repo) and cloned from it, e.g.
#           git clone /work/.mirror/curl+curl/repo /work/bench-repos/curl
#         The commit measured is printed with each row.
# Environment:
#   OUT     directory for the JSON reports (default: a fresh temporary directory, printed)
#   SAMPLE  if set to N, also print a deterministic sample of N findings above info per
#           repository from the history scan: sorted by fingerprint, the ones at index
#           floor(i * count / N) for i = 0..N-1 (all when fewer), with rule, path_context, path:line, commit and the
#           redacted value (never the plaintext), for hand-checking
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: bench/real_code.sh NHI REPO..." >&2; exit 2; }
nhi=$(readlink -f "$1")
shift
out=${OUT:-$(mktemp -d /tmp/nhi-real-code.XXXXXX)}
mkdir -p "$out"
echo "nhi: $("$nhi" --version), reports in $out"

# Wall seconds of one command (its output goes to files, its exit code is ignored: the
# default --fail-on would exit 1 on any finding, so --fail-on none is passed anyway).
wall() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>"$out/last.stderr" || true; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }

# One table row from a JSON report: label, commit, seconds, report.
row() {
  python3 - "$@" <<'EOF'
import json, sys, collections
label, commit, seconds, path = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
d = json.load(open(path))
mb = d["summary"]["bytes_scanned"] / 1e6
above = [f for f in d["findings"] if f["severity"] != "info"]
ctx = collections.Counter(f.get("path_context", "?") for f in above)
order = ["source", "example", "test", "fixture", "docs", "vendor", "generated"]
split = " ".join(f"{c}={ctx[c]}" for c in order if ctx[c]) or "-"
print(f"| {label} | {commit[:12]} | {mb:.1f} | {len(d['findings'])} | {len(above)} | "
      f"{len(above) / mb if mb else 0:.3f} | {split} | {seconds:.1f} |")
EOF
}

sample() {
  python3 - "$1" "$2" <<'EOF'
import json, sys
path, n = sys.argv[1], int(sys.argv[2])
above = sorted((f for f in json.load(open(path))["findings"] if f["severity"] != "info"),
               key=lambda f: f["fingerprint"])
pick = above if len(above) <= n else [above[i * len(above) // n] for i in range(n)]
for i, f in enumerate(pick, 1):
    print("\t".join(str(x) for x in (i, f["fingerprint"], f["rule"], f["severity"],
          f.get("path_context", "?"), f"{f['path']}:{f['line']}", f.get("commit", "-")[:12],
          "head" if f.get("in_head", True) else "history", f["redacted"])))
EOF
}

rows=()
for repo in "$@"; do
  repo=$(readlink -f "$repo")
  name=$(basename "$repo")
  commit=$(git -C "$repo" rev-parse HEAD)
  echo "$name: HEAD $commit, $(git -C "$repo" rev-list --all | wc -l) commits," \
       "$(git -C "$repo" for-each-ref | wc -l) refs" >&2
  git -C "$repo" log -p --all -U0 >/dev/null 2>&1 || true  # warm the page cache (a missing blob is not fatal)
  t=$(wall "$nhi" scan "$repo" --format json --no-db --fail-on none --no-progress \
      --output "$out/$name.tree.json")
  rows+=("$(row "$name tree" "$commit" "$t" "$out/$name.tree.json")")
  db="$out/$name.db"
  rm -f "$db"*
  t=$(wall "$nhi" scan --git "$repo" --db "$db" --format json --fail-on none --no-progress \
      --output "$out/$name.git.json")
  rows+=("$(row "$name history" "$commit" "$t" "$out/$name.git.json")")
  if [ -n "${SAMPLE:-}" ]; then
    sample "$out/$name.git.json" "$SAMPLE" >"$out/$name.sample.tsv"
    echo "sample: $out/$name.sample.tsv" >&2
  fi
done

echo "| scan | commit | MB scanned | findings | above info | above info / MB | above info by path_context | wall s |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
