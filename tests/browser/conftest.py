"""Browser-test fixtures: the real server as a subprocess (wsgi.py) and Debian's headless Chromium.

A missing browser or Playwright skips these tests on a developer machine, and fails them when
PRACTICUM_REQUIRE_BROWSER=1 (CI sets it), so CI can never pass by skipping.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "browser-test-password"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

pytestmark = pytest.mark.browser


def _unavailable(reason: str) -> None:
    if os.environ.get("PRACTICUM_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests required but {reason}")
    pytest.skip(reason)


def chromium_path() -> str | None:
    """Return the path of Debian's chromium, or None."""
    for candidate in (os.environ.get("PRACTICUM_CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@dataclass
class LiveServer:
    """A running server: its base URL and facilitator password."""

    url: str
    password: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def api(self, method: str, path: str, body: dict[str, Any] | None = None,
            token: str | None = None) -> dict[str, Any]:
        """Call the JSON API and return the decoded answer."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def log(self) -> str:
        """Return what the server printed so far (for failure messages)."""
        return self.log_path.read_text(errors="replace")[-4000:]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not answer /healthz in time")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Start `python wsgi.py` on a free port with a temporary database."""
    workdir = tmp_path_factory.mktemp("server")
    port = _free_port()
    env = {
        **os.environ,
        "PRACTICUM_HOST": "127.0.0.1",
        "PRACTICUM_PORT": str(port),
        "PRACTICUM_DATABASE_URL": f"sqlite:///{workdir / 'practicum.db'}",
        "PRACTICUM_INSTANCE_DIR": str(workdir / "instance"),
        "PRACTICUM_FACILITATOR_PASSWORD": PASSWORD,
        "PRACTICUM_SECRET_KEY": "browser-test-secret-key-0123456789abcdef",
        "PYTHONUNBUFFERED": "1",
    }
    log_path = workdir / "server.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "wsgi.py"], cwd=ROOT, env=env, stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer(f"http://127.0.0.1:{port}", PASSWORD, process, log_path)
    try:
        _wait_healthy(server.url, process)
    except RuntimeError as exc:
        process.kill()
        pytest.fail(f"{exc}\n{server.log()}")
    yield server
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Launch Debian's headless chromium through Playwright."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    executable = chromium_path()
    if executable is None:
        _unavailable("chromium is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
        except Exception as exc:  # noqa: BLE001 - any launch failure means "no usable browser"
            _unavailable(f"chromium did not start: {exc}")
        yield launched
        launched.close()


@pytest.fixture
def new_context(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """Return a factory of separate browser contexts (one per person), closed after the test."""
    contexts: list[Any] = []

    def make(width: int = 1280, height: int = 800) -> Any:
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": height},
            accept_downloads=True,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def facilitator_token(live_server: LiveServer) -> str:
    """Return an API token for creating sessions quickly."""
    return live_server.api("POST", "/api/login", {"password": live_server.password})["token"]


@pytest.fixture(scope="session")
def scenario_id(live_server: LiveServer, facilitator_token: str) -> str:
    """Return the id of a shipped scenario (PRACTICUM_BROWSER_SCENARIO picks one by id)."""
    listed = live_server.api("GET", "/api/scenarios", token=facilitator_token)["scenarios"]
    if not listed:
        pytest.fail("the server loaded no scenario from scenarios/")
    wanted = os.environ.get("PRACTICUM_BROWSER_SCENARIO")
    ids = [s["id"] for s in listed]
    if wanted:
        assert wanted in ids, f"{wanted} not in {ids}"
        return wanted
    # The shortest introductory scenario keeps the end-to-end test quick.
    listed.sort(key=lambda s: (s["difficulty"] != "introductory", s["rounds"], s["id"]))
    return listed[0]["id"]
