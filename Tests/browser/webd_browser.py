"""webd in a real browser: headless Chromium driven by selenium.

Run by Tests/SystemTests/WebdBrowserSystemTests.swift against the real
appliance under procmon. Each step prints `ok: …`; the first step that does
not hold prints `FAIL: …` and the script exits 1. Screenshots go to
--screenshots and their paths are printed as `screenshot: PATH`.

Steps: sign in on /login; the dashboard; create a stream with the /streams
form (name, source = --ts FILE, destination = --destination), land on
/streams/{name}, start it; on the dashboard its bitrate cell is non-zero and
changes live (no reload); on its page the bitrate graph's line is drawn;
stop it, delete it; screenshots of the other pages (accounts, policy, snmp,
audit, system); sign out and be back at /login. All along the
browser's console must show no Content-Security-Policy violation and no
JavaScript error.

The certificate: with --certificate PEM the script trusts webd's own
self-signed certificate in a fresh NSS database (Chromium's trust store on
Linux, under a private HOME), so TLS is verified for real, name (the
certificate's IP SAN 127.0.0.1) included. --ignore-certificate-errors is
passed only when no certificate is given.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

ARGS = None
DRIVER = None
SHOTS = []


def fail(message):
    print(f"FAIL: {message}", flush=True)
    if DRIVER is not None:
        try:
            shot("failure")
            print("url at failure:", DRIVER.current_url, flush=True)
            print(DRIVER.page_source[:4000], flush=True)
        except Exception:  # noqa: BLE001 - the failure itself is what matters
            pass
        DRIVER.quit()
    sys.exit(1)


def ok(message):
    print(f"ok: {message}", flush=True)


def skip(message):
    print(f"skip: {message}", flush=True)


def shot(name):
    path = os.path.join(ARGS.screenshots, f"{name}.png")
    DRIVER.save_screenshot(path)
    SHOTS.append(path)
    print(f"screenshot: {path}", flush=True)


def url(path):
    return ARGS.url.rstrip("/") + path


def wait(condition, what, timeout=15):
    # A form's answer reloads the page it was on: an element read just
    # before the reload goes stale, which means "not yet", not a failure.
    try:
        return WebDriverWait(DRIVER, timeout, ignored_exceptions=(StaleElementReferenceException, NoSuchElementException)).until(condition)
    except TimeoutException:
        fail(f"timed out after {timeout} s waiting for {what}")


def path_now():
    return re.sub(r"^https://[^/]+", "", DRIVER.current_url)


def element(selector):
    try:
        return DRIVER.find_element(By.CSS_SELECTOR, selector)
    except NoSuchElementException:
        return None


def console_problems(entries):
    """CSP violations and JavaScript errors among the console entries.

    Network errors (a resource answered 4xx) are a page's business, not a
    script's: only /favicon.ico, which Chromium asks for on its own, is
    expected to be missing, and any other failed load is reported too.
    """
    problems = []
    for entry in entries:
        message = entry.get("message", "")
        if "favicon.ico" in message:
            continue
        if "Content Security Policy" in message or "Refused to" in message:
            problems.append(("csp", message))
        elif entry.get("level") == "SEVERE":
            problems.append((entry.get("source", "?"), message))
    return problems


def check_console(where):
    problems = console_problems(DRIVER.get_log("browser"))
    if problems:
        fail(f"the browser console at {where} has " + "; ".join(f"[{kind}] {text}" for kind, text in problems))
    ok(f"no CSP violation or JavaScript error in the console ({where})")


def open_browser():
    options = webdriver.ChromeOptions()
    options.binary_location = ARGS.chromium
    # As root Chromium refuses to start with its sandbox (it needs an
    # unprivileged user namespace or a setuid helper): the test runs as root.
    for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900", "--disable-gpu"]:
        options.add_argument(flag)
    environment = dict(os.environ)
    if ARGS.certificate:
        home = tempfile.mkdtemp(prefix="webd-browser-home-")
        nssdb = os.path.join(home, ".pki", "nssdb")
        os.makedirs(nssdb)
        subprocess.run(["certutil", "-d", f"sql:{nssdb}", "-N", "--empty-password"], check=True)
        # P: a trusted peer, i.e. this self-signed leaf itself is trusted.
        subprocess.run(["certutil", "-d", f"sql:{nssdb}", "-A", "-t", "P,,", "-n", "webd", "-i", ARGS.certificate], check=True)
        environment["HOME"] = home
        options.add_argument(f"--user-data-dir={home}/profile")
    else:
        options.add_argument("--ignore-certificate-errors")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=ARGS.chromedriver, env=environment)
    return webdriver.Chrome(options=options, service=service)


def bitrate_kbit(text):
    match = re.search(r"([\d.]+)\s*(k|M)bit/s", text or "")
    if not match:
        return None
    value = float(match.group(1))
    return value * 1000 if match.group(2) == "M" else value


def sign_in():
    DRIVER.get(url("/login"))
    wait(EC.presence_of_element_located((By.NAME, "account")), "the sign-in form")
    if not DRIVER.title and not element("form"):
        fail("no sign-in page")
    shot("sign-in")
    check_console("/login")
    DRIVER.find_element(By.NAME, "account").send_keys("admin")
    DRIVER.find_element(By.NAME, "password").send_keys(ARGS.password)
    DRIVER.find_element(By.NAME, "password").submit()
    wait(lambda d: path_now() == "/", "the dashboard after signing in")
    wait(EC.presence_of_element_located((By.ID, "streams")), "the dashboard's streams table")
    ok("signed in; the browser is on the dashboard")


def create_stream_with_form(name):
    DRIVER.get(url("/streams"))
    form = element("form#stream-create")
    if form is None:
        return False
    shot("streams")
    check_console("/streams")
    values = {"name": name, "source": f"file:{ARGS.ts}", "destination": ARGS.destination, "ttl": "16", "tos": "184", "ceiling": "10"}
    for field, value in values.items():
        box = form.find_element(By.NAME, field)
        box.clear()
        box.send_keys(value)
    shaping = form.find_element(By.NAME, "shaping")
    if shaping.is_selected():
        shaping.click()  # shaping needs tc on the machine's interface; not this test's subject
    autostart = form.find_element(By.NAME, "autostart")
    if autostart.is_selected():
        autostart.click()
    DRIVER.find_element(By.ID, "stream-create-submit").click()
    wait(lambda d: path_now() == f"/streams/{name}", f"/streams/{name} after the form")
    ok(f"created stream {name} with the /streams form and landed on /streams/{name}")
    return True


def dashboard_bitrate(name):
    cell = element(f'#streams tr[data-name="{name}"] td.bitrate') or element(f'#streams tr[data-name="{name}"] td:nth-child(4)')
    return cell.text if cell else None


def watch_bitrate_on_dashboard(name):
    """The running stream's bitrate cell is non-zero and changes without a reload."""
    DRIVER.get(url("/"))
    wait(lambda d: dashboard_bitrate(name) is not None, f"the row of {name} on the dashboard")
    DRIVER.execute_script("window.__notReloaded = true;")
    seen = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        text = dashboard_bitrate(name)
        if text and (not seen or seen[-1] != text):
            seen.append(text)
        nonzero = [t for t in seen if (bitrate_kbit(t) or 0) > 0]
        if len(set(nonzero)) >= 2:
            break
        time.sleep(0.25)
    if DRIVER.execute_script("return window.__notReloaded === true;") is not True:
        fail("the dashboard reloaded itself while being watched")
    nonzero = [t for t in seen if (bitrate_kbit(t) or 0) > 0]
    if not nonzero:
        fail(f"the bitrate of {name} on the dashboard never became non-zero: {seen}")
    if len(set(seen)) < 2:
        fail(f"the bitrate of {name} on the dashboard never changed: {seen}")
    if stream_state_on_dashboard(name) != "streaming":
        fail(f"{name} is {stream_state_on_dashboard(name)} on the dashboard, not streaming")
    ok(f"the dashboard's bitrate of {name} went live without a reload: {' -> '.join(seen)}")
    shot("dashboard")
    check_console("/ (dashboard, live)")


