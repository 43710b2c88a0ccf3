"""The /stage namespace: opened by a signed, expiring link; sent the stage view only on change."""

from __future__ import annotations

import json

from itsdangerous import URLSafeTimedSerializer

from practicum.server.identity import STAGE_LINK_SECONDS, STAGE_SALT
from tests.server.test_sockets import facilitator, two_teams  # noqa: F401 - fixtures


def open_stage(connect, app, session_id: str):
    """Connect a stage screen with a fresh link for the session."""
    token = app.extensions["practicum.tokens"].stage_token(session_id)
    return connect("/stage", auth={"token": token})


def test_a_stage_needs_a_valid_unexpired_link(
    connect, app, facilitator, facilitator_token  # noqa: F811
):
    sid = facilitator.session_id
    assert not connect("/stage").client.is_connected("/stage")
    assert not connect("/stage", auth={"token": "nonsense-token"}).client.is_connected("/stage")
    # A facilitator's or another app's token is not a stage link.
    assert not connect("/stage", auth={"token": facilitator_token}).client.is_connected("/stage")
    forged = URLSafeTimedSerializer("another-secret", salt=STAGE_SALT).dumps({"st": sid})
    assert not connect("/stage", auth={"token": forged}).client.is_connected("/stage")
    tokens = app.extensions["practicum.tokens"]
    old = tokens.stage_token(sid)
    assert tokens.stage(old) == sid
    assert tokens.stage(old, max_age=-1) is None  # expired
    unknown = tokens.stage_token("nosuchsession")
    assert not connect("/stage", auth={"token": unknown}).client.is_connected("/stage")
    screen = open_stage(connect, app, sid)
    assert screen.client.is_connected("/stage")
    view = screen.last("stage")
    assert view["mode"] == "lobby" and view["joinCode"] == facilitator.code


def test_the_stage_follows_the_session_and_what_the_facilitator_shows(connect, app, two_teams):  # noqa: F811
    fac = two_teams["facilitator"]
    ana, _ben = two_teams["a"]
    screen = open_stage(connect, app, fac.session_id)
    view = screen.last("stage")
    assert view["mode"] == "round" and view["submitted"] == 0
    assert [t["members"] for t in view["teams"]] == [2, 2]
    ana.send("chat", text="a private word")
    assert screen.received("stage") == []  # nothing the stage shows changed
    ack = fac.send("stage_show", mode="scoring")
    assert ack == {"ok": True, "mode": "scoring"}
    view = screen.last("stage")
    assert view["mode"] == "scoring"
    assert fac.board["stage"] == {"mode": "scoring", "chosen": "scoring"}
    assert fac.send("stage_show", mode="debrief")["code"] == "stage/unavailable"
    assert fac.send("stage_show", mode="credits")["code"] == "payload/invalid"
    # A learner cannot steer the stage, nor can the screen itself.
    assert ana.send("stage_show", mode="lobby", sessionId=fac.session_id)["code"] == (
        "auth/forbidden"
    )
    assert screen.raw("stage_show", {"mode": "lobby"})["code"] == "auth/forbidden"
    assert screen.raw("watch", {"sessionId": fac.session_id})["code"] == "auth/forbidden"


def test_the_stage_renews_its_link(connect, app, facilitator):  # noqa: F811
    screen = open_stage(connect, app, facilitator.session_id)
    ack = screen.raw("stage_renew", {})
    assert ack["ok"] and ack["expiresIn"] == STAGE_LINK_SECONDS
    assert app.extensions["practicum.tokens"].stage(ack["token"]) == facilitator.session_id


def test_nothing_hidden_reaches_the_stage(connect, app, two_teams):  # noqa: F811
    fac = two_teams["facilitator"]
    ana, _ben = two_teams["a"]
    screen = open_stage(connect, app, fac.session_id)
    scenario = app.extensions["practicum"].cached(fac.session_id)[0]
    ana.send("chat", text="alpha-secret-chat")
    inject = scenario.injects[0]
    assert fac.send("fire_inject", inject=inject.id, teams=None)["ok"]
    while fac.board["public"]["phase"] == "round":
        assert fac.send("advance")["ok"]
    frames = json.dumps([m["args"] for m in screen.received()])
    assert '"debrief"' in frames
    assert inject.title in frames
    for secret in [c.debrief for c in scenario.causes] + [
        i.expected_response for i in scenario.injects
    ] + [i.text for i in scenario.injects] + [scenario.debrief_notes, "alpha-secret-chat"]:
        assert not secret or secret not in frames
    for key in ('"truth"', '"expertPlan"', '"expectedResponse"', '"debriefNotes"', '"chat"',
                '"gapShare"'):
        assert key not in frames
