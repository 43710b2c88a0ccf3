"""Fixtures for socket-handler tests: an app on a temp database, a fake clock, test clients."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_socketio import SocketIOTestClient

from practicum.server.app import create_app
from practicum.server.extensions import socketio
from practicum.server.viewsync import apply_board_patch, apply_team_patch

ROOT = Path(__file__).resolve().parents[2]
_ids = itertools.count(1)


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += seconds


def action_id() -> str:
    """Return a fresh idempotency id."""
    return f"test-action-{next(_ids):06d}"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def scenario_dir(tmp_path: Path) -> Path:
    target = tmp_path / "scenarios"
    target.mkdir()
    for path in (ROOT / "scenarios").glob("*.json"):
        shutil.copy(path, target / path.name)
    return target


@pytest.fixture
def app(
    tmp_path: Path, clock: FakeClock, scenario_dir: Path, db_url: Callable[[str], str]
) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "ASYNC_MODE": "threading",
            "DATABASE_URL": db_url("test"),
            "INSTANCE_DIR": str(tmp_path / "instance"),
            "SECRET_KEY": "test-secret",
            "PASSWORD_HASH_COST": 10,  # cheap hashes: tests make many
            "FACILITATOR_PASSWORD": "letmein",
            "SCENARIO_DIR": str(scenario_dir),
            "RUN_TIMERS": False,
            "CLOCK": clock,
            # Test clients replay messages fast; the limiter has its own test.
            "RATE_PER_SECOND": 1000.0,
            "RATE_BURST": 1000,
        }
    )
    yield app
    app.extensions["practicum.store"].dispose()


@pytest.fixture
def facilitator_token(app: Flask) -> str:
    """Return an API token of a login of the first admin (created from the password)."""
    with app.test_client() as client:
        reply = client.post("/api/login", json={"password": "letmein"})
    return reply.get_json()["token"]


class Player:
    """A socket test client with helpers to send actions and read what arrived.

    It merges `team_patch` and `board_patch` events the way a browser does (with the client
    rules in practicum/server/viewsync.py) and also files each merged result as a `team` or
    `board` event, so a test reads the view a client would hold; a patch that does not follow
    the version held fails the test.
    """

    def __init__(self, client: SocketIOTestClient, namespace: str) -> None:
        self.client = client
        self.namespace = namespace
        self.session_id: str | None = None
        self.inbox: list[dict[str, Any]] = []
        self.team: dict[str, Any] | None = None
        self.board: dict[str, Any] | None = None

    def send(self, event: str, **payload: Any) -> dict[str, Any]:
        """Emit an event with a fresh actionId (unless given) and return the ack."""
        if event not in ("hello", "watch") and "actionId" not in payload:
            payload["actionId"] = action_id()
        if self.namespace == "/facilitate" and event != "watch":
            payload.setdefault("sessionId", self.session_id)
        self._collect()
        ack = self.client.emit(event, payload, namespace=self.namespace, callback=True)
        full = isinstance(ack, dict) and ("view" in ack or "board" in ack)
        # Patches sent while a full view was on its way are superseded by it (the browser
        # ignores them while its hello or watch is in flight).
        self._collect(superseded=full)
        if full and "view" in ack:
            self.team = ack["view"]["team"]
        if full and "board" in ack:
            self.board = ack["board"]
        return ack

    def raw(self, event: str, payload: Any) -> dict[str, Any]:
        """Emit an arbitrary payload and return the ack."""
        return self.client.emit(event, payload, namespace=self.namespace, callback=True)

    def _collect(self, superseded: bool = False) -> None:
        if not self.client.is_connected(self.namespace):
            return
        for message in self.client.get_received(self.namespace):
            self.inbox.append(message)
            name, args = message["name"], message["args"]
            if name == "view":
                self.team = args[0]["team"]
            elif name == "team_patch" and not superseded:
                self.team = apply_team_patch(self.team, args[0])
                self.inbox.append({"name": "team", "args": [self.team], "namespace": "/play"})
            elif name == "board_patch" and not superseded:
                self.board = apply_board_patch(self.board, args[0])
                merged = {"name": "board", "args": [self.board], "namespace": "/facilitate"}
                self.inbox.append(merged)

    def received(self, name: str | None = None) -> list[dict[str, Any]]:
        """Return and forget what the server sent (only events of `name` if given)."""
        self._collect()
        taken = [m for m in self.inbox if name is None or m["name"] == name]
        self.inbox = [m for m in self.inbox if not (name is None or m["name"] == name)]
        return taken

    def last(self, name: str) -> Any:
        """Return the payload of the newest event of a name, forgetting those events."""
        matching = self.received(name)
        assert matching, f"no '{name}' event arrived"
        return matching[-1]["args"][0]


@pytest.fixture
def connect(app: Flask) -> Callable[..., Player]:
    clients: list[SocketIOTestClient] = []

    def make(namespace: str = "/play", auth: dict[str, Any] | None = None) -> Player:
        client = socketio.test_client(app, namespace=namespace, auth=auth)
        clients.append(client)
        return Player(client, namespace)

    yield make
    for client in clients:
        for namespace in ("/play", "/facilitate", "/stage"):
            if client.is_connected(namespace):
                client.disconnect(namespace=namespace)


@pytest.fixture
def new_session(app: Flask) -> Callable[[str], tuple[str, str]]:
    def make(scenario_id: str = "harbor") -> tuple[str, str]:
        return app.extensions["practicum"].create_session(scenario_id)

    return make
