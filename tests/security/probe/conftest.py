"""Fixtures for the probe findings' regression tests: apps with the settings a finding needs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from practicum.server.app import create_app
from practicum.server.extensions import socketio
from tests.server.conftest import FakeClock, Player, scenario_dir  # noqa: F401 - fixture

PASSWORD = "letmein"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_app(
    tmp_path: Path, clock: FakeClock, scenario_dir: Path  # noqa: F811 - the imported fixture
) -> Iterator[Callable[..., Flask]]:
    """Return a factory of apps on a temp database, with config overrides."""
    apps: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        config = {
            "TESTING": True,
            "ASYNC_MODE": "threading",
            "DATABASE_URL": f"sqlite:///{tmp_path / f'test{len(apps)}.db'}",
            "INSTANCE_DIR": str(tmp_path / "instance"),
            "SECRET_KEY": "test-secret",
            "FACILITATOR_PASSWORD": PASSWORD,
            "SCENARIO_DIR": str(scenario_dir),
            "RUN_TIMERS": False,
            "CLOCK": clock,
            **overrides,
        }
        app = create_app(config)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["practicum.store"].dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    """An app with the production rate limits."""
    return make_app()


@pytest.fixture
def connect(app: Flask) -> Iterator[Callable[..., Player]]:
    """Return a factory of Socket.IO test clients (all from 127.0.0.1)."""
    players: list[Player] = []

    def make(namespace: str = "/play", auth: dict[str, Any] | None = None) -> Player:
        client = socketio.test_client(app, namespace=namespace, auth=auth)
        players.append(Player(client, namespace))
        return players[-1]

    yield make
    for player in players:
        if player.client.is_connected(player.namespace):
            player.client.disconnect(namespace=player.namespace)


@pytest.fixture
def session(app: Flask) -> tuple[str, str]:
    """A harbor session: (id, join code)."""
    return app.extensions["practicum"].create_session("harbor")
