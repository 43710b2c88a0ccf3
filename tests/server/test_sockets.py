"""Socket handlers through Flask-SocketIO's test client: every action, roles, views, validation."""

from __future__ import annotations

import json

import pytest

from tests.server.conftest import action_id


@pytest.fixture
def facilitator(connect, facilitator_token, new_session):
    session_id, code = new_session("harbor")
    player = connect("/facilitate", auth={"token": facilitator_token})
    player.session_id = session_id
    ack = player.send("watch", sessionId=session_id)
    assert ack["ok"], ack
    player.code = code
    return player


def join(connect, code: str, name: str):
    player = connect("/play")
    ack = player.send("join_session", code=code, name=name)
    assert ack["ok"], ack
    player.token = ack["token"]
    player.learner_id = ack["learnerId"]
    player.session_id = ack["sessionId"]
    return player


@pytest.fixture
def two_teams(connect, facilitator):
    """Two teams of two in harbor, round 1 open."""
    ana = join(connect, facilitator.code, "Ana")
    team_a = ana.send("create_team", name="Alpha")
    assert team_a["ok"], team_a
    ben = join(connect, facilitator.code, "Ben")
    assert ben.send("join_team", team=team_a["teamId"])["ok"]
    cy = join(connect, facilitator.code, "Cy")
    team_b = cy.send("create_team", name="Beta")
    dee = join(connect, facilitator.code, "Dee")
    assert dee.send("join_team", team=team_b["teamId"])["ok"]
    assert facilitator.send("start_session")["ok"]
    for player in (ana, ben, cy, dee, facilitator):
        player.received()
    return {
        "facilitator": facilitator,
        "a": (ana, ben),
        "b": (cy, dee),
        "team_a": team_a["teamId"],
        "team_b": team_b["teamId"],
    }


def test_facilitator_namespace_refuses_anonymous_and_learner_tokens(
    connect, app, facilitator_token
):
    assert not connect("/facilitate").client.is_connected("/facilitate")
    learner_token = app.extensions["practicum.tokens"].learner_token("s_x", "l_x")
    refused = connect("/facilitate", auth={"token": learner_token})
    assert not refused.client.is_connected("/facilitate")
    admitted = connect("/facilitate", auth={"token": facilitator_token})
    assert admitted.client.is_connected("/facilitate")


def test_learner_cannot_send_facilitator_events(two_teams):
    ana, _ = two_teams["a"]
    ack = ana.send("advance")
    assert ack["ok"] is False and ack["code"] == "auth/forbidden"
    ack = ana.send("start_session")
    assert ack["code"] == "auth/forbidden"
    assert ana.send("no_such_event")["code"] == "action/unknown"


def test_bad_join_code_and_rate_limit(connect, app, facilitator):
    player = connect("/play")
    assert player.send("join_session", code="ZZZZZZ", name="X")["code"] == "join/bad_code"
    limit = app.config["JOIN_FAILURES_PER_MINUTE"]
    codes = [player.send("join_session", code="ZZZZZZ", name="X")["code"] for _ in range(limit)]
    assert codes[-1] == "join/rate_limited"
    # The limit is per address, so even the right code is refused until the window passes.
    assert player.send("join_session", code=facilitator.code, name="X")["code"] == (
        "join/rate_limited"
    )


def test_join_code_is_forgiving_about_case_and_spaces(connect, facilitator):
    code = facilitator.code
    typed = f" {code[:3].lower()}-{code[3:].lower()} "
    player = connect("/play")
    assert player.send("join_session", code=typed, name="Lou")["ok"]


def test_team_formation_rules(connect, facilitator):
    members = [join(connect, facilitator.code, f"P{i}") for i in range(6)]
    created = members[0].send("create_team", name="Gamma")
    team = created["teamId"]
    assert members[1].send("create_team", name="gamma")["code"] == "team/name_taken"
    for player in members[1:5]:
        assert player.send("join_team", team=team)["ok"]
    assert members[5].send("join_team", team=team)["code"] == "team/full"
    auto = members[5].send("auto_assign")
    assert auto["ok"] and auto.get("teamId") != team
    assert facilitator.send("lock_team", team=team, locked=True)["ok"]
    assert members[4].send("leave_team")["code"] == "team/locked"


def test_teammates_see_each_action_and_the_other_team_sees_nothing(two_teams):
    ana, ben = two_teams["a"]
    cy, dee = two_teams["b"]
    ack = ana.send("run_diagnostic", diagnostic="d_fcr_trend")
    assert ack["ok"], ack
    team_update = ben.last("team")
    finding = team_update["diagnostics"][0]
    assert finding["diagnostic"] == "d_fcr_trend"
    assert finding["ranBy"]["name"] == "Ana"
    leaked = json.dumps(cy.received() + dee.received())
    assert "d_fcr_trend" not in leaked and "Alpha" not in leaked.replace('"name": "Alpha"', "")
    # The public view lists team names; nothing else of team A may reach team B.
    assert finding["finding"][:40] not in leaked


