#!/usr/bin/env bash
# Prints the path of bench/data/test_<SECONDS>s_<Mbit>M.ts, making it first
# when missing: H.264 CBR (88 % of the rate) + AAC test pattern and tone,
# muxed at exactly RATE bit/s. Used by the benchmarks that send a stream.
# Usage: bench/make-test-ts.sh RATE SECONDS
set -euo pipefail
cd "$(dirname "$0")/.."
rate=$1 seconds=$2
DATA=bench/data
mkdir -p "$DATA"
[ -f "$DATA/.gitignore" ] || printf '*\n!.gitignore\n' > "$DATA/.gitignore"
ts=$DATA/test_${seconds}s_$(( rate / 1000000 ))M.ts
if [ ! -s "$ts" ]; then
    video=$(( rate * 88 / 100 ))
    echo "[bench] making $ts (H.264 $video bit/s CBR + AAC, muxrate $rate)" >&2
    ffmpeg -hide_banner -loglevel error -nostdin -y \
        -f lavfi -i testsrc=size=1280x720:rate=25 -f lavfi -i sine=frequency=1000:sample_rate=48000 \
        -t "$seconds" -map 0:v -map 1:a \
        -c:v libx264 -preset veryfast -pix_fmt yuv420p -g 50 -b:v "$video" -minrate "$video" -maxrate "$video" -bufsize $(( video / 2 )) \
        -x264-params nal-hrd=cbr:force-cfr=1 -c:a aac -b:a 128k -f mpegts -muxrate "$rate" "$ts.tmp"
    mv "$ts.tmp" "$ts"
fi
echo "$ts"
