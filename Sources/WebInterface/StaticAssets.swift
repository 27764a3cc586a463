/// The two files the pages load, compiled into the binary (nothing from a
/// CDN, nothing to go missing from disk). Served only by exact name: a
/// path that is not one of these is 404, so there is nothing to traverse.
public enum StaticAssets {
    public struct Asset: Sendable {
        public var contentType: String
        public var body: String
    }

    public static let files: [String: Asset] = [
        "app.js": Asset(contentType: "text/javascript; charset=utf-8", body: appJS),
        "app.css": Asset(contentType: "text/css; charset=utf-8", body: appCSS),
    ]

    /// Polls the API every 2 s and writes values with textContent only
    /// (never innerHTML), so nothing a daemon reports can become markup.
    /// Start and stop send the CSRF token from the page's meta tag.
    // The script's bytes, bitrate and duration mirror ApplianceCore's Units.
    static let appJS = #"""
    "use strict";
    (function () {
      var meta = document.querySelector('meta[name="csrf-token"]');
      // Only the dashboard is live; the other pages need no script.
      if (!meta || !document.getElementById("processes")) { return; }
      var csrf = meta.getAttribute("content");

      function text(id, value) { var e = document.getElementById(id); if (e) { e.textContent = value; } }
      function bytes(n) { return n >= 1073741824 ? (n / 1073741824).toFixed(1) + " GiB" : n >= 1048576 ? (n / 1048576).toFixed(1) + " MiB" : n >= 1024 ? (n / 1024).toFixed(1) + " KiB" : n + " B"; }
      function bitrate(b) { return b >= 1e9 ? (b / 1e9).toFixed(2) + " Gbit/s" : b >= 1e6 ? (b / 1e6).toFixed(2) + " Mbit/s" : b >= 1e3 ? (b / 1e3).toFixed(1) + " kbit/s" : b + " bit/s"; }
      function two(n) { return n < 10 ? "0" + n : String(n); }
      function duration(s) { s = Math.floor(s); var clock = two(Math.floor(s / 3600) % 24) + ":" + two(Math.floor(s / 60) % 60) + ":" + two(s % 60); return s >= 86400 ? Math.floor(s / 86400) + "d " + clock : clock; }
      function problem(message) { var p = document.getElementById("problems"); if (p) { p.textContent = message; } }

      function get(path) {
        return fetch(path, { credentials: "same-origin", headers: { "Accept": "application/json" } }).then(function (r) {
          if (r.status === 401) { window.location.assign("/login"); throw new Error("signed out"); }
          return r.json().then(function (body) { if (!r.ok) { throw new Error(body.error || r.statusText); } return body; });
        });
      }

      function row(table, name, cells) {
        var body = document.querySelector("#" + table + " tbody");
        if (!body) { return; }
        var found = null;
        Array.prototype.forEach.call(body.rows, function (r) { if (r.getAttribute("data-name") === name) { found = r; } });
        if (!found) {
          found = body.insertRow(-1);
          found.setAttribute("data-name", name);
          for (var i = 0; i < cells.length; i++) { found.insertCell(-1); }
        }
        for (var j = 0; j < cells.length; j++) { if (found.cells[j]) { found.cells[j].textContent = cells[j]; } }
      }

      function refresh() {
        var errors = [];
        Promise.all([
          get("/api/v1/system").then(function (s) {
            text("hostname", s.hostname);
            text("uptime", duration(s.host.uptimeSeconds));
            text("memory", bytes(s.host.memoryAvailableBytes) + " of " + bytes(s.host.memoryTotalBytes));
            text("load", s.host.load.join(" "));
          }).catch(function (e) { errors.push(e.message); }),
          get("/api/v1/processes").then(function (p) {
            p.processes.forEach(function (x) { row("processes", x.name, [x.name, x.state, x.pid || "-", String(x.startCount), x.rssBytes ? bytes(x.rssBytes) : "-"]); });
          }).catch(function (e) { errors.push(e.message); }),
          get("/api/v1/streams").then(function (s) {
            s.streams.forEach(function (x) {
              var r = document.querySelector('#streams tr[data-name="' + CSS.escape(x.name) + '"]');
              if (r) { r.cells[1].textContent = x.state; r.cells[2].textContent = x.destination; r.cells[3].textContent = bitrate(x.currentBitrate); }
              else { row("streams", x.name, [x.name, x.state, x.destination, bitrate(x.currentBitrate), ""]); }
            });
          }).catch(function (e) { errors.push(e.message); })
        ]).then(function () { problem(errors.join("; ")); });
      }

      document.addEventListener("click", function (event) {
        var button = event.target.closest ? event.target.closest("button.stream-action") : null;
        if (!button) { return; }
        var name = button.getAttribute("data-stream");
        var action = button.getAttribute("data-action");
        fetch("/api/v1/streams/" + encodeURIComponent(name) + "/" + action, {
          method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": csrf, "Accept": "application/json" }
        }).then(function (r) { return r.json().then(function (b) { if (!r.ok) { problem(b.error || r.statusText); } refresh(); }); });
      });

      refresh();
      window.setInterval(refresh, 2000);
    })();

