"""Personal data: one learner erased on request, old sessions purged, one learner exported."""

from __future__ import annotations

import json

from practicum.server import privacy
from practicum.server.extensions import socketio
from tests.server.conftest import Player

from .test_http import _sign_in


def _played(app, session):
    """Two learners in one team: chat, a diagnostic, a text; the facilitator ends it."""
    session_id, code = session
    ana = Player(socketio.test_client(app, namespace="/play"), "/play")
    assert ana.send("join_session", code=code, name="Ana Secret")["ok"]
    team = ana.send("create_team", name="Alpha")["teamId"]
    ben = Player(socketio.test_client(app, namespace="/play"), "/play")
    ben_ack = ben.send("join_session", code=code, name="Ben Open")
    assert ben.send("join_team", team=team)["ok"]
    service = app.extensions["practicum"]
    from practicum import engine

    service.apply(session_id, engine.Command("start_session", engine.Actor("facilitator"), {}),
                  None)
    assert ana.send("chat", text="my phone is 555-0100")["ok"]
    assert ben.send("chat", text="thanks Ana")["ok"]
    assert ana.send("run_diagnostic", diagnostic="d_fcr_trend")["ok"]
    assert ana.send("write_text", field="gap", text="Ana's gap statement")["ok"]
    _, state = service.snapshot(session_id)
    ana_id = next(lid for lid, lr in state.learners.items() if lr.name == "Ana Secret")
    return ana_id, ben_ack["learnerId"], team


def _log_text(app, session_id):
    return json.dumps(app.extensions["practicum"].stored_events(session_id))


def test_erasing_one_learner_removes_their_name_and_chat_everywhere(app, session):
    ana_id, ben_id, team = _played(app, session)
    session_id = session[0]
    assert "Ana Secret" in _log_text(app, session_id)
    changed = privacy.erase_learner(app.extensions, session_id, ana_id)
    assert changed >= 4  # joined, chat, diagnostic, text edit
    log = _log_text(app, session_id)
    assert "Ana Secret" not in log and "555-0100" not in log
    assert "Ben Open" in log and "thanks Ana" in log  # others' words stay
    assert '"data_erased"' in log
    _, state = app.extensions["practicum"].snapshot(session_id)
    assert state.learners[ana_id].name == privacy.ERASED_NAME
    assert state.teams[team].texts["gap"] == "Ana's gap statement"  # the team's work stays
    assert [m.text for m in state.teams[team].chat] == [privacy.ERASED_CHAT, "thanks Ana"]
    # Another process (or a restart) rebuilds the same redacted state from the log.
    from practicum.server.app import create_app

    again = create_app({**app.config, "CLOCK": app.extensions["practicum"].clock})
    _, rebuilt = again.extensions["practicum"].snapshot(session_id)
    assert rebuilt.learners[ana_id].name == privacy.ERASED_NAME
    again.extensions["practicum.store"].dispose()


def test_an_ended_session_past_retention_is_purged_and_live_ones_are_not(app, session, clock):
    ana_id, _ben_id, team = _played(app, session)
    session_id = session[0]
    other_id, _ = app.extensions["practicum"].create_session("harbor")
    from practicum import engine

    app.extensions["practicum"].apply(
        session_id, engine.Command("end_session", engine.Actor("facilitator"), {}), None
    )
    assert privacy.purge_expired(app.extensions, 30, clock()) == []  # not old enough yet
    clock.advance(31 * privacy.DAY)
    assert privacy.purge_expired(app.extensions, 30, clock()) == [session_id]
    log = _log_text(app, session_id)
    for secret in ("Ana Secret", "Ben Open", "555-0100", "thanks Ana", "gap statement"):
        assert secret not in log, secret
    _, state = app.extensions["practicum"].snapshot(session_id)
    assert state.learners[ana_id].name == privacy.pseudonym(ana_id)
    assert state.teams[team].texts.get("gap", "") == ""
    assert len(state.teams[team].diagnostics) == 1  # the anonymised record stays
    statuses = {r.id: r.status for r in app.extensions["practicum.store"].sessions()}
    assert statuses == {session_id: "purged", other_id: "live"}
    assert privacy.purge_expired(app.extensions, 30, clock()) == []  # done once


def test_the_console_exports_and_erases_one_learner_with_a_confirmation(app, session):
    ana_id, _ben_id, _team = _played(app, session)
    session_id = session[0]
    client = app.test_client()
    base = f"/facilitator/sessions/{session_id}/learners/{ana_id}"
    assert client.get(f"{base}/data").status_code == 302  # signed out: to the sign-in form
    _sign_in(client)
    page = client.get(f"{base}/data").get_data(as_text=True)
    assert "Ana Secret" in page
    exported = client.get(f"{base}/export.json").get_json()
    assert exported["name"] == "Ana Secret"
    assert [c["text"] for c in exported["chat"]] == ["my phone is 555-0100"]
    assert "gap" in exported["textsEdited"]
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    unconfirmed = client.post(f"{base}/erase", data={"csrf_token": token})
    assert unconfirmed.status_code == 400
    no_csrf = client.post(f"{base}/erase", data={"confirm": "yes"})
    assert no_csrf.status_code == 400
    done = client.post(f"{base}/erase", data={"confirm": "yes", "csrf_token": token})
    assert done.status_code == 302
    assert "Ana Secret" not in client.get(done.headers["Location"]).get_data(as_text=True)
    assert client.get(f"/facilitator/sessions/{session_id}/learners/nobody/data").status_code == 404
