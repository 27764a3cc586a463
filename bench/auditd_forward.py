"""auditd forwarding vs rsyslog forwarding, side by side in one run.

    generator --> SENDER --TLS, RFC 5425 octet counting--> RECEIVER (rsyslogd, gtls) -> file

SENDER is either
  ours:    procmon + auditd (+ configd, which configures the destination) from the
           release build; the generator writes RFC 5424 datagrams to audit.sock;
           every event is fsynced to the journal (group commit) before it counts.
  rsyslog: rsyslogd with a plain imtcp input and an omfwd action (gtls, x509/name,
           octet-counted) behind a disk-assisted action queue (LinkedList +
           queue.filename, saveOnShutdown, resumeRetryCount=-1); the generator
           writes newline-framed lines to its TCP input.

Measured for each: (1) rate: N events as fast as the generator pushes them, events/s
from the first send until the N-th distinct event is in the receiver's file;
(2) loss: LOSS_N events at LOSS_RATE/s while the receiver restarts RESTARTS times
(alternately SIGTERM and SIGKILL); missing and duplicated events; (3) idle RSS of
the sending daemon. Prints `name: value unit` after `=== RESULTS ===`.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from control import call, cpu_seconds, rss_kib

BIN = os.path.abspath(os.environ.get("BIN", ".build/release"))
N = int(os.environ.get("N", "100000"))
LOSS_N = int(os.environ.get("LOSS_N", "40000"))
LOSS_RATE = int(os.environ.get("LOSS_RATE", "4000"))
RESTARTS = int(os.environ.get("RESTARTS", "5"))
WAIT_MAX_S = float(os.environ.get("WAIT_MAX_S", "180"))
WORK = tempfile.mkdtemp(prefix="bench-auditd-")
os.chmod(WORK, 0o755)
children = []


def log(*args):
    print("[auditd-bench]", *args, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.05)
    return False


def spawn(argv, **kwargs):
    # A clean signal mask, so SIGTERM reaches rsyslogd whatever this process blocks.
    process = subprocess.Popen(argv, preexec_fn=lambda: signal.pthread_sigmask(signal.SIG_SETMASK, []), **kwargs)
    children.append(process)
    return process


def make_certs(folder):
    os.makedirs(folder, mode=0o755)
    script = r"""
    set -e; cd "$1"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=bench-ca -keyout ca.key -out ca.pem 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost -keyout server.key -out server.csr 2>/dev/null
    printf 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n' > server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext -out server.pem 2>/dev/null
    chmod 644 ca.pem server.pem
    """
    subprocess.run(["bash", "-c", script, "certs", folder], check=True)


class Receiver:
    """rsyslogd with imtcp + gtls on 127.0.0.1:port, octet-counted framing, %msg% per line."""

    def __init__(self, folder, port, certs):
        self.folder, self.port, self.process = folder, port, None
        os.makedirs(folder + "/work")
        self.out = folder + "/received.log"
        open(self.out, "w").close()
        with open(folder + "/rx.conf", "w") as f:
            f.write(f"""global(workDirectory="{folder}/work" maxMessageSize="64k"
       DefaultNetstreamDriver="gtls" DefaultNetstreamDriverCAFile="{certs}/ca.pem"
       DefaultNetstreamDriverCertFile="{certs}/server.pem" DefaultNetstreamDriverKeyFile="{certs}/server.key")
