"""HTML pages without a browser: rendering, sign-in, CSRF, access control, QR code, exports."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from ui_helpers import PASSWORD, csrf_from

FACILITATOR_PAGES = (
    "/facilitator/sessions/{sid}",
    "/facilitator/sessions/{sid}/projector",
    "/facilitator/sessions/{sid}/stage",
    "/facilitator/sessions/{sid}/stage-link",
    "/facilitator/sessions/{sid}/qr.svg",
    "/facilitator/sessions/{sid}/scores.csv",
    "/facilitator/sessions/{sid}/events.csv",
    "/facilitator/sessions/{sid}/export.json",
    "/facilitator/sessions/{sid}/score-preview?team=x&round=r_contract",
)


def _rows(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff"), "CSV should start with a BOM so spreadsheets read UTF-8"
    return list(csv.DictReader(io.StringIO(text[1:])))


# --- learner pages ------------------------------------------------------------------------------


def test_join_page_loads_only_local_scripts_under_a_strict_policy(client: FlaskClient) -> None:
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<script src="/static/vendor/socket.io.min.js"></script>' in html
    assert 'type="module" src="/static/js/join.js"' in html
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_join_link_prefills_the_normalised_code(client: FlaskClient) -> None:
    html = client.get("/join/ab-c2 3x").get_data(as_text=True)
    assert 'value="ABC23X"' in html


def test_prefilled_code_is_escaped_even_when_hostile(client: FlaskClient) -> None:
    html = client.get('/?code="><script>alert(1)</script>').get_data(as_text=True)
    assert "<script>alert" not in html
    assert 'value="SCRIPTALERT1SCRI"' in html  # only letters and digits survive, 16 at most


def test_room_page_exists_only_for_real_sessions(client: FlaskClient, game: Any) -> None:
    session = game()
    ok = client.get(f"/room/{session.session_id}")
    assert ok.status_code == 200
    assert f'data-session-id="{session.session_id}"' in ok.get_data(as_text=True)
    missing = client.get("/room/s_nope")
    assert missing.status_code == 404
    assert "nothing at this address" in missing.get_data(as_text=True)


def test_clock_answers_the_server_time(client: FlaskClient, clock: Any) -> None:
    clock.now = 1_812_345_678.5
    answer = client.get("/clock")
    assert answer.get_json() == {"now": 1_812_345_678.5}
    assert answer.headers["Cache-Control"] == "no-store"


# --- sign-in and CSRF ---------------------------------------------------------------------------


def test_facilitator_pages_need_sign_in(client: FlaskClient, game: Any) -> None:
    sid = game().session_id
    for template in ("/facilitator/sessions", *FACILITATOR_PAGES):
        response = client.get(template.format(sid=sid))
        assert response.status_code == 302, template
        assert response.headers["Location"].startswith("/facilitator?next=")


def test_sign_in_without_csrf_token_is_refused(client: FlaskClient) -> None:
    response = client.post("/facilitator", data={"password": PASSWORD})
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    assert client.get("/facilitator/sessions").status_code == 302


def test_sign_in_with_a_forged_csrf_token_is_refused(client: FlaskClient) -> None:
    client.get("/facilitator")
    response = client.post("/facilitator", data={"password": PASSWORD, "csrf_token": "forged"})
    assert response.status_code == 400
    assert client.get("/facilitator/sessions").status_code == 302


def test_wrong_password_is_explained(client: FlaskClient) -> None:
    token = csrf_from(client.get("/facilitator").get_data(as_text=True))
    response = client.post("/facilitator", data={"password": "nope", "csrf_token": token})
    assert response.status_code == 401
    assert "not the facilitator password" in response.get_data(as_text=True)


def test_sign_in_redirects_only_to_local_paths(client: FlaskClient) -> None:
    token = csrf_from(client.get("/facilitator").get_data(as_text=True))
    response = client.post("/facilitator", data={
        "password": PASSWORD, "csrf_token": token, "next": "//evil.example/phish"})
    assert response.headers["Location"] == "/facilitator/sessions"


def test_session_list_shows_the_catalogue(signed_in: FlaskClient, app: Flask) -> None:
    html = signed_in.get("/facilitator/sessions").get_data(as_text=True)
    for scenario in app.extensions["practicum"].catalog.values():
        assert scenario.title.replace("'", "&#39;") in html
        assert scenario.company.industry.replace("'", "&#39;") in html
        assert f"{sum(r.minutes for r in scenario.rounds)} min" in html


def test_creating_a_session_needs_the_csrf_token(signed_in: FlaskClient, app: Flask) -> None:
    service = app.extensions["practicum"]
    refused = signed_in.post("/facilitator/sessions", data={"scenario": "harbor"})
    assert refused.status_code == 400
    assert service.list_sessions() == []
    token = csrf_from(signed_in.get("/facilitator/sessions").get_data(as_text=True))
    created = signed_in.post("/facilitator/sessions",
                             data={"scenario": "harbor", "csrf_token": token})
    assert created.status_code == 302
    [session] = service.list_sessions()
    assert created.headers["Location"] == f"/facilitator/sessions/{session['id']}"
    console = signed_in.get(created.headers["Location"]).get_data(as_text=True)
    assert session["joinCode"] in console
    assert f"/join/{session['joinCode']}" in console


def test_sign_out_needs_the_csrf_token(signed_in: FlaskClient) -> None:
    assert signed_in.post("/facilitator/sign-out").status_code == 400
    assert signed_in.get("/facilitator/sessions").status_code == 200
    token = csrf_from(signed_in.get("/facilitator/sessions").get_data(as_text=True))
    assert signed_in.post("/facilitator/sign-out", data={"csrf_token": token}).status_code == 302
    assert signed_in.get("/facilitator/sessions").status_code == 302


def test_join_qr_code_is_an_svg_of_the_join_link(signed_in: FlaskClient, game: Any) -> None:
    session = game()
    response = signed_in.get(f"/facilitator/sessions/{session.session_id}/qr.svg")
    assert response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert svg.startswith("<svg") and "<path" in svg


# --- the stage ----------------------------------------------------------------------------------


def test_the_console_opens_the_stage_through_a_fresh_link(
    signed_in: FlaskClient, app: Flask, game: Any
) -> None:
    session = game()
    sid = session.session_id
    tokens = app.extensions["practicum.tokens"]
    opened = signed_in.get(f"/facilitator/sessions/{sid}/stage")
    assert opened.status_code == 302
    token = opened.headers["Location"].rsplit("/stage/", 1)[1]
    assert tokens.stage(token) == sid
    old = signed_in.get(f"/facilitator/sessions/{sid}/projector")  # an old bookmark
    assert old.headers["Location"] == f"/facilitator/sessions/{sid}/stage"
    link = signed_in.get(f"/facilitator/sessions/{sid}/stage-link").get_json()
    assert link["expiresIn"] == 30 * 60 and tokens.stage(link["url"].rsplit("/", 1)[1]) == sid
    assert signed_in.get("/facilitator/sessions/s_nope/stage").status_code == 404


def test_the_stage_page_needs_only_its_link(client: FlaskClient, app: Flask, game: Any) -> None:
    session = game()
    token = app.extensions["practicum.tokens"].stage_token(session.session_id)
    response = client.get(f"/stage/{token}")  # nobody signed in
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'type="module" src="/static/js/stage.js"' in html
    assert session.code in html
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    qr = client.get(f"/stage/{token}/qr.svg")
    assert qr.mimetype == "image/svg+xml" and qr.get_data(as_text=True).startswith("<svg")
    for bad in ("nonsense", token[:-2] + "xx"):
        assert client.get(f"/stage/{bad}").status_code == 403
        assert client.get(f"/stage/{bad}/qr.svg").status_code == 403


# --- exports ------------------------------------------------------------------------------------


def _played(game: Any, app: Flask) -> Any:
    """Two teams, round 1 submitted by one, scored (one override) and published."""
    session = game("harbor")
    scenario = app.extensions["practicum"].catalog["harbor"]
    session.learner("l_ada", "Ada")
    session.learner("l_bo", "=HYPERLINK(\"http://x\")")
    session.team("l_ada", "t_alpha", "Alpha")
    session.team("l_bo", "t_bravo", "+Bravo")
    session.run("start_session", {})
    session.run("write_text", {"field": "gap", "text": "FCR 66% to 74% by Q4"}, "l_ada")
    session.run("write_text", {"field": "contract", "text": "Agree a diagnostic phase"}, "l_ada")
    session.run("submit_round", {}, "l_ada")
    first_round = [c for c in scenario.rubric if c.round == "r_contract"]
    facilitator = [c for c in first_round if c.kind == "facilitator"]
    auto = [c for c in first_round if c.kind == "auto"]
    session.run("score_round", {
        "team": "t_alpha", "round": "r_contract",
        "levels": {c.id: 3 for c in facilitator}, "comment": "Good, \"tight\" contract",
        "overrides": {auto[0].id: {"points": 2, "reason": "Partly quantified"}},
    })
    session.run("publish_scores", {"round": "r_contract"})
    return session, scenario, facilitator, auto


def test_scores_csv_has_one_row_per_team_per_component(
    signed_in: FlaskClient, game: Any, app: Flask
) -> None:
    session, scenario, facilitator, auto = _played(game, app)
    response = signed_in.get(f"/facilitator/sessions/{session.session_id}/scores.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _rows(response.get_data(as_text=True))
    assert len(rows) == 2 * len(scenario.rubric)
    assert list(rows[0]) == [
        "session_id", "team_id", "team_name", "members", "round_id", "round_name",
        "component_id", "component_name", "kind", "points", "max_points", "level",
        "computed_points", "override_reason", "published", "explanation", "comment"]
    alpha = {r["component_id"]: r for r in rows if r["team_id"] == "t_alpha"}
    overridden = alpha[auto[0].id]
    assert overridden["points"] == "2"
    assert overridden["override_reason"] == "Partly quantified"
    assert overridden["computed_points"] != ""
    assert overridden["published"] == "yes"
    for component in facilitator:
        assert alpha[component.id]["level"] == "3"
        assert float(alpha[component.id]["points"]) == component.weight * 3 / 4
        assert alpha[component.id]["comment"] == 'Good, "tight" contract'
    later = [r for r in alpha.values() if r["round_id"] != "r_contract"]
    assert later and all(r["points"] == "" and r["published"] == "no" for r in later)
    # Spreadsheet formulas in user text are neutralised.
    bravo = [r for r in rows if r["team_id"] == "t_bravo"]
    assert bravo[0]["team_name"] == "'+Bravo"
    assert bravo[0]["members"] == "'=HYPERLINK(\"http://x\")"


def test_events_csv_lists_the_whole_log(signed_in: FlaskClient, game: Any, app: Flask) -> None:
    session, *_ = _played(game, app)
    rows = _rows(signed_in.get(
        f"/facilitator/sessions/{session.session_id}/events.csv").get_data(as_text=True))
    stored = app.extensions["practicum"].stored_events(session.session_id)
    assert [int(r["seq"]) for r in rows] == [e["seq"] for e in stored]
    written = [r for r in rows if r["type"] == "text_edited"]
    assert {r["team_name"] for r in written} == {"Alpha"}
    assert json.loads(written[0]["data_json"])["field"] in ("gap", "contract")
    assert rows[0]["time_utc"].startswith("2027-01-15")


def test_json_export_holds_the_board_and_the_events(
    signed_in: FlaskClient, game: Any, app: Flask
) -> None:
    session, *_ = _played(game, app)
    exported = signed_in.get(
        f"/facilitator/sessions/{session.session_id}/export.json").get_json()
    assert exported["sessionId"] == session.session_id
    assert [t["name"] for t in exported["board"]["teams"]] == ["Alpha", "+Bravo"]
    assert len(exported["events"]) == len(
        app.extensions["practicum"].stored_events(session.session_id))


def test_score_preview_scores_the_draft_without_storing(
    signed_in: FlaskClient, game: Any, app: Flask
) -> None:
    session = game("harbor")
    session.learner("l_ada", "Ada")
    session.team("l_ada", "t_alpha", "Alpha")
    session.run("start_session", {})
    url = f"/facilitator/sessions/{session.session_id}/score-preview"
    before = len(app.extensions["practicum"].stored_events(session.session_id))
    preview = signed_in.get(f"{url}?team=t_alpha&round=r_contract").get_json()
    assert preview["ok"] is True
    scenario = app.extensions["practicum"].catalog["harbor"]
    assert set(preview["components"]) == {
        c.id for c in scenario.rubric if c.round == "r_contract"}
    assert len(app.extensions["practicum"].stored_events(session.session_id)) == before
    assert signed_in.get(f"{url}?team=t_nope&round=r_contract").status_code == 404
