"""A session played through HAProxy across two processes on PostgreSQL and Redis (issue 12).

Skips on a developer machine without postgresql, redis-server or haproxy; fails in CI
(PRACTICUM_REQUIRE_SERVICES=1), like the other service-backed tests.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from bench.cluster import Cluster
from tests.cluster.harness import owner_of, running_cluster
from tests.live.conftest import Client

pytestmark = pytest.mark.live

# A lease runs out after LEASE_SECONDS; the proxy notices a dead process after two failed
# health checks half a second apart; clients retry a second after `session/moved`.
TAKEOVER_SECONDS = 12.0


class Through:
    """Where a client connects: the proxy, with the session it routes by."""

    def __init__(self, proxy_url: str, session_id: str) -> None:
        self.url = f"{proxy_url}?session={session_id}"


class Direct:
    """Where a client connects: one process, past the proxy."""

    def __init__(self, url: str) -> None:
        self.url = url


class RemoteWatcher(Client):
    """A facilitator on a process that does not own the session: its board comes via Redis."""

    def _record(self, event: str, data: Any = None) -> None:
        if event == "board_full":
            with self.changed:
                self.board = data["board"]
                self.events.append(("board", self.board))
                self.changed.notify_all()
            return
        if event == "board_patch" and self.board is None:
            return  # before the full board: already in it (as a browser ignores them)
        super()._record(event, data)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    """Two processes behind HAProxy, a first round that times out at once, short leases."""
    with running_cluster(tmp_path) as running:
        yield running


def _token(cluster: Cluster) -> str:
    reply = requests.post(
        f"{cluster.url}/api/login", json={"password": cluster.password}, timeout=5
    )
    return reply.json()["token"]


def _log(cluster: Cluster, session_id: str) -> list[tuple[str, dict[str, Any]]]:
    import psycopg

    dsn = cluster.database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT type, data FROM events WHERE session_id = %s ORDER BY seq", (session_id,)
        ).fetchall()
    return [(type_, json.loads(data)) for type_, data in rows]


def _owner(cluster: Cluster, session_id: str) -> str:
    return owner_of(cluster, session_id)


def _resume(
    where: Through, token: str, made: list[Client], deadline: float
) -> tuple[Client, dict[str, Any]]:
    """Reconnect a learner through the proxy until a process serves the session."""
    while True:
        client = None
        try:
            client = Client(where, "/play", auth={"token": token})
            made.append(client)
            ack = client.call("hello", token=token)
            if ack.get("ok"):
                return client, ack
            assert ack["code"] == "session/moved", ack
            assert ack["reconnect"] is True
            wait = ack["retryAfter"]
        except Exception:  # noqa: BLE001 - connecting while the proxy still tries the dead one
            wait = 0.3
        if client is not None:
            with contextlib.suppress(Exception):
                client.close()
        assert time.monotonic() < deadline, "the session was not taken over in time"
        time.sleep(wait)


def _chats(view: dict[str, Any]) -> list[str]:
    return [m["text"] for m in view["chat"]]


def test_a_session_survives_its_owner_across_two_processes(cluster: Cluster) -> None:
    token = _token(cluster)
    created = requests.post(
        f"{cluster.url}/api/sessions",
        json={"scenarioId": "harbor"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    assert created.status_code == 201, created.text
    session_id, code = created.json()["sessionId"], created.json()["joinCode"]
    where = Through(cluster.url, session_id)
    made: list[Client] = []
    try:
        # Two learners on their own connections, and a facilitator, all through the proxy.
        ana = Client(where, "/play")
        bo = Client(where, "/play")
        made += [ana, bo]
        ana_join = ana.call("join_session", code=code, name="Ana")
        bo_join = bo.call("join_session", code=code, name="Bo")
        assert ana_join["ok"] and bo_join["ok"], (ana_join, bo_join)
        team = ana.call("create_team", name="Harbor")
        assert team["ok"], team
        assert bo.call("join_team", team=team["teamId"])["ok"]
        facilitator = Client(where, "/facilitate", auth={"token": token})
        facilitator.session_id = session_id
        made.append(facilitator)
        watched = facilitator.call("watch", sessionId=session_id)
        assert watched["ok"], watched

        # Learners see each other within a second; the facilitator's board follows.
        acked = []
        sent = time.monotonic()
        assert ana.call("chat", text="ana 1")["ok"]
        acked.append("ana 1")
        bo.wait_for("team", lambda t: "ana 1" in _chats(t), timeout=1.0)
        assert time.monotonic() - sent < 1.0
        facilitator.wait_for(
            "board", lambda b: any(len(t["members"]) == 2 for t in b["teams"]), timeout=3.0
        )

        # A facilitator connected to the other process watches too: the owner sends the board
        # through Redis, and its patches follow.
        owner_name = _owner(cluster, session_id)
        other = next(app for app in cluster.apps if app.name != owner_name)
        remote = RemoteWatcher(Direct(other.url), "/facilitate", auth={"token": token})
        remote.session_id = session_id
        made.append(remote)
        remote_ack = remote.call("watch", sessionId=session_id)
        assert remote_ack["ok"] and remote_ack["remote"] and remote_ack["board"] is None
        remote.wait_for("board", lambda b: [len(t["members"]) for t in b["teams"]] == [2], 3.0)
        assert ana.call("chat", text="ana seen afar")["ok"]
        acked.append("ana seen afar")
        remote.wait_for(
            "board",
            lambda b: "ana seen afar" in [m["text"] for m in b["teams"][0]["chat"]],
            timeout=3.0,
        )
        assert _owner(cluster, session_id) == owner_name  # watching did not move the session

        # Joining by code from the join page (no session in its URL yet) on the process that
        # does not own the session: the answer names the session, and the same action sent
        # again through the proxy, routed by it, joins once. The session stays where it was.
        joiner = Client(Direct(other.url), "/play")
        made.append(joiner)
        cy_join = joiner.call("join_session", code=code, name="Cy", actionId="cy-join-1")
        assert cy_join["code"] == "session/moved" and cy_join["sessionId"] == session_id
        joiner.close()
        joiner = Client(Through(cluster.url, cy_join["sessionId"]), "/play")
        made.append(joiner)
        cy_join = joiner.call("join_session", code=code, name="Cy", actionId="cy-join-1")
        assert cy_join["ok"], cy_join
        assert _owner(cluster, session_id) == owner_name
        assert remote.call("pause")["code"] == "session/moved"  # commands go to the owner

        # Round 1 has no time: it times out at once, and only once, though two processes run
        # timer sweeps; round 2 opens by itself.
        assert facilitator.call("start_session")["ok"]
        ana.wait_for("public", lambda p: (p.get("round") or {}).get("index") == 1, timeout=5.0)
        ana.wait_for("notice", lambda n: n["kind"] == "timeout", timeout=3.0)
        assert _owner(cluster, session_id) == owner_name
        owner = next(app for app in cluster.apps if app.name == owner_name)
        survivor = next(app for app in cluster.apps if app.name != owner_name)

        # Acknowledged work mid-round, then the owner dies without a chance to clean up.
        for n in range(2, 5):
            assert ana.call("chat", text=f"ana {n}")["ok"]
            acked.append(f"ana {n}")
        assert bo.call("chat", text="bo 1")["ok"]
        acked.append("bo 1")
        owner.kill()
        killed = time.monotonic()

        # The survivor takes the session over within a few seconds; clients resume by token.
        deadline = killed + TAKEOVER_SECONDS
        ana2, ana_hello = _resume(where, ana_join["token"], made, deadline)
        bo2, bo_hello = _resume(where, bo_join["token"], made, deadline)
        took = time.monotonic() - killed
        assert took < TAKEOVER_SECONDS
        assert _owner(cluster, session_id) == survivor.name
        # Nothing acknowledged was lost.
        assert _chats(ana_hello["view"]["team"]) == acked
        assert _chats(bo_hello["view"]["team"]) == acked
        assert ana_hello["view"]["public"]["round"]["index"] == 1

        # And they see each other again within a second, on the new owner.
        sent = time.monotonic()
        assert bo2.call("chat", text="bo 2")["ok"]
        acked.append("bo 2")
        ana2.wait_for("team", lambda t: "bo 2" in _chats(t), timeout=1.0)
        assert time.monotonic() - sent < 1.0
        facilitator2 = Client(where, "/facilitate", auth={"token": token})
        facilitator2.session_id = session_id
        made.append(facilitator2)
        board = facilitator2.call("watch", sessionId=session_id)
        assert board["ok"], board
        assert [len(t["members"]) for t in board["board"]["teams"]] == [2]

        # Timer events happened once, before and after the takeover, in the log and for the
        # learners (one timeout notice each).
        time.sleep(1.5)  # a few sweeps of the survivor
        log = _log(cluster, session_id)
        assert [t for t, _ in log].count("round_timed_out") == 1
        assert [t for t, _ in log].count("round_opened") == 2
        for client in (ana, bo, ana2, bo2):
            timeouts = [d for n, d in client.events if n == "notice" and d["kind"] == "timeout"]
            assert len(timeouts) == (1 if client in (ana, bo) else 0)
        print(f"takeover in {took:.1f} s")
        gaps = [(n, d) for client in made for n, d in client.events if n.endswith("_gap")]
        assert not gaps, gaps
    finally:
        for client in made:
            with contextlib.suppress(Exception):
                client.close()
