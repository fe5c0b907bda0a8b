# Drives the chat page of `airtp serve` in Chromium over the W3C WebDriver protocol (standard
# library only: the test needs no Selenium). Run by serve_page.sh; exits non-zero naming the
# failed check.
import argparse
import base64
import json
import sys
import time
import urllib.error
import urllib.request


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


class Driver:
    def __init__(self, base, chromium, profile, timeout):
        self.base = base
        self.timeout = timeout
        args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--disable-crash-reporter", "--force-device-scale-factor=1", "--hide-scrollbars",
                "--user-data-dir=" + profile, "--window-size=1200,800"]
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome",
                                                 "goog:chromeOptions": {"binary": chromium, "args": args}}}}
        self.session = self.call("POST", "/session", caps)["sessionId"]

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                return json.load(r)["value"]
        except urllib.error.HTTPError as e:
            fail(f"WebDriver {method} {path}: {e.code} {e.read().decode(errors='replace')[:500]}")

    def s(self, method, path, body=None):
        return self.call(method, f"/session/{self.session}{path}", body)

    def find(self, css):
        ref = self.s("POST", "/element", {"using": "css selector", "value": css})
        return next(iter(ref.values()))  # {"element-6066-...": id}

    def type(self, css, text):
        e = self.find(css)
        self.s("POST", f"/element/{e}/clear", {})
        self.s("POST", f"/element/{e}/value", {"text": text})

    def click(self, css):
        self.s("POST", f"/element/{self.find(css)}/click", {})

    def js(self, script):
        return self.s("POST", "/execute/sync", {"script": script, "args": []})

    def close(self):
        self.call("DELETE", f"/session/{self.session}")


# What the page shows, in one round trip.
STATE = """
const plot = document.getElementById('plot');
const replies = [...document.querySelectorAll('#history li.assistant .text')].map(p => p.textContent);
const rows = [...document.querySelectorAll('#totals tbody tr')].map(tr => [...tr.cells].map(c => c.textContent));
return {replies, rows,
        points: +plot.dataset.points, nmsePoints: +plot.dataset.nmsePoints,
        paths: plot.querySelectorAll('path').length,
        legend: document.getElementById('legend').textContent,
        settings: document.getElementById('settings').textContent,
        status: document.getElementById('status').textContent,
        sendDisabled: document.getElementById('send').disabled,
        stopDisabled: document.getElementById('stop').disabled};
"""


