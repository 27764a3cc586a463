#!/usr/bin/env bash
# Crash-to-running latency of procmon vs runit's runsv, cold start, idle RSS.
# Usage: bench/procmon-restart.sh   (KILLS=100 INTERVAL=1.1 COLD_RUNS=10 to tune)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps runit python3
BIN=$(scripts/build-release)
swift build -c release --product appliance-testsvc >&2
BIN=$BIN exec python3 bench/procmon_restart.py
