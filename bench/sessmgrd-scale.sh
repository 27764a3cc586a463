#!/usr/bin/env bash
# sessmgrd vs ffmpeg: N concurrent 9 Mbit/s streams, CPU per stream-second and
# sessmgrd's pacing error on send (bench/sessmgrd_scale.py says how).
# Uses the 9 Mbit/s file bench/sessmgrd-rtp.sh makes (made here if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps ffmpeg python3
[ -s bench/data/test_30s_9M.ts ] || RATES=9000000 SENDERS=none bench/sessmgrd-rtp.sh >/dev/null
BIN=$(scripts/build-release) TS_FILE=bench/data/test_30s_9M.ts exec python3 bench/sessmgrd_scale.py