def wait_for(d, what, ok, deadline):
    while time.time() < deadline:
        st = d.js(STATE)
        if ok(st):
            return st
        time.sleep(0.1)
    fail(f"{what}: not within the time limit; the page shows {json.dumps(d.js(STATE))[:1500]}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--driver", required=True)
    ap.add_argument("--url", required=True)
    ap.add_argument("--chromium", required=True)
    ap.add_argument("--profile", required=True)
    ap.add_argument("--allreduce", required=True, help="the scheme name the settings panel must show")
    ap.add_argument("--devices", required=True)
    ap.add_argument("--message", action="append", required=True, help="sent in turn; each reply awaited")
    ap.add_argument("--max-tokens", default="16")
    ap.add_argument("--temperature", default="0", help="0: greedy, so no early end of text can beat Stop")
    ap.add_argument("--screenshot", default="")
    ap.add_argument("--seconds", type=float, default=60)
    a = ap.parse_args()
    deadline = time.time() + a.seconds

    d = Driver(a.driver, a.chromium, a.profile, a.seconds)
    try:
        # The window's frame takes some of its size: grown so that the page itself gets 1200 x 800.
        d.s("POST", "/window/rect", {"width": 1200, "height": 800})
        w, h = d.js("return [window.innerWidth, window.innerHeight];")
        d.s("POST", "/window/rect", {"width": 2400 - w, "height": 1600 - h})
        d.s("POST", "/url", {"url": a.url})
        st = wait_for(d, "the settings panel", lambda s: "Devices" in s["settings"], deadline)
        if a.allreduce not in st["settings"] or f"Devices{a.devices} " not in st["settings"]:
            fail(f"the settings panel does not show {a.devices} devices and all-reduce {a.allreduce}: {st['settings']!r}")
        for key in ("compute", "measured", "modelled", "NMSE"):
            if key not in st["legend"]:
                fail(f"the legend does not name '{key}': {st['legend']!r}")
        d.type("#max-tokens", a.max_tokens)
        d.type("#temperature", a.temperature)

        for i, msg in enumerate(a.message, 1):
            d.type("#message", msg)
            d.click("#send")
            st = wait_for(d, f"reply {i}", lambda s: len(s["rows"]) == i, deadline)
            row = st["rows"][-1]  # reply, prompt tokens, generated, prefill/s, decode/s, end
            if row[5] not in ("length", "stop"):
                fail(f"reply {i} ended '{row[5]}' ({st['status']})")
            if not st["replies"][-1].strip():
                fail(f"reply {i} shows no text although it generated {row[2]} tokens")
            # One point per streamed token: the plot's count is the conversation's token count.
            generated = sum(int(r[2]) for r in st["rows"])
            if st["points"] != generated:
                fail(f"the plot has {st['points']} points after {generated} streamed tokens")
            if st["nmsePoints"] != generated:
                fail(f"the error panel has {st['nmsePoints']} points of {generated} ({a.allreduce} is lossy, its error measured)")
            if st["paths"] < 4:
                fail(f"the plot draws {st['paths']} lines, not the 4 series")
            for col, name in ((3, "prefill"), (4, "decode")):
                try:
                    if float(row[col]) <= 0:
                        raise ValueError
                except ValueError:
                    fail(f"reply {i}'s {name} rate is '{row[col]}', not a positive number")
            print(f"ok: reply {i}: {row[2]} tokens streamed ({st['replies'][-1][:40]!r}...), "
                  f"{st['points']} points plotted, prefill {row[3]} / decode {row[4]} tokens/s")

        if a.screenshot:
            png = base64.b64decode(d.s("GET", "/screenshot"))
            if png[:8] != b"\x89PNG\r\n\x1a\n":
                fail("the screenshot is not a PNG")
            with open(a.screenshot, "wb") as f:
                f.write(png)
            print(f"ok: screenshot {a.screenshot} ({len(png)} bytes)")

        # Stop aborts the fetch mid-reply: the page says so and the form is usable again.
        d.type("#max-tokens", "200")
        d.type("#message", "And it came to pass")
        d.click("#send")
        before = st["points"]
        wait_for(d, "tokens of the reply to stop", lambda s: s["points"] >= before + 3, deadline)
        d.click("#stop")
        st = wait_for(d, "the stopped reply", lambda s: len(s["rows"]) == len(a.message) + 1, deadline)
        if st["rows"][-1][5] != "stopped" or "stopped" not in st["status"]:
            fail(f"Stop did not stop the reply: {st['rows'][-1]}, status {st['status']!r}")
        if st["sendDisabled"] or not st["stopDisabled"]:
            fail("after Stop, Send is not enabled again (or Stop still is)")
        print(f"ok: Stop ended the reply after {st['points'] - before} tokens")

        # A conversation past the context: the page leaves out its oldest turns, says so, and the
        # newest message is answered.
        d.type("#max-tokens", "230")
        d.type("#message", "Amen")
        d.click("#send")
        before = st["points"]
        st = wait_for(d, "a reply after the oldest turns were left out", lambda s: s["points"] >= before + 3, deadline)
        note = d.js("const n = document.querySelector('#history li.note'); return n ? n.textContent : '';")
        if "left out" not in note:
            fail(f"no note that earlier messages were left out (status {st['status']!r})")
        d.click("#stop")
        wait_for(d, "the stopped reply", lambda s: len(s["rows"]) == len(a.message) + 2, deadline)
        print(f"ok: past the context, the page says: {note}")
    finally:
        d.close()


main()
