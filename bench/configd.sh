#!/usr/bin/env bash
# configd: authenticate (scrypt cost), full get and one-field apply latency, idle RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps python3
BIN=$(scripts/build-release) exec python3 bench/configd_latency.py
