#!/usr/bin/env bash
# ctest: runs the shell of the GitHub Action (action.yml), the GitHub workflow's wiring
# (ci/github/nhi.yml) and the GitLab template (ci/gitlab/nhi.gitlab-ci.yml), extracted from the
# YAML, against a fixture repository: a pull request, a push, a push of a new branch (all-zero
# before-SHA), a clean push, and a pull request event without a base ref.
# `docker` is a stub that runs the built nhi where the action would run the image.
# Usage: ci.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 src=$2
command -v python3 >/dev/null && python3 -c 'import yaml' 2>/dev/null || { echo "SKIP: needs python3-yaml"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "ci.sh: FAIL: $*" >&2; exit 1; }
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
export GIT_CONFIG_NOSYSTEM=1 HOME=$tmp
key() { printf 'sk_live_%s' "$(head -c 300 /dev/urandom | tr -dc 'a-zA-Z0-9' | head -c 24)"; }

# --- the YAML, as the runners would read it
python3 - "$src" "$tmp" <<'PY'
import sys, yaml
src, tmp = sys.argv[1], sys.argv[2]
action = yaml.safe_load(open(f"{src}/action.yml"))
assert action["runs"]["using"] == "composite"
steps = action["runs"]["steps"]
runs = [s["run"] for s in steps]
assert "Dockerfile" in runs[1], "the action builds the container image"
open(f"{tmp}/range.sh", "w").write(runs[0])
open(f"{tmp}/scan.sh", "w").write(runs[2])
# the env the steps get: each ${{ expr }} becomes a variable the test sets
for i, name in ((0, "range"), (2, "scan")):
    with open(f"{tmp}/{name}.env", "w") as f:
        for k, v in steps[i]["env"].items():
            f.write(f"{k}={v}\n")
wf = yaml.safe_load(open(f"{src}/ci/github/nhi.yml"))
on = wf.get("on", wf.get(True))   # YAML 1.1 reads a bare `on` as true
assert "push" in on and "pull_request" in on, "workflow runs on push and pull_request"
assert wf["permissions"]["security-events"] == "write"
wsteps = wf["jobs"]["secrets"]["steps"]
assert wsteps[0]["with"]["fetch-depth"] == 0
assert wsteps[1]["uses"].split("@")[0].endswith("/nhi")
up = wsteps[2]
assert up["uses"].startswith("github/codeql-action/upload-sarif") and "always()" in up["if"]
assert up["with"]["sarif_file"] == wsteps[1]["with"]["sarif"]
gl = yaml.safe_load(open(f"{src}/ci/gitlab/nhi.gitlab-ci.yml"))
job = gl["nhi-secrets"]
assert job["variables"]["GIT_DEPTH"] == "0"
assert "nhi.sarif" in job["artifacts"]["paths"] and job["artifacts"]["when"] == "always"
open(f"{tmp}/gitlab.sh", "w").write("\n".join(job["script"]))
PY
grep -q 'NHI_BASE_REF=${{ github.base_ref }}' "$tmp/range.env" || fail "range step env"
grep -q 'NHI_BEFORE=${{ github.event.before }}' "$tmp/range.env" || fail "range step env"

