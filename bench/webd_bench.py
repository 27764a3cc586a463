"""webd vs lighttpd 1.4 (and nginx for TLS handshakes), side by side in one run (bench/webd.sh).

  ours:    procmon + auditd + configd + shaper + sessmgrd + webd from
           rootfs/etc/appliance/services.conf (release build), webd with its
           default 2 event-loop threads; its own certificate and key (P-256,
           made on its first start) are the anchors' too.
  anchors: lighttpd 1.4 (Debian; mod_openssl, TLS 1.2+ only, keep-alive on,
           one process as lighttpd always is) serving the very bytes of
           webd's static asset at the same path; nginx (Debian, same
           certificate, TLS 1.2+, `worker_processes` = webd's threads) for
           new TLS handshakes only.
Measured with wrk (THREADS=1 generator thread, CONNS connections, DURATION s each):
  - the static asset nearest 2 KiB that webd has, HTTPS keep-alive;
  - authenticated GET /api/v1/streams (session cookie via -H; no anchor:
    lighttpd has no such API, so the figure stands alone);
  - new TLS handshakes/s: the same asset with `Connection: close`, so every
    request is a new connection and a full handshake (wrk resumes no sessions);
  - the port-80 redirect, keep-alive (lighttpd: mod_redirect to the same URL);
  - idle RSS and the largest RSS sampled under load, webd vs lighttpd.
"""
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from control import call, child_pid, rss_kib, wait_for  # noqa: E402

BIN = os.path.abspath(os.environ.get("BIN", ".build/release"))
DURATION = int(os.environ.get("DURATION", "10"))
CONNS = int(os.environ.get("CONNS", "32"))
THREADS = int(os.environ.get("THREADS", "1"))
PORT_BASE = int(os.environ.get("PORT_BASE", "26000"))
HTTPS, HTTP = PORT_BASE + 443, PORT_BASE + 80
LIGHTTPD_HTTPS, LIGHTTPD_HTTP, NGINX_HTTPS = PORT_BASE + 1443, PORT_BASE + 1080, PORT_BASE + 2443
PASSWORD = "Bench-Web-Password-9"
WORK = tempfile.mkdtemp(prefix="webd-bench-")
os.chmod(WORK, 0o755)  # the services run as their own users


def log(*args):
    print("[webd]", *args, file=sys.stderr, flush=True)


