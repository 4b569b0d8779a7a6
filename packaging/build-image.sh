#!/usr/bin/env bash
# Builds the nhi container image (packaging/Dockerfile) with podman and runs it on the
# bundled sample. Where no container registry is reachable (this project's build machines),
# --base first makes the Debian 12 base image the Dockerfile names (debian:bookworm-slim)
# with debootstrap from the Debian mirror apt already uses, and tags it under that name,
# so `FROM docker.io/library/debian:bookworm-slim` resolves locally without a pull.
# Needs podman and debootstrap (apt-get install podman debootstrap; runc too where crun cannot
# start containers, see below). The build runs with --isolation=chroot, so it needs no OCI runtime.
# Not run by the test suite (a from-source build in the image takes minutes); run by hand:
#   sudo packaging/build-image.sh --base     # once: debootstrap the base (needs debootstrap, podman)
#   sudo packaging/build-image.sh            # build nhi:latest, scan samples/demo with it
set -euo pipefail
cd "$(dirname "$0")/.."
base=docker.io/library/debian:bookworm-slim
image=${NHI_IMAGE:-localhost/nhi:latest}
if [ "${1:-}" = "--base" ]; then
  mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
  root=$(mktemp -d /var/tmp/nhi-base.XXXXXX)
  trap 'rm -rf "$root"' EXIT
  debootstrap --variant=minbase bookworm "$root" "$mirror"
  # the same apt sources a bookworm image has, plus security updates
  printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb http://deb.debian.org/debian-security bookworm-security main\n' \
    "$mirror" "$mirror" > "$root/etc/apt/sources.list"
  chroot "$root" apt-get clean
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin
  tar -C "$root" -c . | podman import --change 'CMD ["bash"]' - "$base"
  podman image ls "$base"
  exit 0
fi
# the build context has no .git: pass the version in (empty: the CMakeLists fallback)
version=$(git describe --tags --match 'v[0-9]*' 2>/dev/null || true)
nice -n 19 podman build --pull=never --isolation=chroot --network=host --build-arg NHI_VERSION="${version#v}" -f packaging/Dockerfile -t "$image" .
podman image ls "$image"
# the image scans a mounted tree as a non-root user; exit 1 = findings (the sample has planted ones)
# Where crun cannot start containers (hybrid cgroups, no CAP_SYS_RESOURCE: this project's build
# machines), fall back to runc with the host's rlimits lowered; say so.
run=(podman run --rm)
if ! "${run[@]}" --entrypoint true "$image" 2>/dev/null; then
  run=(podman --runtime runc run --rm --ulimit nofile=4096:4096 --ulimit nproc=4096:4096 --network=host)
  echo "build-image: podman run failed with the default runtime; using: ${run[*]}" >&2
fi
out=$(mktemp); trap 'rm -f "$out"' EXIT
set +e
"${run[@]}" -v "$PWD/samples/demo:/src:ro" "$image" scan --no-db --no-progress . > "$out"
rc=$?
set -e
head -5 "$out"
[ "$rc" -eq 1 ] || { echo "build-image: expected exit 1 (findings) from the sample scan, got $rc" >&2; exit 1; }
"${run[@]}" --entrypoint id "$image"
echo "build-image: ok ($image)"
