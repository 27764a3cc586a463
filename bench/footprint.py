"""The firmware's footprint vs Debian's lighttpd + net-snmp snmpd + rsyslogd, side by side in one run (bench/footprint.sh).

  1. installed size: ours is what scripts/install-firmware puts under a DESTDIR
     (the stripped multicall executable, its links, rootfs/'s files), the
     executable alone, and the .debug file kept aside (not firmware). The
     anchor is the files of the Debian packages lighttpd, lighttpd-mod-openssl,
     snmpd, libsnmp40, libsnmp-base, rsyslog, rsyslog-gnutls (regular files
     only, /usr/share/doc and /usr/share/man left out) plus every shared
     library that `ldd` finds for the ELF files of those packages (daemons and
     modules), the glibc family (libc, libm, ld-linux, libpthread, libdl,
     librt) and libstdc++/libgcc_s left out on both sides: our executable
     needs those too (a library ours needs beyond them would be counted on
     our side the same way).
  2. idle RSS and PSS of the whole set: ours is procmon from the shipped
     manifest (rootfs/etc/appliance/services.conf: auditd, configd, shaper,
     sessmgrd, snmpd, webd, OpenSSH's sshd via appliance-sshd), port base
     26000, with an SNMP user made through the CLI and auditd forwarding to a
     TLS collector (configured through configd), measured SETTLE seconds after
     every service is running; Rss, Pss, Pss_Anon, Pss_File summed from
     /proc/PID/smaps_rollup over procmon and all its descendants, with and
     without sshd (OpenSSH's, not ours). The anchor set: lighttpd (TLS on
     127.0.0.1:27443, its port-80 stand-in on 27080, one process) with webd's
     own certificate, net-snmp snmpd (the same authPriv user, udp
     127.0.0.1:27161) and rsyslogd (an imtcp input on 27601, an omfwd action
     over gtls to the same collector as auditd's, behind a disk-assisted
     queue): the code of webd_bench.py, snmpd_bench.py and auditd_forward.py.
     The collector (rsyslogd, 27514) is counted on neither side.
  3. loaded RSS, per pair, each daemon's RSS sampled every 100 ms, the largest:
     web (wrk -t1 -c32 over HTTPS keep-alive for LOAD_SECONDS, webd's static
     asset nearest 2 KiB; lighttpd serves the same bytes), SNMP
     (snmpbulkwalk -v3 authPriv of .1 in a loop for LOAD_SECONDS), audit
     (AUDIT_N RFC 5424 datagrams to audit.sock, AUDIT_N lines to rsyslogd's
     imtcp input, as fast as the generator goes, until the collector has them
     all); then each whole set's PSS after the loads.
  Beside the PSS sums, each set's resident pages counted once (the distinct
  physical pages its processes map, from /proc/PID/pagemap): what the set
  occupies alone. PSS splits a page shared with a process outside the set
  (the collector is the same rsyslogd, other programs map the same libssl),
  so the anchors' PSS is lower on a busy machine than on an appliance.
Knobs: LOAD_SECONDS (5), SETTLE (10 s), AUDIT_N (100000), KEEP_WORK=1.
"""
import json
import os
from array import array
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from control import call, child_pid, rss_kib, wait_for  # noqa: E402

BIN = os.path.abspath(os.environ.get("BIN", ".build/release"))
LOAD_SECONDS = float(os.environ.get("LOAD_SECONDS", "5"))
SETTLE = float(os.environ.get("SETTLE", "10"))
AUDIT_N = int(os.environ.get("AUDIT_N", "100000"))
AUDIT_WAIT_S = float(os.environ.get("AUDIT_WAIT_S", "90"))
PORT_BASE = 26000  # ours: webd 26443/26080, snmpd 26161, sshd 26022
SNMP_PORT, COLLECTOR_PORT, RSYSLOG_PORT = 27161, 27514, 27601  # lighttpd: 27443, 27080 (webd_bench's PORT_BASE + 1443, + 1080)
PASSWORD = "Bench-Footprint-Password-9"
GOAL_INSTALLED_BYTES = 40 * 1000 * 1000
GOAL_IDLE_PSS_KIB = 35 * 1024
PACKAGES = ["lighttpd", "lighttpd-mod-openssl", "snmpd", "libsnmp40", "libsnmp-base", "rsyslog", "rsyslog-gnutls"]
# Both sides need these; neither counts them.
COMMON_LIBRARIES = re.compile(r"^(libc|libm|libpthread|libdl|librt|libstdc\+\+|libgcc_s|ld-linux[-\w]*)\.so")

