"""Browser-test fixtures: the real server as a subprocess (wsgi.py) and Debian's headless Chromium.

A missing browser or Playwright skips these tests on a developer machine, and fails them when
PRACTICUM_REQUIRE_BROWSER=1 (CI sets it), so CI can never pass by skipping.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from servers import LiveServer, serving

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "browser-test-password"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Start `python wsgi.py` on a free port with a temporary database."""
    with serving(tmp_path_factory.mktemp("server"), PASSWORD) as server:
        yield server


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


@pytest.fixture
def studio_file(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """Run `practicum studio FILE` on a copy of a shipped scenario; yield its URL and the file."""
    import subprocess
    import sys
    import time

    file = tmp_path / "draft.json"
    file.write_text((ROOT / "scenarios" / "foundry.json").read_text(encoding="utf-8"))
    process = subprocess.Popen(
        [sys.executable, "-m", "practicum.cli", "studio", str(file)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 20
        line = ""
        while time.monotonic() < deadline and " at http://127.0.0.1:" not in line:
            line = process.stdout.readline() if process.stdout else ""
            if not line and process.poll() is not None:
                pytest.fail("practicum studio exited before printing its address")
        if " at http://127.0.0.1:" not in line:
            pytest.fail("practicum studio printed no address")
        yield line.split(" at ", 1)[1].split()[0], file
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
