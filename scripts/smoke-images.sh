#!/usr/bin/env bash
# Runs battbot inside the built images (buildah run --isolation chroot, no Docker daemon):
#   both images: `battbot --version`;
#   runner image: the tools GitLab CI and GitHub Actions container jobs use, then a `run-job`
#     of a sample job (an SPM discharge) that writes its outputs;
#   app image: as its own user, `serve` refusing to start without secrets (exit 2), then
#     `serve --dry-run` answering the image's own HEALTHCHECK command (/healthz).
#
#   scripts/smoke-images.sh [APP_IMAGE] [RUNNER_IMAGE]
#     (defaults localhost/battbot:dev and localhost/battbot-runner:dev)
# Exits 1 at the first check that fails.
set -euo pipefail

app=${1:-localhost/battbot:dev}
runner=${2:-localhost/battbot-runner:dev}
containers=()
work=$(mktemp -d)
cleanup() {
  for c in "${containers[@]}"; do buildah rm "$c" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "smoke: FAIL: $*" >&2; exit 1; }
ok() { echo "smoke: ok: $*"; }
in_ctr() { local c=$1; shift; buildah run --isolation chroot "$c" -- "$@"; }

new_ctr() {
  local c
  c=$(buildah from --pull-never "$1")
  containers+=("$c")
  echo "$c"
}

# --- both images: the binary runs
for image in "$app" "$runner"; do
  c=$(new_ctr "$image")
  version=$(in_ctr "$c" battbot --version) || fail "$image: battbot --version"
  [[ $version == "battbot "* ]] || fail "$image: battbot --version printed '$version'"
  ok "$image: $version"
done

# --- runner image: CI tools, then a job
c=$(new_ctr "$runner")
in_ctr "$c" bash -c '
  set -e
  for tool in bash sh git tar gzip zstd curl tail sleep id; do
    command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
  done
  test -e /etc/ssl/certs/ca-certificates.crt || { echo "missing ca-certificates" >&2; exit 1; }
  ldd --version >/dev/null || { echo "missing glibc (Actions mounts its node)" >&2; exit 1; }
  id runner | grep -q "uid=1001" || { echo "no user runner with uid 1001" >&2; exit 1; }
' || fail "$runner: the tools CI container jobs need"
ok "$runner: bash, git, tar, gzip, zstd, curl, coreutils, ca-certificates, glibc, user runner (1001)"

# A callback sink on this machine (buildah's chroot isolation shares its network).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
python3 "$(dirname "$0")/callback-sink.py" "$port" "$work/callbacks" &
sink=$!
trap 'kill $sink 2>/dev/null; cleanup' EXIT

cat >"$work/battbot-job.json" <<EOF
{"id": "gh-smoke-image-1-c1", "created_at": "2026-01-01T00:00:00Z",
 "source": {"platform": "github", "repo": "smoke/image", "number": 1, "comment_id": 1,
            "user": "smoke", "url": "https://github.com/smoke/image/issues/1"},
 "command": {"command": "simulate", "runs": [{"model": "SPM", "parameter_set": "Chen2020",
             "experiment": ["Discharge at 1C until 2.5 V"]}]},
 "callback_url": "http://127.0.0.1:$port/runner/v1/jobs/gh-smoke-image-1-c1"}
EOF
buildah copy "$c" "$work/battbot-job.json" /job/battbot-job.json >/dev/null
# As CI runs it: in the checked-out job directory, with the secret in the environment.
in_ctr "$c" bash -c '
  set -e
  cd /job
  BATTBOT_RUNNER_SECRET=smoke battbot run-job --job battbot-job.json --out battbot-out
  ls -l battbot-out
  ls battbot-out | grep -q "\.png$" || { echo "no PNG among the outputs" >&2; exit 1; }
  ls battbot-out | grep -q "\.csv" || { echo "no CSV among the outputs" >&2; exit 1; }
' || fail "$runner: run-job of a sample job"
echo "smoke: callbacks received: $(tr '\n' ' ' <"$work/callbacks" 2>/dev/null)"
if grep -q "signed=False" "$work/callbacks" 2>/dev/null; then fail "$runner: an unsigned callback"; fi
ok "$runner: run-job wrote its outputs"

# --- app image: secure by default, then /healthz by the image's HEALTHCHECK
c=$(new_ctr "$app")
user=$(buildah inspect --format '{{.OCIv1.Config.User}}' "$app")
[ "$user" = battbot ] || fail "$app: runs as '$user', not battbot"
set +e
refusal=$(in_ctr "$c" battbot serve --listen 127.0.0.1:0 2>&1 >/dev/null)
code=$?
set -e
[ "$code" = 2 ] && [[ $refusal == *BATTBOT_RUNNER_SECRET* ]] \
  || fail "$app: serve without secrets exited $code: $refusal"
ok "$app: serve without secrets refuses: $refusal"

health=$(buildah inspect --format '{{range .Docker.Config.Healthcheck.Test}}{{.}} {{end}}' "$app")
[[ $health == *"/healthz"* ]] || fail "$app: HEALTHCHECK does not hit /healthz: '$health'"
# Another port than the image's 8080, as this machine is shared: the same command otherwise.
port=$(free_port)
check=${health#CMD }
check=${check//:8080\//:$port\/}
in_ctr "$c" bash -c "
  battbot serve --dry-run --listen 127.0.0.1:$port 2>/tmp/serve.log &
  pid=\$!
  for i in \$(seq 100); do
    if $check; then kill -TERM \$pid; wait \$pid; echo \"exit \$?\"; exit 0; fi
    sleep 0.1
  done
  cat /tmp/serve.log >&2; kill \$pid; exit 1
" || fail "$app: serve --dry-run did not answer its HEALTHCHECK ($check)"
ok "$app: serve --dry-run answered the HEALTHCHECK: $check"
echo "smoke: all checks passed"
