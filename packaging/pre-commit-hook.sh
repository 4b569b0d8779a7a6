#!/bin/sh
# The pre-commit hook's entry (.pre-commit-hooks.yaml): scans the index and, when it blocks the
# commit, says how to allow or baseline a finding. Arguments are extra nhi scan options.
command -v nhi >/dev/null 2>&1 || {
  echo "nhi: not on PATH; install it (the .deb, the container image or cmake --install; see README)" >&2
  exit 2
}
nhi scan --git --staged --no-db --no-progress "$@"
rc=$?
if [ "$rc" -eq 1 ]; then
  cat >&2 <<'HINT'

nhi: commit blocked: the staged changes hold the findings above.
  - A real secret: remove it from the change, revoke it, and read it from the environment or a secret store.
  - Not a secret, or accepted: add a comment holding `nhi:allow` on its line.
  - Accept everything found today: `nhi baseline create` writes .nhi-baseline.json;
    then set `baseline: .nhi-baseline.json` in .nhi.yml (or add `args: [--baseline, .nhi-baseline.json]`
    to the hook in .pre-commit-config.yaml).
HINT
fi
exit "$rc"
