"""Browser-test fixtures: a real `nnplay serve` subprocess on a free port with its own data folder,
and Debian's Chromium driven by Playwright (Playwright's own browser download does not work here)."""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.serverproc import ServerProcess

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}


API_TOKEN = "browser-test-token-8f3a"  # NNPLAY_API_TOKEN of the auth_server_url server


def _serve(data_dir, **env):
    server = ServerProcess(data_dir, **env)
    try:
        server.start()
    except RuntimeError as exc:
        pytest.fail(str(exc))
    return server


SERVERS: list[ServerProcess] = []  # the session's servers, whose logs a failing test reports
LOG_TAIL_CHARS = 6000


@pytest.fixture(scope="session")
def server_url(tmp_path_factory):
    """Base URL of a real server (REST, websocket and the static frontend) for this test session."""
    server = _serve(tmp_path_factory.mktemp("nnplay-data"))
    SERVERS.append(server)
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def auth_server_url(tmp_path_factory):
    """Base URL of a second server started with NNPLAY_API_TOKEN=API_TOKEN: /api needs the token."""
    server = _serve(tmp_path_factory.mktemp("nnplay-auth-data"), NNPLAY_API_TOKEN=API_TOKEN)
    SERVERS.append(server)
    try:
        yield server.url
    finally:
        server.stop()


def _log_size(server: ServerProcess) -> int:
    return server.log.stat().st_size if server.log.exists() else 0


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing browser test reports what the servers logged while it ran (requests, job warnings):
    the page's side alone cannot tell a lost command from a job that had already ended."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    for server, start in getattr(item, "_server_log_starts", {}).items():
        with open(server.log, "rb") as f:
            f.seek(start)
            text = f.read().decode(errors="replace")
        report.sections.append((f"server log {server.url} during the test", text[-LOG_TAIL_CHARS:]))


@pytest.fixture(autouse=True)
def _server_log_marks(request):
    """Where each running server's log stood when the test began (see pytest_runtest_makereport)."""
    request.node._server_log_starts = {s: _log_size(s) for s in SERVERS}
    yield


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    if not executable:
        pytest.fail("Chromium not found: install it with `apt-get install -y chromium`")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


# Page.wait_for_function evaluates its predicate with the page's own eval(), which the page's
# Content-Security-Policy (no 'unsafe-eval') refuses. This poll is the same wait (every animation
# frame until the expression is truthy, or the timeout), compiled by the DevTools protocol instead
# (page.evaluate of a function: exempt from the page's CSP). A predicate that throws (a chart not
# drawn yet) is tried again at the next frame; the timeout names its last error.
POLL_JS = """async (timeoutMs) => {
  const deadline = performance.now() + timeoutMs;
  let last = 'still false';
  for (;;) {
    try {
      const value = (%s);
      if (value) return value;
      last = 'still false';
    } catch (err) {
      last = String(err);
    }
    if (performance.now() > deadline) throw new Error(`Timeout ${timeoutMs} ms waiting for the expression: ${last}`);
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
}"""
DEFAULT_TIMEOUT_MS = 30_000  # Playwright's own default


def _wait_for_function(self, expression: str, *, timeout: float | None = None, **_ignored):
    return self.evaluate(POLL_JS % expression, timeout or DEFAULT_TIMEOUT_MS)


Page.wait_for_function = _wait_for_function  # every page, the fixtures' and those a test opens itself

# An assertion without its own timeout waits 15 s, not Playwright's 5 s: most of what a page shows
# follows a server round trip (a spec check, the panels it declares), which a loaded machine can hold
# for seconds. A passing assertion returns as soon as it holds; only a failing one waits longer.
expect.set_options(timeout=15_000)


def _page(browser, base_url):
    """A fresh 1280x800 page in its own context; uncaught page errors and Content-Security-Policy
    violations (Chromium reports each on the console: "Refused to ... Content Security Policy") are
    collected in page_errors."""
    context = browser.new_context(viewport=VIEWPORT, base_url=base_url)
    # Actions (click, fill, goto) wait up to 60 s, not 30: a click also waits for the same-document
    # navigation it starts (the page writes the job into the URL hash), which a renderer busy drawing a
    # fast job on a machine at load 30 finished after more than 30 s. A bound, not a wait.
    context.set_default_timeout(60_000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda msg: errors.append(f"CSP: {msg.text}") if "Content Security Policy" in msg.text else None)
    pg.page_errors = errors
    return context, pg


def _checked_page(browser, url):
    context, pg = _page(browser, url)
    yield pg
    context.close()
    assert not pg.page_errors, f"uncaught errors in the page: {pg.page_errors}"


@pytest.fixture
def page(browser, server_url):
    """A fresh 1280x800 page; page errors (uncaught exceptions) fail the test at teardown."""
    yield from _checked_page(browser, server_url)


@pytest.fixture
def auth_page(browser, auth_server_url):
    """As `page`, on the server that needs an API token (sessionStorage starts empty)."""
    yield from _checked_page(browser, auth_server_url)


@pytest.fixture
def shots_dir():
    """Where screenshots go (NNPLAY_SHOTS_DIR, default /tmp/nnplay-shots)."""
    path = Path(os.environ.get("NNPLAY_SHOTS_DIR", "/tmp/nnplay-shots"))
    path.mkdir(parents=True, exist_ok=True)
    return path