module(load="imtcp" StreamDriver.Name="gtls" StreamDriver.Mode="1" StreamDriver.AuthMode="anon")
template(name="m" type="string" string="%msg%\\n")
ruleset(name="rx") {{ action(type="omfile" file="{self.out}" template="m" flushOnTXEnd="on") }}
input(type="imtcp" port="{port}" address="127.0.0.1" ruleset="rx" SupportOctetCountedFraming="on")
""")
        self.start()

    def start(self):
        self.process = spawn(["rsyslogd", "-n", "-f", self.folder + "/rx.conf", "-i", self.folder + "/rx.pid"],
                             stderr=open(self.folder + "/rx.err", "a"))
        if not wait_listening(self.port):
            raise SystemExit("receiver did not start: " + open(self.folder + "/rx.err").read())

    def stop(self, sig=signal.SIGTERM):
        self.process.send_signal(sig)
        self.process.wait(30)

    def counts(self, tag):
        counts = {}
        with open(self.out, errors="replace") as f:
            for match in re.finditer(tag + r"=(\d+)", f.read()):
                n = int(match.group(1))
                counts[n] = counts.get(n, 0) + 1
        return counts


class Ours:
    name = "auditd"

    def __init__(self, certs, receiver_port):
        self.root = WORK + "/appliance"
        os.makedirs(self.root + "/etc/appliance")
        manifest = open("rootfs/etc/appliance/services.conf").read()
        manifest = re.sub(r"^exec = (\S+)", lambda m: "exec = " + BIN + "/" + m.group(1), manifest, flags=re.M)
        open(self.root + "/etc/appliance/services.conf", "w").write(manifest)
        env = dict(os.environ, APPLIANCE_ADMIN_PASSWORD="Bench-Audit-Forward-7")
        self.procmon = spawn([BIN + "/procmon", "--root", self.root, "--foreground", "--port-base", "23000"],
                             env=env, stdout=subprocess.DEVNULL, stderr=open(WORK + "/procmon.err", "w"))
        self.socket = self.root + "/run/appliance/audit.sock"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                call(self.root + "/run/appliance/configd.sock", "status")
                break
            except OSError:
                time.sleep(0.2)
        call(self.root + "/run/appliance/configd.sock", "apply", {"commands": [
            f"logging remote 127.0.0.1 port {receiver_port} trust ca-signed ca-bundle {certs}/ca.pem permitted-peer localhost"]})
        while not call(self.root + "/run/appliance/auditd.sock", "status")["destinations"]:
            time.sleep(0.1)

    def pid(self):
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = open(f"/proc/{entry}/stat").read()
            except OSError:
                continue
            name, rest = stat.split("(", 1)[1].rsplit(")", 1)
            if name == "auditd" and int(rest.split()[1]) == self.procmon.pid:
                return int(entry)
        raise SystemExit("auditd is not running")

    def generate(self, tag, count, rate):
        return spawn([sys.executable, "-c", GENERATOR, "unix", self.socket, tag, str(count), str(rate)])

    def stop(self):
        self.procmon.send_signal(signal.SIGTERM)
        self.procmon.wait(30)


class Rsyslog:
    name = "rsyslog"

    def __init__(self, certs, receiver_port):
        folder = WORK + "/sender"
        os.makedirs(folder + "/work")
        self.port = free_port()
        with open(folder + "/tx.conf", "w") as f:
            f.write(f"""global(workDirectory="{folder}/work" maxMessageSize="64k"
       DefaultNetstreamDriver="gtls" DefaultNetstreamDriverCAFile="{certs}/ca.pem")
module(load="imtcp")
ruleset(name="fwd") {{
  action(type="omfwd" target="127.0.0.1" port="{receiver_port}" protocol="tcp" TCP_Framing="octet-counted"
         StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="x509/name" StreamDriverPermittedPeers="localhost"
         queue.type="LinkedList" queue.filename="fwdq" queue.saveOnShutdown="on" action.resumeRetryCount="-1")
}}
input(type="imtcp" port="{self.port}" address="127.0.0.1" ruleset="fwd")
""")
        self.process = spawn(["rsyslogd", "-n", "-f", folder + "/tx.conf", "-i", folder + "/tx.pid"], stderr=open(folder + "/tx.err", "w"))
        if not wait_listening(self.port):
            raise SystemExit("rsyslog sender did not start: " + open(folder + "/tx.err").read())

    def pid(self):
        return self.process.pid

    def generate(self, tag, count, rate):
        return spawn([sys.executable, "-c", GENERATOR, "tcp", str(self.port), tag, str(count), str(rate)])

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(30)


GENERATOR = r"""
import socket, sys, time
kind, where, tag, count, rate = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
pad = "x" * 120
if kind == "unix":
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.connect(where)
    def send(i):
        while True:
            try:
                s.send(f"<110>1 - - bench - - - {tag}={i:08d} {pad}".encode()); return
            except (BlockingIOError, ConnectionRefusedError):
                time.sleep(0.001)
