#!/usr/bin/env bash
# Load test of `battbot serve --dry-run` beside a bare HMAC-verifying axum handler, in one
# run, on 127.0.0.1 only, bounded in time. Needs wrk (apt-get install wrk).
# Usage: [ROUNDS=3] scripts/loadtest.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-8}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet --bin battbot --example baseline
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

secret=loadtest-secret
body=$(python3 - <<'PY'
import json
d = json.load(open("assets/fixtures/github.issue_comment.created.json"))
d["comment"]["body"] = '@battbot simulate SPM Chen2020 "Discharge at 1C until 2.5 V"'
print(json.dumps(d, separators=(",", ":")))
PY
)
printf '%s' "$body" > "$work/body.json"
sig=$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$secret" | sed 's/^.* //')
lua() { # $1 = signature header value
cat <<LUA
local f = io.open("$work/body.json", "rb"); local b = f:read("*a"); f:close()
wrk.method = "POST"; wrk.body = b
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-GitHub-Event"] = "issue_comment"
wrk.headers["X-Hub-Signature-256"] = "$1"
LUA
}
lua "sha256=$sig" > "$work/good.lua"
lua "sha256=0000000000000000000000000000000000000000000000000000000000000000" > "$work/bad.lua"

cat > "$work/config.json" <<JSON
{"bot_name": "battbot", "registered_repos": ["Codertocat/Hello-World"], "public_url": "http://127.0.0.1:18080",
 "runner_secret": "r", "github_app": {"webhook_secret": "$secret"},
 "server": {"dry_run": true, "user_requests_per_hour": 0, "repo_requests_per_hour": 0}}
JSON
./target/release/battbot serve --config "$work/config.json" --listen 127.0.0.1:18080 > /dev/null 2>"$work/serve.log" &
bot=$!
./target/release/examples/baseline 127.0.0.1:18081 &
base=$!
for port in 18080 18081; do
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/github" -X POST && break; sleep 0.1; done
done

run() { # name url script
  wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$3" "$2" > "$work/$1.txt"
  local rps p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/$1.txt")
  p99=$(awk '$1=="99%" {print $2}' "$work/$1.txt")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' "$work/$1.txt" | tr '\n' ' ')
  printf '%-28s %12s req/s   p99 %-8s %s\n' "$1" "$rps" "$p99" "${errors:-0 errors}"
}
echo "wrk -t2 -c$conns -d${secs}s on $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg)"
# Baseline and battbot alternate for ROUNDS rounds, so a busy machine weighs on both alike;
# the median of the per-round ratios is the figure.
ratios=()
for round in $(seq "${ROUNDS:-3}"); do
  run "baseline#$round" "http://127.0.0.1:18081/github" "$work/good.lua"
  run "battbot-dry-run#$round" "http://127.0.0.1:18080/github" "$work/good.lua"
  ratios+=("$(awk '/Requests\/sec/ {print $2}' "$work/battbot-dry-run#$round.txt") $(awk '/Requests\/sec/ {print $2}' "$work/baseline#$round.txt")")
done
printf '%s\n' "${ratios[@]}" | awk '{print 100 * $1 / $2}' | sort -n \
  | awk '{r[NR] = $1} END {printf "battbot / baseline: median %.0f %% of %d rounds\n", r[int((NR + 1) / 2)], NR}'
# Good traffic while a flood of bad signatures hits the same server.
wrk -t1 -c"$conns" -d"${secs}s" -s "$work/bad.lua" "http://127.0.0.1:18080/github" > "$work/flood.txt" &
flood=$!
run battbot-under-bad-flood "http://127.0.0.1:18080/github" "$work/good.lua"
wait $flood
printf '%-28s %12s req/s (all 401, as they should be)\n' bad-signature-flood "$(awk '/Requests\/sec/ {print $2}' "$work/flood.txt")"
echo "battbot RSS: $(( $(ps -o rss= -p $bot) / 1024 )) MB"
