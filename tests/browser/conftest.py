"""Browser-test fixtures: a real `nnplay serve` subprocess on a free port with its own data folder,
and Debian's Chromium driven by Playwright (Playwright's own browser download does not work here)."""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.serverproc import ServerProcess

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}


@pytest.fixture(scope="session")
def server_url(tmp_path_factory):
    """Base URL of a real server (REST, websocket and the static frontend) for this test session."""
    server = ServerProcess(tmp_path_factory.mktemp("nnplay-data"))
    try:
        server.start()
    except RuntimeError as exc:
        pytest.fail(str(exc))
    try:
        yield server.url
    finally:
        server.stop()


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
