"""A sign-in flood beside a 9 Mbit/s stream (bench/signin-flood.sh, issue 13 #5).

  ours:   procmon + auditd + configd + shaper + sessmgrd + webd from
          rootfs/etc/appliance/services.conf (release build); the stream is
          the daemon's: `stream bench source file:... destination
          rtp://127.0.0.1:PORT autostart` applied through configd for the
          file's length, then removed, received by bench/rtp_receiver.py
          (the same measurement as bench/sessmgrd-rtp.sh). Its sending thread
          runs as the manifest says: SCHED_FIFO at `realtime-priority`, given
          by procmon; REALTIME=0 removes the key (the figures before it).
  flood:  CONNS (512) HTTPS keep-alive connections, each from its own source
          address (127.1.x.y, so webd's per-address limit lets each one's
          burst through and configd's hash queue is what holds), each posting
          wrong sign-ins (`POST /api/v1/session`) back to back for the whole
          stream.
The stream is measured three times in one run: alone, beside the flood, and
alone again; the figures of each are printed, then the flood's over the two
quiet runs' mean, beside how much the two quiet runs differ (the noise). HOG=1 runs
`yes > /dev/null` beside both measurements (a busy machine).
"""
import asyncio
import json
import os
import re
import resource
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from control import call, child_pid, cpu_seconds, wait_for  # noqa: E402

BIN = os.path.abspath(os.environ.get("BIN", ".build/release"))
TS_FILE = os.environ["TS_FILE"]
CONNS = int(os.environ.get("CONNS", "512"))
PORT_BASE = int(os.environ.get("PORT_BASE", "29000"))
HOG = os.environ.get("HOG", "0") == "1"
# The flood's own process stands in for clients elsewhere on the network; on
# the appliance's two cores it runs at this nice value so that what is
# measured is the appliance's answer to the flood, not the generator's CPU.
FLOOD_NICE = int(os.environ.get("FLOOD_NICE", "19"))
# REALTIME=0: sessmgrd without the manifest's `realtime-priority` line.
REALTIME = os.environ.get("REALTIME", "1") != "0"
HTTPS = PORT_BASE + 443
PASSWORD = "Bench-Flood-Password-9"
METRICS = ["gap_stddev", "gap_p99_abs_dev", "gap_max", "max_burst_1ms", "max_schedule_dev", "mean_bitrate_ts", "rtp_seq_missing"]


def log(*args):
    print("[signin-flood]", *args, file=sys.stderr, flush=True)


def start_appliance(work):
    root = f"{work}/appliance"
    os.makedirs(root + "/etc/appliance")
    manifest = open("rootfs/etc/appliance/services.conf").read()
    manifest = re.sub(r"^exec = (\S+)", lambda m: "exec = " + BIN + "/" + m.group(1), manifest, flags=re.M)
    if not REALTIME:
        manifest = re.sub(r"^realtime-priority = .*\n", "", manifest, flags=re.M)
    sections = [s for s in re.split(r"(?=^\[service )", manifest, flags=re.M)
                if not s.startswith("[service ") or re.match(r"\[service (auditd|configd|sessmgrd|shaper|webd)\]", s)]
    open(root + "/etc/appliance/services.conf", "w").write("".join(sections))
    env = dict(os.environ, APPLIANCE_ADMIN_PASSWORD=PASSWORD)
    os.makedirs(root + "/srv")
    shutil.copy(TS_FILE, root + "/srv/bench.ts")
    os.chmod(root + "/srv/bench.ts", 0o644)
    procmon = subprocess.Popen([BIN + "/procmon", "--root", root, "--foreground", "--port-base", str(PORT_BASE)],
                               env=env, stdout=subprocess.DEVNULL, stderr=open(root + "/procmon.err", "w"))
    try:
        wait_for("webd", lambda: call(root + "/run/appliance/webd.sock", "status")["httpsPort"] == HTTPS)
    except BaseException:
        procmon.send_signal(signal.SIGTERM)
        procmon.wait(30)
        raise
    return root, procmon


# MARK: the flood (a child process of its own: `signin_flood.py flood`)

async def one_connection(index, stop, counts):
    source = f"127.1.{index // 250}.{index % 250 + 1}"
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    body = json.dumps({"account": f"nobody{index}", "password": "Wrong-Guess-123"}).encode()
    request = (f"POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
               f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", HTTPS, ssl=context, local_addr=(source, 0))
        except OSError:
            counts["connect_failed"] = counts.get("connect_failed", 0) + 1
            await asyncio.sleep(0.1)
            continue
        try:
            while not stop.is_set():
                writer.write(request)
                await writer.drain()
                head = await reader.readuntil(b"\r\n\r\n")
                status = head.split(b" ", 2)[1].decode()
                length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1)) if re.search(rb"(?i)content-length:", head) else 0
                await reader.readexactly(length)
                counts[status] = counts.get(status, 0) + 1
                if re.search(rb"(?i)connection: *close", head):
                    break
        except (OSError, asyncio.IncompleteReadError, ssl.SSLError, AttributeError, ValueError):
            counts["dropped"] = counts.get("dropped", 0) + 1
        finally:
            writer.close()


async def flood_main():
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    counts = {}
    await asyncio.gather(*(one_connection(i, stop, counts) for i in range(CONNS)))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    counts["cpu_s"] = round(usage.ru_utime + usage.ru_stime, 2)
    print(json.dumps(counts), flush=True)


# MARK: the measurement

