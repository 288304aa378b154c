#!/usr/bin/env bash
# Runs `battbot demo` N times in one directory (issue 21) and prints, per run: wall time,
# bytes and files the report commit wrote outside its own report directory; then the
# battbot/* branches left in runner.git. Usage: scripts/demo_history.sh [N] [DIR]
set -euo pipefail
N=${1:-120}
DIR=${2:-$(mktemp -d)}
mkdir -p "$DIR"
BIN=${BATTBOT:-target/release/battbot}
echo "run,seconds,bytes_outside,files_outside"
for i in $(seq 1 "$N"); do
  start=$(date +%s.%N)
  "$BIN" demo --dir "$DIR" > "$DIR/last-demo.log" 2>&1 || { cat "$DIR/last-demo.log"; exit 1; }
  end=$(date +%s.%N)
  git_dir="$DIR/reports.git"
  # The report directory of the newest commit on main: where its report.md was added.
  report_dir=$(git --git-dir "$git_dir" diff-tree --root -r --no-commit-id --name-only --diff-filter=A main \
    | grep '/report.md$' | head -1 | sed 's|/report.md$||')
  bytes=0; files=0
  while IFS=$'\t' read -r meta path; do
    case "$path" in "$report_dir"/*) continue ;; esac
    oid=$(echo "$meta" | awk '{print $4}')
    if [ "$oid" != "0000000000000000000000000000000000000000" ]; then
      bytes=$((bytes + $(git --git-dir "$git_dir" cat-file -s "$oid")))
    fi
    files=$((files + 1))
  done < <(git --git-dir "$git_dir" diff-tree --root -r --no-commit-id main)
  printf '%d,%.2f,%d,%d\n' "$i" "$(echo "$end - $start" | bc)" "$bytes" "$files"
done
echo "battbot/* branches left in runner.git: $(git --git-dir "$DIR/runner.git" for-each-ref refs/heads/battbot/ | wc -l)"
