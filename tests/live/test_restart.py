"""A restart of the real server: it serves at once and rebuilds the sessions behind it."""

from __future__ import annotations

import time

import pytest
import requests

pytestmark = pytest.mark.live


def test_every_session_is_right_after_a_restart_and_the_rebuild_finishes(server, clients):
    sessions = []
    for index in range(3):
        session = server.create_session("harbor")
        learner = clients(server, "/play")
        ack = learner.call("join_session", code=session["joinCode"], name=f"Ana {index}")
        assert ack["ok"], ack
        team = learner.call("create_team", name=f"Team {index}")
        assert team["ok"], team
        for line in range(index + 1):
            assert learner.call("chat", text=f"line {line}")["ok"]
        sessions.append((session["sessionId"], ack["token"], team["teamId"], index + 1))

    server.kill()
    server.start()  # returns once /healthz answers, perhaps before the rebuild has finished

    # Asked for in reverse order: a session the rebuild has not reached loads on first use.
    for session_id, token, team_id, lines in reversed(sessions):
        facilitator = clients(server, "/facilitate", auth={"token": server.token()})
        facilitator.session_id = session_id
        ack = facilitator.call("watch", sessionId=session_id)
        assert ack["ok"], ack
        assert [t["id"] for t in ack["board"]["teams"]] == [team_id]
        learner = clients(server, "/play", auth={"token": token})
        view = learner.wait_for("view", lambda v: v["team"] is not None)
        assert [m["text"] for m in view["team"]["chat"]] == [f"line {n}" for n in range(lines)]
    deadline = time.monotonic() + 10
    while not requests.get(f"{server.url}/healthz", timeout=5).json()["warm"]:
        assert time.monotonic() < deadline, "the background rebuild did not finish"
        time.sleep(0.05)
