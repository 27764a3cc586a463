"""snmpd vs net-snmp's snmpd, side by side in one run (bench/snmpd.sh).

Both agents: SNMPv3 only, one authPriv user (SHA-256 / AES-128), UDP on
127.0.0.1.
  ours:   procmon + configd + auditd + snmpd from rootfs/etc/appliance/services.conf
          (release build); the user is created through configd with keys
          localized to snmpd's engine ID.
  anchor: net-snmp snmpd 5.9 (Debian), `createUser` + `rouser ... priv`, no community.
Measured, per agent:
  GET requests/s with bench/snmp_load.c (libnetsnmp, one process, async,
  1 and CONC requests in flight, one varbind, GET_SECONDS each) and the
  agent's CPU per request; full-tree `snmpbulkwalk -Cr10 .1` (WALK_RUNS,
  mean) in varbinds/s; idle RSS.
  Also the same GETs prebuilt once and replayed by bench/snmp_replay.c (two
  system calls per request on the generator's side), so the agent, not the
  generator's cryptography, limits the rate: the agents' capacity.
  Then in a network namespace with ROWS veth interfaces (and lo), a walk of ifTable
  (ROWS rows) with both agents: the 10,000-row table the issue asks about.
"""
import hashlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from control import call, child_pid, cpu_seconds, rss_kib  # noqa: E402

BIN = os.environ.get("BIN", ".build/release")
LOAD = os.environ["LOAD"]
REPLAY = os.environ["REPLAY"]
GET_SECONDS = float(os.environ.get("GET_SECONDS", "10"))
CONC = int(os.environ.get("CONC", "16"))
WALK_RUNS = int(os.environ.get("WALK_RUNS", "5"))
ROWS = int(os.environ.get("ROWS", "10000"))
USER, AUTH_PASS, PRIV_PASS = "benchuser", "benchAuthPass123", "benchPrivPass123"
GET_OID = ".1.3.6.1.2.1.1.3.0"
WORK = tempfile.mkdtemp(prefix="snmpd-bench-")
os.chmod(WORK, 0o755)  # the services run as their own users
NETNS = "snmpbench"


def log(*args):
    print("[snmpd]", *args, file=sys.stderr, flush=True)


def credentials():
    return ["-v3", "-l", "authPriv", "-u", USER, "-a", "SHA-256", "-A", AUTH_PASS, "-x", "AES", "-X", PRIV_PASS]


