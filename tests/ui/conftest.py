"""Fixtures for page tests: an app on a temp database with the shipped scenarios, HTTP clients."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from ui_helpers import PASSWORD, csrf_from

from practicum import engine
from practicum.server.app import create_app

ROOT = Path(__file__).resolve().parents[2]
_actions = itertools.count(1)


class FakeClock:
    """A clock the tests set by hand."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(tmp_path: Path, clock: FakeClock) -> Iterator[Flask]:
    app = create_app({
        "TESTING": True,
        "ASYNC_MODE": "threading",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'pages.db'}",
        "INSTANCE_DIR": str(tmp_path / "instance"),
        "SECRET_KEY": "page-test-secret",
        "PASSWORD_HASH_COST": 10,  # cheap hashes: tests make many
        "FACILITATOR_PASSWORD": PASSWORD,
        "SCENARIO_DIR": str(ROOT / "scenarios"),
        "RUN_TIMERS": False,
        "CLOCK": clock,
    })
    yield app
    app.extensions["practicum.store"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def signed_in(client: FlaskClient) -> FlaskClient:
    """Return a client signed in as the facilitator through the form."""
    token = csrf_from(client.get("/facilitator").get_data(as_text=True))
    response = client.post("/facilitator", data={"password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return client


class Game:
    """Drive a session through the service, as the socket handlers would."""

    def __init__(self, app: Flask, scenario_id: str) -> None:
        self.service = app.extensions["practicum"]
        self.session_id, self.code = self.service.create_session(scenario_id)

    def run(self, type_: str, data: dict[str, Any], learner: str | None = None) -> dict[str, Any]:
        """Apply one command and return its ack; fail the test on a rejection."""
        actor = (engine.Actor(engine.LEARNER, learner) if learner
                 else engine.Actor(engine.FACILITATOR))
        ack = self.service.apply(
            self.session_id, engine.Command(type_, actor, data), f"ui-test-{next(_actions):06d}"
        ).ack
        assert ack["ok"], ack
        return ack

    def learner(self, learner_id: str, name: str) -> str:
        """Join a learner."""
        self.run("join_session", {"learner_id": learner_id, "name": name}, learner_id)
        return learner_id

    def team(self, learner_id: str, team_id: str, name: str) -> str:
        """Create a team as a learner (who joins it)."""
        self.run("create_team", {"team_id": team_id, "name": name}, learner_id)
        return team_id


@pytest.fixture
def game(app: Flask) -> Callable[[str], Game]:
    return lambda scenario_id="harbor": Game(app, scenario_id)
