#!/usr/bin/env bash
# Builds the app and runner images (Dockerfile, Dockerfile.runner) without a Docker daemon,
# then runs scripts/smoke-images.sh inside them:
#   1. mmdebstrap makes a Debian bookworm minbase root file system from Debian's packages,
#   2. podman import tags it localhost/battbot-base:bookworm (the stand-in for
#      debian:bookworm-slim, passed as the BASE build argument),
#   3. buildah bud --isolation chroot builds each Dockerfile on it.
#
#   scripts/build-images.sh [--from-source] [--no-smoke] [--tag TAG]
#
# By default the images take the battbot binary built on the host (`cargo build --release`,
# incremental; BINARY=prebuilt with a build context holding only that binary): compiling
# battbot again inside each image takes many minutes on a small machine. --from-source runs
# the Dockerfiles' normal multi-stage build instead (cargo fetches crates from crates.io),
# on a Rust base made here from the same Debian base and rustup (RUST_IMAGE).
# Images: localhost/battbot:TAG and localhost/battbot-runner:TAG (TAG defaults to dev).
# The base root file system is cached in $BATTBOT_IMAGE_CACHE (default /var/tmp/battbot-images).
# Needs root (or a user with subuids) and: apt-get install -y buildah podman mmdebstrap skopeo
set -euo pipefail
cd "$(dirname "$0")/.."

from_source=0 smoke=1 tag=dev
while [ $# -gt 0 ]; do
  case "$1" in
    --from-source) from_source=1 ;;
    --no-smoke) smoke=0 ;;
    --tag) tag=${2:?--tag needs a value}; shift ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown argument $1 (hint: scripts/build-images.sh [--from-source] [--no-smoke] [--tag TAG])" >&2; exit 2 ;;
  esac
  shift
done

missing=()
for tool in buildah podman mmdebstrap; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah podman mmdebstrap skopeo >/dev/null
  else
    echo "error: ${missing[*]} not found (hint: apt-get install -y buildah podman mmdebstrap skopeo)" >&2
    exit 2
  fi
fi

cache=${BATTBOT_IMAGE_CACHE:-/var/tmp/battbot-images}
base=localhost/battbot-base:bookworm
mkdir -p "$cache"
if ! podman image exists "$base"; then
  if [ ! -s "$cache/bookworm-minbase.tar" ]; then
    echo "== mmdebstrap: Debian bookworm minbase"
    mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
    mmdebstrap --variant=minbase bookworm "$cache/bookworm-minbase.tar.part" \
      "deb $mirror bookworm main" "deb $mirror bookworm-updates main" \
      "deb ${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security} bookworm-security main"
    mv "$cache/bookworm-minbase.tar.part" "$cache/bookworm-minbase.tar"
  fi
  echo "== podman import $base"
  podman import --change 'CMD ["bash"]' "$cache/bookworm-minbase.tar" "$base" >/dev/null
fi

args=(--isolation chroot --format docker --layers --build-arg "BASE=$base")
if [ "$from_source" = 1 ]; then
  rust=localhost/battbot-rust:bookworm
  if ! podman image exists "$rust"; then
    echo "== $rust: rustup on $base"
    ctr=$(buildah from "$base")
    buildah config --env RUSTUP_HOME=/usr/local/rustup --env CARGO_HOME=/usr/local/cargo \
      --env PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$ctr"
    buildah run --isolation chroot "$ctr" -- sh -c '
      apt-get update && apt-get install -y --no-install-recommends ca-certificates curl gcc libc6-dev make cmake perl &&
      rm -rf /var/lib/apt/lists/* &&
      curl -sSf https://sh.rustup.rs | sh -s -- -y --no-modify-path --profile minimal --default-toolchain stable'
    buildah commit --rm "$ctr" "$rust" >/dev/null
  fi
  args+=(--build-arg "RUST_IMAGE=$rust" --build-arg BINARY=source)
  context=.
else
  echo "== cargo build --release (host)"
  CARGO_PROFILE_RELEASE_INCREMENTAL=${CARGO_PROFILE_RELEASE_INCREMENTAL:-true} cargo build --release --locked --bin battbot
  context=$(mktemp -d)
  trap 'rm -rf "$context"' EXIT
  cp target/release/battbot "$context/battbot"
  strip "$context/battbot" 2>/dev/null || true
  args+=(--build-arg BINARY=prebuilt)
fi

for pair in "Dockerfile:localhost/battbot:$tag" "Dockerfile.runner:localhost/battbot-runner:$tag"; do
  file=${pair%%:*} image=${pair#*:}
  echo "== buildah bud -f $file -t $image"
  buildah bud "${args[@]}" -f "$PWD/$file" -t "$image" "$context"
done

if [ "$smoke" = 1 ]; then
  scripts/smoke-images.sh "localhost/battbot:$tag" "localhost/battbot-runner:$tag"
fi