def test_every_team_action_round_by_round(two_teams):
    ana, ben = two_teams["a"]
    facilitator = two_teams["facilitator"]
    ok = lambda ack: ack["ok"] or pytest.fail(str(ack))  # noqa: E731
    ok(ana.send("run_diagnostic", diagnostic="d_kb_owner_interview"))
    ok(ana.send("mark_evidence", diagnostic="d_kb_owner_interview", cause="rc_kb_search", stance=1))
    ok(ben.send("write_text", field="gap", text="FCR fell from 78% to 64%; target 74%."))
    ok(ben.send("write_text", field="contract", text="We agree to diagnose before training."))
    ok(ben.send("chat", text="Submitting round 1"))
    ok(ben.send("submit_round"))
    assert ana.send("write_text", field="gap", text="late edit")["code"] == "round/submitted"
    ok(facilitator.send("reopen_round", team=two_teams["team_a"], round="r_contract"))
    ok(ana.send("write_text", field="gap", text="FCR fell from 78% to 64%; target 74% by Q3."))
    ok(facilitator.send("advance"))
    ok(ana.send("declare_cause", cause="rc_kb_search", cell="cell_tools", confidence=0.8))
    ok(ana.send("declare_cause", cause="rc_qa_feedback", cell="cell_expectations", confidence=0.3))
    ok(ana.send("withdraw_cause", cause="rc_qa_feedback"))
    ok(ana.send("rule_out_cause", cause="rc_product_knowledge", ruledOut=True))
    ok(ana.send("write_text", field="cause_rationale", text="Search logs and side-by-side."))
    ok(ana.send("submit_round"))
    ok(facilitator.send("advance"))
    ok(ana.send("select_intervention", intervention="i_search_fix", startWeek=0))
    ok(ana.send("select_intervention", intervention="i_refresher", startWeek=2))
    ok(ana.send("deselect_intervention", intervention="i_refresher"))
    view = ben.last("team")
    assert [i["intervention"] for i in view["interventions"]] == ["i_search_fix"]
    # Selecting the search fix triggers the automatic release-freeze inject.
    assert any(m["inject"] == "inj_release_freeze" for m in view["injects"])
    ok(ana.send("respond_inject", inject="inj_release_freeze", text="We phase the release."))
    ok(facilitator.send("fire_inject", inject="inj_book_course", teams=[two_teams["team_a"]]))
    ok(ana.send("write_text", field="design", text="Fix search first, then huddles."))
    ok(ana.send("submit_round"))
    ok(facilitator.send("advance"))
    ok(ana.send("select_metric", metric="m_fcr", target=74))
    ok(ana.send("select_metric", metric="m_quiz", target=None))
    ok(ana.send("deselect_metric", metric="m_quiz"))
    ok(ana.send("set_isolation", isolation="iso_pilot"))
    ok(ana.send("write_text", field="pitch", text="Pilot in one site, compare."))
    ok(ana.send("submit_round"))
    view = ben.last("team")
    assert set(view["submissions"]) == {"r_contract", "r_causes", "r_design", "r_evaluate"}


def test_facilitator_clock_controls_and_timeouts(two_teams, clock, app):
    facilitator = two_teams["facilitator"]
    ana, _ = two_teams["a"]
    board = facilitator.send("watch", sessionId=facilitator.session_id)["board"]
    deadline = board["public"]["deadline"]
    assert deadline == pytest.approx(clock.now + 40 * 60)
    assert facilitator.send("pause")["ok"]
    assert ana.last("public")["paused"] is True
    clock.advance(600)
    assert facilitator.send("resume")["ok"]
    public = ana.last("public")
    assert public["deadline"] == pytest.approx(clock.now + 40 * 60)
    assert facilitator.send("extend", minutes=5)["ok"]
    assert ana.last("public")["deadline"] == pytest.approx(clock.now + 45 * 60)
    # The round runs out with nobody acting: the timer sweep moves the session on.
    clock.advance(45 * 60 + 1)
    from practicum.server.app import sweep

    with app.app_context():
        assert sweep(app) == 1
    public = ana.last("public")
    assert public["round"]["id"] == "r_causes"
    # The clock submitted the team's unfinished draft for it.
    assert ana.last("team")["submissions"]["r_contract"]["auto"] is True
    with app.app_context():
        assert sweep(app) == 0  # a second sweep for the round already left does nothing


