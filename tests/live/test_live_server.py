"""The real eventlet server over real websockets: a full session, reconnects, and SIGKILL."""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.live

TEAM_ACTIONS = {
    # round id -> (event, payload) in order; the expert-ish path for harbor
    "r_contract": [
        ("run_diagnostic", {"diagnostic": "d_fcr_trend"}),
        ("run_diagnostic", {"diagnostic": "d_kb_owner_interview"}),
        (
            "mark_evidence",
            {"diagnostic": "d_kb_owner_interview", "cause": "rc_kb_search", "stance": 1},
        ),
        (
            "write_text",
            {
                "field": "gap",
                "text": "First-contact resolution fell from 78% to 64%;"
                " the sponsor's target is 74%.",
            },
        ),
        ("write_text", {"field": "contract", "text": "Diagnose before we design any course."}),
    ],
    "r_causes": [
        ("declare_cause", {"cause": "rc_kb_search", "cell": "cell_tools", "confidence": 0.8}),
        ("rule_out_cause", {"cause": "rc_product_knowledge", "ruledOut": True}),
        ("write_text", {"field": "cause_rationale", "text": "The search fails common queries."}),
    ],
    "r_design": [
        ("select_intervention", {"intervention": "i_search_fix", "startWeek": 0}),
        ("write_text", {"field": "design", "text": "Fix search, then governance."}),
    ],
    "r_evaluate": [
        ("select_metric", {"metric": "m_fcr", "target": 74}),
        ("set_isolation", {"isolation": "iso_pilot"}),
        ("write_text", {"field": "pitch", "text": "Pilot at one site against the others."}),
    ],
}


def _join(clients, server, code: str, name: str):
    learner = clients(server, "/play")
    ack = learner.call("join_session", code=code, name=name)
    assert ack["ok"], ack
    learner.token = ack["token"]
    learner.learner_id = ack["learnerId"]
    return learner


def _lobby(clients, server):
    session = server.create_session("harbor")
    facilitator = clients(server, "/facilitate", auth={"token": server.token()})
    facilitator.session_id = session["sessionId"]
    assert facilitator.call("watch", sessionId=session["sessionId"])["ok"]
    teams = {}
    members = {}
    for team_name, names in (("Alpha", ("Ana", "Ben")), ("Beta", ("Cy", "Dee"))):
        first = _join(clients, server, session["joinCode"], names[0])
        team_id = first.call("create_team", name=team_name)["teamId"]
        second = _join(clients, server, session["joinCode"], names[1])
        assert second.call("join_team", team=team_id)["ok"]
        teams[team_name] = team_id
        members[team_name] = (first, second)
    return session, facilitator, teams, members


def test_facilitator_and_two_teams_play_harbor_from_lobby_to_debrief(server, clients):
    session, facilitator, teams, members = _lobby(clients, server)
    assert facilitator.call("start_session")["ok"]
    for round_id, actions in TEAM_ACTIONS.items():
        for first, second in members.values():
            for event, payload in actions:
                ack = first.call(event, **payload)
                assert ack["ok"], (round_id, event, ack)
            # Each edit reached the teammate live; check the last one.
            second.wait_for(
                "team",
                lambda team: (
                    bool(team.get("texts"))
                    and any(
                        f in team["texts"] for f in ("gap", "cause_rationale", "design", "pitch")
                    )
                ),
            )
            assert second.call("submit_round")["ok"]
            first.wait_for("team", lambda team, r=round_id: r in team["submissions"])
        for team_id in teams.values():
            scored = facilitator.call(
                "score_round", team=team_id, round=round_id, levels={}, comment="", overrides={}
            )
            assert scored["ok"], scored
        assert facilitator.call("publish_scores", round=round_id)["ok"]
        assert facilitator.call("advance")["ok"]
    ana = members["Alpha"][0]
    team = ana.wait_for("team", lambda t: t.get("debrief") is not None)
    assert set(team["scores"]) == set(TEAM_ACTIONS)
    debrief = team["debrief"]
    assert debrief  # the outcome and the truth are revealed at debrief
    public = ana.wait_for("public", lambda p: p["phase"] == "debrief")
    assert len(public["leaderboard"]) == 2
    board = facilitator.wait_for("board", lambda b: b["public"]["phase"] == "debrief")
    assert {t["name"] for t in board["teams"]} == {"Alpha", "Beta"}
    assert facilitator.call("end_session")["ok"]
    assert ana.call("chat", text="bye")["code"] == "session/closed"


