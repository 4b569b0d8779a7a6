#!/usr/bin/env bash
# Writes nhi(1) in roff to stdout from the binary's own --help texts (the top level and every
# subcommand), so the man page cannot drift from the code. Usage: manpage.sh path/to/nhi VERSION
set -euo pipefail
nhi=$1 version=$2
# roff: a leading dot or quote starts a request and backslash escapes; neutralise both
esc() { sed -e 's/\\/\\e/g' -e 's/^[.'"'"']/\\\&&/'; }
cat <<ROFF
.TH NHI 1 "" "nhi $version" "User Commands"
.SH NAME
nhi \\- find and govern non-human identities (secrets scanner, NHI inventory, reports)
.SH SYNOPSIS
.B nhi
.I SUBCOMMAND
[\\fIOPTIONS\\fR]
.SH DESCRIPTION
.nf
ROFF
"$nhi" --help | esc
echo ".fi"
subs=$("$nhi" --help | awk '/^Subcommands:/{on=1; next} on && /^  [a-z]/{print $1} on && /^$/{on=0}')
for sub in $subs; do
  echo ".SH \"NHI ${sub^^}\""
  echo ".nf"
  "$nhi" "$sub" --help | esc
  echo ".fi"
done
cat <<'ROFF'
.SH EXIT STATUS
0 nothing at or above \-\-fail\-on; 1 findings; 2 usage or runtime error.
.SH SEE ALSO
The README.md shipped with nhi, and
.BR git (1).
ROFF
