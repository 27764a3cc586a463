#!/usr/bin/env python3
"""N concurrent streams: sessmgrd (one daemon, a thread per stream) against N
ffmpeg processes (`-re -stream_loop -1 ... -f rtp_mpegts`), the same TS file
(bench/data/test_30s_9M.ts) to N loopback UDP sockets that are never read
(the kernel drops what overflows, silently and cheaply: no ICMP, no reader).

Per N in COUNTS: CPU seconds per stream-second over WINDOW seconds (from
/proc/PID/stat, after a warm-up), and for sessmgrd the pacing error on send
(p99 and max over the streams, from its status: the lateness of each send
against its PCR deadline, kept since each stream started). Prints
`name: value unit` lines after `=== RESULTS ===`.
"""
import os, shutil, signal, socket, subprocess, sys, tempfile, time

from control import call

BIN = os.path.abspath(os.environ.get("BIN", ".build/release"))
TS = os.path.abspath(os.environ.get("TS_FILE", "bench/data/test_30s_9M.ts"))
COUNTS = [int(n) for n in os.environ.get("COUNTS", "1 16 64").split()]
WINDOW = float(os.environ.get("WINDOW", "15"))
WARMUP = float(os.environ.get("WARMUP", "3"))
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def sinks(n):
    sockets = []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
    return sockets


def measure(pids):
    before = sum(cpu_seconds(p) for p in pids)
    time.sleep(WINDOW)
    return sum(cpu_seconds(p) for p in pids) - before


def run_sessmgrd(n, work):
    root = os.path.join(work, f"root{n}")
    os.makedirs(root)
    env = {**os.environ, "APPLIANCE_ADMIN_PASSWORD": "Bench-Mark-Password-7"}
    configd = subprocess.Popen([f"{BIN}/configd", "--root", root, "--foreground"], stdout=subprocess.DEVNULL,
                               stderr=open(os.path.join(root, "configd.err"), "w"), env=env)
    sessmgrd = subprocess.Popen([f"{BIN}/sessmgrd", "--root", root, "--foreground", "--media-folder", os.path.dirname(TS)], stdout=subprocess.DEVNULL,
                                stderr=open(os.path.join(root, "sessmgrd.err"), "w"))
    outs = sinks(n)
    try:
        for name in ("configd", "sessmgrd"):
            path = os.path.join(root, f"run/appliance/{name}.sock")
            for _ in range(400):
                if os.path.exists(path):
                    break
                time.sleep(0.05)
        commands = [f"stream s{i} source file:{TS} destination rtp://127.0.0.1:{s.getsockname()[1]} autostart"
                    for i, s in enumerate(outs)]
        call(os.path.join(root, "run/appliance/configd.sock"), "apply", {"commands": commands})
        time.sleep(WARMUP)
        cpu = measure([sessmgrd.pid])
        status = call(os.path.join(root, "run/appliance/sessmgrd.sock"), "status", {})["streams"]
        streaming = sum(1 for s in status if s["state"] == "streaming")
        p99 = max((s.get("pacingErrorP99Microseconds") or 0) for s in status)
        worst = max(s["pacingErrorMaxMicroseconds"] for s in status)
        resets = sum(s["scheduleResets"] for s in status)
        return cpu, streaming, p99, worst, resets
    finally:
        for p in (sessmgrd, configd):
            p.send_signal(signal.SIGTERM)
        for p in (sessmgrd, configd):
            p.wait(timeout=20)
        for s in outs:
            s.close()


def run_ffmpeg(n):
    outs = sinks(n)
    procs = [subprocess.Popen(["ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error", "-re", "-stream_loop", "-1",
                               "-i", TS, "-c", "copy", "-map", "0", "-f", "rtp_mpegts", f"rtp://127.0.0.1:{s.getsockname()[1]}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for s in outs]
    try:
        time.sleep(WARMUP)
        alive = sum(1 for p in procs if p.poll() is None)
        return measure([p.pid for p in procs if p.poll() is None]), alive
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=20)
        for s in outs:
            s.close()


def main():
    if not os.path.exists(TS):
        sys.exit(f"missing {TS}: run bench/sessmgrd-rtp.sh first (it makes the file)")
    work = tempfile.mkdtemp(prefix="bench-sessmgrd-scale-")
    lines = []
    try:
        for n in COUNTS:
            print(f"[sessmgrd-scale] {n} streams: sessmgrd", file=sys.stderr)
            cpu, streaming, p99, worst, resets = run_sessmgrd(n, work)
            lines += [f"sessmgrd_{n}_streams_cpu_s_per_stream_s: {cpu / (n * WINDOW):.5f} cpu-s/s",
                      f"sessmgrd_{n}_streams_streaming: {streaming} count",
                      f"sessmgrd_{n}_streams_send_lateness_p99_worst_stream: {p99} us",
                      f"sessmgrd_{n}_streams_send_lateness_max: {worst} us",
                      f"sessmgrd_{n}_streams_schedule_resets: {resets} count"]
            print(f"[sessmgrd-scale] {n} streams: ffmpeg", file=sys.stderr)
            fcpu, alive = run_ffmpeg(n)
            lines += [f"ffmpeg_{n}_streams_cpu_s_per_stream_s: {fcpu / (max(alive, 1) * WINDOW):.5f} cpu-s/s",
                      f"ffmpeg_{n}_streams_running: {alive} count"]
            if fcpu > 0:
                lines.append(f"sessmgrd_over_ffmpeg_{n}_streams_cpu_s_per_stream_s: {(cpu / n) / (fcpu / max(alive, 1)):.3f} ratio")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("=== RESULTS ===")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
