#!/usr/bin/env bash
# auditd vs rsyslog: TLS forwarding rate, loss across receiver restarts, idle RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps python3 openssl rsyslog rsyslog-gnutls procps
BIN=$(scripts/build-release)
# The appliance's setting (rootfs/etc/sysctl.d/60-appliance.conf): audit.sock may queue 1,024 datagrams.
[ "$(id -u)" -eq 0 ] && sysctl -qw net.unix.max_dgram_qlen=1024
BIN=$BIN exec python3 bench/auditd_forward.py
