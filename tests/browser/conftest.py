"""Browser-test fixtures: a real `nnplay serve` subprocess on a free port with its own data folder,
and Debian's Chromium driven by Playwright (Playwright's own browser download does not work here)."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}
STARTUP_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, log: Path) -> None:
    """Poll GET /api/health until it answers 200; fail with the server log if it dies or hangs."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"nnplay serve exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{url}/api/health", timeout=2) as res:
                if res.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)  # polling a starting process, not waiting on the page
    pytest.fail(f"nnplay serve did not answer /api/health in {STARTUP_TIMEOUT_S}s:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def server_url(tmp_path_factory):
    """Base URL of a real server (REST, websocket and the static frontend) for this test session."""
    data_dir = tmp_path_factory.mktemp("nnplay-data")
    log = data_dir / "server.log"
    port = free_port()
    env = dict(os.environ, NNPLAY_DATA_DIR=str(data_dir), NNPLAY_DEVICE="cpu")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "backend"), env.get("PYTHONPATH")]))
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "nnplay", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    if not executable:
        pytest.fail("Chromium not found: install it with `apt-get install -y chromium`")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server_url):
    """A fresh 1280x800 page; page errors (uncaught exceptions) fail the test at teardown."""
    context = browser.new_context(viewport=VIEWPORT, base_url=server_url)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.page_errors = errors
    yield pg
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture
def shots_dir():
    """Where screenshots go (NNPLAY_SHOTS_DIR, default /tmp/nnplay-shots)."""
    path = Path(os.environ.get("NNPLAY_SHOTS_DIR", "/tmp/nnplay-shots"))
    path.mkdir(parents=True, exist_ok=True)
    return path