WORK = tempfile.mkdtemp(prefix="footprint-bench-")
os.chmod(WORK, 0o755)  # the services run as their own users

# The anchors' code comes from the other benchmarks. Each makes a temporary
# folder when imported and reads its knobs from the environment: their folders
# go inside ours (removed with it), and their knobs get this benchmark's ports.
os.makedirs(WORK + "/imports")
tempfile.tempdir = WORK + "/imports"
_saved_environment = dict(os.environ)
os.environ.update(PORT_BASE=str(PORT_BASE), LOAD="", REPLAY="")
import auditd_forward  # noqa: E402
import snmpd_bench  # noqa: E402
import webd_bench  # noqa: E402
os.environ.clear()
os.environ.update(_saved_environment)
tempfile.tempdir = None
ANCHORS = WORK + "/anchors"
os.makedirs(ANCHORS)
os.chmod(ANCHORS, 0o755)
webd_bench.WORK = snmpd_bench.WORK = auditd_forward.WORK = ANCHORS
webd_bench.DURATION, webd_bench.CONNS, webd_bench.THREADS = max(1, round(LOAD_SECONDS)), 32, 1  # wrk takes whole seconds
auditd_forward.free_port = lambda: RSYSLOG_PORT  # the rsyslog sender's imtcp input
assert webd_bench.HTTPS == PORT_BASE + 443 and webd_bench.LIGHTTPD_HTTPS == 27443
results = webd_bench.results


def log(*args):
    print("[footprint]", *args, file=sys.stderr, flush=True)


def mib(kib):
    return kib / 1024


# ---------------------------------------------------------------- installed size

def run(argv, **kwargs):
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, **kwargs)


def is_elf(path):
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"\x7fELF"
    except OSError:
        return False


def libraries(paths):
    """{real path of each shared library `ldd` lists for `paths`}, the common ones left out; and the names not found."""
    found, missing = set(), set()
    for path in paths:
        for line in run(["ldd", path]).stdout.splitlines():
            match = re.match(r"\s*(\S+)\s*=>\s*(.*?)\s*(\(0x[0-9a-f]+\))?$", line)
            if not match or COMMON_LIBRARIES.match(match.group(1)):
                continue
            if match.group(2) == "not found":
                missing.add(match.group(1))
            elif match.group(2).startswith("/"):
                found.add(os.path.realpath(match.group(2)))
    return found, missing


def installed_ours():
    destdir, debug = WORK + "/fw", WORK + "/appliance.debug"
    run(["scripts/install-firmware", BIN, destdir, debug], check=True)
    executable = destdir + "/usr/libexec/appliance/appliance"
    total = int(run(["du", "-sb", destdir], check=True).stdout.split()[0])
    man = int(run(["du", "-sb", destdir + "/usr/share/man"]).stdout.split()[0] or 0) if os.path.isdir(destdir + "/usr/share/man") else 0
    extra, missing = libraries([executable])
    extra_bytes = sum(os.path.getsize(path) for path in extra)
    needed = sorted(re.findall(r"NEEDED\s+\[?(\S+?)\]?$", run(["objdump", "-p", executable]).stdout, re.M)
                    or re.findall(r"\(NEEDED\).*\[(.*)\]", run(["readelf", "-d", executable]).stdout))
    return {"total": total, "executable": os.path.getsize(executable), "debug": os.path.getsize(debug), "man": man,
            "libraries": extra_bytes, "library-names": sorted(os.path.basename(p) for p in extra), "missing": sorted(missing),
            "needed": needed, "links": len([n for n in os.listdir(os.path.dirname(executable)) if n != "appliance"])}


