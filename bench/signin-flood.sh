#!/usr/bin/env bash
# A sign-in flood beside a 9 Mbit/s stream (issue 13 #5): the stream's pacing
# figures without and with CONNS (512) HTTPS connections posting wrong
# sign-ins, each connection from its own 127.1.x.y address, and their ratios
# (flood over quiet; 1 is "unchanged"). HOG=1 adds `yes > /dev/null` beside
# both measurements. The stream is `sessmgrd --play` of the 30 s 9 Mbit/s
# file of bench/sessmgrd-rtp.sh, received by bench/rtp_receiver.py.
# The flood's generator stands in for clients elsewhere on the network: it
# runs at nice FLOOD_NICE (19) so that the figures show the appliance's
# answer to the flood rather than the generator's own CPU on the same cores.
# Knobs: CONNS (512), HOG (0), FLOOD_NICE (19), PORT_BASE (29000), SECONDS_PER_FILE (30),
# BIN (default: the release build made here; a folder of binaries already
# built is used as it is).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps ffmpeg python3 procps
if [ -z "${BIN:-}" ]; then
    for product in procmon configd auditd sessmgrd webd; do swift build -c release --product "$product" >&2; done
    BIN=$(pwd)/.build/release
fi
SECONDS_PER_FILE=${SECONDS_PER_FILE:-30}
rate=9000000
DATA=bench/data
mkdir -p "$DATA"
[ -f "$DATA/.gitignore" ] || printf '*\n!.gitignore\n' > "$DATA/.gitignore"
ts=$DATA/test_${SECONDS_PER_FILE}s_9M.ts
if [ ! -s "$ts" ]; then
    video=$(( rate * 88 / 100 ))
    echo "[signin-flood] making $ts (H.264 $video bit/s CBR + AAC, muxrate $rate)" >&2
    ffmpeg -hide_banner -loglevel error -nostdin -y \
        -f lavfi -i testsrc=size=1280x720:rate=25 -f lavfi -i sine=frequency=1000:sample_rate=48000 \
        -t "$SECONDS_PER_FILE" -map 0:v -map 1:a \
        -c:v libx264 -preset veryfast -pix_fmt yuv420p -g 50 -b:v "$video" -minrate "$video" -maxrate "$video" -bufsize $(( video / 2 )) \
        -x264-params nal-hrd=cbr:force-cfr=1 -c:a aac -b:a 128k -f mpegts -muxrate "$rate" "$ts.tmp"
    mv "$ts.tmp" "$ts"
fi
# 512 connections and their TLS sockets: more descriptors than the default 1024 allow the generator.
ulimit -n 8192
BIN=$BIN TS_FILE=$ts exec python3 bench/signin_flood.py
