#!/usr/bin/env bash
# The CLI's latency (issue 8): `cli -c 'show processes'` and `cli -c 'show
# streams'` locally, the same over ssh through the appliance's sshd, and
# `ssh HOST true` against a plain sshd as the floor: the CLI's own share of an
# ssh command should be small. Run as root (OS users per account), one run,
# side by side. Usage: bench/cli.sh [RUNS]   (default 40)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-40}
BIN=${BIN:-.build/release}
[ -x "$BIN/cli" ] || BIN=.build/debug
[ "$(id -u)" = 0 ] || { echo "bench/cli.sh needs root (OS users per account)"; exit 1; }
WORK=$(mktemp -d /tmp/bench-cli.XXXXXX)
chmod 755 "$WORK"
BASE=32000
ACCOUNT=benchop$$
cleanup() {
    [ -n "${PROCMON:-}" ] && kill "$PROCMON" 2>/dev/null && wait "$PROCMON" 2>/dev/null || true
    [ -n "${FLOOR:-}" ] && kill "$FLOOR" 2>/dev/null || true
    userdel -f "$ACCOUNT" 2>/dev/null || true
    userdel -f admin 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
APPLIANCE_ADMIN_PASSWORD='Bench-Cli-Password-1' "$BIN/procmon" --root "$WORK/root" --port-base $BASE --foreground \
    --config rootfs/etc/appliance/services.conf > "$WORK/procmon.log" 2>&1 &
PROCMON=$!
mkdir -p "$WORK/root"; chmod 755 "$WORK/root"
for _ in $(seq 100); do "$BIN/cli" --root "$WORK/root" -c 'show processes' 2>/dev/null | grep -q 'sshd .*running' && break; sleep 0.2; done
ssh-keygen -q -t ed25519 -N '' -f "$WORK/key"
"$BIN/cli" --root "$WORK/root" -c "account $ACCOUNT create role operator" > /dev/null
"$BIN/cli" --root "$WORK/root" -c "account $ACCOUNT pubkey add $(cat "$WORK/key.pub")" > /dev/null 2>&1
for _ in $(seq 50); do getent passwd "$ACCOUNT" > /dev/null && break; sleep 0.2; done

# The floor: Debian's sshd with a minimal configuration, root by key.
ssh-keygen -q -t ed25519 -N '' -f "$WORK/floor_host"
cp "$WORK/key.pub" "$WORK/floor_keys"
mkdir -p /run/sshd
cat > "$WORK/floor_config" <<CONF
Port $((BASE + 2222))
ListenAddress 127.0.0.1
HostKey $WORK/floor_host
PidFile none
PermitRootLogin prohibit-password
AuthorizedKeysFile $WORK/floor_keys
StrictModes no
UsePAM no
CONF
/usr/sbin/sshd -D -e -f "$WORK/floor_config" 2> "$WORK/floor.log" &
FLOOR=$!
sleep 1

SSH=(ssh -i "$WORK/key" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR)
python3 - "$RUNS" "$BIN/cli" "$WORK/root" "$ACCOUNT" $((BASE + 22)) $((BASE + 2222)) "${SSH[@]}" <<'PY'
import statistics, subprocess, sys, time
runs, cli, root, account, port, floor_port = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
ssh = sys.argv[7:]
def measure(argv):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append((time.perf_counter() - start) * 1000)
        if done.returncode != 0:
            sys.exit(f"{argv}: exit {done.returncode}: {done.stderr.decode()[:300]}")
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]
rows = [
    ("cli -c 'show processes' (local)", [cli, "--root", root, "-c", "show processes"]),
    ("cli -c 'show streams' (local)", [cli, "--root", root, "-c", "show streams"]),
    ("ssh HOST true (plain sshd: floor)", ssh + ["-p", floor_port, "root@127.0.0.1", "true"]),
    ("ssh HOST 'show processes'", ssh + ["-p", port, f"{account}@127.0.0.1", "show processes"]),
    ("ssh HOST 'show streams'", ssh + ["-p", port, f"{account}@127.0.0.1", "show streams"]),
]
results = {}
print(f"{'command':40} {'median ms':>10} {'p99 ms':>10}   ({runs} runs each)")
for name, argv in rows:
    median, p99 = measure(argv)
    results[name] = median
    print(f"{name:40} {median:10.1f} {p99:10.1f}")
floor = results["ssh HOST true (plain sshd: floor)"]
for what in ("processes", "streams"):
    over = results[f"ssh HOST 'show {what}'"]
    local = results[f"cli -c 'show {what}' (local)"]
    print(f"show {what}: over ssh {over / floor:.2f}x the floor; the CLI's own share {local / over * 100:.0f}% of the ssh command")
PY
