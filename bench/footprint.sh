#!/usr/bin/env bash
# The firmware's footprint (issue 15) vs Debian's lighttpd + net-snmp snmpd + rsyslogd:
# installed size, idle RSS/PSS of the whole set, loaded RSS per daemon pair (bench/footprint.py).
# Knobs: LOAD_SECONDS (5), SETTLE (10 s), AUDIT_N (100000), KEEP_WORK=1, BIN (a folder with
# `appliance` and its links already built: skips the release build). Ports 26000-26999 (ours), 27000-27999 (anchors).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps python3 procps binutils openssl openssh-server wrk lighttpd lighttpd-mod-openssl \
    snmpd snmp libsnmp40 libsnmp-base rsyslog rsyslog-gnutls
BIN=${BIN:-$(scripts/build-release)}
[ -e "$BIN/procmon" ] || scripts/link-programs "$BIN"
# Debian starts the packaged servers on their standard ports; the benchmark runs its own.
systemctl stop lighttpd snmpd 2>/dev/null || true
BIN="$BIN" exec timeout --signal=TERM --kill-after=30 900 python3 bench/footprint.py
