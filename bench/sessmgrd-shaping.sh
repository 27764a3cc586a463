#!/usr/bin/env bash
# Shaping accuracy: the throughput sessmgrd's HTB class passes against the
# rate it configured (bench/sessmgrd_shaping.py says how). Root: network
# namespaces and tc. Uses the 9 Mbit/s file bench/sessmgrd-rtp.sh makes.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps ffmpeg python3 iproute2
[ -s bench/data/test_30s_9M.ts ] || RATES=9000000 SENDERS=none bench/sessmgrd-rtp.sh >/dev/null
BIN=$(scripts/build-release) TS_FILE=bench/data/test_30s_9M.ts exec python3 bench/sessmgrd_shaping.py
