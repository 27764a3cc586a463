#!/usr/bin/env bash
# A sign-in flood beside a 9 Mbit/s stream (issue 13 #5): the pacing figures
# of the daemon's own stream (sessmgrd under procmon, the 30 s 9 Mbit/s file
# of bench/sessmgrd-rtp.sh, received by bench/rtp_receiver.py) alone, beside
# CONNS (512) HTTPS connections posting wrong sign-ins (each from its own
# 127.1.x.y address), and alone again; the flood's figures over the quiet
# runs' mean, beside how much the two quiet runs differ (the run's noise).
# HOG=1 adds `yes > /dev/null` beside all three.
# The flood's generator stands in for clients elsewhere on the network: it
# runs at nice FLOOD_NICE (19) so that the figures show the appliance's
# answer to the flood rather than the generator's own CPU on the same cores.
# Knobs: CONNS (512), HOG (0), FLOOD_NICE (19), REALTIME (1: the manifest as shipped,
# sessmgrd's sending thread under SCHED_FIFO 10; 0: without), PORT_BASE (29000), SECONDS_PER_FILE (30),
# BIN (default: the release build made here; a folder of binaries already
# built is used as it is).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps ffmpeg python3 procps
if [ -z "${BIN:-}" ]; then
    BIN=$(pwd)/$(scripts/build-release)
fi
SECONDS_PER_FILE=${SECONDS_PER_FILE:-30}
rate=9000000
ts=$(bench/make-test-ts.sh "$rate" "$SECONDS_PER_FILE")
# 512 connections and their TLS sockets: more descriptors than the default 1024 allow the generator.
ulimit -n 8192
BIN=$BIN TS_FILE=$ts exec python3 bench/signin_flood.py
