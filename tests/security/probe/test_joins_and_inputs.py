"""Join limiting, text inputs, actor-scoped action ids and the per-address connection cap."""

from __future__ import annotations

import pytest

from practicum.server.limits import JoinGuard


def test_a_classroom_behind_one_address_joins_while_guessing_stays_slow(connect, session, app):
    # 200 learners, each on their own socket, all from 127.0.0.1 (one NAT, one proxy).
    names = [f"Learner {i}" for i in range(200)]
    acks = [connect("/play").send("join_session", code=session[1], name=name) for name in names]
    assert all(a["ok"] for a in acks), [a for a in acks if not a["ok"]][:1]
    player = connect("/play")
    limit = app.config["JOIN_FAILURES_PER_MINUTE"]
    guesses = [player.send("join_session", code="ZZZZZZ", name="G")["code"] for _ in range(limit)]
    assert guesses.count("join/bad_code") == limit
    assert player.send("join_session", code="ZZZZZZ", name="G")["code"] == "join/rate_limited"


def test_failed_guesses_from_many_addresses_hit_the_global_limit():
    guard = JoinGuard(joins_per_address=600, failures_per_address=20, failures_global=300)
    now = 1000.0
    for address in range(30):  # ten guesses from each of 30 addresses: 300 in all
        for _ in range(10):
            assert guard.allow(f"10.0.0.{address}", now)
            guard.failed(f"10.0.0.{address}", now)
    assert guard.allow("10.0.0.99", now)
    assert not guard.allow("10.0.0.1", now)  # a guessing address is now refused
    assert guard.allow("10.0.0.1", now + 61)  # ... for a minute


@pytest.mark.parametrize(
    "event, payload",
    [
        ("join_session", {"name": "Ana\ud800"}),
        ("join_session", {"name": "Ana\x00"}),
        ("chat", {"text": "hi \udfff there"}),
        ("create_team", {"name": "Team \ud83d"}),
        ("chat", {"text": "bell \x07"}),
    ],
)
def test_lone_surrogates_and_control_characters_are_refused(connect, session, event, payload):
    player = connect("/play")
    if event == "join_session":
        payload = {"code": session[1], **payload}
    else:
        assert player.send("join_session", code=session[1], name="Ana")["ok"]
        if event == "chat":
            assert player.send("create_team", name="Talkers")["ok"]
    ack = player.send(event, **payload)
    assert ack["code"] == "payload/invalid", ack


def test_ordinary_text_with_newlines_tabs_and_emoji_is_fine(connect, session):
    player = connect("/play")
    assert player.send("join_session", code=session[1], name="Zoë 😀")["ok"]
    assert player.send("create_team", name="Ünïcode")["ok"]
    assert player.send("chat", text="line one\n\tline two 😀")["ok"]


def test_an_api_body_with_a_lone_surrogate_is_refused(app):
    response = app.test_client().post(
        "/api/login", data='{"password": "a\\ud800"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.get_json()["code"] in ("input/invalid", "payload/invalid")


def test_one_learner_cannot_replay_another_learners_action_id(connect, session):
    ana = connect("/play")
    first = ana.send("join_session", code=session[1], name="Ana", actionId="shared-id-0001")
    assert first["ok"]
    # Before the fix the same actionId answered Ana's seat and token to anyone.
    mallory = connect("/play")
    stolen = mallory.send("join_session", code=session[1], name="Mallory",
                          actionId="shared-id-0001")
    assert stolen["ok"] and stolen["learnerId"] != first["learnerId"]
    assert stolen["token"] != first["token"]
    # A true retry (same id, same name) still gets the first seat back.
    again = connect("/play")
    retry = again.send("join_session", code=session[1], name="Ana", actionId="shared-id-0001")
    assert retry["learnerId"] == first["learnerId"]
    # Commands too: the same actionId from two learners is two actions.
    assert ana.send("create_team", name="Alpha", actionId="team-id-0001")["ok"]
    other = mallory.send("create_team", name="Beta", actionId="team-id-0001")
    assert other["ok"] and other["teamId"] != ana.team["id"]


def test_one_address_cannot_hold_more_sockets_than_the_cap(make_app):
    from practicum.server.extensions import socketio

    app = make_app(MAX_CONNECTIONS_PER_ADDRESS=3)
    clients = [socketio.test_client(app, namespace="/play") for _ in range(4)]
    connected = [c.is_connected("/play") for c in clients]
    assert connected == [True, True, True, False]
    clients[0].disconnect(namespace="/play")
    fifth = socketio.test_client(app, namespace="/play")
    assert fifth.is_connected("/play")