def localized(password, engine_id):
    """RFC 3414 A.2 password-to-key and localization, SHA-256."""
    repeated = (password * (1048576 // len(password) + 1))[:1048576]
    key = hashlib.sha256(repeated).digest()
    return hashlib.sha256(key + engine_id + key).digest()


def prefix(netns):
    return ["ip", "netns", "exec", NETNS] if netns else []


class Ours:
    name = "ours"

    def __init__(self, port_base, netns=False):
        self.root = f"{WORK}/appliance-{port_base}"
        self.port = port_base + 161
        os.makedirs(self.root + "/etc/appliance")
        manifest = open("rootfs/etc/appliance/services.conf").read()
        manifest = re.sub(r"^exec = (\S+)", lambda m: "exec = " + os.path.abspath(BIN) + "/" + m.group(1), manifest, flags=re.M)
        # Only the three services snmpd needs.
        sections = [s for s in re.split(r"(?=^\[service )", manifest, flags=re.M)
                    if not s.startswith("[service ") or re.match(r"\[service (auditd|configd|snmpd)\]", s)]
        manifest = "".join(sections)
        if os.environ.get("THREADS"):
            manifest = manifest.replace("snmpd --foreground --root {root}", "snmpd --foreground --root {root} --threads " + os.environ["THREADS"])
        open(self.root + "/etc/appliance/services.conf", "w").write(manifest)
        env = dict(os.environ, APPLIANCE_ADMIN_PASSWORD="Bench-Snmp-Agent-7")
        self.procmon = subprocess.Popen(prefix(netns) + [BIN + "/procmon", "--root", self.root, "--foreground", "--port-base", str(port_base)],
                                        env=env, stdout=subprocess.DEVNULL, stderr=open(self.root + "/procmon.err", "w"))
        status = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                status = call(self.root + "/run/appliance/snmpd.sock", "status")
                if status.get("configurationRevision") is not None:
                    break
            except (OSError, RuntimeError):
                pass
            time.sleep(0.2)
        if status is None:
            raise SystemExit("our snmpd did not start: " + open(self.root + "/procmon.err").read()[-2000:])
        engine = bytes.fromhex(status["engineID"])
        auth, priv = localized(AUTH_PASS.encode(), engine), localized(PRIV_PASS.encode(), engine)[:16]
        call(self.root + "/run/appliance/configd.sock", "apply", {"commands": [
            f"snmp user {USER} role viewer auth sha-256 auth-key 0x{auth.hex()} priv aes-128 priv-key 0x{priv.hex()}"]})
        while not call(self.root + "/run/appliance/snmpd.sock", "status")["users"]:
            time.sleep(0.1)
        self.agent_pid = None
        # `ip netns exec` execs procmon, so the Popen pid is procmon's either way.
        for _ in range(50):
            self.agent_pid = child_pid(self.procmon.pid, "snmpd")
            if self.agent_pid:
                break
            time.sleep(0.1)
        self.netns = netns

    def stop(self):
        self.procmon.send_signal(signal.SIGTERM)
        self.procmon.wait(30)


class NetSNMP:
    name = "net-snmp"

    def __init__(self, port, netns=False):
        self.port = port
        folder = f"{WORK}/netsnmp-{port}"
        os.makedirs(folder)
        open(folder + "/snmpd.conf", "w").write(
            f"createUser {USER} SHA-256 {AUTH_PASS} AES {PRIV_PASS}\n"
            f"rouser {USER} priv\n"
            f"agentaddress udp:127.0.0.1:{port}\n")
        env = dict(os.environ, SNMP_PERSISTENT_DIR=folder, MIBS="")
        self.process = subprocess.Popen(prefix(netns) + ["/usr/sbin/snmpd", "-f", "-Lf", folder + "/snmpd.log", "-C", "-c", folder + "/snmpd.conf",
                                                         "-p", folder + "/snmpd.pid"],
                                        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            result = subprocess.run(tool(["snmpget", "-m", "", "-t", "1", "-r", "0"] + credentials() + [f"udp:127.0.0.1:{port}", GET_OID], netns),
                                    capture_output=True, text=True)
            if result.returncode == 0:
                break
            time.sleep(0.3)
        else:
            raise SystemExit("net-snmp snmpd did not answer")
        self.agent_pid = int(open(folder + "/snmpd.pid").read().split()[0]) if os.path.exists(folder + "/snmpd.pid") else self.process.pid
        self.netns = netns

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(30)


def tool(argv, netns):
    return prefix(netns) + argv


def get_rate(agent, concurrency):
    before = cpu_seconds(agent.agent_pid)
    result = subprocess.run(tool([LOAD, "-m", ""] + credentials() + ["-t", "2", "-r", "0", f"udp:127.0.0.1:{agent.port}", GET_OID,
                                  str(concurrency), str(GET_SECONDS)], agent.netns), capture_output=True, text=True, check=True)
    used = cpu_seconds(agent.agent_pid) - before
    fields = result.stdout.split()
    values = dict(zip(fields[0::2], fields[1::2]))
    requests = int(values["requests"])
    return requests / float(values["seconds"]), used * 1e6 / max(requests, 1), int(values["errors"]) + int(values["timeouts"])


def replay_rate(agent, concurrency):
    """Prebuilt authPriv GETs replayed (bench/snmp_replay.c): the agent's capacity."""
    requests = f"{WORK}/requests-{agent.port}.bin"
    subprocess.run(tool([sys.executable, "bench/snmp_requests.py", "127.0.0.1", str(agent.port), USER, AUTH_PASS, PRIV_PASS, GET_OID,
                         "512", requests], agent.netns), check=True, capture_output=True)
    before = cpu_seconds(agent.agent_pid)
    result = subprocess.run(tool([REPLAY, requests, "127.0.0.1", str(agent.port), str(concurrency), str(GET_SECONDS)], agent.netns),
                            capture_output=True, text=True, check=True)
    used = cpu_seconds(agent.agent_pid) - before
    fields = result.stdout.split()
    values = dict(zip(fields[0::2], fields[1::2]))
    requests_done = int(values["requests"])
    return requests_done / float(values["seconds"]), used * 1e6 / max(requests_done, 1), int(values["lost"])


def walk(agent, oid, runs):
    times, count = [], 0
    for run in range(runs + 1):
        start = time.monotonic()
        result = subprocess.run(tool(["snmpbulkwalk", "-m", "", "-On", "-Cr10", "-t", "10", "-r", "2"] + credentials()
                                     + [f"udp:127.0.0.1:{agent.port}", oid], agent.netns), capture_output=True, text=True)
        elapsed = time.monotonic() - start
        if result.returncode != 0:
            raise SystemExit(f"{agent.name} walk failed: {result.stderr[-500:]}")
        count = sum(1 for line in result.stdout.splitlines() if " = " in line and "No more variables" not in line)
        if run > 0:  # the first run warms up
            times.append(elapsed)
    return count, sum(times) / len(times)


def results(name, ours, anchor, unit, higher_is_better=True):
    ratio = ours / anchor if anchor else float("nan")
    print(f"{name}: ours {ours:,.1f} {unit}, net-snmp {anchor:,.1f} {unit}, ratio {ratio:.2f}"
          + ("" if higher_is_better else " (lower is better)"))


def main():
    log("work folder", WORK)
    figures = {}
    for make in (lambda: Ours(24000), lambda: NetSNMP(24500)):
        agent = make()
        try:
            time.sleep(2)
            figures[agent.name, "rss"] = rss_kib(agent.agent_pid) / 1024
            for concurrency in (1, CONC):
                rate, cpu, failures = get_rate(agent, concurrency)
                log(f"{agent.name}: {concurrency} in flight: {rate:,.0f} GET/s, {cpu:.1f} µs CPU/request, {failures} failed")
                figures[agent.name, f"get{concurrency}"] = rate
                figures[agent.name, f"cpu{concurrency}"] = cpu
            rate, cpu, lost = replay_rate(agent, 2 * CONC)
            log(f"{agent.name}: replayed, {2 * CONC} in flight: {rate:,.0f} GET/s, {cpu:.1f} µs CPU/request, {lost} lost")
            figures[agent.name, "replay"] = rate
            figures[agent.name, "replaycpu"] = cpu
            count, seconds = walk(agent, ".1", WALK_RUNS)
            log(f"{agent.name}: full walk {count} varbinds in {seconds * 1000:.0f} ms")
            figures[agent.name, "walk"] = count / seconds
            figures[agent.name, "walkcount"] = count
            figures[agent.name, "rss-after"] = rss_kib(agent.agent_pid) / 1024
        finally:
            agent.stop()

    if ROWS > 0:
        subprocess.run(["ip", "netns", "del", NETNS], capture_output=True)
        subprocess.run(["ip", "netns", "add", NETNS], check=True)
        try:
            subprocess.run(["ip", "-n", NETNS, "link", "set", "lo", "up"], check=True)
            # veth pairs: Debian's kernel here has no dummy driver loaded.
            batch = "".join(f"link add v{i} type veth peer name w{i}\n" for i in range(ROWS // 2))
            subprocess.run(["ip", "-n", NETNS, "-batch", "-"], input=batch, text=True, check=True)
            log(f"namespace {NETNS}: {ROWS // 2 * 2 + 1} interfaces")
            for make in (lambda: Ours(25000, netns=True), lambda: NetSNMP(25500, netns=True)):
                agent = make()
                try:
                    time.sleep(3)
                    count, seconds = walk(agent, ".1.3.6.1.2.1.2.2", 3)
                    log(f"{agent.name}: ifTable walk {count} varbinds ({count // max(ROWS, 1)} columns) in {seconds * 1000:.0f} ms")
                    figures[agent.name, "table"] = count / seconds
                    figures[agent.name, "tablecount"] = count
                    figures[agent.name, "tablems"] = seconds * 1000
                finally:
                    agent.stop()
        finally:
            subprocess.run(["ip", "netns", "del", NETNS], capture_output=True)

    print("=== RESULTS ===")
    results("authPriv GET requests/s, 1 in flight", figures["ours", "get1"], figures["net-snmp", "get1"], "req/s")
    results(f"authPriv GET requests/s, {CONC} in flight", figures["ours", f"get{CONC}"], figures["net-snmp", f"get{CONC}"], "req/s")
    results(f"authPriv GET requests/s, prebuilt requests replayed, {2 * CONC} in flight", figures["ours", "replay"], figures["net-snmp", "replay"], "req/s")
    results("agent CPU per replayed request", figures["ours", "replaycpu"], figures["net-snmp", "replaycpu"], "µs", False)
    results(f"agent CPU per request ({CONC} in flight)", figures["ours", f"cpu{CONC}"], figures["net-snmp", f"cpu{CONC}"], "µs", False)
    results("full-tree bulkwalk", figures["ours", "walk"], figures["net-snmp", "walk"], "varbinds/s")
    print(f"full-tree size: ours {figures['ours', 'walkcount']} varbinds, net-snmp {figures['net-snmp', 'walkcount']} varbinds")
    if ROWS > 0:
        results(f"ifTable walk, {ROWS} rows", figures["ours", "table"], figures["net-snmp", "table"], "varbinds/s")
        print(f"ifTable walk time: ours {figures['ours', 'tablems']:.0f} ms ({figures['ours', 'tablecount']} varbinds), "
              f"net-snmp {figures['net-snmp', 'tablems']:.0f} ms ({figures['net-snmp', 'tablecount']} varbinds)")
    results("idle RSS", figures["ours", "rss"], figures["net-snmp", "rss"], "MiB", False)
    results("RSS after load", figures["ours", "rss-after"], figures["net-snmp", "rss-after"], "MiB", False)


if __name__ == "__main__":
    main()
