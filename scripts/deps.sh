#!/usr/bin/env bash
# Installs the Debian 12 packages nhi builds with (see README "Dependencies").
# --test also installs what only the test suite and CI need: Chromium (the HTML report test),
# clang with its sanitizer/libFuzzer runtimes (scripts/fuzz.sh), pre-commit, python3-yaml,
# dpkg-dev and file for the packaging tests (tests/packaging: the hook, the CI templates, the .deb),
# and python3-jsonschema (the output contract tests validate JSON against docs/schemas/).
set -euo pipefail
pkgs=(cmake g++ make pkg-config git ripgrep python3 sqlite3
      libhyperscan-dev libpcre2-dev libcli11-dev libgit2-dev libsqlite3-dev
      nlohmann-json3-dev libfmt-dev catch2 libyaml-cpp-dev libssl-dev zlib1g-dev libtomlplusplus-dev libarchive-dev libcurl4-openssl-dev wamerican)
if [ "${1:-}" = "--test" ]; then pkgs+=(chromium clang libclang-rt-14-dev pre-commit python3-yaml dpkg-dev file python3-jsonschema); fi
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
