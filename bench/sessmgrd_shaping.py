#!/usr/bin/env python3
"""Shaping accuracy (issue 4): the throughput that sessmgrd's HTB class lets
through against the rate sessmgrd configured for it.

Two network namespaces joined by a veth pair (made here and removed). configd
and sessmgrd run as root in namespace A; the stream `shaped` (the 9 Mbit/s
bench file, `shaping ceiling 1`) goes to a receiver in namespace B. sessmgrd
puts an HTB class at the stream's wire rate + 1 % and a u32 filter on the
stream's UDP source port. A stream never exceeds its own class, so to see
the class limit anything, a flood of extra UDP datagrams from the same source
port (a raw socket, so the filter takes them into the same class) is sent at
FLOOD_FACTOR (2) times the class rate for WINDOW (10) seconds.

Measured at the receiver (bytes at the class's accounting: UDP payload + 8 UDP
+ 20 IP + 14 Ethernet, what HTB counts on a veth) and from the class's own
counter (`tc -s class show`): delivered rate / configured rate. Also the
stream alone, before the flood: delivered / sent (nothing lost). Prints
`name: value unit` lines after `=== RESULTS ===`.
"""
import ctypes, os, re, shutil, signal, socket, struct, subprocess, sys, tempfile, threading, time

from control import call

BIN = os.path.abspath(os.environ.get("BIN", ".build/release"))
TS = os.path.abspath(os.environ.get("TS_FILE", "bench/data/test_30s_9M.ts"))
WINDOW = float(os.environ.get("WINDOW", "10"))
FLOOD_FACTOR = float(os.environ.get("FLOOD_FACTOR", "2"))
PORT = 5000
L2_OVERHEAD = 8 + 20 + 14  # UDP, IPv4, Ethernet header: HTB's packet length on a veth
LIBC = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000


def run(*argv, check=True):
    done = subprocess.run(list(argv), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: {done.stdout.strip()}")
    return done.stdout


class Namespaces:
    def __init__(self):
        tag = f"{os.getpid() & 0xffff:x}"
        self.a, self.b = f"shA{tag}", f"shB{tag}"
        self.dev, self.peer = f"shv{tag}a", f"shv{tag}b"
        self.src, self.dst = "10.214.7.1", "10.214.7.2"
        for argv in (["ip", "netns", "add", self.a], ["ip", "netns", "add", self.b],
                     ["ip", "link", "add", self.dev, "netns", self.a, "type", "veth", "peer", "name", self.peer, "netns", self.b],
                     ["ip", "-n", self.a, "addr", "add", f"{self.src}/30", "dev", self.dev],
                     ["ip", "-n", self.b, "addr", "add", f"{self.dst}/30", "dev", self.peer],
                     ["ip", "-n", self.a, "link", "set", self.dev, "up"], ["ip", "-n", self.b, "link", "set", self.peer, "up"],
                     ["ip", "-n", self.a, "link", "set", "lo", "up"], ["ip", "-n", self.b, "link", "set", "lo", "up"]):
            try:
                run(*argv)
            except Exception:
                self.remove()
                raise

    def enter(self, name):
        """Moves this thread into namespace `name` (setns on the calling thread only)."""
        fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
        try:
            # os.setns is Python 3.12's; libc's setns(2) works on any.
            if LIBC.setns(fd, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), f"setns {name}")
        finally:
            os.close(fd)

    def class_counters(self):
        """(bytes sent, packets dropped) of sessmgrd's class, from `tc -s class show`."""
        text = run("tc", "-n", self.a, "-s", "class", "show", "dev", self.dev)
        m = re.search(r"class htb 5e55:\w+ .*?Sent (\d+) bytes \d+ pkt \(dropped (\d+)", text, re.S)
        return (int(m.group(1)), int(m.group(2))) if m else (None, None)

    def class_sent_bytes(self):
        return self.class_counters()[0]

    def remove(self):
        for ns in (self.a, self.b):
            run("ip", "netns", "del", ns, check=False)


class Receiver(threading.Thread):
    """Counts datagrams and bytes arriving on PORT in namespace B, per source port."""
    def __init__(self, ns):
        super().__init__(daemon=True)
        self.ns, self.counts, self.lock, self.ready = ns, {}, threading.Lock(), threading.Event()
        self.stop = False

    def run(self):
        self.ns.enter(self.ns.b)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        s.bind((self.ns.dst, PORT))
        s.settimeout(0.2)
        self.ready.set()
        while not self.stop:
            try:
                data, (_, sport) = s.recvfrom(65536)
            except socket.timeout:
                continue
            with self.lock:
                n, b = self.counts.get(sport, (0, 0))
                self.counts[sport] = (n + 1, b + len(data) + L2_OVERHEAD)

    def snapshot(self, sport):
        with self.lock:
            return self.counts.get(sport, (0, 0))


def flood(ns, sport, rate_bits, seconds, payload_len=1316):
    """UDP datagrams from `sport` to the receiver at `rate_bits` (class accounting), from a raw socket in namespace A."""
    done = threading.Event()
    sent = [0]

    def body():
        ns.enter(ns.a)
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
        packet = struct.pack("!HHHH", sport, PORT, 8 + payload_len, 0) + b"\x47" + bytes(payload_len - 1)
        interval = (payload_len + L2_OVERHEAD) * 8 / rate_bits
        start = time.monotonic()
        next_send, end = start, start + seconds
        while next_send < end:
            now = time.monotonic()
            if now < next_send:
                time.sleep(next_send - now)
            try:
                s.sendto(packet, (ns.dst, 0))
                sent[0] += 1
            except OSError:
                pass  # the class's queue is full: the point of the flood
            next_send += interval
        done.set()

    t = threading.Thread(target=body, daemon=True)
    t.start()
    return t, sent


