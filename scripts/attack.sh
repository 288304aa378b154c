#!/usr/bin/env bash
# The slow-client attacks of issue 20 at full size, against `battbot serve` on local-forge
# repositories, on 127.0.0.0/8 only, bounded in time. Prints one line per check and exits 1
# if one fails:
#   1. /healthz answers within 2 s while 600 slow-header and 600 slow-body connections are
#      opened (from 12 loopback addresses, 100 each: one address is capped at 256);
#   2. RSS stays under 200 MB under 40 concurrent unauthenticated 15 MB /runner bodies
#      (half without signature headers, half with a fresh timestamp and a forged signature);
#   3. SIGTERM exits within 35 s with a stalled client.
# Usage: scripts/attack.sh   (needs python3 and git; ulimit -n is raised to 8192 if it can be)
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n 8192 2>/dev/null || true
cargo build --release --quiet --bin battbot
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
git init -q --bare "$work/runner.git"
git init -q --bare "$work/reports.git"
port=18090
cat > "$work/config.json" <<JSON
{"bot_name": "battbot", "registered_repos": ["Codertocat/Hello-World"],
 "public_url": "http://127.0.0.1:$port", "runner_secret": "runner-secret",
 "github_app": {"webhook_secret": "webhook-secret"},
 "runner": {"forge": "local", "repo": "$work/runner.git", "ci": "gitlab"},
 "reports": {"forge": "local", "repo": "$work/reports.git", "branch": "main"}}
JSON
./target/release/battbot serve --config "$work/config.json" --listen 127.0.0.1:$port \
  > /dev/null 2>"$work/serve.log" &
bot=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
echo "battbot pid $bot, RSS at start $(( $(ps -o rss= -p $bot) / 1024 )) MB, fd limit $(ulimit -n)"

status=0
python3 - "$port" "$bot" <<'PY' || status=1
import os, socket, sys, threading, time
port, pid = int(sys.argv[1]), int(sys.argv[2])
failed = False

def rss_mb():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0

def conn(source):
    s = socket.socket()
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    return s

def healthz():
    t = time.monotonic()
    s = conn("127.0.0.2")
    s.settimeout(10)
    s.sendall(b"GET /healthz HTTP/1.1\r\nhost: t\r\nconnection: close\r\n\r\n")
    data = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    s.close()
    return data.startswith(b"HTTP/1.1 200"), time.monotonic() - t

def states(socks):
    """How many connections are still waiting, were answered 503, or closed otherwise."""
    waiting = shed = closed = 0
    for s in socks:
        s.setblocking(False)
        try:
            head = s.recv(12, socket.MSG_PEEK)
            if head.startswith(b"HTTP/1.1 503"):
                shed += 1
            else:
                closed += 1
        except BlockingIOError:
            waiting += 1
        except OSError:
            closed += 1
    return waiting, shed, closed

# 1. 600 slow headers and 600 slow bodies, then /healthz five times while they trickle.
sources = [f"127.0.0.{10 + i}" for i in range(12)]
headers, bodies = [], []
for i in range(600):
    s = conn(sources[i % 6])
    s.sendall(b"POST /github HTTP/1.1\r\nhost: t\r\nx-slow: ")
    headers.append(s)
    s = conn(sources[6 + i % 6])
    s.sendall(b"POST /github HTTP/1.1\r\nhost: t\r\ncontent-type: application/json\r\n"
              b"x-github-event: issue_comment\r\ncontent-length: 100000\r\n\r\n{")
    bodies.append(s)
time.sleep(0.5)
worst, ok_all = 0.0, True
for _ in range(5):
    for s in headers + bodies:
        try:
            s.send(b"a")
        except OSError:
            pass
    ok, took = healthz()
    ok_all &= ok
    worst = max(worst, took)
    time.sleep(1)
(open_h, _, closed_h), (open_b, shed_b, closed_b) = states(headers), states(bodies)
good = ok_all and worst < 2
failed |= not good
print(f"{'ok  ' if good else 'FAIL'} /healthz under 600 slow headers + 600 slow bodies: "
      f"slowest of 5 answers {worst * 1000:.0f} ms; after 5 s: slow headers {open_h} open, "
      f"{closed_h} closed; slow bodies {open_b} open (the webhook pool), {shed_b} shed with 503, "
      f"{closed_b} closed; RSS {rss_mb():.0f} MB")
for s in headers + bodies:
    s.close()
time.sleep(1)

# 2. 40 concurrent unauthenticated 15 MB bodies to /runner.
size = 15 * 1024 * 1024
chunk = b" " * (256 * 1024)
def flood(forged):
    try:
        s = conn("127.0.0.30")
        extra = b""
        if forged:
            extra = (f"x-battbot-timestamp: {int(time.time())}\r\n"
                     f"x-battbot-signature: sha256={'0' * 64}\r\n").encode()
        s.sendall(b"POST /runner/v1/jobs/gh-a-b-1-c1/result HTTP/1.1\r\nhost: t\r\n"
                  b"content-type: application/json\r\n" + extra +
                  f"content-length: {size}\r\n\r\n".encode())
        sent = 0
        while sent < size:
            sent += s.send(chunk)
        s.recv(4096)
        s.close()
    except OSError:
        pass
peak = 0.0
done = threading.Event()
def sample():
    global peak
    while not done.is_set():
        peak = max(peak, rss_mb())
        time.sleep(0.05)
sampler = threading.Thread(target=sample)
sampler.start()
t = time.monotonic()
threads = [threading.Thread(target=flood, args=(i % 2 == 1,)) for i in range(40)]
for th in threads:
    th.start()
for th in threads:
    th.join(timeout=120)
done.set()
sampler.join()
good = peak < 200
failed |= not good
print(f"{'ok  ' if good else 'FAIL'} 40 concurrent unauthenticated 15 MB /runner bodies: "
      f"peak RSS {peak:.0f} MB (limit 200 MB) in {time.monotonic() - t:.1f} s")
sys.exit(1 if failed else 0)
PY

# 3. SIGTERM with a stalled client (a body that never comes, a header never finished).
exec 3<>/dev/tcp/127.0.0.1/$port
printf 'POST /github HTTP/1.1\r\nhost: t\r\ncontent-length: 1000\r\n\r\n{' >&3
exec 4<>/dev/tcp/127.0.0.1/$port
printf 'POST /github HTTP/1.1\r\nho' >&4
sleep 0.5
start=$(date +%s%N)
kill -TERM $bot
for _ in $(seq 400); do kill -0 $bot 2>/dev/null || break; sleep 0.1; done
ms=$(( ($(date +%s%N) - start) / 1000000 ))
if kill -0 $bot 2>/dev/null; then
  echo "FAIL SIGTERM with a stalled client: still running after 40 s"; status=1
elif [ $ms -lt 35000 ]; then
  echo "ok   SIGTERM with a stalled client: exited in $ms ms"
else
  echo "FAIL SIGTERM with a stalled client: exited in $ms ms"; status=1
fi
exit $status
