#!/usr/bin/env bash
# snmpd vs net-snmp's snmpd: authPriv GET rate, full-tree and 10,000-row table walks, RSS.
# Knobs: GET_SECONDS (10), CONC (16), WALK_RUNS (5), ROWS (10000; 0 skips the table walk).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps python3 python3-cryptography procps iproute2 snmp snmpd libsnmp-dev gcc
BIN=$(scripts/build-release)
LOAD=$(mktemp -d)/snmp_load
gcc -O2 -o "$LOAD" bench/snmp_load.c $(net-snmp-config --cflags) $(net-snmp-config --libs)
REPLAY=$(dirname "$LOAD")/snmp_replay
gcc -O2 -o "$REPLAY" bench/snmp_replay.c
# Debian starts the packaged snmpd on port 161; the benchmark runs its own.
systemctl stop snmpd 2>/dev/null || true
BIN=$BIN LOAD="$LOAD" REPLAY="$REPLAY" exec python3 bench/snmpd_bench.py