def stream_state_on_dashboard(name):
    cell = element(f'#streams tr[data-name="{name}"] td.state')
    return cell.text if cell else None


def canvas_is_drawn():
    return DRIVER.execute_script("""
        var c = document.getElementById('bitrate-graph');
        if (!c || !c.width || !c.height) { return -1; }
        var d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        // The graph's line, in app.js's stroke colour #23395b (35, 57, 91),
        // anti-aliased: the frame and labels are drawn even with no samples.
        var painted = 0;
        for (var i = 0; i < d.length; i += 4) {
          if (d[i + 3] > 128 && Math.abs(d[i] - 35) < 40 && Math.abs(d[i + 1] - 57) < 40 && Math.abs(d[i + 2] - 91) < 40) { painted++; }
        }
        return painted;
    """)


def stream_page(name):
    DRIVER.get(url(f"/streams/{name}"))
    wait(EC.presence_of_element_located((By.ID, "stream-state")), f"the page of {name}")
    wait(lambda d: (bitrate_kbit(d.find_element(By.ID, "stream-bitrate").text) or 0) > 0, f"a non-zero #stream-bitrate on /streams/{name}", timeout=20)
    painted = wait(lambda d: (canvas_is_drawn() or 0) > 100 and canvas_is_drawn(), "the line of #bitrate-graph drawn (over 100 pixels)", timeout=20)
    ok(f"the bitrate graph of {name} is drawn ({painted} pixels of its line)")
    shot("stream")
    check_console(f"/streams/{name}")