def test_scoring_and_publication_reach_only_the_team(two_teams):
    facilitator = two_teams["facilitator"]
    ana, ben = two_teams["a"]
    cy, _ = two_teams["b"]
    ana.send("write_text", field="gap", text="FCR 64% now against a 74% target.")
    ana.send("write_text", field="contract", text="Diagnose first.")
    assert ana.send("submit_round")["ok"]
    scored = facilitator.send(
        "score_round",
        team=two_teams["team_a"],
        round="r_contract",
        levels={"c_contracting": 3},
        comment="Good re-contracting.",
        overrides={"c_gap": {"points": 5, "reason": "Target date missing"}},
    )
    assert scored["ok"], scored
    assert ben.received("team") == [] or all(
        not t["args"][0].get("scores") for t in ben.received("team")
    )
    ben.received()
    cy.received()
    assert facilitator.send("publish_scores", round="r_contract")["ok"]
    scores = ben.last("team")["scores"]
    assert "r_contract" in scores
    assert scores["r_contract"]["comment"] == "Good re-contracting."
    # Team B's view did not change, so it may get no patch at all; what it got and what it
    # holds must not carry team A's feedback.
    patches = cy.received("team_patch")
    assert cy.team is not None and cy.team["id"] == two_teams["team_b"]
    assert "Good re-contracting." not in json.dumps([patches, cy.team])
    board = cy.last("public")["leaderboard"]
    assert board[0]["name"] in ("Alpha", "Beta")


def test_move_learner_moves_their_socket_between_rooms(two_teams):
    facilitator = two_teams["facilitator"]
    ana, _ = two_teams["a"]
    cy, dee = two_teams["b"]
    assert facilitator.send("move_learner", learner=ana.learner_id, team=two_teams["team_b"])["ok"]
    view = ana.last("view")
    assert view["team"]["id"] == two_teams["team_b"]
    cy.received()
    assert ana.send("chat", text="hello Beta")["ok"]
    chat = dee.last("team")["chat"]
    assert chat[-1]["text"] == "hello Beta"


def test_team_updates_are_patches_that_carry_only_the_change(two_teams):
    ana, ben = two_teams["a"]
    cy, _ = two_teams["b"]
    for number in range(5):
        assert ana.send("chat", text=f"note {number}")["ok"]
    ben.received()
    cy.received()
    held = ben.team["version"]
    assert ana.send("chat", text="one more")["ok"]
    (patch,) = [m["args"][0] for m in ben.received("team_patch")]
    assert patch["base"] == held and patch["set"] == {}
    assert [m["text"] for m in patch["chat"]] == ["one more"]
    assert patch["chat"][0]["n"] == 5 and patch["chatCount"] == 6
    assert ben.team["chat"][-1]["text"] == "one more" and len(ben.team["chat"]) == 6
    assert ana.send("write_text", field="gap", text="FCR 64% against 74%.")["ok"]
    (patch,) = [m["args"][0] for m in ben.received("team_patch")]
    # The text, who edited it, and the draft's completeness (also in the workable rounds).
    assert set(patch["set"]) <= {"draft", "rounds"}
    # Only the edited field's text and stamp travel (the other texts stay as held).
    assert patch["fields"]["texts"] == {"gap": "FCR 64% against 74%."}
    assert list(patch["fields"]["textMeta"]) == ["gap"]
    assert patch["fields"]["textMeta"]["gap"]["name"] == "Ana"
    assert patch["chat"] == []
    assert [e["kind"] for e in patch["activity"]] == ["text"]
    assert cy.received("team_patch") == []  # the other team hears nothing of it


def test_reconnect_with_token_resumes_the_same_seat(two_teams, connect):
    ana, _ = two_teams["a"]
    ana.send("run_diagnostic", diagnostic="d_fcr_trend")
    ana.client.disconnect(namespace="/play")
    again = connect("/play", auth={"token": ana.token})
    view = again.last("view")
    assert view["me"]["learnerId"] == ana.learner_id
    assert view["team"]["id"] == two_teams["team_a"]
    assert view["team"]["diagnostics"][0]["diagnostic"] == "d_fcr_trend"
    hello = again.send("hello", token=ana.token)
    assert hello["ok"] and hello["view"]["team"]["id"] == two_teams["team_a"]
    assert again.send("hello", token="not-a-valid-token")["code"] == "auth/bad_token"


