#!/usr/bin/env bash
# battbot against PyBaMM, side by side, in one run (the performance issue's table):
# re-solve times (PyBaMM IDAKLU at its default mesh after one warm-up, battbot bench),
# accuracy of both against a fine PyBaMM reference (40 points per domain, rtol 1e-8),
# and cold start (one whole process each). Creates .venv with PyBaMM if needed.
# Usage: bench/vs_pybamm.sh [REPEAT]   (prints a markdown table)
set -euo pipefail
cd "$(dirname "$0")/.."
REPEAT=${1:-20}
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c "import pybamm" 2>/dev/null; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet pybamm
fi
cargo build --release --quiet
exec .venv/bin/python bench/vs_pybamm.py --battbot target/release/battbot --repeat "$REPEAT"