def insecure():
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def fetch(url, data=None, headers=None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    with urllib.request.urlopen(request, context=insecure(), timeout=10) as answer:
        return answer.status, answer.headers, answer.read()


class Ours:
    def __init__(self):
        self.root = f"{WORK}/appliance"
        os.makedirs(self.root + "/etc/appliance")
        manifest = open("rootfs/etc/appliance/services.conf").read()
        manifest = re.sub(r"^exec = (\S+)", lambda m: "exec = " + BIN + "/" + m.group(1), manifest, flags=re.M)
        sections = [s for s in re.split(r"(?=^\[service )", manifest, flags=re.M)
                    if not s.startswith("[service ") or re.match(r"\[service (auditd|configd|shaper|sessmgrd|webd)\]", s)]
        open(self.root + "/etc/appliance/services.conf", "w").write("".join(sections))
        env = dict(os.environ, APPLIANCE_ADMIN_PASSWORD=PASSWORD)
        self.procmon = subprocess.Popen([BIN + "/procmon", "--root", self.root, "--foreground", "--port-base", str(PORT_BASE)],
                                        env=env, stdout=subprocess.DEVNULL, stderr=open(self.root + "/procmon.err", "w"))
        wait_for("webd", lambda: call(self.root + "/run/appliance/webd.sock", "status")["httpsPort"] == HTTPS)
        self.pid = child_pid(self.procmon.pid, "webd")
        state = self.root + "/var/lib/appliance/webd"
        self.certificate, self.key = state + "/certificate.pem", state + "/key.pem"
        _, headers, body = fetch(f"https://127.0.0.1:{HTTPS}/api/v1/session", json.dumps({"account": "admin", "password": PASSWORD}).encode(),
                                 {"Content-Type": "application/json"})
        self.cookie = headers["Set-Cookie"].split(";", 1)[0]
        status, _, _ = fetch(f"https://127.0.0.1:{HTTPS}/api/v1/streams", headers={"Cookie": self.cookie})
        assert status == 200
        # Two streams configured (stopped), so the answer is not empty.
        call(self.root + "/run/appliance/configd.sock", "apply", {"commands": [
            f"stream cam{n} source udp://127.0.0.1:{PORT_BASE + 5100 + 2 * n} destination udp://127.0.0.1:{PORT_BASE + 5200 + 2 * n}" for n in (1, 2)]})

    def stop(self):
        self.procmon.send_signal(signal.SIGTERM)
        self.procmon.wait(30)


def nearest_asset():
    """webd's static asset whose size is nearest 2 KiB: name, bytes."""
    best = None
    for name in ["app.css", "app.js"]:
        status, _, body = fetch(f"https://127.0.0.1:{HTTPS}/static/{name}")
        if status == 200 and (best is None or abs(len(body) - 2048) < abs(len(best[1]) - 2048)):
            best = (name, body)
    return best


class Lighttpd:
    def __init__(self, certificate, key, asset):
        folder = f"{WORK}/lighttpd"
        os.makedirs(folder + "/www/static")
        open(f"{folder}/www/static/{asset[0]}", "wb").write(asset[1])
        # lighttpd wants the certificate and key in one file or ssl.privkey beside.
        open(folder + "/lighttpd.conf", "w").write(f"""
server.document-root = "{folder}/www"
server.port = {LIGHTTPD_HTTP}
server.bind = "127.0.0.1"
server.errorlog = "{folder}/error.log"
server.modules = ("mod_openssl", "mod_redirect")
mimetype.assign = (".css" => "text/css; charset=utf-8", ".js" => "text/javascript; charset=utf-8")
server.max-keep-alive-requests = 100000
server.max-keep-alive-idle = 20
$SERVER["socket"] == "127.0.0.1:{LIGHTTPD_HTTPS}" {{
    ssl.engine = "enable"
    ssl.pemfile = "{certificate}"
    ssl.privkey = "{key}"
    ssl.openssl.ssl-conf-cmd = ("MinProtocol" => "TLSv1.2", "CipherString" => "ECDHE+AESGCM:ECDHE+CHACHA20")
}}
$SERVER["socket"] == "127.0.0.1:{LIGHTTPD_HTTP}" {{
    url.redirect = ("^/(.*)" => "https://appliance:{LIGHTTPD_HTTPS}/$1")
    url.redirect-code = 301
}}
""")
        check = subprocess.run(["lighttpd", "-tt", "-f", folder + "/lighttpd.conf"], capture_output=True, text=True)
        if check.returncode != 0:
            raise SystemExit("lighttpd configuration: " + check.stderr + check.stdout)
        self.process = subprocess.Popen(["lighttpd", "-D", "-f", folder + "/lighttpd.conf"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.pid = self.process.pid
        wait_for("lighttpd", lambda: fetch(f"https://127.0.0.1:{LIGHTTPD_HTTPS}/static/{asset[0]}")[2] == asset[1], 20)

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


class Nginx:
    def __init__(self, certificate, key, asset, workers):
        folder = f"{WORK}/nginx"
        os.makedirs(folder + "/www/static")
        open(f"{folder}/www/static/{asset[0]}", "wb").write(asset[1])
        open(folder + "/nginx.conf", "w").write(f"""
worker_processes {workers};
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    types {{ text/css css; text/javascript js; }}
    server {{
        listen 127.0.0.1:{NGINX_HTTPS} ssl;
        ssl_certificate {certificate};
        ssl_certificate_key {key};
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_cache off;
        ssl_session_tickets off;
        root {folder}/www;
    }}
}}
""")
        self.process = subprocess.Popen(["nginx", "-c", folder + "/nginx.conf", "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for("nginx", lambda: fetch(f"https://127.0.0.1:{NGINX_HTTPS}/static/{asset[0]}")[2] == asset[1], 20)

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


def wrk(url, headers=(), pid=None):
    """Requests/s, p50 and p99 latency (ms), error summary, and the largest RSS of `pid` (KiB) meanwhile."""
    command = ["wrk", "-t", str(THREADS), "-c", str(CONNS), "-d", f"{DURATION}s", "--latency", "--timeout", "5s"]
    for header in headers:
        command += ["-H", header]
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            if pid:
                peak[0] = max(peak[0], rss_kib(pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        output = subprocess.run(command + [url], capture_output=True, text=True, timeout=DURATION + 30).stdout
    finally:
        done.set()
        sampler.join()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))

    def latency(percent):
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)", output, re.M)
        if not match:
            return float("nan")
        return float(match.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[match.group(2)]

    errors = []
    socket_errors = re.search(r"Socket errors: (.*)", output)
    if socket_errors:
        errors.append("socket errors " + socket_errors.group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non2xx:
        errors.append(f"{non2xx.group(1)} non-2xx/3xx")
    requests = re.search(r"(\d+) requests in", output)
    return {"rate": rate, "p50": latency(50), "p99": latency(99), "errors": ", ".join(errors) or "none",
            "requests": int(requests.group(1)) if requests else 0, "peak": peak[0]}


def results(name, ours, anchor, unit, anchor_name, higher_is_better=True):
    ratio = ours / anchor if anchor else float("nan")
    print(f"{name}: ours {ours:,.1f} {unit}, {anchor_name} {anchor:,.1f} {unit}, ratio {ratio:.2f}"
          + ("" if higher_is_better else " (lower is better)"))


def main():
    log("work folder", WORK)
    ours = Ours()
    lighttpd = nginx = None
    figures = {}
    try:
        asset = nearest_asset()
        log(f"static asset: /static/{asset[0]}, {len(asset[1])} bytes")
        lighttpd = Lighttpd(ours.certificate, ours.key, asset)
        nginx = Nginx(ours.certificate, ours.key, asset, 2)
        time.sleep(2)
        figures["rss-idle"] = (rss_kib(ours.pid), rss_kib(lighttpd.pid))
        static = f"/static/{asset[0]}"
        for side, port, pid in [("ours", HTTPS, ours.pid), ("lighttpd", LIGHTTPD_HTTPS, lighttpd.pid)]:
            log(side, "static keep-alive")
            figures[side, "static"] = wrk(f"https://127.0.0.1:{port}{static}", pid=pid)
        log("ours", "GET /api/v1/streams")
        figures["ours", "api"] = wrk(f"https://127.0.0.1:{HTTPS}/api/v1/streams", [f"Cookie: {ours.cookie}"], pid=ours.pid)
        for side, port, pid in [("ours", HTTPS, ours.pid), ("lighttpd", LIGHTTPD_HTTPS, lighttpd.pid), ("nginx", NGINX_HTTPS, None)]:
            log(side, "new TLS handshakes")
            figures[side, "handshake"] = wrk(f"https://127.0.0.1:{port}{static}", ["Connection: close"], pid=pid)
        for side, port, pid in [("ours", HTTP, ours.pid), ("lighttpd", LIGHTTPD_HTTP, lighttpd.pid)]:
            log(side, "port-80 redirect")
            figures[side, "redirect"] = wrk(f"http://127.0.0.1:{port}/streams?x=1", pid=pid)
        figures["rss-after"] = (rss_kib(ours.pid), rss_kib(lighttpd.pid))
        figures["webd-alive"] = child_pid(ours.procmon.pid, "webd") == ours.pid
    finally:
        for server in (nginx, lighttpd):
            if server:
                server.stop()
        ours.stop()
        shutil.rmtree(WORK, ignore_errors=True)

    print("=== RESULTS ===")
    print(f"static asset: /static/{asset[0]}, {len(asset[1])} bytes (the nearest webd has to 2 KiB; lighttpd serves the same bytes)")
    print(f"wrk: {THREADS} thread, {CONNS} connections, {DURATION} s per run; webd 2 event-loop threads, lighttpd 1 process, nginx 2 workers")
    for key, label in [("static", f"static {asset[0]} over HTTPS keep-alive"), ("handshake", "new TLS handshakes (Connection: close)"),
                       ("redirect", "port-80 redirect, keep-alive")]:
        results(label, figures["ours", key]["rate"], figures["lighttpd", key]["rate"], "req/s", "lighttpd")
        results(label + " p99 latency", figures["ours", key]["p99"], figures["lighttpd", key]["p99"], "ms", "lighttpd", False)
    results("new TLS handshakes (Connection: close) vs nginx", figures["ours", "handshake"]["rate"], figures["nginx", "handshake"]["rate"], "req/s", "nginx")
    api = figures["ours", "api"]
    print(f"authenticated GET /api/v1/streams: ours {api['rate']:,.1f} req/s, p50 {api['p50']:.2f} ms, p99 {api['p99']:.2f} ms (no anchor)")
    results("idle RSS", figures["rss-idle"][0] / 1024, figures["rss-idle"][1] / 1024, "MiB", "lighttpd", False)
    peak_ours = max(figures["ours", k]["peak"] for k in ("static", "api", "handshake", "redirect"))
    peak_lighttpd = max(figures["lighttpd", k]["peak"] for k in ("static", "handshake", "redirect"))
    results("loaded RSS (largest sampled under load)", peak_ours / 1024, peak_lighttpd / 1024, "MiB", "lighttpd", False)
    results("RSS after the runs", figures["rss-after"][0] / 1024, figures["rss-after"][1] / 1024, "MiB", "lighttpd", False)
    for key, value in sorted(((k, v) for k, v in figures.items() if isinstance(k, tuple)), key=lambda item: item[0]):
        print(f"errors {key[0]} {key[1]}: {value['errors']} ({value['requests']} requests)")
    if "read" in figures["ours", "handshake"]["errors"]:
        print("(read errors with Connection: close: webd closes after the answer but does not say `Connection: close` in it,"
              " RFC 9112 §9.6's SHOULD, so wrk expects more and counts the close as an error; the requests were answered)")
    print(f"webd the same process throughout: {'yes' if figures['webd-alive'] else 'NO (it was restarted)'}")


if __name__ == "__main__":
    main()