def other_pages():
    for page in ["accounts", "policy", "snmp", "audit", "system"]:
        DRIVER.get(url(f"/{page}"))
        time.sleep(1)
        if "Not found" in DRIVER.page_source or '{"error"' in DRIVER.page_source:
            skip(f"/{page} does not exist")
            DRIVER.get_log("browser")  # the 404 of a missing page is not a script's fault
            continue
        shot(page)
        check_console(f"/{page}")


def sign_out():
    DRIVER.get(url("/"))
    button = element("#sign-out") or element("form.sign-out button[type=submit]")
    if button is None:
        fail("no sign-out button on the dashboard")
    button.click()
    wait(lambda d: path_now() == "/login", "/login after signing out")
    wait(EC.presence_of_element_located((By.NAME, "password")), "the sign-in form after signing out")
    DRIVER.get(url("/"))
    wait(lambda d: path_now() == "/login", "the dashboard to send a signed-out browser to /login")
    ok("signed out: back at the sign-in page, and / leads there again")


def main():
    global ARGS, DRIVER
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--ts", required=True)
    parser.add_argument("--destination", required=True)
    parser.add_argument("--screenshots", required=True)
    parser.add_argument("--certificate")
    parser.add_argument("--name", default="browser1")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    ARGS = parser.parse_args()
    os.makedirs(ARGS.screenshots, exist_ok=True)
    DRIVER = open_browser()
    DRIVER.set_page_load_timeout(20)
    sign_in()
    check_console("/ (dashboard)")
    name = ARGS.name
    if not create_stream_with_form(name):
        fail("/streams has no form#stream-create")
    start = element("#stream-start")
    if start is None:
        fail(f"no #stream-start on /streams/{name}")
    start.click()
    wait(lambda d: path_now() == f"/streams/{name}", f"/streams/{name} after #stream-start")
    wait(lambda d: "streaming" in d.find_element(By.ID, "stream-state").text, f"#stream-state streaming on /streams/{name}", timeout=20)
    ok(f"started {name} with #stream-start")
    watch_bitrate_on_dashboard(name)
    stream_page(name)
    DRIVER.find_element(By.ID, "stream-stop").click()
    wait(lambda d: path_now() == f"/streams/{name}" and "stopped" in d.find_element(By.ID, "stream-state").text,
         f"#stream-state stopped on /streams/{name}", timeout=20)
    ok(f"stopped {name} with #stream-stop")
    DRIVER.find_element(By.ID, "stream-delete").click()
    wait(lambda d: path_now() == "/streams", "/streams after #stream-delete")
    if element(f'#stream-list tr[data-name="{name}"]') is not None:
        fail(f"{name} is still listed on /streams after #stream-delete")
    ok(f"deleted {name} with #stream-delete; /streams no longer lists it")
    check_console("/streams (after delete)")
    other_pages()
    sign_out()
    check_console("/login (after sign-out)")
    DRIVER.quit()
    print("screenshots:", " ".join(SHOTS), flush=True)
    print("PASS", flush=True)


if __name__ == "__main__":
    main()
