#!/usr/bin/env bash
# auditd vs rsyslog: TLS forwarding rate, loss across receiver restarts, idle RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps python3 openssl rsyslog rsyslog-gnutls procps
for product in procmon auditd configd; do swift build -c release --product "$product" >&2; done
# The appliance's setting (rootfs/etc/sysctl.d/60-appliance.conf): audit.sock may queue 1,024 datagrams.
[ "$(id -u)" -eq 0 ] && sysctl -qw net.unix.max_dgram_qlen=1024
BIN=.build/release exec python3 bench/auditd_forward.py