def measure(label, flood, root):
    duration = float(subprocess.check_output(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "default=nw=1:nk=1", TS_FILE]))
    flooder = None
    webd, configd = child_pid(PROCMON.pid, "webd"), child_pid(PROCMON.pid, "configd")
    cpu_before = {name: cpu_seconds(pid) for name, pid in (("webd", webd), ("configd", configd))}
    if flood:
        flooder = subprocess.Popen(["nice", "-n", str(FLOOD_NICE), sys.executable, __file__, "flood"], env=os.environ, stdout=subprocess.PIPE, text=True)
        time.sleep(3)  # every connection open and flooding before the stream starts
    sender_log = f"{root}/sender-{label}.log"
    env = dict(os.environ, TS_FILE=TS_FILE, BIN=BIN, SENDER_LOG=sender_log)
    out = subprocess.run([sys.executable, "bench/rtp_receiver.py", label, str(int(duration) + 60), str(duration), "--",
                          f'{sys.executable} {os.path.abspath(__file__)} stream {root} {duration}'],
                         env=env, capture_output=True, text=True, check=True).stdout
    STREAM_PRIORITY[label] = (open(sender_log).read().split() or ["?"])[-1]
    figures = {}
    for line in out.splitlines():
        key, value = line.split(":", 1)
        if key.startswith(label + "_sender_"):
            continue  # the CPU of the script that applied the stream, not of sessmgrd
        figures[key[len(label) + 1:]] = float(value.split()[0])
    figures["webd_cpu_s"] = cpu_seconds(webd) - cpu_before["webd"]
    figures["configd_cpu_s"] = cpu_seconds(configd) - cpu_before["configd"]
    if flooder:
        flooder.send_signal(signal.SIGTERM)
        counts = json.loads(flooder.communicate(timeout=60)[0] or "{}")
        for status, count in sorted(counts.items()):
            if status != "cpu_s":
                figures[f"flood_answers_{status}"] = count
        figures["flood_generator_cpu_s"] = counts.pop("cpu_s", 0)
        figures["flood_requests_per_s"] = sum(v for k, v in counts.items() if k.isdigit()) / duration
    return figures


def main():
    global PROCMON
    work = tempfile.mkdtemp(prefix="signin-flood-")
    os.chmod(work, 0o755)  # the services run as their own users
    try:
        root, PROCMON = start_appliance(work)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    hog = subprocess.Popen(["sh", "-c", "exec yes > /dev/null"]) if HOG else None
    try:
        # Sign-in works before anything else.
        status = call(root + "/run/appliance/configd.sock", "status")
        assert status["revision"] >= 1
        log(f"quiet: the stream alone ({'with' if HOG else 'no'} CPU hog)")
        quiet = measure("quiet", False, root)
        log(f"flood: the stream beside {CONNS} sign-in connections")
        flood = measure("flood", True, root)
        log("quiet again: the stream alone, for the run's own noise")
        again = measure("again", False, root)
    finally:
        if hog:
            hog.kill()
        PROCMON.send_signal(signal.SIGTERM)
        PROCMON.wait(30)
        shutil.rmtree(work, ignore_errors=True)
    suffix = "_hog" if HOG else ""
    print("=== RESULTS ===")
    print(f"host_loadavg_1m_at_end: {open('/proc/loadavg').read().split()[0]} load")
    print(f"signin_flood{suffix}_pacing_priority: {STREAM_PRIORITY.get('quiet')} quiet, {STREAM_PRIORITY.get('flood')} flood, {STREAM_PRIORITY.get('again')} again (SCHED_FIFO; None: normal)")
    for label, figures in (("quiet", quiet), ("flood", flood), ("again", again)):
        for key, value in figures.items():
            print(f"signin_flood{suffix}_{label}_{key}: {value:g}")
    # "Unchanged within noise": the flood's figure against the two quiet
    # runs' mean, beside the two quiet runs against each other (the run's
    # own noise: the larger over the smaller).
    for metric in METRICS:
        if quiet.get(metric) and again.get(metric) and metric in flood:
            base = (quiet[metric] + again[metric]) / 2
            noise = max(quiet[metric], again[metric]) / min(quiet[metric], again[metric])
            print(f"signin_flood{suffix}_flood_over_quiet_{metric}: {flood[metric] / base:.3f} ratio (quiet runs differ by {noise:.3f})")


def stream(root, seconds):
    """The sender rtp_receiver.py runs: the daemon's stream to RTP_HOST:RTP_PORT
    for `seconds` (the file's length, so its loop point is never crossed),
    then removed. Prints the SCHED_FIFO priority sessmgrd's status reports."""
    configd = root + "/run/appliance/configd.sock"
    destination = f"rtp://{os.environ['RTP_HOST']}:{os.environ['RTP_PORT']}"
    sessmgrd = root + "/run/appliance/sessmgrd.sock"
    call(configd, "apply", {"commands": [f"stream bench source file:{root}/srv/bench.ts destination {destination} autostart"]})
    try:
        wait_for("the stream sending", lambda: any(s["datagrams"] > 0 for s in call(sessmgrd, "status", {"name": "bench"})["streams"]), 30)
        time.sleep(seconds)  # the stream's own length: this is its sender's lifetime, not a wait for a condition
        print(call(sessmgrd, "status").get("pacingPriority"), file=sys.stderr)
    finally:
        call(configd, "apply", {"commands": ["no stream bench"]})


PROCMON = None
STREAM_PRIORITY = {}
if __name__ == "__main__":
    if sys.argv[1:2] == ["stream"]:
        stream(sys.argv[2], float(sys.argv[3]))
    elif sys.argv[1:] == ["flood"]:
        asyncio.run(flood_main())
    else:
        main()