    // The stream page: polls /api/v1/streams/{name} every second, writes
    // the state and bitrate as text and draws the last 60 s on the canvas.
    (function () {
      var canvas = document.getElementById("bitrate-graph");
      if (!canvas || !canvas.getContext) { return; }
      var name = canvas.getAttribute("data-stream");
      var samples = [];
      function text(id, value) { var e = document.getElementById(id); if (e) { e.textContent = value; } }
      function bitrate(b) { return b >= 1e9 ? (b / 1e9).toFixed(2) + " Gbit/s" : b >= 1e6 ? (b / 1e6).toFixed(2) + " Mbit/s" : b >= 1e3 ? (b / 1e3).toFixed(1) + " kbit/s" : b + " bit/s"; }
      function draw() {
        var g = canvas.getContext("2d"), w = canvas.width, h = canvas.height;
        g.clearRect(0, 0, w, h);
        var top = 1;
        samples.forEach(function (v) { if (v > top) { top = v; } });
        g.strokeStyle = "#ccc"; g.strokeRect(0, 0, w, h);
        g.fillStyle = "#555"; g.font = "11px sans-serif"; g.fillText(bitrate(top), 4, 12); g.fillText("last 60 s", w - 56, h - 4);
        g.strokeStyle = "#23395b"; g.lineWidth = 2; g.beginPath();
        samples.forEach(function (v, i) {
          var x = w - (samples.length - 1 - i) * (w / 59), y = h - 2 - (v / top) * (h - 18);
          if (i === 0) { g.moveTo(x, y); } else { g.lineTo(x, y); }
        });
        g.stroke();
      }
      function poll() {
        fetch("/api/v1/streams/" + encodeURIComponent(name), { credentials: "same-origin", headers: { "Accept": "application/json" } }).then(function (r) {
          if (r.status === 401) { window.location.assign("/login"); return null; }
          return r.json().then(function (b) { if (!r.ok) { throw new Error(b.error || r.statusText); } return b; });
        }).then(function (s) {
          if (!s) { return; }
          text("stream-state", s.state + (s.reason ? " (" + s.reason + ")" : ""));
          text("stream-bitrate", bitrate(s.currentBitrate));
          text("stream-datagrams", String(s.datagrams));
          text("stream-mdi", s.mdi);
          text("problems", "");
          samples.push(s.currentBitrate);
          if (samples.length > 60) { samples.shift(); }
          draw();
        }).catch(function (e) { text("problems", e.message); });
      }
      poll();
      window.setInterval(poll, 1000);
    })();
    """#

    static let appCSS = #"""
    body { font-family: system-ui, sans-serif; margin: 0; color: #1c1c1c; background: #f6f6f4; }
    header { display: flex; justify-content: space-between; align-items: center; padding: 0.5rem 1.5rem; background: #23395b; color: #fff; }
    header h1 { font-size: 1.2rem; margin: 0; }
    main { padding: 1rem 1.5rem; }
    section { margin-bottom: 1.5rem; }
    table { border-collapse: collapse; min-width: 40rem; background: #fff; }
    th, td { text-align: left; padding: 0.3rem 0.8rem; border-bottom: 1px solid #ddd; }
    dl { display: grid; grid-template-columns: max-content auto; gap: 0.2rem 1rem; }
    dt { font-weight: 600; }
    .error { color: #a40000; }
    .banner { white-space: pre-wrap; background: #fff; border: 1px solid #ccc; padding: 0.8rem; }
    .sign-in { max-width: 28rem; margin: 3rem auto; }
    .sign-in label { display: block; margin: 0.6rem 0; }
    .sign-in input { display: block; width: 100%; padding: 0.3rem; }
    .sign-out { display: inline; }
    nav a { color: #fff; margin-right: 0.8rem; }
    nav a[aria-current="page"] { font-weight: 700; text-decoration: none; }
    form label { display: block; margin: 0.3rem 0; }
    .actions form { display: inline; margin-right: 0.5rem; }
    canvas { background: #fff; display: block; margin: 0.8rem 0; }
    """#
}