else:
    s = socket.create_connection(("127.0.0.1", int(where)))
    def send(i):
        s.sendall(f"<110>Nov 21 12:00:00 benchhost bench: {tag}={i:08d} {pad}\n".encode())
start = time.monotonic()
for i in range(count):
    send(i)
    if rate > 0:
        ahead = (i + 1) / rate - (time.monotonic() - start)
        if ahead > 0: time.sleep(ahead)
"""



def wait_for(receiver, tag, wanted, stable_s=None):
    """Until `wanted` distinct events arrived (or, with stable_s, nothing new for that long)."""
    deadline = time.monotonic() + WAIT_MAX_S
    last, last_change = -1, time.monotonic()
    while time.monotonic() < deadline:
        counts = receiver.counts(tag)
        if len(counts) >= wanted:
            return counts, time.monotonic()
        if len(counts) != last:
            last, last_change = len(counts), time.monotonic()
        elif stable_s and time.monotonic() - last_change > stable_s:
            break
        time.sleep(0.05)
    return receiver.counts(tag), time.monotonic()


def measure(kind, certs):
    results = {}
    port = free_port()
    receiver = Receiver(f"{WORK}/rx-{kind.name}", port, certs)
    sender = kind(certs, port)
    time.sleep(2)
    pid = sender.pid()
    results["idle_rss_kib"] = rss_kib(pid)
    log(kind.name, "rate test")
    cpu0 = cpu_seconds(pid)
    start = time.monotonic()
    sender.generate("rate", N, 0).wait()
    counts, end = wait_for(receiver, "rate", N)
    results["rate_delivered"] = len(counts)
    results["rate_events_per_s"] = len(counts) / (end - start)
    results["cpu_us_per_event"] = (cpu_seconds(sender.pid()) - cpu0) * 1e6 / max(1, len(counts))
    log(kind.name, "loss test", results)
    generator = sender.generate("loss", LOSS_N, LOSS_RATE)
    span = LOSS_N / LOSS_RATE
    for index in range(RESTARTS):
        time.sleep(span / (RESTARTS + 1))
        receiver.stop(signal.SIGTERM if index % 2 == 0 else signal.SIGKILL)
        time.sleep(0.5)
        receiver.start()
    generator.wait()
    counts, _ = wait_for(receiver, "loss", LOSS_N, stable_s=30)
    results["loss_missing"] = LOSS_N - len(counts)
    results["loss_duplicates"] = sum(c - 1 for c in counts.values())
    time.sleep(3)
    results["rss_after_kib"] = rss_kib(sender.pid())
    sender.stop()
    receiver.stop()
    return results


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a timeout still cleans up
    for tool in ("rsyslogd", "openssl"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is missing (scripts/install-deps rsyslog rsyslog-gnutls openssl)")
    certs = WORK + "/certs"
    make_certs(certs)
    try:
        ours = measure(Ours, certs)
        log("ours:", ours)
        theirs = measure(Rsyslog, certs)
        log("rsyslog:", theirs)
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
        if os.environ.get("KEEP_WORK") != "1": shutil.rmtree(WORK, ignore_errors=True)
    print("=== RESULTS ===")
    print(f"events: {N} rate, {LOSS_N} at {LOSS_RATE}/s with {RESTARTS} receiver restarts (TERM, KILL alternating)")
    for key, unit in (("rate_events_per_s", "events/s"), ("cpu_us_per_event", "us"), ("loss_missing", "events"),
                      ("loss_duplicates", "events"), ("idle_rss_kib", "KiB"), ("rss_after_kib", "KiB")):
        a, b = ours[key], theirs[key]
        ratio = f" (ratio {a / b:.2f})" if b else ""
        print(f"auditd {key}: {a:.1f} {unit}; rsyslog {key}: {b:.1f} {unit}{ratio}")


if __name__ == "__main__":
    main()
