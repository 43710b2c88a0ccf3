"""HTML pages without a browser: rendering, sign-in, CSRF, access control, QR code, exports."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from ui_helpers import PASSWORD, csrf_from

FACILITATOR_PAGES = (
    "/facilitator/sessions/{sid}",
    "/facilitator/sessions/{sid}/projector",
    "/facilitator/sessions/{sid}/stage",
    "/facilitator/sessions/{sid}/stage-link",
    "/facilitator/sessions/{sid}/teams/t_x/timeline",
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
    assert "Wrong user name or password" in response.get_data(as_text=True)


def test_sign_in_redirects_only_to_local_paths(client: FlaskClient) -> None:
    token = csrf_from(client.get("/facilitator").get_data(as_text=True))
    response = client.post("/facilitator", data={
        "password": PASSWORD, "csrf_token": token, "next": "//evil.example/phish"})
    assert response.headers["Location"] == "/facilitator/sessions"


def test_session_list_shows_the_catalogue(signed_in: FlaskClient, app: Flask) -> None:
    html = signed_in.get("/facilitator/sessions").get_data(as_text=True)
    for scenario in app.extensions["practicum"].catalog.values():
        assert str(escape(scenario.title)) in html
        assert str(escape(scenario.company.industry)) in html
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


def test_a_session_is_created_with_its_settings(signed_in: FlaskClient, app: Flask) -> None:
    service = app.extensions["practicum"]
    scenario = service.catalog["harbor"]
    page = signed_in.get("/facilitator/sessions").get_data(as_text=True)
    token = csrf_from(page)
    assert 'name="minutes_percent"' in page and 'name="inject_on"' in page
    kept = [i.id for i in scenario.injects][1:]
    form = {"scenario": "harbor", "csrf_token": token, "minutes_percent": "50",
            "team_min": "2", "team_max": "6", "inject_on": kept}
    created = signed_in.post("/facilitator/sessions", data=form)  # leaderboard unticked
    assert created.status_code == 302
    [session] = service.list_sessions()
    events = service.stored_events(session["id"])
    assert [e["type"] for e in events] == ["session_created", "session_configured"]
    assert events[1]["data"]["minutes_scale"] == 0.5
    assert events[1]["data"]["disabled_injects"] == [scenario.injects[0].id]
    assert events[1]["data"]["leaderboard"] is False
    exported = signed_in.get(f"/facilitator/sessions/{session['id']}/export.json").get_json()
    assert exported["board"]["settings"]["teamSize"] == {"min": 2, "max": 6}
    rows = _download(signed_in, type("S", (), {"session_id": session["id"]}), "events.csv")
    assert "50%" in rows[1]["detail"] and "leaderboard off" in rows[1]["detail"]
    # Left as the form offers them, the settings store nothing.
    form = {"scenario": "harbor", "csrf_token": token, "minutes_percent": "100",
            "team_min": str(scenario.team_size.min), "team_max": str(scenario.team_size.max),
            "inject_on": [i.id for i in scenario.injects], "leaderboard": "1"}
    signed_in.post("/facilitator/sessions", data=form)
    [newest] = [s for s in service.list_sessions() if s["id"] != session["id"]]
    assert [e["type"] for e in service.stored_events(newest["id"])] == ["session_created"]
    # Impossible ones create nothing and say why.
    form["team_min"] = "9"
    refused = signed_in.post("/facilitator/sessions", data=form, follow_redirects=True)
    assert "smallest size cannot exceed" in refused.get_data(as_text=True)
    assert len(service.list_sessions()) == 2


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
    """Two teams, round 1 submitted by one, scored (one override) and published; then Cy moves
    from Alpha to Bravo in round 2 and Bravo is scored there too."""
    session = game("harbor")
    scenario = app.extensions["practicum"].catalog["harbor"]
    session.learner("l_ada", "Ada")
    session.learner("l_bo", "=HYPERLINK(\"http://x\")")
    session.learner("l_cy", "Cy")
    session.team("l_ada", "t_alpha", "Alpha")
    session.team("l_bo", "t_bravo", "+Bravo")
    session.run("join_team", {"team": "t_alpha"}, "l_cy")
    session.run("start_session", {})
    session.run("write_text", {"field": "gap", "text": "FCR 66% to 74% by Q4"}, "l_ada")
    session.run("write_text", {"field": "contract", "text": "Agree a diagnostic phase"}, "l_cy")
    session.run("chat", {"text": "I'll take the contract"}, "l_cy")
    session.run("submit_round", {}, "l_ada")
    first_round = [c for c in scenario.rubric if c.round == "r_contract"]
    facilitator = [c for c in first_round if c.kind == "facilitator"]
    auto = [c for c in first_round if c.kind == "auto"]
    session.run("score_round", {
        "team": "t_alpha", "round": "r_contract",
        "levels": {c.id: 3 for c in facilitator}, "comment": "Good, \"tight\" contract",
        "overrides": {auto[0].id: {"points": 2, "reason": "Partly quantified"}},
    })
    session.run("score_round", {
        "team": "t_bravo", "round": "r_contract", "levels": {c.id: 1 for c in facilitator},
        "comment": "", "overrides": {},
    })
    session.run("publish_scores", {"round": "r_contract"})
    session.run("advance", {})
    session.run("move_learner", {"learner": "l_cy", "team": "t_bravo"})
    return session, scenario, facilitator, auto


def _download(signed_in: FlaskClient, session: Any, name: str) -> list[dict[str, str]]:
    response = signed_in.get(f"/facilitator/sessions/{session.session_id}/{name}")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return _rows(response.get_data(as_text=True))


def test_scores_csv_has_totals_ranks_and_membership_as_it_was(
    signed_in: FlaskClient, game: Any, app: Flask
) -> None:
    session, scenario, facilitator, auto = _played(game, app)
    rows = _download(signed_in, session, "scores.csv")
    assert len(rows) == 2 * len(scenario.rubric)
    assert list(rows[0])[:4] == ["team_rank", "team_name", "team_total", "team_max"]
    alpha = {r["component_id"]: r for r in rows if r["team_id"] == "t_alpha"}
    bravo = {r["component_id"]: r for r in rows if r["team_id"] == "t_bravo"}
    overridden = alpha[auto[0].id]
    assert float(overridden["points"]) == 2
    assert overridden["override_reason"] == "Partly quantified"
    assert overridden["computed_points"] != ""
    assert overridden["published"] == "yes"
    for component in facilitator:
        assert alpha[component.id]["level"] == "3"
        assert float(alpha[component.id]["points"]) == round(component.weight * 3 / 4, 1)
        assert alpha[component.id]["comment"] == 'Good, "tight" contract'
    # Points are rounded for display: one decimal at most, everywhere.
    for row in rows:
        for key in ("points", "team_total", "round_total", "computed_points"):
            if row[key]:
                assert float(row[key]) == round(float(row[key]), 1), (key, row[key])
    # The team total is the sum of its scored rounds; ranks follow the totals.
    any_alpha = next(iter(alpha.values()))
    scored = {r["round_id"]: float(r["round_total"]) for r in alpha.values() if r["round_total"]}
    assert abs(float(any_alpha["team_total"]) - sum(scored.values())) < 0.1
    totals = {r["team_name"]: (int(r["team_rank"]), float(r["team_total"])) for r in rows}
    assert totals["Alpha"][0] == 1 and totals["'+Bravo"][0] == 2
    assert totals["Alpha"][1] > totals["'+Bravo"][1]
    later = [r for r in alpha.values() if r["round_id"] != "r_contract"]
    assert later and all(r["points"] == "" and r["published"] == "no" for r in later)
    # Who was in the team in each round: Cy worked round 1 in Alpha, round 2 in Bravo.
    assert alpha[facilitator[0].id]["members_in_round"] == "Ada; Cy"
    second = [c.id for c in scenario.rubric if c.round == scenario.rounds[1].id]
    assert bravo[second[0]]["members_in_round"] == "'=HYPERLINK(\"http://x\"); Cy"
    assert alpha[second[0]]["members_in_round"] == "Ada; Cy"  # until the move, mid-round
    # Spreadsheet formulas in user text are neutralised.
    assert bravo[second[0]]["team_name"] == "'+Bravo"


def test_teams_csv_ranks_teams_with_points_and_members_per_round(
    signed_in: FlaskClient, game: Any, app: Flask
) -> None:
    session, scenario, *_ = _played(game, app)
    rows = _download(signed_in, session, "teams.csv")
    assert [(r["rank"], r["team_name"]) for r in rows] == [("1", "Alpha"), ("2", "'+Bravo")]
    first = scenario.rounds[0].name
    second = scenario.rounds[1].name
    assert rows[0][f"{first}: members"] == "Ada; Cy"
    assert rows[1][f"{second}: members"] == "'=HYPERLINK(\"http://x\"); Cy"
    assert float(rows[0]["total"]) == float(rows[0][f"{first}: points"])
    assert float(rows[0]["published_total"]) == float(rows[0]["total"])
    assert rows[0]["members_now"] == "Ada"


def test_learners_csv_counts_each_persons_contributions(
    signed_in: FlaskClient, game: Any, app: Flask
) -> None:
    session, *_ = _played(game, app)
    rows = {r["learner_name"]: r for r in _download(signed_in, session, "learners.csv")}
    assert set(rows) == {"Ada", "Cy", "'=HYPERLINK(\"http://x\")"}
    cy = rows["Cy"]
    assert (int(cy["chat_messages"]), int(cy["text_edits"])) == (1, 1)
    assert cy["team_now"] == "'+Bravo"
    ada = rows["Ada"]
    assert (int(ada["text_edits"]), int(ada["rounds_submitted"])) == (1, 1)
    assert int(ada["actions"]) >= 1  # the submission
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", ada["joined_utc"])


def test_events_csv_reads_in_words_with_iso_dates(
    signed_in: FlaskClient, game: Any, app: Flask
) -> None:
    session, *_ = _played(game, app)
    rows = _download(signed_in, session, "events.csv")
    stored = app.extensions["practicum"].stored_events(session.session_id)
    assert [int(r["seq"]) for r in rows] == [e["seq"] for e in stored]
    assert list(rows[0]) == ["seq", "time_utc", "who", "team", "what", "detail", "type",
                             "action_id"]
    assert all(re.fullmatch(r"2027-01-15T\d\d:\d\d:\d\dZ", r["time_utc"]) for r in rows)
    written = [r for r in rows if r["type"] == "text_edited"]
    assert {(r["who"], r["team"]) for r in written} == {("Ada", "Alpha"), ("Cy", "Alpha")}
    assert [r["type"] for r in rows if not r["detail"] or "{" in r["detail"]] == []
    chat = next(r for r in rows if r["type"] == "chat_posted")
    assert (chat["who"], chat["what"], chat["detail"]) == (
        "Cy", "Chat message", "I'll take the contract")
    scored = next(r for r in rows if r["type"] == "round_scored")
    assert scored["who"] == "Facilitator" and "points" in scored["detail"]
    submitted = next(r for r in rows if r["type"] == "round_submitted")
    assert submitted["detail"].startswith("Ada submitted ")  # the sentence names her once
    moved = [r for r in rows if r["type"] == "learner_assigned"][-1]
    assert moved["who"] == "Facilitator" and moved["detail"] == "Cy moved to +Bravo"


def test_json_export_holds_the_board_and_the_events_with_iso_dates(
    signed_in: FlaskClient, game: Any, app: Flask
) -> None:
    session, *_ = _played(game, app)
    exported = signed_in.get(
        f"/facilitator/sessions/{session.session_id}/export.json").get_json()
    assert exported["sessionId"] == session.session_id
    assert [t["name"] for t in exported["board"]["teams"]] == ["Alpha", "+Bravo"]
    stored = app.extensions["practicum"].stored_events(session.session_id)
    assert len(exported["events"]) == len(stored)
    iso = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
    assert iso.fullmatch(exported["exportedAt"])
    assert all(iso.fullmatch(e["at"]) for e in exported["events"])
    assert iso.fullmatch(exported["board"]["learners"][0]["joinedAt"])
    assert iso.fullmatch(exported["board"]["public"]["deadline"])
    # Raw points stay unrounded in JSON, and event data keep the facts a replay reads.
    assert exported["events"][-1]["data"] == stored[-1]["data"]


def test_a_teams_path_is_read_back_from_the_log(
    signed_in: FlaskClient, game: Any, app: Flask
) -> None:
    session, scenario, *_ = _played(game, app)
    base = f"/facilitator/sessions/{session.session_id}/teams"
    entries = signed_in.get(f"{base}/t_alpha/timeline").get_json()["entries"]
    kinds = [e["type"] for e in entries]
    assert "chat_posted" not in kinds and "round_submitted" in kinds
    assert {e["by"] for e in entries if e["type"] == "text_edited"} == {"Ada", "Cy"}
    last = signed_in.get(f"{base}/t_alpha/timeline/{entries[-1]['index']}").get_json()
    kpi = scenario.kpis[0].id
    assert len(last["outlook"]["plan"][kpi]) == scenario.simulation.quarters + 1
    assert "plan" in last["entry"]
    assert signed_in.get(f"{base}/t_nope/timeline").status_code == 404
    assert signed_in.get(f"{base}/t_alpha/timeline/99999").status_code == 404


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
