#!/usr/bin/env bash
# ctest: installs the nhi-staged hook (.pre-commit-hooks.yaml at this tree's version) with the
# pre-commit on PATH (Debian 12: 3.0.4) into a scratch repository and commits through it: a
# planted secret is blocked with the allow/baseline hint, a clean commit and an `nhi:allow`ed
# line pass. Prints the hook's time. Skipped (exit 77) when pre-commit is not installed
# (scripts/deps.sh --test installs it). Usage: pre-commit.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 src=$2
command -v pre-commit >/dev/null || { echo "SKIP: pre-commit is not installed (scripts/deps.sh --test installs it)"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "pre-commit.sh: FAIL: $*" >&2; exit 1; }
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
export GIT_CONFIG_NOSYSTEM=1 HOME=$tmp PRE_COMMIT_HOME=$tmp/cache
mkdir "$tmp/bin"; ln -s "$build/nhi" "$tmp/bin/nhi"; export PATH=$tmp/bin:$PATH
key() { printf 'sk_live_%s' "$(head -c 300 /dev/urandom | tr -dc 'a-zA-Z0-9' | head -c 24)"; }

# the hook repository as pre-commit clones it: this tree's hook files at a tag
git init -q "$tmp/hooks"
mkdir "$tmp/hooks/packaging"
cp "$src/.pre-commit-hooks.yaml" "$tmp/hooks/"
cp "$src/packaging/pre-commit-hook.sh" "$tmp/hooks/packaging/"
git -C "$tmp/hooks" add -A; git -C "$tmp/hooks" commit -qm hooks; git -C "$tmp/hooks" tag v0.1.0

git init -q "$tmp/repo"; cd "$tmp/repo"
cat > .pre-commit-config.yaml <<YAML
repos:
  - repo: $tmp/hooks
    rev: v0.1.0
    hooks: [{ id: nhi-staged }]
YAML
pre-commit install >/dev/null || fail "pre-commit install"
git add .pre-commit-config.yaml
git commit -qm config >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "the first (clean) commit was blocked"; }

echo "STRIPE_KEY = \"$(key)\"" > settings.py; git add settings.py
if git commit -qm secret >"$tmp/out" 2>&1; then cat "$tmp/out"; fail "a planted secret was committed"; fi
grep -q 'nhi.stripe.secret-key' "$tmp/out" || { cat "$tmp/out"; fail "no finding in the hook output"; }
grep -q 'nhi:allow' "$tmp/out" && grep -q 'nhi baseline create' "$tmp/out" || { cat "$tmp/out"; fail "no allow/baseline hint"; }
grep -q 'sk_live_' "$tmp/out" && fail "the hook printed the secret"
[ -z "$(git log --format=%s | grep -x secret)" ] || fail "the secret commit exists"

git reset -q; rm settings.py
echo "print('hello')" > app.py; git add app.py
start=$(date +%s%N)
git commit -qm clean >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "a clean commit was blocked"; }
end=$(date +%s%N)
echo "hook time (a clean one-file commit through pre-commit): $(( (end - start) / 1000000 )) ms"

echo "STRIPE_KEY = \"$(key)\"  # nhi:allow test fixture" > fixture.py; git add fixture.py
git commit -qm allowed >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "an nhi:allow line was blocked"; }
echo "pre-commit.sh: ok"
