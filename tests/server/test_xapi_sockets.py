"""xAPI through the app: socket acts write outbox rows, the status endpoint, an LRS that is down."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from practicum.server.app import create_app
from practicum.server.store import xapi_outbox_table
from tests.server.conftest import FakeClock
from tests.services import free_port


@pytest.fixture
def app(
    tmp_path: Path, clock: FakeClock, scenario_dir: Path, db_url: Callable[[str], str]
) -> Iterator[Flask]:
    """The test app with an LRS configured on a loopback port where nothing listens."""
    app = create_app(
        {
            "TESTING": True,
            "ASYNC_MODE": "threading",
            "DATABASE_URL": db_url("test"),
            "INSTANCE_DIR": str(tmp_path / "instance"),
            "SECRET_KEY": "test-secret",
            "PASSWORD_HASH_COST": 10,
            "FACILITATOR_PASSWORD": "letmein",
            "SCENARIO_DIR": str(scenario_dir),
            "RUN_TIMERS": False,
            "CLOCK": clock,
            "RATE_PER_SECOND": 1000.0,
            "RATE_BURST": 1000,
            "LRS_URL": f"http://127.0.0.1:{free_port()}/xAPI",
            "BASE_URL": "https://practicum.example.org/",
            "XAPI_TIMEOUT_SECONDS": 2.0,
        }
    )
    yield app
    app.extensions["practicum.store"].dispose()


def outbox(app: Flask) -> list[dict[str, Any]]:
    with app.extensions["practicum.store"].engine.connect() as conn:
        rows = conn.execute(select(xapi_outbox_table).order_by(xapi_outbox_table.c.created_at))
        return [json.loads(row.statement) for row in rows]


def test_socket_acts_leave_statements_in_the_outbox(app, connect, new_session) -> None:
    _session_id, code = new_session("harbor")
    player = connect("/play")
    joined = player.send("join_session", code=code, name="Ana Realname")
    assert joined["ok"], joined
    assert player.send("create_team", name="Alpha")["ok"]
    statements = outbox(app)
    verbs = [s["verb"]["display"]["en-US"] for s in statements]
    assert verbs == ["joined", "formed", "joined"]
    assert all(s["actor"]["account"]["homePage"] == "https://practicum.example.org"
               for s in statements)  # fmt: skip
    text = json.dumps(statements)
    assert "Ana Realname" not in text and "Alpha" not in text


def test_status_is_for_admins_and_counts_what_waits(
    app, connect, new_session, facilitator_token
) -> None:
    with app.test_client() as client:
        assert client.get("/api/xapi/status").status_code == 401
        _session_id, code = new_session("harbor")
        assert connect("/play").send("join_session", code=code, name="Ben")["ok"]
        reply = client.get(
            "/api/xapi/status", headers={"Authorization": f"Bearer {facilitator_token}"}
        )
    body = reply.get_json()
    assert reply.status_code == 200 and body["configured"] is True
    assert body["pending"] == 1 and body["lastError"] is None


def test_an_lrs_that_is_down_delays_no_ack_and_loses_nothing(app, connect, new_session) -> None:
    sender = app.extensions["practicum.xapi_sender"]
    _session_id, code = new_session("harbor")
    player = connect("/play")
    assert player.send("join_session", code=code, name="Cy")["ok"]
    started = time.monotonic()
    assert player.send("create_team", name="Beta")["ok"]
    assert time.monotonic() - started < 1.0  # the ack does not wait for any LRS
    sender.step()  # nothing listens on the LRS port
    assert "unreachable" in (sender.last_error or "")
    assert len(outbox(app)) == 3
    assert sender.status()["mostAttempts"] == 1


def test_without_an_lrs_the_status_says_so(tmp_path, scenario_dir) -> None:
    plain = create_app(
        {
            "TESTING": True,
            "ASYNC_MODE": "threading",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'plain.db'}",
            "INSTANCE_DIR": str(tmp_path / "instance"),
            "SECRET_KEY": "test-secret",
            "PASSWORD_HASH_COST": 10,
            "FACILITATOR_PASSWORD": "letmein",
            "SCENARIO_DIR": str(scenario_dir),
            "RUN_TIMERS": False,
        }
    )
    assert plain.extensions["practicum"].outbox is None
    with plain.test_client() as client:
        token = client.post("/api/login", json={"password": "letmein"}).get_json()["token"]
        reply = client.get("/api/xapi/status", headers={"Authorization": f"Bearer {token}"})
    assert reply.get_json() == {"ok": True, "configured": False}
    plain.extensions["practicum.store"].dispose()
