#!/usr/bin/env python3
"""Crash-to-running latency: procmon against runit's runsv, in one run.

Both supervisors run the same executable (appliance-testsvc, release build).
The service announces itself with a UDP datagram "ready <pid>" once it is
ready (under procmon: right after it wrote READY=1 to its readiness pipe, so
procmon's notion of ready and ours coincide). The bench SIGKILLs the current
process and measures, on the monotonic clock, the time until the replacement's
announcement arrives. Kills are spaced by INTERVAL seconds (> runsv's 1 s
"died too fast" pause and > procmon's stable-after), so both restart at once.

Also: cold start of procmon to all of N services ready, and idle RSS of
procmon, runsv and the service.

Prints `name: value unit` lines after `=== RESULTS ===` and ratios
(procmon over runsv; below 1 means procmon is faster).
"""
import os, signal, socket, statistics, subprocess, sys, tempfile, time, shutil

BIN = os.environ.get("BIN", ".build/release")
KILLS = int(os.environ.get("KILLS", "100"))
INTERVAL = float(os.environ.get("INTERVAL", "1.1"))
COLD_SERVICES = int(os.environ.get("COLD_SERVICES", "6"))
COLD_RUNS = int(os.environ.get("COLD_RUNS", "10"))
SVC = os.path.abspath(os.path.join(BIN, "appliance-testsvc"))
PROCMON = os.path.abspath(os.path.join(BIN, "procmon"))


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def listener():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    return s, s.getsockname()[1]


def wait_announce(sock, timeout=10.0, not_pid=None):
    sock.settimeout(timeout)
    while True:
        data, _ = sock.recvfrom(256)
        t = time.monotonic()
        pid = int(data.split()[1])
        if pid != not_pid:
            return pid, t


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def pss_kib(pid):
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return 0


def percentile(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def kill_loop(sock, first_pid, name):
    latencies = []
    pid = first_pid
    for i in range(KILLS):
        time.sleep(INTERVAL)
        t0 = time.monotonic()
        os.kill(pid, signal.SIGKILL)
        pid, t1 = wait_announce(sock, not_pid=pid)
        latencies.append((t1 - t0) * 1000)
        if (i + 1) % 25 == 0:
            log(f"  {name}: {i + 1}/{KILLS} kills, median so far {statistics.median(latencies):.2f} ms")
    return latencies, pid


def bench_procmon(work):
    sock, port = listener()
    root = os.path.join(work, "procmon-root")
    os.makedirs(os.path.join(root, "etc/appliance"))
    manifest = os.path.join(root, "etc/appliance/services.conf")
    with open(manifest, "w") as f:
        f.write(f"[service bench]\nexec = {SVC} --foreground --announce {port}\nstable-after = 1s\n")
    proc = subprocess.Popen([PROCMON, "--root", root, "--foreground", "--port-base", "30000"],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "procmon.err"), "w"))
    try:
        pid, _ = wait_announce(sock)
        time.sleep(0.5)
        idle = {"procmon": rss_kib(proc.pid), "service": rss_kib(pid),
                "procmon_pss": pss_kib(proc.pid), "service_pss": pss_kib(pid)}
        latencies, _ = kill_loop(sock, pid, "procmon")
        return latencies, idle
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)


def bench_runsv(work):
    sock, port = listener()
    service = os.path.join(work, "runsv-service")
    os.makedirs(service)
    # ./run is the service binary itself (no /bin/sh hop): runsv execs it
    # directly, and it finds its announce port in the environment.
    os.symlink(SVC, os.path.join(service, "run"))
    proc = subprocess.Popen(["runsv", service], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "TESTSVC_ANNOUNCE": str(port)})
    try:
        pid, _ = wait_announce(sock)
        time.sleep(0.5)
        idle = {"runsv": rss_kib(proc.pid), "runsv_pss": pss_kib(proc.pid)}
        latencies, _ = kill_loop(sock, pid, "runsv")
        return latencies, idle
    finally:
        subprocess.run(["sv", "exit", service], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env={**os.environ, "SVDIR": work})
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def bench_cold_start(work):
    """procmon start → every one of COLD_SERVICES services announced ready."""
    times = []
    for run in range(COLD_RUNS):
        sock, port = listener()
        root = os.path.join(work, f"cold-{run}")
        os.makedirs(os.path.join(root, "etc/appliance"))
        with open(os.path.join(root, "etc/appliance/services.conf"), "w") as f:
            for i in range(COLD_SERVICES):
                after = f"after = s{i - 1}\n" if i > 0 and i % 2 == 0 else ""
                f.write(f"[service s{i}]\nexec = {SVC} --foreground --announce {port}\n{after}\n")
        t0 = time.monotonic()
        proc = subprocess.Popen([PROCMON, "--root", root, "--foreground", "--port-base", "30000"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seen = set()
        while len(seen) < COLD_SERVICES:
            pid, t = wait_announce(sock)
            seen.add(pid)
        times.append((t - t0) * 1000)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    return times


def main():
    for path in (SVC, PROCMON):
        if not os.access(path, os.X_OK):
            sys.exit(f"missing {path}: build with `swift build -c release` first")
    if not shutil.which("runsv"):
        sys.exit("runsv not found: apt-get install runit")
    work = tempfile.mkdtemp(prefix="bench-procmon-")
    try:
        log(f"procmon: {KILLS} kills, {INTERVAL}s apart")
        ours, idle_ours = bench_procmon(work)
        log(f"runsv: {KILLS} kills, {INTERVAL}s apart")
        theirs, idle_theirs = bench_runsv(work)
        log(f"cold start: {COLD_RUNS} runs of {COLD_SERVICES} services")
        cold = bench_cold_start(work)
    finally:
        if not os.environ.get("KEEP_WORK"):
            shutil.rmtree(work, ignore_errors=True)

    print("=== RESULTS ===")
    for name, values in (("procmon", ours), ("runsv", theirs)):
        print(f"{name}_restart_to_ready_median: {statistics.median(values):.3f} ms")
        print(f"{name}_restart_to_ready_p99: {percentile(values, 99):.3f} ms")
        print(f"{name}_restart_to_ready_max: {max(values):.3f} ms")
    print(f"procmon_over_runsv_median: {statistics.median(ours) / statistics.median(theirs):.3f} ratio")
    print(f"procmon_over_runsv_p99: {percentile(ours, 99) / percentile(theirs, 99):.3f} ratio")
    print(f"procmon_cold_start_{COLD_SERVICES}_services_median: {statistics.median(cold):.1f} ms")
    print(f"procmon_cold_start_{COLD_SERVICES}_services_max: {max(cold):.1f} ms")
    print(f"procmon_idle_rss: {idle_ours['procmon'] / 1024:.1f} MiB")
    print(f"procmon_idle_pss: {idle_ours['procmon_pss'] / 1024:.1f} MiB")
    print(f"runsv_idle_rss: {idle_theirs['runsv'] / 1024:.1f} MiB")
    print(f"runsv_idle_pss: {idle_theirs['runsv_pss'] / 1024:.1f} MiB")
    print(f"testsvc_idle_rss: {idle_ours['service'] / 1024:.1f} MiB")
    print(f"testsvc_idle_pss: {idle_ours['service_pss'] / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