def test_replayed_action_id_changes_nothing(two_teams, app):
    ana, ben = two_teams["a"]
    store = app.extensions["practicum.store"]
    session_id = ana.session_id
    same = action_id()
    first = ana.send("run_diagnostic", diagnostic="d_fcr_trend", actionId=same)
    seq = store.last_seq(session_id)
    ben.received()
    again = ana.send("run_diagnostic", diagnostic="d_fcr_trend", actionId=same)
    assert again == first
    assert store.last_seq(session_id) == seq
    assert ben.received("team") == []
    # A different action id is a new action, refused on its merits.
    assert ana.send("run_diagnostic", diagnostic="d_fcr_trend")["code"] == "diagnostic/already_run"


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ({"diagnostic": "d_fcr_trend", "actionId": "abcdefgh1", "extra": 1}, "extra: Unknown"),
        ({"diagnostic": 42, "actionId": "abcdefgh2"}, "diagnostic: Not a valid string"),
        ({"actionId": "abcdefgh3"}, "diagnostic: Missing data"),
        ({"diagnostic": "d_fcr_trend", "actionId": "no"}, "actionId"),
        (["d_fcr_trend"], "JSON object"),
        ("text", "JSON object"),
        (None, "JSON object"),
    ],
)
def test_invalid_payloads_are_refused_and_the_socket_survives(two_teams, payload, fragment):
    ana, ben = two_teams["a"]
    ack = ana.raw("run_diagnostic", payload)
    assert ack["ok"] is False and ack["code"] == "payload/invalid"
    assert fragment in ack["message"]
    assert ana.send("chat", text="still here")["ok"]


def test_a_message_with_two_arguments_or_none_is_refused_and_the_socket_survives(two_teams):
    ana, _ = two_teams["a"]
    two = ana.client.emit(
        "chat", {"actionId": "abcdefgh7", "text": "a"}, "b", namespace="/play", callback=True
    )
    assert two["code"] == "payload/invalid" and "one JSON object" in two["message"]
    assert ana.client.emit("chat", namespace="/play", callback=True)["code"] == "payload/invalid"
    assert ana.send("chat", text="still here")["ok"]


def test_oversized_payload_is_refused_and_the_socket_survives(two_teams):
    ana, _ = two_teams["a"]
    ack = ana.raw("chat", {"actionId": "abcdefgh9", "text": "x" * 20_000})
    assert ack["code"] == "payload/too_large"
    assert ana.send("chat", text="still here")["ok"]


def test_rate_limit_answers_with_a_code(app, connect, facilitator):
    app.config["RATE_PER_SECOND"] = 1.0
    app.config["RATE_BURST"] = 3
    player = connect("/play")
    codes = [player.send("join_session", code="ZZZZZZ", name="X")["code"] for _ in range(5)]
    assert codes[:3] == ["join/bad_code"] * 3
    assert codes[3:] == ["rate/limited"] * 2


def test_engine_rejections_carry_codes(two_teams):
    ana, _ = two_teams["a"]
    assert ana.send("run_diagnostic", diagnostic="d_nope")["code"] == "ref/unknown_diagnostic"
    assert (
        ana.send("declare_cause", cause="rc_kb_search", cell="cell_tools", confidence=0.5)["code"]
        == "action/not_allowed"
    )
    assert ana.send("run_diagnostic", diagnostic="d_search_logs")["code"] in (
        "diagnostic/not_open",
        "diagnostic/locked",
    )


def test_debrief_and_end(two_teams):
    facilitator = two_teams["facilitator"]
    ana, _ = two_teams["a"]
    for _ in range(4):
        assert facilitator.send("advance")["ok"]
    team = ana.last("team")
    assert team["debrief"] is not None
    assert ana.last("public")["phase"] == "debrief"
    assert facilitator.send("end_session")["ok"]
    assert ana.send("chat", text="bye")["code"] == "session/closed"


def test_moves_and_joins_announce_presence_to_both_teams(two_teams):
    facilitator = two_teams["facilitator"]
    ana, ben = two_teams["a"]
    cy, _ = two_teams["b"]
    ben.received()
    cy.received()
    assert facilitator.send("move_learner", learner=ana.learner_id, team=two_teams["team_b"])["ok"]
    assert ben.last("presence")["teamId"] == two_teams["team_a"]
    assert cy.last("presence")["teamId"] == two_teams["team_b"]


def test_inject_notice_names_the_sender_not_their_id(two_teams):
    facilitator = two_teams["facilitator"]
    ana, _ = two_teams["a"]
    for _ in range(2):
        assert facilitator.send("advance")["ok"]
    ana.received()
    assert facilitator.send("fire_inject", inject="inj_book_course", teams=None)["ok"]
    notices = [n["args"][0] for n in ana.received("notice") if n["args"][0]["kind"] == "inject"]
    assert notices and "st_" not in notices[0]["text"]
    assert "Ingrid Solberg" in notices[0]["text"]
