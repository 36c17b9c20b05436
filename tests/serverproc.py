"""A real `nnplay serve` subprocess on a free port with its own data folder, for tests that need a
whole server (browser tests, kill -9 recovery)."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STARTUP_TIMEOUT_S = 180  # a loaded 2-core machine imports torch twice (server, fork server)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """Starts ``python -m nnplay serve`` on ``data_dir``; ``url`` is its base URL."""

    def __init__(self, data_dir: Path, **env):
        self.data_dir, self.port = Path(data_dir), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = self.data_dir / "server.log"
        self.env = dict(os.environ, NNPLAY_DATA_DIR=str(data_dir), NNPLAY_DEVICE="cpu", **env)
        self.env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "backend"), self.env.get("PYTHONPATH")]))
        self.proc: subprocess.Popen | None = None

    def start(self) -> "ServerProcess":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "nnplay", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                cwd=REPO, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        self.wait_healthy()
        return self

    def wait_healthy(self) -> None:
        """Poll GET /api/health until it answers 200; raise with the server log if it dies or hangs."""
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nnplay serve exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/health", timeout=2) as res:
                    if res.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)  # polling a starting process
        raise RuntimeError(f"nnplay serve did not answer /api/health in {STARTUP_TIMEOUT_S}s:\n{self.tail()}")

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    def kill9(self) -> None:
        """SIGKILL: no shutdown handler runs, as in a crash or an out-of-memory kill."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
