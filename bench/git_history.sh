#!/usr/bin/env bash
# Git history scan benchmark: nhi cold and warm against `git log -p` (the least work a
# diff-based scanner does), in the same run on the same clone. Reports times, ratios,
# peak RSS and MiB/s of unique blob content.
#
# usage: bench/git_history.sh GIT_DIR
#   GIT_DIR  a repository (bare is fine), e.g. one brought in with the search tool's fetch.
#            It is cloned to $CLONE (default /tmp/nhi-bench-clone) so that only branches and
#            tags are present.
# Environment: NHI (default build/nhi).
set -euo pipefail
src=${1:?usage: bench/git_history.sh GIT_DIR}
nhi=$(readlink -f "${NHI:-build/nhi}")
clone=${CLONE:-/tmp/nhi-bench-clone}
db=$(mktemp -d)/bench.db
export NHI_CACHE_DIR=${NHI_CACHE_DIR:-/tmp/nhi-bench-cache}

[ -d "$clone" ] || git clone -q --no-local "$src" "$clone"
cd "$clone"
echo "repo: $clone, $(git rev-list --all | wc -l) commits, $(git for-each-ref | wc -l) refs"
git log -p --all --full-history -U0 >/dev/null  # warm the page cache

seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }
gitlog=$(seconds git log -p --all --full-history -U0)
rm -f "$db"*
cold_rss=$( { /usr/bin/time -f '%M %e' "$nhi" scan --git . --db "$db" --format json --fail-on none --output "$db.cold.json"; } 2>&1 | tail -1)
cold=${cold_rss#* }; rss=${cold_rss% *}
warm=$(seconds "$nhi" scan --git . --db "$db" --format json --fail-on none)
bytes=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['summary']['bytes_scanned'])" "$db.cold.json")
findings=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['findings']))" "$db.cold.json")
printf 'git log -p --all --full-history -U0: %.2fs\n' "$gitlog"
printf 'nhi scan --git (cold):  %.2fs  ratio to git log -p %.2f (target <= 0.5), %d findings\n' "$cold" "$(echo "$cold / $gitlog" | bc -l)" "$findings"
printf 'nhi scan --git (again): %.2fs  ratio to cold %.3f (target <= 0.2)\n' "$warm" "$(echo "$warm / $cold" | bc -l)"
printf 'peak RSS (cold): %d MiB (target < 1024)   unique blob content: %d MiB at %.0f MiB/s\n' \
  "$((rss / 1024))" "$((bytes / 1048576))" "$(echo "$bytes / 1048576 / $cold" | bc -l)"
rm -rf "$(dirname "$db")"