def main():
    if os.geteuid() != 0:
        sys.exit("bench/sessmgrd-shaping.sh needs root (network namespaces, tc)")
    if not os.path.exists(TS):
        sys.exit(f"missing {TS}: run bench/sessmgrd-rtp.sh first (it makes the file)")
    work = tempfile.mkdtemp(prefix="bench-sessmgrd-shaping-")
    ns = Namespaces()
    procs = []
    lines = []
    try:
        receiver = Receiver(ns)
        receiver.start()
        receiver.ready.wait(5)
        root = os.path.join(work, "root")
        os.makedirs(root)
        env = {**os.environ, "APPLIANCE_ADMIN_PASSWORD": "Bench-Shaping-Password-7"}
        # The shaper (`sessmgrd --shaper`) runs tc for sessmgrd; sessmgrd reads
        # file sources from its media folder only: the bench file's.
        for name, program, extra in (("configd", "configd", []), ("shaper", "sessmgrd", ["--shaper"]),
                                     ("sessmgrd", "sessmgrd", ["--media-folder", os.path.dirname(TS)])):
            procs.append(subprocess.Popen(["ip", "netns", "exec", ns.a, f"{BIN}/{program}", "--root", root, "--foreground"] + extra,
                                          stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, f"{name}.err"), "w"), env=env))
            path = os.path.join(root, f"run/appliance/{name}.sock")
            for _ in range(400):
                if os.path.exists(path):
                    break
                time.sleep(0.05)
        call(os.path.join(root, "run/appliance/configd.sock"), "apply",
             {"commands": [f"stream shaped source file:{TS} destination udp://{ns.dst}:{PORT} shaping ceiling 1 autostart"]})
        status = {}
        for _ in range(300):
            streams = call(os.path.join(root, "run/appliance/sessmgrd.sock"), "status", {"name": "shaped"})["streams"]
            status = streams[0] if streams else {}
            if status.get("shaping", "").startswith("on dev"):
                break
            time.sleep(0.1)
        else:
            sys.exit(f"shaping never came on: {status.get('shaping')}; sessmgrd: {open(os.path.join(work, 'sessmgrd.err')).read()[-2000:]}")
        rate = int(re.search(r"rate (\d+) bit/s", status["shaping"]).group(1))
        listing = run("ip", "netns", "exec", ns.a, "ss", "-Hunp", "dst", f"{ns.dst}:{PORT}")
        sport = int(re.search(rf"{re.escape(ns.src)}:(\d+)", listing).group(1))
        print(f"[sessmgrd-shaping] class rate {rate} bit/s, stream source port {sport}", file=sys.stderr)

        # The stream alone: everything it sends arrives.
        time.sleep(1)
        drops0 = ns.class_counters()[1]
        n0, b0 = receiver.snapshot(sport)
        sent0 = call(os.path.join(root, "run/appliance/sessmgrd.sock"), "status", {"name": "shaped"})["streams"][0]["datagrams"]
        time.sleep(WINDOW / 2)
        n1, b1 = receiver.snapshot(sport)
        sent1 = call(os.path.join(root, "run/appliance/sessmgrd.sock"), "status", {"name": "shaped"})["streams"][0]["datagrams"]
        drops1 = ns.class_counters()[1]
        alone = (b1 - b0) * 8 / (WINDOW / 2)
        lines += [f"stream_alone_delivered_over_sent: {(n1 - n0) / max(sent1 - sent0, 1):.4f} ratio",
                  f"stream_alone_class_drops: {drops1 - drops0} packets",
                  f"stream_alone_rate_over_class_rate: {alone / rate:.4f} ratio"]

        # Stream + flood at FLOOD_FACTOR × the class rate: the class passes its rate.
        thread, _ = flood(ns, sport, rate * FLOOD_FACTOR, WINDOW + 2)
        time.sleep(2)
        c0, (n0, b0), t0 = ns.class_sent_bytes(), receiver.snapshot(sport), time.monotonic()
        time.sleep(WINDOW)
        c1, (n1, b1), t1 = ns.class_sent_bytes(), receiver.snapshot(sport), time.monotonic()
        thread.join(10)
        delivered = (b1 - b0) * 8 / (t1 - t0)
        by_class = (c1 - c0) * 8 / (t1 - t0) if c0 is not None and c1 is not None else float("nan")
        lines += [f"class_rate_configured: {rate} bit/s",
                  f"offered_rate: {rate * FLOOD_FACTOR:.0f} bit/s",
                  f"delivered_rate_at_receiver: {delivered:.0f} bit/s",
                  f"class_counter_rate: {by_class:.0f} bit/s",
                  f"delivered_over_configured: {delivered / rate:.4f} ratio",
                  f"class_counter_over_configured: {by_class / rate:.4f} ratio"]
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        ns.remove()
        shutil.rmtree(work, ignore_errors=True)
    print("=== RESULTS ===")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
