#!/usr/bin/env bash
# Copies the test data the project takes from the team's shared folder (signed webhook and API
# fixtures, PyBaMM references with compare.py, drive cycles) into tests/data/, so that a clone
# with nothing beside it passes `cargo test --release`.
#
#   scripts/sync-shared.sh [--check] [SHARED_DIR]     (SHARED_DIR defaults to ../shared)
#
# Without --check it makes tests/data/{fixtures,reference,drive_cycles} exact copies of
# SHARED_DIR/{fixtures,reference,drive_cycles} (files removed there are removed here; running it
# twice changes nothing). With --check it changes nothing and exits 1, listing the differences,
# when a copy has drifted from its source. Exit 2 on bad usage or a missing source.
set -euo pipefail
cd "$(dirname "$0")/.."

check=0
shared=../shared
for arg in "$@"; do
  case "$arg" in
    --check) check=1 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "error: unknown option $arg (hint: scripts/sync-shared.sh [--check] [SHARED_DIR])" >&2; exit 2 ;;
    *) shared=$arg ;;
  esac
done

dirs=(fixtures reference drive_cycles)
for d in "${dirs[@]}"; do
  if [ ! -d "$shared/$d" ]; then
    echo "error: $shared/$d not found (hint: pass the shared folder: scripts/sync-shared.sh [--check] DIR)" >&2
    exit 2
  fi
done

drift=0
for d in "${dirs[@]}"; do
  src=$shared/$d dst=tests/data/$d
  if [ "$check" = 1 ]; then
    if ! diff -rq "$src" "$dst"; then
      drift=1
    fi
  elif ! diff -rq "$src" "$dst" >/dev/null 2>&1; then
    rm -rf "$dst"
    mkdir -p "$dst"
    cp -R "$src/." "$dst/"
    echo "synced $dst from $src"
  fi
done

if [ "$drift" = 1 ]; then
  echo "error: tests/data has drifted from $shared (hint: run scripts/sync-shared.sh and commit tests/data)" >&2
  exit 1
fi
