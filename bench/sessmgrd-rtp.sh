#!/usr/bin/env bash
# sessmgrd vs ffmpeg: pacing of an MPEG-TS stream sent as RTP in real time.
#
# For each mux rate in RATES (default 9 and 40 Mbit/s), makes once a 30 s TS
# (testsrc 1280x720@25 + 1 kHz sine, H.264 CBR (x264 nal-hrd=cbr), AAC,
# muxrate set: CBR with null padding) and streams it to a receiver on
# 127.0.0.1 with each sender, one after the other in the same run:
#   ffmpeg  : ffmpeg -re -i FILE -c copy -map 0 -f rtp_mpegts rtp://127.0.0.1:PORT
#   sessmgrd: sessmgrd --play FILE --to rtp://127.0.0.1:PORT  (the daemon's own
#             sending thread: PCR pacing on clock_nanosleep deadlines)
# The receiver (bench/rtp_receiver.py) stamps datagrams with SO_TIMESTAMPNS and
# reports CPU s per stream s, mean bitrate, RTP sequence gaps, inter-datagram
# gap stddev, p99 |gap - ideal gap|, max burst (datagrams within 1 ms) and the
# max deviation from the ideal constant-rate schedule; then ratios
# sessmgrd/ffmpeg. SENDERS="ffmpeg gst" adds GStreamer (rtpmp2tpay, sync=true).
set -euo pipefail
cd "$(dirname "$0")/.."
RATES=${RATES:-"9000000 40000000"}
SENDERS=${SENDERS:-ffmpeg}
SECONDS_PER_FILE=${SECONDS_PER_FILE:-30}
scripts/install-deps ffmpeg python3
BIN=$(pwd)/$(scripts/build-release)
WORK=$(mktemp -d /tmp/bench-sessmgrd-rtp.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
RESULTS=$WORK/results.txt
: > "$RESULTS"
for rate in $RATES; do
    mbit=$(( rate / 1000000 ))
    ts=$(bench/make-test-ts.sh "$rate" "$SECONDS_PER_FILE")
    duration=$(ffprobe -v error -show_entries format=duration -of default=nw=1:nk=1 "$ts")
    run() { # label command
        echo "[sessmgrd-rtp] ${mbit}M: $1" >&2
        TS_FILE=$ts SENDER_LOG=$WORK/$1.log timeout $(( ${duration%.*} + 90 )) \
            python3 bench/rtp_receiver.py "${1}_${mbit}M" "$(( ${duration%.*} + 60 ))" "$duration" -- "$2" >> "$RESULTS"
    }
    export TS_FILE=$ts BIN
    for sender in $SENDERS; do
        case $sender in
            ffmpeg) run ffmpeg 'ffmpeg -hide_banner -nostdin -nostats -loglevel error -re -i "$TS_FILE" -c copy -map 0 -f rtp_mpegts "rtp://$RTP_HOST:$RTP_PORT"' ;;
            gst) command -v gst-launch-1.0 >/dev/null && run gst 'gst-launch-1.0 -q filesrc location="$TS_FILE" ! tsparse set-timestamps=true ! rtpmp2tpay ! udpsink host=$RTP_HOST port=$RTP_PORT sync=true' ;;
        esac
    done
    run sessmgrd '"$BIN/sessmgrd" --play "$TS_FILE" --to "rtp://$RTP_HOST:$RTP_PORT"'
done
echo "=== RESULTS ==="
echo "host_loadavg_1m_at_end: $(cut -d' ' -f1 /proc/loadavg) load"
cat "$RESULTS"
for rate in $RATES; do
    mbit=$(( rate / 1000000 ))
    for anchor in $SENDERS; do
        for metric in sender_cpu_s_per_stream_s gap_stddev gap_p99_abs_dev max_burst_1ms max_schedule_dev; do
            ours=$(awk -v k="sessmgrd_${mbit}M_$metric:" '$1==k{print $2}' "$RESULTS")
            theirs=$(awk -v k="${anchor}_${mbit}M_$metric:" '$1==k{print $2}' "$RESULTS")
            [ -n "$ours" ] && [ -n "$theirs" ] || continue
            awk -v t="$ours" -v b="$theirs" -v n="sessmgrd_over_${anchor}_${mbit}M_$metric" 'BEGIN{ if (b+0>0) printf "%s: %.3f ratio\n", n, t/b }'
        done
    done
done
