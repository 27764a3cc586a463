#!/usr/bin/env python3
"""configd latency over its control socket (release build, standalone).

- authenticate: dominated by the scrypt cost (ln=15, r=8, p=1), reported alone;
- get of the full running configuration (a rich one: 32 streams, 16 accounts);
- apply of a one-field change (`system location "..."`), round trip;
- idle RSS/PSS of configd.
Each request is one JSON line on a new connection, as configd's clients do.
Prints `name: value unit` lines after `=== RESULTS ===`.
"""
import json, os, shutil, signal, socket, statistics, subprocess, sys, tempfile, time

from control import call

BIN = os.environ.get("BIN", ".build/release")
GETS = int(os.environ.get("GETS", "2000"))
SETS = int(os.environ.get("SETS", "2000"))
LOGINS = int(os.environ.get("LOGINS", "30"))
CONFIGD = os.path.abspath(os.path.join(BIN, "configd"))
PASSWORD = "Bench-Mark-Password-7"


def timed(n, fn):
    samples = []
    for i in range(n):
        t0 = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - t0) * 1000)
    return samples


def percentile(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def status_kib(pid, field, path="status"):
    with open(f"/proc/{pid}/{path}") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1])


def main():
    if not os.access(CONFIGD, os.X_OK):
        sys.exit(f"missing {CONFIGD}: build with `swift build -c release` first")
    work = tempfile.mkdtemp(prefix="bench-configd-")
    sock = os.path.join(work, "run/appliance/configd.sock")
    proc = subprocess.Popen([CONFIGD, "--root", work, "--foreground"], stdout=subprocess.DEVNULL,
                            stderr=open(os.path.join(work, "configd.err"), "w"),
                            env={**os.environ, "APPLIANCE_ADMIN_PASSWORD": PASSWORD})
    try:
        for _ in range(300):
            if os.path.exists(sock):
                break
            time.sleep(0.05)
        time.sleep(0.5)
        idle_rss = status_kib(proc.pid, "VmRSS:")
        idle_pss = status_kib(proc.pid, "Pss:", "smaps_rollup")
        rich = [f"stream cam{i} source file:/srv/cam{i}.ts destination rtp://239.1.{i}.1:5000 ttl 32 shaping ceiling 15" for i in range(32)]
        rich += [f"account user{i} role {'operator' if i % 2 else 'viewer'}" for i in range(16)]
        rich += ["system location \"Truck 3, bay 2\"", "banner login \"Authorised use only.\\nAll activity is logged.\"",
                 "ntp server 192.0.2.1", "logging remote 192.0.2.20 port 6514 trust fingerprint sha256:" + "ab" * 32]
        call(sock, "apply", {"commands": rich})
        size = len(call(sock, "get", {})["text"])
        origin = {"channel": "bench", "peer": "local"}
        logins = timed(LOGINS, lambda i: call(sock, "authenticate", {"name": "admin", "password": PASSWORD, "origin": origin}))
        gets = timed(GETS, lambda i: call(sock, "get", {}))
        sets = timed(SETS, lambda i: call(sock, "apply", {"commands": [f"system location \"bay {i}\""]}))
        loaded_rss = status_kib(proc.pid, "VmRSS:")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
        if not os.environ.get("KEEP_WORK"):
            shutil.rmtree(work, ignore_errors=True)
    print("=== RESULTS ===")
    print(f"configd_config_text_size: {size} bytes")
    for name, values in (("authenticate", logins), ("get_full_config", gets), ("apply_one_field", sets)):
        print(f"configd_{name}_median: {statistics.median(values):.3f} ms")
        print(f"configd_{name}_p99: {percentile(values, 99):.3f} ms")
    print(f"configd_idle_rss: {idle_rss / 1024:.1f} MiB")
    print(f"configd_idle_pss: {idle_pss / 1024:.1f} MiB")
    print(f"configd_rss_after_load: {loaded_rss / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
