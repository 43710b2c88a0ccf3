"""Facilitator accounts and roles: who sees which session and who may do what in it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from tests.security.conftest import PASSWORD, form_post


def _api(app: Flask, method: str, path: str, token: str, body: Any = None) -> Any:
    with app.test_client() as client:
        reply = client.open(
            path, method=method, json=body, headers={"Authorization": f"Bearer {token}"}
        )
    return reply.status_code, reply.get_json()


def _create(app: Flask, token: str) -> str:
    status, body = _api(app, "POST", "/api/sessions", token, {"scenarioId": "harbor"})
    assert status == 201, body
    return body["sessionId"]


@pytest.fixture
def team(add_account: Callable[..., Any], token_of: Callable[[str], str]) -> dict[str, str]:
    """Two facilitators, an assessor and an observer; return their tokens by name."""
    for name, role in (("fran", "facilitator"), ("gil", "facilitator"),
                       ("ada", "assessor"), ("obi", "observer")):
        add_account(name, role)
    return {name: token_of(name) for name in ("fran", "gil", "ada", "obi")}


def test_the_first_admin_comes_from_the_facilitator_password(
    app: Flask, accounts: Any, login: Callable[..., Any]
) -> None:
    assert [(a.name, a.role) for a in accounts.all()] == [("admin", "admin")]
    assert login(None, "letmein")[1]["user"] == "admin"  # {password} alone: the admin
    assert login("admin", "letmein")[0] == 200
    assert login("admin", "wrong")[1]["code"] == "auth/bad_password"


def test_a_second_start_keeps_the_accounts(app: Flask, tmp_path: Any, scenario_dir: Any) -> None:
    from practicum.server.app import create_app

    again = create_app({**app.config, "FACILITATOR_PASSWORD": "another", "CLOCK": None})
    try:
        auth = again.extensions["practicum.auth"]
        assert [a.name for a in auth.accounts.all()] == ["admin"]
        assert auth.accounts.authenticate("admin", "letmein") is not None
    finally:
        again.extensions["practicum.store"].dispose()


def test_each_facilitator_sees_only_their_sessions(
    app: Flask, team: dict[str, str], token_of: Callable[[str], str], browser_of: Any
) -> None:
    mine = _create(app, team["fran"])
    theirs = _create(app, team["gil"])
    listed = {s["id"] for s in _api(app, "GET", "/api/sessions", team["fran"])[1]["sessions"]}
    assert listed == {mine}
    page = browser_of("fran").get("/facilitator/sessions").get_data(as_text=True)
    assert mine in page and theirs not in page
    admin = _api(app, "GET", "/api/sessions", token_of_admin(app))[1]["sessions"]
    assert {s["id"] for s in admin} == {mine, theirs}
    # Another facilitator's console does not exist for fran.
    browser = browser_of("fran")
    assert browser.get(f"/facilitator/sessions/{theirs}").status_code == 404
    assert browser.get(f"/facilitator/sessions/{theirs}/export.json").status_code == 404
    assert browser.get(f"/facilitator/sessions/{mine}").status_code == 200


def token_of_admin(app: Flask) -> str:
    """Return a token of the first admin."""
    with app.test_client() as client:
        return client.post("/api/login", json={"password": "letmein"}).get_json()["token"]


def test_only_admins_and_facilitators_create_sessions(
    app: Flask, team: dict[str, str], browser_of: Any
) -> None:
    for name in ("ada", "obi"):
        status, body = _api(app, "POST", "/api/sessions", team[name], {"scenarioId": "harbor"})
        assert (status, body["code"]) == (403, "auth/role")
    browser = browser_of("obi")
    reply = form_post(browser, "/facilitator/sessions", {"scenario": "harbor"},
                      "/facilitator/sessions")
    assert reply.status_code == 403
    assert app.extensions["practicum"].list_sessions() == []


def test_shares_decide_what_each_role_may_send(
    app: Flask, team: dict[str, str], connect: Callable[..., Any]
) -> None:
    session_id = _create(app, team["fran"])
    for name, role in (("ada", "assessor"), ("obi", "observer")):
        status, _ = _api(app, "POST", f"/api/sessions/{session_id}/shares", team["fran"],
                         {"user": name, "role": role})
        assert status == 200
    # Only the owner (or an admin) shares.
    status, body = _api(app, "POST", f"/api/sessions/{session_id}/shares", team["ada"],
                        {"user": "obi", "role": "facilitator"})
    assert (status, body["code"]) == (403, "auth/role")

    sockets = {}
    for name in ("fran", "gil", "ada", "obi"):
        sockets[name] = connect("/facilitate", auth={"token": team[name]})
        sockets[name].session_id = session_id
    assert sockets["gil"].send("watch", sessionId=session_id)["code"] == "session/unknown"
    assert sockets["gil"].send("pause")["code"] == "session/unknown"
    for name in ("fran", "ada", "obi"):
        assert sockets[name].send("watch", sessionId=session_id)["ok"]

    assert sockets["obi"].send("start_session")["code"] == "auth/role"
    assert sockets["ada"].send("start_session")["code"] == "auth/role"
    assert sockets["fran"].send("start_session")["ok"]
    learner = connect("/play")
    _, state = app.extensions["practicum"].snapshot(session_id)
    assert learner.send("join_session", code=state.join_code, name="Lee")["ok"]
    team_id = learner.send("create_team", name="Blue")["teamId"]
    scenario, state = app.extensions["practicum"].snapshot(session_id)
    round_id = scenario.rounds[state.round_index].id

    score = {"team": team_id, "round": round_id, "levels": {}, "comment": "ok", "overrides": {}}
    assert sockets["obi"].send("score_round", **score)["code"] == "auth/role"
    assert sockets["ada"].send("score_round", **score)["ok"]
    for command in ("advance", "end_session", "pause"):
        assert sockets["ada"].send(command)["code"] == "auth/role", command
        assert sockets["obi"].send(command)["code"] == "auth/role", command
    assert sockets["ada"].send("publish_scores", round=round_id)["code"] == "auth/role"
    assert sockets["obi"].send("fire_inject", inject="x", teams=None)["code"] == "auth/role"
    assert sockets["fran"].send("end_session")["ok"]


def test_a_share_never_lifts_an_account_above_its_role(
    app: Flask, team: dict[str, str], accounts: Any, connect: Callable[..., Any]
) -> None:
    session_id = _create(app, team["fran"])
    accounts.share(session_id, "obi", "facilitator")
    obi = connect("/facilitate", auth={"token": team["obi"]})
    obi.session_id = session_id
    assert obi.send("watch", sessionId=session_id)["ok"]
    assert obi.send("start_session")["code"] == "auth/role"


def test_pages_follow_the_roles(
    app: Flask, team: dict[str, str], accounts: Any, browser_of: Any
) -> None:
    session_id = _create(app, team["fran"])
    accounts.share(session_id, "ada", "assessor")
    accounts.share(session_id, "obi", "observer")
    base = f"/facilitator/sessions/{session_id}"
    observer, assessor = browser_of("obi"), browser_of("ada")
    assert observer.get(base).status_code == 200
    assert observer.get(f"{base}/projector").status_code == 302  # to the stage
    assert observer.get(f"{base}/scores.csv").status_code == 403
    assert observer.get(f"{base}/access").status_code == 403
    assert assessor.get(f"{base}/scores.csv").status_code == 200
    assert assessor.get(f"{base}/access").status_code == 403
    assert browser_of("fran").get(f"{base}/access").status_code == 200
    # Only admins manage accounts.
    assert browser_of("fran").get("/facilitator/accounts").status_code == 403


def test_every_facilitator_event_names_the_account(
    app: Flask, team: dict[str, str], connect: Callable[..., Any]
) -> None:
    session_id = _create(app, team["fran"])
    fran = connect("/facilitate", auth={"token": team["fran"]})
    fran.session_id = session_id
    assert fran.send("start_session")["ok"]
    assert fran.send("pause")["ok"]
    events = app.extensions["practicum"].stored_events(session_id)
    created = [e for e in events if e["actionId"] is None]
    acted = [e for e in events if e["actionId"] is not None]
    assert created and all(e["data"]["by_account"] == "fran" for e in created)
    assert acted and all(e["data"]["by_account"] == "fran" for e in acted)
    # Learners' events name no account.
    learner = connect("/play")
    _, state = app.extensions["practicum"].snapshot(session_id)
    learner.send("join_session", code=state.join_code, name="Lee")
    joined = app.extensions["practicum"].stored_events(session_id)[-1]
    assert "by_account" not in joined["data"]


def test_an_admin_manages_accounts_in_the_browser(
    app: Flask, accounts: Any, browser_of: Any, login: Callable[..., Any]
) -> None:
    admin = browser_of("admin", "letmein")
    page = "/facilitator/accounts"
    reply = form_post(admin, page, {"name": "Nia", "role": "assessor", "password": PASSWORD}, page)
    assert reply.status_code == 302
    assert ("nia", "assessor") in [(a.name, a.role) for a in accounts.all()]
    assert login("nia", PASSWORD)[0] == 200
    refused = form_post(admin, page, {"name": "nia", "role": "observer", "password": PASSWORD},
                        page)
    assert "already an account" in admin.get(refused.headers["Location"]).get_data(as_text=True)
    weak = form_post(admin, page, {"name": "zed", "role": "observer", "password": "short"}, page)
    assert weak.status_code == 302 and accounts.get("zed") is None
    form_post(admin, f"{page}/nia/remove", {}, page)
    assert accounts.get("nia") is None
    assert login("nia", PASSWORD)[1]["code"] == "auth/bad_password"


def test_the_last_admin_cannot_be_removed(accounts: Any) -> None:
    from practicum.server.accounts import AccountError

    with pytest.raises(AccountError) as refused:
        accounts.remove("admin")
    assert refused.value.code == "account/last_admin"


def test_taking_a_share_back_closes_the_open_board(
    app: Flask, team: dict[str, str], connect: Callable[..., Any], browser_of: Any
) -> None:
    session_id = _create(app, team["fran"])
    _api(app, "POST", f"/api/sessions/{session_id}/shares", team["fran"],
         {"user": "obi", "role": "observer"})
    obi = connect("/facilitate", auth={"token": team["obi"]})
    assert obi.send("watch", sessionId=session_id)["ok"]
    owner = browser_of("fran")
    page = f"/facilitator/sessions/{session_id}/access"
    assert "obi" in owner.get(page).get_data(as_text=True)
    form_post(owner, page, {"name": "obi", "remove": "1"}, page)
    assert not obi.client.is_connected("/facilitate")
    again = connect("/facilitate", auth={"token": team["obi"]})
    assert again.send("watch", sessionId=session_id)["code"] == "session/unknown"
    # An assessor cannot share: the form is refused.
    _api(app, "POST", f"/api/sessions/{session_id}/shares", team["fran"],
         {"user": "ada", "role": "assessor"})
    assessor = browser_of("ada")
    reply = form_post(assessor, page, {"name": "gil", "role": "facilitator"},
                      "/facilitator/sessions")
    assert reply.status_code == 403
