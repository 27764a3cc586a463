"""One call on a daemon's control socket (JSON lines), and /proc readings, for the benchmarks."""
import json
import os
import socket
import time


def call(path, method, params=None, request_id=1):
    """The result of `method`; raises RuntimeError with the daemon's error."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(path)
        s.sendall(json.dumps({"id": request_id, "method": method, "params": params or {}}).encode() + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            data += chunk
    answer = json.loads(data)
    if "error" in answer:
        raise RuntimeError(f"{method}: {answer['error']}")
    return answer["result"]


def cpu_seconds(pid):
    """User + system CPU seconds of `pid` so far."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid):
    """Resident set size of `pid` in KiB."""
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def child_pid(parent, name):
    """The pid of `parent`'s child whose command is `name`, or None."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = open(f"/proc/{entry}/stat").read()
        except OSError:
            continue
        comm, rest = stat.split("(", 1)[1].rsplit(")", 1)
        if comm == name and int(rest.split()[1]) == parent:
            return int(entry)
    return None


def wait_for(what, condition, timeout=90):
    """Polls `condition` every 0.2 s until it holds; a daemon not up yet
    (OSError, RuntimeError, ValueError, KeyError) counts as not yet."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except (OSError, RuntimeError, ValueError, KeyError):
            pass
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {what}")
