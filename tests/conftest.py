"""Fixtures every test layer may use: real backing services, started once per test run."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.services import Postgres, postgres_server, redis_server

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A PostgreSQL 15 server for the whole run (skips locally without one, fails in CI)."""
    with postgres_server() as server:
        yield server


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A redis-server for the whole run (skips locally without one, fails in CI)."""
    with redis_server() as url:
        yield url


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The event store backend a test runs on: every store-touching suite runs on both."""
    return request.param


@pytest.fixture
def db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Callable[[str], str]:
    """Return a factory of database URLs on the test's backend, one database per name."""
    made: dict[str, str] = {}

    def make(name: str = "events") -> str:
        if name not in made:
            if backend == "sqlite":
                made[name] = f"sqlite:///{tmp_path / (name + '.db')}"
            else:
                made[name] = request.getfixturevalue("postgres").new_database()
        return made[name]

    return make


# --- headless Chromium ---------------------------------------------------------------------------
# One Playwright for the whole run: its sync API runs an asyncio loop in this thread, so a second
# `sync_playwright()` while the first lives fails. Every suite that drives a browser (tests/browser,
# tests/lti) takes this session fixture.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def browser_unavailable(reason: str) -> None:
    """Skip on a developer machine; fail when PRACTICUM_REQUIRE_BROWSER=1 (CI)."""
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


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Launch Debian's headless chromium through Playwright, once per run."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        browser_unavailable("the playwright package is not installed")
    executable = chromium_path()
    if executable is None:
        browser_unavailable("chromium is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
        except Exception as exc:  # noqa: BLE001 - any launch failure means "no usable browser"
            browser_unavailable(f"chromium did not start: {exc}")
        yield launched
        launched.close()