def installed_anchor():
    per_package, files = {}, set()
    for package in PACKAGES:
        listing = run(["dpkg", "-L", package])
        if listing.returncode != 0:
            raise SystemExit(f"dpkg -L {package}: {listing.stderr.strip()} (bench/footprint.sh installs it)")
        count = size = 0
        for path in listing.stdout.splitlines():
            if path.startswith(("/usr/share/doc/", "/usr/share/man/")) or os.path.islink(path) or not os.path.isfile(path):
                continue
            real = os.path.realpath(path)  # /lib and /usr/lib are one folder (merged /usr)
            if real in files:
                continue
            files.add(real)
            count += 1
            size += os.path.getsize(real)
        per_package[package] = (count, size)
    elves = sorted(path for path in files if is_elf(path))
    found, missing = libraries(["/usr/sbin/lighttpd", "/usr/sbin/snmpd", "/usr/sbin/rsyslogd"] + elves)
    extra = sorted(found - files)
    sizes = {os.path.basename(path): os.path.getsize(path) for path in extra}
    return {"packages": per_package, "package-bytes": sum(s for _, s in per_package.values()), "elves": len(elves),
            "libraries": sizes, "library-bytes": sum(sizes.values()), "missing": sorted(missing)}


# ---------------------------------------------------------------- memory

