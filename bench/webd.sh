#!/usr/bin/env bash
# webd vs lighttpd 1.4 (and nginx for TLS handshakes): static asset and API over HTTPS keep-alive,
# new TLS handshakes/s, the port-80 redirect, idle and loaded RSS.
# Knobs: DURATION (10 s per wrk run), CONNS (32), THREADS (1 wrk thread), PORT_BASE (26000),
# SCRATCH (.build: the build folder, as swift build --scratch-path).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps python3 procps wrk lighttpd lighttpd-mod-openssl nginx-light
SCRATCH=${SCRATCH:-.build}
BIN=$(scripts/build-release "$SCRATCH")
# Debian starts the packaged servers on 80; the benchmark runs its own on other ports.
systemctl stop lighttpd nginx 2>/dev/null || true
BIN="$BIN" exec python3 bench/webd_bench.py
