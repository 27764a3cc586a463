# rtp_receiver.py LABEL MAX_SECONDS STREAM_SECONDS -- SENDER_COMMAND
# The receiving side of bench/sessmgrd-rtp.sh, the same measurement as the
# anchor benchmark's receiver: binds UDP 127.0.0.1:0, exports RTP_HOST/RTP_PORT,
# starts the sender (bash -c "exec ..."), stamps every datagram with the
# kernel's SO_TIMESTAMPNS, and takes the sender's CPU from wait4(). Prints
# "LABEL_metric: value unit" lines.
import os, socket, struct, subprocess, sys, time, select, math
label, maxs, stream_s = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
cmd = sys.argv[5] if len(sys.argv) > 5 else sys.argv[4]
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 << 20)
s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]
env = dict(os.environ, RTP_HOST="127.0.0.1", RTP_PORT=str(port))
p = subprocess.Popen(["bash", "-c", "exec " + cmd], env=env, stdout=subprocess.DEVNULL, stderr=open(os.environ.get("SENDER_LOG", os.devnull), "w"))
ts, sizes, seqs = [], [], []
t_start = time.monotonic(); exited_at = None; rus = None
while True:
    now = time.monotonic()
    if now - t_start > maxs: break
    if rus is None:
        pid, st, r = os.wait4(p.pid, os.WNOHANG)
        if pid: rus, exited_at = r, now
    if exited_at is not None and now - exited_at > 2.0: break
    rd, _, _ = select.select([s], [], [], 0.2)
    if not rd: continue
    while True:
        try:
            data, anc, flags, addr = s.recvmsg(2048, 64, socket.MSG_DONTWAIT)
        except BlockingIOError:
            break
        t = None
        for lvl, typ, d in anc:
            if lvl == socket.SOL_SOCKET and typ == SO_TIMESTAMPNS:
                sec, nsec = struct.unpack("qq", d[:16]); t = sec + nsec * 1e-9
        if t is None: t = time.time()
        ts.append(t); sizes.append(len(data))
        seqs.append(struct.unpack("!H", data[2:4])[0] if data[:1] and (data[0] >> 6) == 2 else -1)
if rus is None:
    p.kill(); pid, st, rus = os.wait4(p.pid, 0)
out = {}
n = len(ts)
cpu = rus.ru_utime + rus.ru_stime
out["sender_cpu_s_per_stream_s"] = (round(cpu / stream_s, 4), "cpu-s/s")
out["sender_cpu_total"] = (round(cpu, 3), "s")
out["sender_maxrss"] = (rus.ru_maxrss, "KiB")
out["packets"] = (n, "count")
if n >= 2:
    span = ts[-1] - ts[0]
    rtp = seqs[0] >= 0
    tot = sum(sizes); tsb = sum(sz - 12 for sz in sizes) if rtp else tot
    out["duration"] = (round(span, 3), "s")
    out["mean_bitrate_udp_payload"] = (round(tot * 8 / span / 1e6, 4), "Mbit/s")
    out["mean_bitrate_ts"] = (round(tsb * 8 / span / 1e6, 4), "Mbit/s")
    out["payload_bytes_mode"] = (max(set(sizes), key=sizes.count), "bytes")
    if rtp:
        gaps_seq = 0; reorder = 0
        for a, b in zip(seqs, seqs[1:]):
            d = (b - a) & 0xFFFF
            if d == 0 or d > 0x8000: reorder += 1
            elif d > 1: gaps_seq += d - 1
        out["rtp_seq_missing"] = (gaps_seq, "packets")
        out["rtp_seq_reordered_or_dup"] = (reorder, "packets")
    gaps = [b - a for a, b in zip(ts, ts[1:])]
    ideal = span / (n - 1)
    mean = sum(gaps) / len(gaps)
    sd = math.sqrt(sum((g - mean) ** 2 for g in gaps) / len(gaps))
    dev = sorted(abs(g - ideal) for g in gaps)
    p99 = dev[min(len(dev) - 1, int(math.ceil(0.99 * len(dev))) - 1)]
    out["ideal_gap"] = (round(ideal * 1e3, 4), "ms")
    out["gap_stddev"] = (round(sd * 1e3, 4), "ms")
    out["gap_p99_abs_dev"] = (round(p99 * 1e3, 4), "ms")
    out["gap_max"] = (round(max(gaps) * 1e3, 3), "ms")
    out["gaps_under_50us_pct"] = (round(100.0 * sum(1 for g in gaps if g < 50e-6) / len(gaps), 2), "%")
    # max burst: most packets whose arrival times fall within any 1 ms window
    j = 0; best = 1
    for i in range(n):
        while ts[i] - ts[j] >= 1e-3: j += 1
        best = max(best, i - j + 1)
    out["max_burst_1ms"] = (best, "packets")
    # deviation of arrivals from the ideal constant-rate schedule t0 + i*ideal
    sched = max(abs(ts[i] - (ts[0] + i * ideal)) for i in range(n))
    out["max_schedule_dev"] = (round(sched * 1e3, 3), "ms")
for k, (v, u) in out.items():
    print("%s_%s: %s %s" % (label, k, v, u))