# --- docker stub: `docker build` is a no-op, `docker run ... IMAGE ARGS` runs nhi ARGS in the workspace
mkdir "$tmp/bin"
cat > "$tmp/bin/docker" <<STUB
#!/usr/bin/env bash
[ "\$1" = build ] && exit 0
[ "\$1" = run ] || exit 3
while [ \$# -gt 0 ] && [ "\$1" != nhi-action:local ]; do shift; done
shift
cd "\$GITHUB_WORKSPACE" && exec "$build/nhi" "\$@"
STUB
chmod +x "$tmp/bin/docker"
ln -s "$build/nhi" "$tmp/bin/nhi"
export PATH=$tmp/bin:$PATH

# --- the fixture: origin with main (an old secret, committed and removed), a feature branch
# adding a new secret, and a clean commit
git init -q --bare "$tmp/origin.git"
git init -q -b main "$tmp/ws"; cd "$tmp/ws"
echo "print('hello')" > app.py; git add -A; git commit -qm init
echo "STRIPE=\"$(key)\"" > old.env; git add -A; git commit -qm "old secret"
git rm -q old.env; git commit -qm "remove it"
git remote add origin "$tmp/origin.git"; git push -q origin main
main_tip=$(git rev-parse HEAD)
git checkout -qb feature
echo "STRIPE_KEY = \"$(key)\"" > new.py; git add -A; git commit -qm "new secret"
export GITHUB_WORKSPACE=$tmp/ws

# github EVENT BASE_REF BEFORE -> runs the action's steps; sets rc, since, out
github() {
  export NHI_EVENT=$1 NHI_BASE_REF=$2 NHI_BEFORE=$3 NHI_SARIF=nhi.sarif NHI_ARGS=""
  export GITHUB_OUTPUT=$tmp/gh_output; : > "$GITHUB_OUTPUT"; rm -f nhi.sarif
  set +e
  out=$(bash -e "$tmp/range.sh" 2>&1); rc=$?
  set -e
  [ "$rc" -eq 0 ] || return 0
  since=$(sed -n 's/^since=//p' "$GITHUB_OUTPUT")
  export NHI_SINCE=$since
  set +e
  out+=$'\n'$(bash -e "$tmp/scan.sh" 2>&1); rc=$?
  set -e
}
results() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["runs"][0]["results"]; print(" ".join(sorted({x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for x in r})))' "$1"; }

# pull request: only the branch's new secret, not the one in main's history
github pull_request main ""
[ "$rc" -eq 1 ] || fail "pull_request: exit $rc ($out)"
[ "$since" = origin/main ] || fail "pull_request: since=$since"
[ "$(results nhi.sarif)" = new.py ] || fail "pull_request: results $(results nhi.sarif)"
# push of the branch after main's tip: the same
github push "" "$main_tip"
[ "$rc" -eq 1 ] && [ "$since" = "$main_tip" ] && [ "$(results nhi.sarif)" = new.py ] || fail "push: exit $rc since=$since"
# a new branch: all-zero before-SHA, a note, the whole history (the old secret too)
github push "" 0000000000000000000000000000000000000000
[ "$rc" -eq 1 ] && [ -z "$since" ] || fail "new branch: exit $rc since=$since"
[[ "$out" == *"::notice::nhi: new branch"* ]] || fail "new branch: no note ($out)"
[ "$(results nhi.sarif)" = "new.py old.env" ] || fail "new branch: results $(results nhi.sarif)"
# a before-SHA the clone does not have: full scan with a note
github push "" 1234567890123456789012345678901234567890
[ "$rc" -eq 1 ] && [ -z "$since" ] && [[ "$out" == *"not in the clone"* ]] || fail "unknown before: exit $rc ($out)"
# a clean push: exit 0 and an empty SARIF run for the upload step
git checkout -q main; echo "print('bye')" >> app.py; git commit -qam clean
github push "" "$main_tip"
[ "$rc" -eq 0 ] && [ -f nhi.sarif ] && [ -z "$(results nhi.sarif)" ] || fail "clean push: exit $rc ($out)"
# a pull_request event without a base ref is an error, never `--since origin/`
github pull_request "" ""
[ "$rc" -eq 2 ] && [[ "$out" == *"without github.base_ref"* ]] || fail "empty base ref: exit $rc ($out)"
git checkout -q feature

# --- GitLab: merge request, push, new branch (POSIX sh, as the runner may use)
gitlab() {
  rm -f nhi.sarif
  set +e; out=$(env NHI_ARGS="" "$@" sh -e "$tmp/gitlab.sh" 2>&1); rc=$?; set -e
}
gitlab CI_MERGE_REQUEST_TARGET_BRANCH_NAME=main CI_COMMIT_BEFORE_SHA=0000000000000000000000000000000000000000
[ "$rc" -eq 1 ] && [ "$(results nhi.sarif)" = new.py ] || fail "gitlab merge request: exit $rc ($out)"
gitlab CI_COMMIT_BEFORE_SHA="$main_tip"
[ "$rc" -eq 1 ] && [ "$(results nhi.sarif)" = new.py ] || fail "gitlab push: exit $rc ($out)"
gitlab CI_COMMIT_BEFORE_SHA=0000000000000000000000000000000000000000
[ "$rc" -eq 1 ] && [ "$(results nhi.sarif)" = "new.py old.env" ] && [[ "$out" == *"whole history"* ]] || fail "gitlab new branch: exit $rc ($out)"
echo "ci.sh: ok"
