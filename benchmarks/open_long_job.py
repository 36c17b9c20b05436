"""How long the page takes to open a finished long job, curves drawn: a 25,000-step spiral MLP run
(50 epochs of 500 steps, probe_every 25), opened at ``/#job=ID`` in headless Chromium, timed from
navigation until the loss chart holds the whole run (its last step drawn). Also prints how many
messages the stream replays with and without the page's ``max_points`` downsampling, and in how many
websocket frames the page receives them (``batch=true``).

    .venv/bin/python benchmarks/open_long_job.py
"""

import json
import shutil
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright
from websockets.sync.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.browser.conftest import CHROMIUM_ARGS  # noqa: E402
from tests.serverproc import ServerProcess  # noqa: E402

SPEC = {"dataset": {"name": "spiral", "n_samples": 20000}, "network": {"layers": [
    {"type": "linear", "out_features": 16}, {"type": "tanh"}, {"type": "linear", "out_features": 2}]},
        "training": {"optimizer": "adam", "lr": 0.01, "epochs": 50, "batch_size": 32, "probe_every": 25}}


# the page's clock at the stream's first message (the rest of the time is loading the page itself)
FIRST_MESSAGE_CLOCK = """
  const Native = window.WebSocket;
  window.WebSocket = function (url, protocols) {
    const ws = new Native(url, protocols);
    ws.addEventListener('message', () => { window.__firstMessage ??= performance.now(); });
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, { OPEN: 1, CLOSED: 3, CONNECTING: 0, CLOSING: 2 });
"""


def api(url: str, path: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url + path, data, {"Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(req).read())


def replay_count(url: str, job_id: str, query: str) -> int:
    with connect(url.replace("http", "ws") + f"/api/jobs/{job_id}/stream?{query}", max_size=None) as ws:
        return sum(1 for _ in ws)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp)).start()
        try:
            job_id = api(server.url, "/api/jobs", SPEC)["id"]
            while (job := api(server.url, f"/api/jobs/{job_id}"))["status"] not in ("completed", "failed"):
                time.sleep(1)
            last = api(server.url, f"/api/jobs/{job_id}/metrics")["metrics"][-1]["step"]
            print(f"job: {last} steps, status {job['status']}, {job['last_seq']} messages made")
            print(f"replay: {replay_count(server.url, job_id, 'after=0')} messages whole, "
                  f"{replay_count(server.url, job_id, 'after=0&max_points=2000')} with max_points=2000, in "
                  f"{replay_count(server.url, job_id, 'after=0&max_points=2000&batch=true')} frames with batch=true "
                  "(as the page asks)")
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                page.add_init_script(FIRST_MESSAGE_CLOCK)
                for attempt in range(2):
                    page.goto("about:blank")
                    started = time.perf_counter()
                    page.goto(f"{server.url}/#job={job_id}")
                    page.wait_for_function(  # (the tests' CSP-safe poll: an expression, no arg)
                        "(() => { const d = document.getElementById('loss-chart').data;"
                        f" return d && d[0].x.length > 0 && d[0].x[d[0].x.length - 1] >= {last}; }})()",
                        timeout=600_000)
                    since = page.evaluate("() => (performance.now() - window.__firstMessage) / 1000")
                    print(f"open #{attempt + 1}: curves drawn to step {last} {time.perf_counter() - started:.2f} s "
                          f"after navigation, {since:.2f} s after the stream's first message")
                browser.close()
        finally:
            server.stop()


if __name__ == "__main__":
    main()
