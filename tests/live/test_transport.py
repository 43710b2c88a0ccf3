"""Transport promises: every async mode serves, websockets are same-origin, late joiners enter."""

from __future__ import annotations

import pytest
import requests
import websocket

from tests.live.conftest import ROOT, LiveServer

pytestmark = pytest.mark.live


@pytest.mark.parametrize("async_mode", ["gevent", "threading"])
def test_other_async_modes_serve_a_team(tmp_path, clients, async_mode):
    server = LiveServer(tmp_path, async_mode=async_mode)
    server.start()
    try:
        session = server.create_session("harbor")
        ana = clients(server, "/play")
        assert ana.call("join_session", code=session["joinCode"], name="Ana")["ok"]
        team = ana.call("create_team", name="Alpha")["teamId"]
        ben = clients(server, "/play")
        assert ben.call("join_session", code=session["joinCode"], name="Ben")["ok"]
        assert ben.call("join_team", team=team)["ok"]
        assert ana.call("chat", text=f"hello from {async_mode}")["ok"]
        ben.wait_for("team", lambda t: t["chat"] and t["chat"][-1]["text"].endswith(async_mode))
    finally:
        server.kill()


def test_websocket_from_another_origin_is_refused(server):
    # A raw handshake, because python-socketio's client does not forward an Origin header.
    url = f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket"
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(url, origin="http://elsewhere.example", timeout=5)
    assert refused.value.status_code == 400
    same = websocket.create_connection(url, origin=server.url, timeout=5)
    try:
        assert same.recv().startswith("0{")  # the engine.io open packet
    finally:
        same.close()
    polling = requests.get(
        f"{server.url}/socket.io/?EIO=4&transport=polling",
        headers={"Origin": "http://elsewhere.example"},
        timeout=5,
    )
    assert polling.status_code == 400


def test_late_joiner_enters_a_running_session(server, clients):
    session = server.create_session("harbor")
    facilitator = clients(server, "/facilitate", auth={"token": server.token()})
    facilitator.session_id = session["sessionId"]
    assert facilitator.call("watch", sessionId=session["sessionId"])["ok"]
    ana = clients(server, "/play")
    assert ana.call("join_session", code=session["joinCode"], name="Ana")["ok"]
    team = ana.call("create_team", name="Alpha")["teamId"]
    assert facilitator.call("start_session")["ok"]
    late = clients(server, "/play")
    joined = late.call("join_session", code=session["joinCode"], name="Late Lou")
    assert joined["ok"] and joined["view"]["public"]["phase"] == "round"
    placed = late.call("auto_assign")
    assert placed["ok"] and placed["teamId"] == team
    assert late.call("run_diagnostic", diagnostic="d_fcr_trend")["ok"]
    ana.wait_for("team", lambda t: any(d["ranBy"]["name"] == "Late Lou" for d in t["diagnostics"]))
    board = facilitator.wait_for("board", lambda b: len(b["learners"]) == 2)
    assert {lr["name"] for lr in board["learners"]} == {"Ana", "Late Lou"}


@pytest.mark.parametrize("async_mode", ["eventlet", "gevent"])
def test_small_connection_buffers_carry_big_requests_and_responses(tmp_path, async_mode):
    # Both servers keep 4 KB read buffers per connection, eventlet a 4 KB write buffer too
    # (serve.py): a request whose headers are longer than that, and a response many times
    # that, must pass whole, on one keep-alive connection.
    server = LiveServer(tmp_path, async_mode=async_mode)
    server.start()
    try:
        with requests.Session() as http:
            for _ in range(2):
                answer = http.get(
                    f"{server.url}/static/js/room.js",
                    headers={"X-Padding": "p" * 6000, "Cookie": "c=" + "x" * 3000},
                    timeout=10,
                )
                assert answer.status_code == 200
                assert answer.content == (ROOT / "static" / "js" / "room.js").read_bytes()
    finally:
        server.kill()
