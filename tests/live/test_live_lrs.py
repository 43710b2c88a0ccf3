"""xAPI to a real LRS: a session played through the real server reaches Ralph, valid, and what
was made while Ralph was down arrives once it is back, each statement once."""

from __future__ import annotations

import contextlib
import socket
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from practicum.xapi.profile import VERBS
from tests.live.conftest import LiveServer
from tests.live.test_live_server import TEAM_ACTIONS, _lobby
from tests.lrs import PASSWORD, USER, Ralph, ensure_venv

pytestmark = pytest.mark.live


@pytest.fixture
def ralph() -> Iterator[Ralph]:
    ensure_venv()
    lrs = Ralph()
    lrs.create_user()
    lrs.start()
    yield lrs
    lrs.stop()


@pytest.fixture
def server(tmp_path: Path, ralph: Ralph) -> Iterator[LiveServer]:
    # SQLite only: the outbox's SQL runs on PostgreSQL too in tests/xapi/test_outbox.py; here
    # the LRS is what is real, and a second backend would double the minute this takes.
    live = LiveServer(
        tmp_path,
        extra_env={
            "PRACTICUM_LRS_URL": ralph.url,
            "PRACTICUM_LRS_USERNAME": USER,
            "PRACTICUM_LRS_PASSWORD": PASSWORD,
            "PRACTICUM_BASE_URL": "https://practicum.example.org",
            "PRACTICUM_XAPI_POLL_SECONDS": "0.2",
            "PRACTICUM_XAPI_RETRY_MAX_SECONDS": "1",
            "PRACTICUM_XAPI_TIMEOUT_SECONDS": "5",
        },
    )
    live.start()
    yield live
    live.kill()


@contextlib.contextmanager
def black_hole(port: int) -> Iterator[None]:
    """Listen on the port and never answer: connections open, requests hang (a stuck LRS)."""
    hole = socket.socket()
    hole.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    hole.bind(("127.0.0.1", port))
    hole.listen(128)  # never accepted: the kernel completes the handshakes, nobody reads
    try:
        yield
    finally:
        hole.close()


def outbox_status(server: LiveServer, token: str) -> dict[str, Any]:
    reply = requests.get(
        f"{server.url}/api/xapi/status", headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    assert reply.status_code == 200, reply.text
    return reply.json()


def wait_until_sent(server: LiveServer, token: str, timeout: float = 30.0) -> dict[str, Any]:
    end = time.monotonic() + timeout
    while True:
        status = outbox_status(server, token)
        if status["pending"] == 0:
            return status
        if time.monotonic() > end:
            raise AssertionError(f"statements still pending: {status}")
        time.sleep(0.2)


def verbs_of(statements: list[dict[str, Any]]) -> Counter[str]:
    names = {iri: key for key, (iri, _) in VERBS.items()}
    return Counter(names[s["verb"]["id"]] for s in statements)


def play_round(members: dict[str, Any], facilitator: Any, teams: dict[str, str], round_id: str,
               timings: list[float]) -> None:  # fmt: skip
    for first, second in members.values():
        for event, payload in TEAM_ACTIONS[round_id]:
            started = time.monotonic()
            ack = first.call(event, **payload)
            timings.append(time.monotonic() - started)
            assert ack["ok"], (round_id, event, ack)
        assert second.call("submit_round")["ok"]
    for team_id in teams.values():
        scored = facilitator.call(
            "score_round", team=team_id, round=round_id, levels={}, comment="", overrides={}
        )
        assert scored["ok"], scored
    assert facilitator.call("publish_scores", round=round_id)["ok"]
    assert facilitator.call("advance")["ok"]


def test_statements_reach_ralph_valid_and_survive_an_lrs_outage_without_duplicates(
    server: LiveServer, ralph: Ralph, clients: Callable[..., Any]
) -> None:
    token = server.token()
    session, facilitator, teams, members = _lobby(clients, server)
    assert facilitator.call("start_session")["ok"]
    timings: list[float] = []
    play_round(members, facilitator, teams, "r_contract", timings)

    wait_until_sent(server, token)
    before = ralph.statements()
    counts = verbs_of(before)
    # 4 joined the session and 4 a team, 2 formed teams, 4 ran diagnostics, 2 submitted,
    # 4 were scored at publication.
    assert counts == {"joined": 8, "formed": 2, "ran": 4, "submitted": 2, "scored": 4}, counts

    ralph.stop()
    # First an LRS that takes connections and never answers (each request waits out the
    # sender's 5 s timeout), then none at all (connections refused).
    with black_hole(ralph.port):
        slow: list[float] = []
        play_round(members, facilitator, teams, "r_causes", slow)
        assert outbox_status(server, token)["pending"] > 0
        # Longer than one hung request: the sender is waiting on the LRS meanwhile.
        ana = members["Alpha"][0]
        end = time.monotonic() + 7.0
        while time.monotonic() < end:
            started = time.monotonic()
            assert ana.call("chat", text="still here")["ok"]
            slow.append(time.monotonic() - started)
            time.sleep(0.15)
    # Nothing on a request's path waits for the LRS: a sender that blocked the server while
    # it waited would have held acks for seconds.
    assert max(slow) < 2.0, slow
    play_round(members, facilitator, teams, "r_design", timings)
    play_round(members, facilitator, teams, "r_evaluate", timings)
    assert facilitator.call("end_session")["ok"]
    assert max(timings) < 3.0, timings
    time.sleep(1.0)  # the sender tries (and fails) at least once meanwhile
    status = outbox_status(server, token)
    made_while_down = status["pending"]
    # declared 2, chose 4 (2 interventions, 2 metrics), submitted 6, scored 12, completed 4
    assert made_while_down == 28, status
    assert status["lastError"], status

    ralph.start()
    status = wait_until_sent(server, token)
    after = ralph.statements()
    # Ralph drops a resent statement it already holds, so its count alone cannot show a
    # duplicate send: the server counts every statement an LRS answer accepted.
    assert status["sentByThisProcess"] == len(after), status
    ids = [s["id"] for s in after]
    assert len(ids) == len(set(ids)), Counter(ids).most_common(3)
    assert len(after) == len(before) + made_while_down
    assert {s["id"] for s in before} <= set(ids)
    counts = verbs_of(after)
    assert counts == {
        "joined": 8, "formed": 2, "ran": 4, "declared": 2, "chose": 4,
        "submitted": 8, "scored": 16, "completed": 4,
    }, counts  # fmt: skip
    assert ralph.problems(after) == []
    # Learners who joined with a code are pseudonymous: no display name reaches the LRS.
    text = str(after)
    for name in ("Ana", "Ben", "Cy", "Dee", "Alpha", "Beta"):
        assert f"'{name}'" not in text
    assert all("name" not in s["actor"] for s in after)
    registrations = {s["context"]["registration"] for s in after}
    assert len(registrations) == 1
