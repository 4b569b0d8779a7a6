#!/usr/bin/env bash
# fuzz/seeds.sh BUILD_DIR OUT_DIR: builds each fuzz target's seed corpus in OUT_DIR/<target>/
# from the committed small seeds (fuzz/seeds/), the rules' examples, the export samples and
# the test fixtures, so no big corpus is committed. Discovery and importer seeds carry their
# selector byte first (see fuzz/discovery.cpp and fuzz/importers.cpp).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
build="$1"
out="$2"
rm -rf "$out"
for t in engine discovery importers config baseline gitignore decode archive validate; do
  mkdir -p "$out/$t"
  if [ -d "$here/seeds/$t" ]; then cp "$here/seeds/$t"/* "$out/$t/"; fi
done

# engine: the rules' own examples, plus every planted and clean fixture and the demo sample.
"$build/fuzz/nhi_fuzz_seeds" rules "$out/engine"
n=0
while IFS= read -r -d '' f; do
  cp "$f" "$out/engine/file-$n"; n=$((n + 1))
done < <(find "$root/tests/fixtures/planted" "$root/tests/fixtures/clean" "$root/samples/demo" -type f -size -64k -print0)

# decode: the committed encoded samples (fuzz/seeds/decode) and the same fixtures as the engine.
n=0
while IFS= read -r -d '' f; do
  cp "$f" "$out/decode/file-$n"; n=$((n + 1))
done < <(find "$root/tests/fixtures/planted" "$root/tests/fixtures/clean" -type f -size -64k -print0)

# importers: every export sample (the shared copy too when it is beside the checkout).
exports=("$root/tests/fixtures/exports")
[ -d "$root/../shared/samples/exports" ] && exports+=("$root/../shared/samples/exports")
[ -d /work/shared/samples/exports ] && exports+=(/work/shared/samples/exports)
mapfile -d '' files < <(find "${exports[@]}" -type f ! -name README.md ! -name manifest.json -size -64k -print0)
"$build/fuzz/nhi_fuzz_seeds" exports "$out/importers" "${files[@]}"

# discovery: the MCP samples behind the byte of their path kind (5: .mcp.json, 6: codex TOML).
n=0
for f in "${files[@]}"; do
  case "$f" in
    *.toml) kind='\x06' ;;
    *.json) grep -q '"mcpServers"\|"servers"' "$f" || continue; kind='\x05' ;;
    *) continue ;;
  esac
  { printf "$kind"; cat "$f"; } > "$out/discovery/sample-$n"; n=$((n + 1))
done

# gitignore: the repository's own ignore files.
n=0
while IFS= read -r -d '' f; do
  cp "$f" "$out/gitignore/repo-$n"; n=$((n + 1))
done < <(find "$root" -name .gitignore -not -path '*/build*' -size -64k -print0)

# archive: tiny archives of each kind read, written by libarchive at fuzz time.
"$build/fuzz/nhi_fuzz_seeds" archives "$out/archive"

for t in engine discovery importers config baseline gitignore decode archive validate; do
  echo "seeds: $t: $(ls "$out/$t" | wc -l) files"
done