def processes():
    """{pid: parent pid} of every process."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read()
            except OSError:
                continue
            table[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    return table


def tree(roots):
    """`roots` and all their descendants."""
    table = processes()
    found, queue = [], [pid for pid in roots if pid in table]
    while queue:
        pid = queue.pop(0)
        found.append(pid)
        queue += sorted(child for child, parent in table.items() if parent == pid)
    return found


def name_of(pid):
    comm = open(f"/proc/{pid}/comm").read().strip()
    arguments = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
    if comm == "sessmgrd" and b"--shaper" in arguments:
        return "sessmgrd --shaper"
    return comm


def reading(pid):
    """Rss, Pss, Pss_Anon, Pss_File, Anonymous (KiB) and threads of `pid`, or None when it is gone."""
    try:
        values = {}
        for line in open(f"/proc/{pid}/smaps_rollup"):
            fields = line.split()
            if len(fields) >= 2 and fields[0].endswith(":") and fields[1].isdigit():
                values[fields[0][:-1]] = int(fields[1])
        return {"pid": pid, "name": name_of(pid), "rss": values["Rss"], "pss": values["Pss"], "pss-anon": values.get("Pss_Anon", 0),
                "pss-file": values.get("Pss_File", 0), "anon": values.get("Anonymous", 0), "threads": len(os.listdir(f"/proc/{pid}/task"))}
    except (OSError, KeyError):
        return None


PFN = (1 << 55) - 1


def resident_pages(pid):
    """The physical page numbers `pid` maps that are resident (from pagemap, only the mappings with Rss)."""
    ranges, start, end = [], None, None
    try:
        for line in open(f"/proc/{pid}/smaps"):
            header = re.match(r"^([0-9a-f]+)-([0-9a-f]+) ", line)
            if header:
                start, end = int(header.group(1), 16), int(header.group(2), 16)
            elif line.startswith("Rss:") and int(line.split()[1]) > 0:
                ranges.append((start, end))
        pages = set()
        with open(f"/proc/{pid}/pagemap", "rb") as pagemap:
            for start, end in ranges:
                pagemap.seek(start // 4096 * 8)
                entries = array("Q")
                entries.frombytes(pagemap.read((end - start) // 4096 * 8))
                pages.update(entry & PFN for entry in entries if entry >> 63)
        pages.discard(0)
        return pages
    except OSError:
        return set()


def snapshot(roots):
    """Per-process readings of `roots` and their descendants, each with its resident pages."""
    rows = []
    for pid in tree(roots):
        row = reading(pid)
        if row:
            row["pages"] = resident_pages(pid)
            rows.append(row)
    return rows


def totals(rows, leave_out=()):
    kept = [r for r in rows if r["name"] not in leave_out]
    distinct = set().union(*(r["pages"] for r in kept)) if kept else set()
    return ({key: sum(r[key] for r in kept) for key in ("rss", "pss", "pss-anon", "pss-file", "anon", "threads")}
            | {"processes": len(kept), "distinct": len(distinct) * os.sysconf("SC_PAGE_SIZE") // 1024})


class Sampler:
    """The largest RSS of `pid` (KiB), read every 100 ms while in the `with` block."""

    def __init__(self, pid):
        self.pid, self.peak, self.done = pid, 0, threading.Event()

    def __enter__(self):
        self.thread = threading.Thread(target=self.sample)
        self.thread.start()
        return self

    def sample(self):
        while True:
            try:
                self.peak = max(self.peak, rss_kib(self.pid))
            except OSError:
                pass
            if self.done.wait(0.1):
                return

    def __exit__(self, *_):
        self.done.set()
        self.thread.join()


# ---------------------------------------------------------------- the two sets

class Ours:
    def __init__(self):
        self.root = WORK + "/root"
        os.makedirs(self.root)
        env = dict(os.environ, APPLIANCE_ADMIN_PASSWORD=PASSWORD)
        self.procmon = subprocess.Popen([BIN + "/procmon", "--root", self.root, "--port-base", str(PORT_BASE), "--foreground",
                                         "--config", os.path.abspath("rootfs/etc/appliance/services.conf")],
                                        env=env, stdout=subprocess.DEVNULL, stderr=open(WORK + "/procmon.err", "w"))
        self.services = None
        wait_for("every service running", self.all_running, 90)
        log("ours: running:", ", ".join(s["name"] for s in self.services))
        self.pids = {s["name"]: s["pid"] for s in self.services}

    def all_running(self):
        if self.procmon.poll() is not None:
            raise SystemExit("procmon exited: " + open(WORK + "/procmon.err").read()[-2000:])
        answer = run([BIN + "/procmon", "--root", self.root, "status", "--json"])
        if answer.returncode != 0:
            return False
        services = json.loads(answer.stdout)["result"]
        self.services = services
        return bool(services) and all(s["state"] == "running" for s in services)

    def cli(self, command, data=None):
        answer = run([BIN + "/cli", "--root", self.root, "-c", command], input=data)
        if answer.returncode != 0:
            raise SystemExit(f"cli -c '{command}': {answer.stdout}{answer.stderr}")
        return answer.stdout

    def configure(self, certs):
        self.cli(f"snmp user {snmpd_bench.USER} role viewer auth sha-256 priv aes-128", f"{snmpd_bench.AUTH_PASS}\n{snmpd_bench.PRIV_PASS}\n")
        wait_for("snmpd's user", lambda: call(self.root + "/run/appliance/snmpd.sock", "status")["users"], 30)
        call(self.root + "/run/appliance/configd.sock", "apply", {"commands": [
            f"logging remote 127.0.0.1 port {COLLECTOR_PORT} trust ca-signed ca-bundle {certs}/ca.pem permitted-peer localhost"]})
        wait_for("auditd's destination", lambda: call(self.root + "/run/appliance/auditd.sock", "status")["destinations"], 30)

    def pid(self, name):
        return child_pid(self.procmon.pid, name)

    def roots(self):
        return [self.procmon.pid]

    def stop(self):
        if self.procmon.poll() is None:
            self.procmon.send_signal(signal.SIGTERM)
            try:
                self.procmon.wait(60)
            except subprocess.TimeoutExpired:
                for pid in reversed(tree([self.procmon.pid])):
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
                self.procmon.wait(10)


class Anchor:
    def __init__(self, certificate, key, asset, certs):
        self.lighttpd = self.netsnmp = self.rsyslog = None
        try:
            self.lighttpd = webd_bench.Lighttpd(certificate, key, asset)
            self.netsnmp = snmpd_bench.NetSNMP(SNMP_PORT)
            self.rsyslog = auditd_forward.Rsyslog(certs, COLLECTOR_PORT)
        except BaseException:
            self.stop()
            raise
        self.pids = {"lighttpd": self.lighttpd.pid, "snmpd": self.netsnmp.agent_pid, "rsyslogd": self.rsyslog.pid()}

    def roots(self):
        return list(self.pids.values())

    def stop(self):
        for server in (self.rsyslog, self.netsnmp, self.lighttpd):
            if server:
                try:
                    server.stop()
                except Exception as error:  # noqa: BLE001 (the rest still stops)
                    log("stopping", type(server).__name__, error)
                    server.process.kill()


# ---------------------------------------------------------------- loads

def walk_loop(port, seconds):
    """snmpbulkwalk of the whole tree, again and again for `seconds`: walks, varbinds of the last."""
    walks, count, deadline = 0, 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        answer = run(["snmpbulkwalk", "-m", "", "-On", "-t", "5", "-r", "1"] + snmpd_bench.credentials() + [f"udp:127.0.0.1:{port}", ".1"])
        if answer.returncode != 0:
            raise SystemExit(f"snmpbulkwalk on {port}: {answer.stderr[-500:]}")
        walks += 1
        count = sum(1 for line in answer.stdout.splitlines() if " = " in line and "No more variables" not in line)
    return walks, count


def audit_load(collector, tag, generator_args, pid):
    """AUDIT_N events through the sender to the collector: peak RSS of `pid`, seconds, delivered."""
    with Sampler(pid) as sampler:
        start = time.monotonic()
        generator = auditd_forward.spawn([sys.executable, "-c", auditd_forward.GENERATOR] + generator_args + [tag, str(AUDIT_N), "0"])
        generator.wait(AUDIT_WAIT_S)
        deadline = start + AUDIT_WAIT_S
        delivered = 0
        while time.monotonic() < deadline:
            delivered = len(collector.counts(tag))
            if delivered >= AUDIT_N:
                break
            time.sleep(0.1)
        elapsed = time.monotonic() - start
    return sampler.peak, elapsed, delivered


# ---------------------------------------------------------------- output

def print_rows(side, rows):
    for r in rows:
        print(f"{side} process {r['name']} (pid {r['pid']}): RSS {mib(r['rss']):.1f} MiB, PSS {mib(r['pss']):.1f} MiB, "
              f"anonymous {mib(r['anon']):.1f} MiB, threads {r['threads']}")


def print_set(label, ours, anchor):
    for key, what in (("rss", "RSS"), ("pss", "PSS"), ("pss-anon", "Pss_Anon"), ("pss-file", "Pss_File"),
                      ("distinct", "resident pages counted once")):
        results(f"{label} {what}", mib(ours[key]), mib(anchor[key]), "MiB", "anchor", False)


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a timeout still cleans up
    for tool in ("lighttpd", "/usr/sbin/snmpd", "rsyslogd", "wrk", "snmpbulkwalk", "openssl", "objcopy", "/usr/sbin/sshd"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is missing (bench/footprint.sh installs what this needs)")
    if os.geteuid() != 0:
        raise SystemExit("run as root: procmon starts every service as its own user, as on the appliance")
    log("work folder", WORK)
    figures = {}
    ours = anchor = collector = None
    try:
        log("installed size")
        figures["installed-ours"] = installed_ours()
        figures["installed-anchor"] = installed_anchor()

        certs = WORK + "/certs"
        auditd_forward.make_certs(certs)
        collector = auditd_forward.Receiver(ANCHORS + "/collector", COLLECTOR_PORT, certs)
        log("starting ours")
        ours = Ours()
        ours.configure(certs)
        asset = webd_bench.nearest_asset()
        log(f"static asset /static/{asset[0]}, {len(asset[1])} bytes")
        state = ours.root + "/var/lib/appliance/webd"
        log("starting the anchors")
        anchor = Anchor(state + "/certificate.pem", state + "/key.pem", asset, certs)
        log(f"settling {SETTLE:.0f} s")
        time.sleep(SETTLE)
        figures["idle-ours"], figures["idle-anchor"] = snapshot(ours.roots()), snapshot(anchor.roots())
        before = {name: ours.pid(name) for name in ("webd", "snmpd", "auditd")}

        log("web load")
        web = {}
        for side, port, pid in (("ours", webd_bench.HTTPS, ours.pid("webd")), ("anchor", webd_bench.LIGHTTPD_HTTPS, anchor.pids["lighttpd"])):
            web[side] = webd_bench.wrk(f"https://127.0.0.1:{port}/static/{asset[0]}", pid=pid)
            log(side, f"{web[side]['rate']:,.0f} req/s, peak RSS {mib(web[side]['peak']):.1f} MiB, errors {web[side]['errors']}")
        figures["web"] = web

        log("SNMP load")
        snmp = {}
        for side, port, pid in (("ours", PORT_BASE + 161, ours.pid("snmpd")), ("anchor", SNMP_PORT, anchor.pids["snmpd"])):
            with Sampler(pid) as sampler:
                walks, count = walk_loop(port, LOAD_SECONDS)
            snmp[side] = {"peak": sampler.peak, "walks": walks, "varbinds": count}
            log(side, snmp[side])
        figures["snmp"] = snmp

        log("audit load")
        audit = {}
        audit["ours"] = audit_load(collector, "fpours", ["unix", ours.root + "/run/appliance/audit.sock"], ours.pid("auditd"))
        log("ours", audit["ours"])
        audit["anchor"] = audit_load(collector, "fpanchor", ["tcp", str(RSYSLOG_PORT)], anchor.pids["rsyslogd"])
        log("anchor", audit["anchor"])
        figures["audit"] = audit

        time.sleep(2)
        figures["loaded-ours"], figures["loaded-anchor"] = snapshot(ours.roots()), snapshot(anchor.roots())
        figures["restarted"] = [name for name, pid in before.items() if ours.pid(name) != pid]
    finally:
        for part in (anchor, ours, collector):
            if part:
                try:
                    part.stop()
                except Exception as error:  # noqa: BLE001 (the rest still stops)
                    log("stopping:", error)
        for child in auditd_forward.children:
            if child.poll() is None:
                child.kill()
        if os.environ.get("KEEP_WORK") != "1":
            shutil.rmtree(WORK, ignore_errors=True)

    print("=== RESULTS ===")
    mine, theirs = figures["installed-ours"], figures["installed-anchor"]
    ours_installed = mine["total"] + mine["libraries"]
    anchor_installed = theirs["package-bytes"] + theirs["library-bytes"]
    print(f"installed size counted as: ours = du -sb of scripts/install-firmware's DESTDIR (the stripped executable, {mine['links']} links, "
          f"rootfs/'s files incl. {mine['man']:,} B of man pages){' + ' + ', '.join(mine['library-names']) if mine['library-names'] else ''}; "
          f"its ELF NEEDED: {', '.join(mine['needed'])} (common to both sides, not counted)")
    print(f"anchor counted as: regular files of {' '.join(PACKAGES)} (dpkg -L, /usr/share/doc and /usr/share/man left out; "
          + "; ".join(f"{p} {c} files {s:,} B" for p, (c, s) in theirs["packages"].items())
          + f") + {len(theirs['libraries'])} shared libraries ldd finds for lighttpd, snmpd, rsyslogd and the {theirs['elves']} ELF files "
          "of those packages, glibc family (libc, libm, ld-linux, libpthread, libdl, librt) and libstdc++/libgcc_s left out")
    print("anchor shared libraries: " + ", ".join(f"{n} {s / 1024:,.0f} KiB" for n, s in sorted(theirs["libraries"].items(), key=lambda i: -i[1])))
    for side, missing in (("ours", mine["missing"]), ("anchor", theirs["missing"])):
        if missing:
            print(f"{side}: ldd found no {', '.join(missing)} (not counted)")
    results("installed size", ours_installed / 1e6, anchor_installed / 1e6, "MB", "anchor", False)
    print(f"installed executable alone: ours {mine['executable'] / 1e6:.1f} MB (stripped); "
          f"anchor packages {theirs['package-bytes'] / 1e6:.1f} MB + libraries {theirs['library-bytes'] / 1e6:.1f} MB")
    print(f"debug symbols kept aside (not installed): {mine['debug'] / 1e6:.1f} MB")
    print(f"goal installed <= 40 MB: {'met' if ours_installed <= GOAL_INSTALLED_BYTES else 'NOT met'} "
          f"({ours_installed / 1e6:.1f} MB = {ours_installed / 2**20:.1f} MiB; MB = 10^6 bytes)")

    idle_ours, idle_anchor = figures["idle-ours"], figures["idle-anchor"]
    print(f"idle: {SETTLE:.0f} s after every service ran (ours) / the anchors answered; Rss, Pss, Pss_Anon, Pss_File of /proc/PID/smaps_rollup summed over each set's processes; resident pages counted once from /proc/PID/pagemap")
    print_rows("idle ours", idle_ours)
    print_rows("idle anchor", idle_anchor)
    whole, without = totals(idle_ours), totals(idle_ours, ("sshd",))
    anchor_total = totals(idle_anchor)
    print(f"sets: ours {whole['processes']} processes, {whole['threads']} threads (without sshd {without['processes']}, {without['threads']}); "
          f"anchor {anchor_total['processes']} processes, {anchor_total['threads']} threads")
    print_set("idle whole set", whole, anchor_total)
    print_set("idle set without sshd", without, anchor_total)
    for label, value in (("whole set", whole), ("set without sshd", without)):
        print(f"goal idle PSS <= 35 MiB ({label}): {'met' if value['pss'] <= GOAL_IDLE_PSS_KIB else 'NOT met'} ({mib(value['pss']):.1f} MiB)")

    web, snmp, audit = figures["web"], figures["snmp"], figures["audit"]
    print(f"web load: wrk -t1 -c32 {LOAD_SECONDS:.0f} s HTTPS keep-alive /static/{asset[0]} ({len(asset[1])} B): "
          f"webd {web['ours']['rate']:,.0f} req/s (errors {web['ours']['errors']}), lighttpd {web['anchor']['rate']:,.0f} req/s (errors {web['anchor']['errors']})")
    results("loaded RSS, webd vs lighttpd", mib(web["ours"]["peak"]), mib(web["anchor"]["peak"]), "MiB", "lighttpd", False)
    print(f"SNMP load: snmpbulkwalk -v3 authPriv .1 looped {LOAD_SECONDS:.0f} s: ours {snmp['ours']['walks']} walks of {snmp['ours']['varbinds']} varbinds, "
          f"net-snmp {snmp['anchor']['walks']} walks of {snmp['anchor']['varbinds']} varbinds")
    results("loaded RSS, snmpd vs net-snmp snmpd", mib(snmp["ours"]["peak"]), mib(snmp["anchor"]["peak"]), "MiB", "net-snmp", False)
    print(f"audit load: {AUDIT_N} events each: auditd {audit['ours'][2]} delivered to the collector in {audit['ours'][1]:.1f} s, "
          f"rsyslogd {audit['anchor'][2]} in {audit['anchor'][1]:.1f} s")
    results("loaded RSS, auditd vs rsyslogd", mib(audit["ours"][0]), mib(audit["anchor"][0]), "MiB", "rsyslogd", False)
    loaded_ours, loaded_anchor = figures["loaded-ours"], figures["loaded-anchor"]
    print_rows("after the loads ours", loaded_ours)
    print_rows("after the loads anchor", loaded_anchor)
    print_set("after the loads whole set", totals(loaded_ours), totals(loaded_anchor))
    print_set("after the loads set without sshd", totals(loaded_ours, ("sshd",)), totals(loaded_anchor))
    print(f"services restarted during the run: {', '.join(figures['restarted']) or 'none'}")


if __name__ == "__main__":
    main()
