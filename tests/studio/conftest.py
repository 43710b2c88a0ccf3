"""Fixtures for the studio's API: the full app on SQLite with accounts, and the local app."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from practicum.server.app import create_app

ROOT = Path(__file__).resolve().parents[2]
CSRF = "studio-test-csrf-token"


@pytest.fixture
def foundry_text() -> str:
    return (ROOT / "scenarios" / "foundry.json").read_text(encoding="utf-8")


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    for path in (ROOT / "scenarios").glob("*.json"):
        shutil.copy(path, scenarios / path.name)
    app = create_app(
        {
            "TESTING": True,
            "ASYNC_MODE": "threading",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'studio.db'}",
            "INSTANCE_DIR": str(tmp_path / "instance"),
            "SECRET_KEY": "test-secret",
            "PASSWORD_HASH_COST": 10,
            "FACILITATOR_PASSWORD": "letmein",
            "SCENARIO_DIR": str(scenarios),
            "RUN_TIMERS": False,
        }
    )
    yield app
    app.extensions["practicum.store"].dispose()


@pytest.fixture
def client_as(app: Flask) -> Callable[..., Any]:
    """Return a test client signed in (browser cookie and CSRF token) as a new account."""

    made: list[str] = []

    def make(role: str, csrf: bool = True) -> Any:
        accounts = app.extensions["practicum.auth"].accounts
        made.append(role)
        account = accounts.add(f"{role}-user-{len(made)}", role, "a-long-password-1")
        login = accounts.open_login(account, 1.0)
        client = app.test_client()
        with client.session_transaction() as session:
            session["login"] = login.id
            session["csrf_token"] = CSRF
        client.environ_base["HTTP_X_CSRF_TOKEN"] = CSRF if csrf else "wrong"
        return client

    return make
