#!/usr/bin/env bash
# ctest: builds the .deb with CPack from the build tree, checks its metadata, unpacks it into a
# temporary root (dpkg -x, no root needed) and runs the installed binary and man page.
# Usage: deb.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "deb.sh: FAIL: $*" >&2; exit 1; }
(cd "$build" && cpack -G DEB -B "$tmp/out" >"$tmp/cpack.log" 2>&1) || { cat "$tmp/cpack.log"; fail "cpack failed"; }
deb=$(ls "$tmp"/out/nhi_*.deb) || fail "no nhi_*.deb"
echo "package: $(basename "$deb")"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"; echo
for lib in libhyperscan5 libpcre2-8-0 libgit2-1.5 libsqlite3-0 libyaml-cpp0.7 libfmt9 libtomlplusplus3 libssl3 zlib1g libarchive13 libcurl4 libc6 libstdc++6; do
  [[ ", $depends," == *", $lib"[\ ,]* ]] || fail "Depends lacks $lib"
done
[ "$(dpkg-deb -f "$deb" Package)" = nhi ] || fail "Package is not nhi"
dpkg-deb -x "$deb" "$tmp/root"
bin=$tmp/root/usr/bin/nhi
[ -x "$bin" ] || fail "no /usr/bin/nhi in the package"
[ -f "$tmp/root/usr/share/man/man1/nhi.1.gz" ] || fail "no man page"
zcat "$tmp/root/usr/share/man/man1/nhi.1.gz" | grep -q '^\.SH "NHI SCAN"' || fail "man page lacks the scan section"
"$bin" --version | grep -Eq '^nhi [0-9]+\.[0-9]+\.[0-9]+' || fail "--version"
# the installed binary finds a planted secret (exit 1) and passes a clean tree (exit 0); both
# outside this repository, whose .nhi.yml allowlists tests/
mkdir "$tmp/planted"; cp -r "$src/tests/fixtures/clean" "$tmp/clean"
printf 'STRIPE_KEY = "sk_live_%s"\n' "$(head -c 300 /dev/urandom | tr -dc 'a-zA-Z0-9' | head -c 24)" > "$tmp/planted/settings.py"
set +e
"$bin" scan --no-db --no-progress --format json "$tmp/planted" >"$tmp/planted.json"; rc=$?
"$bin" scan --no-db --no-progress "$tmp/clean" >/dev/null; rc_clean=$?
set -e
[ "$rc" -eq 1 ] || fail "planted fixture: exit $rc, want 1"
grep -q 'nhi.stripe.secret-key' "$tmp/planted.json" || fail "no Stripe finding in the JSON"
[ "$rc_clean" -eq 0 ] || fail "clean fixture: exit $rc_clean, want 0"
echo "deb.sh: ok"