def test_learner_reconnects_with_a_new_socket_and_resumes(server, clients):
    session, facilitator, teams, members = _lobby(clients, server)
    assert facilitator.call("start_session")["ok"]
    ana, ben = members["Alpha"]
    assert ana.call("run_diagnostic", diagnostic="d_fcr_trend")["ok"]
    ana.close()
    again = clients(server, "/play", auth={"token": ana.token})
    view = again.wait_for("view", lambda v: v["me"]["learnerId"] == ana.learner_id)
    assert view["team"]["id"] == teams["Alpha"]
    assert [d["diagnostic"] for d in view["team"]["diagnostics"]] == ["d_fcr_trend"]
    assert again.call("chat", text="back again")["ok"]
    ben.wait_for("team", lambda t: t["chat"] and t["chat"][-1]["text"] == "back again")


def test_sigkill_mid_round_loses_no_acknowledged_action(server, clients):
    session, facilitator, teams, members = _lobby(clients, server)
    assert facilitator.call("start_session")["ok"]
    ana, ben = members["Alpha"]
    cy, _ = members["Beta"]
    acked = []
    for index in range(25):
        ack = ana.call("chat", text=f"message {index}")
        assert ack["ok"]
        acked.append(f"message {index}")
    assert cy.call("run_diagnostic", diagnostic="d_fcr_trend")["ok"]
    assert ana.call("write_text", field="gap", text="gap before the crash")["ok"]
    board = facilitator.call("watch", sessionId=session["sessionId"])["board"]
    deadline = board["public"]["deadline"]

    server.kill()  # SIGKILL: no shutdown hook runs
    server.start()

    back = clients(server, "/play", auth={"token": ana.token})
    view = back.wait_for("view", lambda v: v["me"]["learnerId"] == ana.learner_id)
    team = view["team"]
    assert [m["text"] for m in team["chat"]] == acked
    assert team["texts"]["gap"] == "gap before the crash"
    assert view["public"]["deadline"] == pytest.approx(deadline)
    remaining = view["public"]["remaining"]
    assert remaining == pytest.approx(deadline - time.time(), abs=3)
    beta = clients(server, "/play", auth={"token": cy.token})
    beta_view = beta.wait_for("view", lambda v: v["team"] is not None)
    assert [d["diagnostic"] for d in beta_view["team"]["diagnostics"]] == ["d_fcr_trend"]
    # Clients carry on where they were.
    assert back.call("chat", text="after the crash")["ok"]
    facilitator_again = clients(server, "/facilitate", auth={"token": server.token()})
    facilitator_again.session_id = session["sessionId"]
    assert facilitator_again.call("watch", sessionId=session["sessionId"])["ok"]
    assert facilitator_again.call("pause")["ok"]


def test_pause_survives_a_crash_with_the_same_remaining_time(server, clients):
    session, facilitator, _teams, members = _lobby(clients, server)
    assert facilitator.call("start_session")["ok"]
    assert facilitator.call("pause")["ok"]
    board = facilitator.call("watch", sessionId=session["sessionId"])["board"]
    remaining = board["public"]["remaining"]
    server.kill()
    time.sleep(1.5)  # wall-clock time passes while the server is down
    server.start()
    ana = members["Alpha"][0]
    back = clients(server, "/play", auth={"token": ana.token})
    view = back.wait_for("view", lambda v: v["me"] is not None)
    assert view["public"]["paused"] is True
    assert view["public"]["remaining"] == pytest.approx(remaining)


def test_replayed_action_id_over_the_wire_changes_nothing(server, clients):
    session, facilitator, _teams, members = _lobby(clients, server)
    assert facilitator.call("start_session")["ok"]
    ana, ben = members["Alpha"]
    first = ana.call("chat", text="once", actionId="fixed-action-0001")
    second = ana.call("chat", text="once", actionId="fixed-action-0001")
    assert first == second and first["ok"]
    server.kill()
    server.start()
    back = clients(server, "/play", auth={"token": ana.token})
    assert back.call("chat", text="once", actionId="fixed-action-0001") == first
    view = back.wait_for("view", lambda v: v["team"] is not None)
    assert [m["text"] for m in view["team"]["chat"]] == ["once"]
