"""The shared team room over sockets: one publish path, notices that reach people, ready marks,
team moves, the activity feed as appended entries, reopened rounds and the facilitator's notes."""

from __future__ import annotations

import json

from practicum.engine import Event
from practicum.engine.views import team_view
from practicum.server.notices import notices_for
from practicum.server.viewsync import apply_team_patch
from tests.engine.fixtures import FAC, Game
from tests.server.test_sockets import facilitator, join, two_teams  # noqa: F401 - fixtures

ROUND_MINUTES = 40  # harbor's first round


def notices(player, kind: str | None = None) -> list[dict]:
    found = [m["args"][0] for m in player.received("notice")]
    return [n for n in found if kind is None or n["kind"] == kind]


def test_a_join_just_after_the_deadline_tells_everyone_the_round_moved_on(
    two_teams, connect, clock  # noqa: F811
):
    facilitator_ = two_teams["facilitator"]
    ana, ben = two_teams["a"]
    cy, _ = two_teams["b"]
    clock.advance(ROUND_MINUTES * 60 + 1)  # nobody ticks: the next command closes the round
    late = join(connect, facilitator_.code, "Eve")
    assert late.team is None
    # The round closed on the join, and everyone already in the session was told so.
    assert ana.last("public")["round"]["id"] == "r_causes"
    assert cy.last("public")["round"]["id"] == "r_causes"
    said = notices(ben)
    assert {"kind": "timeout", "text": "Time is up: your draft was submitted as it stood.",
            "round": "r_contract", "outcome": "auto_submitted"} in said
    assert any(n["kind"] == "round" and "opened" in n["text"] for n in said)
    assert ben.last("team")["submissions"]["r_contract"]["auto"] is True
    assert facilitator_.last("board")["public"]["round"]["id"] == "r_causes"


def test_each_team_hears_what_the_timeout_did_to_its_draft(two_teams, clock, app):  # noqa: F811
    ana, ben = two_teams["a"]
    cy, _ = two_teams["b"]
    ana.send("write_text", field="gap", text="FCR 64% now against a 74% target.")
    ana.send("write_text", field="contract", text="Diagnose first.")
    assert ana.send("submit_round")["ok"]
    ben.received()
    cy.received()
    clock.advance(ROUND_MINUTES * 60 + 1)
    from practicum.server.app import sweep

    with app.app_context():
        assert sweep(app) == 1
    (told_a,) = notices(ben, "timeout")
    (told_b,) = notices(cy, "timeout")
    assert told_a["text"] == "Time is up: your team had already submitted."
    assert told_b["text"] == "Time is up: your draft was submitted as it stood."
    held_a, held_b = ben.last("team"), cy.last("team")
    assert held_a["submissions"]["r_contract"]["auto"] is False
    assert held_b["submissions"]["r_contract"]["auto"] is True
    feed = [e["text"] for e in held_b["activity"]]
    assert "Time ran out: the draft was submitted as it stood" in feed


def test_a_lock_timeout_says_the_round_is_locked():
    game = Game()
    game.started()
    game.ok("advance", FAC)  # r_two locks on timeout
    events = game.tick(game.state.deadline)
    said = {team: n["text"] for (kind, team), n in notices_for(game.scenario, game.state, events)
            if n["kind"] == "timeout"}
    assert said == {
        "t_a": "Time is up: the round is locked; your draft was submitted as it stood.",
        "t_b": "Time is up: the round is locked; your draft was submitted as it stood.",
    }
    moved = Event("learner_assigned", {"learner_id": "a1", "team": "t_b", "by": "a1"})
    assert notices_for(game.scenario, game.state, [moved]) == []  # a learner's own move


def test_a_moved_learner_is_told_on_their_own_sockets_only(two_teams):  # noqa: F811
    facilitator_ = two_teams["facilitator"]
    ana, ben = two_teams["a"]
    cy, dee = two_teams["b"]
    assert facilitator_.send("move_learner", learner=ana.learner_id, team=two_teams["team_b"])["ok"]
    arrived = [m["name"] for m in ana.received() if m["name"] in ("view", "notice")]
    assert arrived[:2] == ["view", "notice"]  # the new room first, then why
    assert ana.team["id"] == two_teams["team_b"]
    for other in (ben, cy, dee):
        assert notices(other, "moved") == []
    assert facilitator_.send("move_learner", learner=ana.learner_id, team=None)["ok"]
    assert notices(ana, "moved") == [
        {"kind": "moved", "text": "The facilitator moved you out of your team.", "team": None}
    ]
    assert ana.team is None
    assert facilitator_.send("move_learner", learner=ana.learner_id, team=two_teams["team_a"])[
        "ok"
    ]
    assert notices(ana, "moved") == [
        {"kind": "moved", "text": "The facilitator moved you to Alpha.",
         "team": two_teams["team_a"]}
    ]
    feed = [e["text"] for e in ben.last("team")["activity"]]
    assert "The facilitator moved Ana into the team" in feed


def test_learners_cannot_hop_teams_mid_round_unless_allowed(two_teams):  # noqa: F811
    facilitator_ = two_teams["facilitator"]
    ana, _ = two_teams["a"]
    refused = ana.send("join_team", team=two_teams["team_b"])
    assert refused == {
        "ok": False,
        "code": "team/locked_in_round",
        "message": "Teams are fixed while a round runs; ask the facilitator to move you.",
    }
    assert ana.send("leave_team")["code"] == "team/locked_in_round"
    assert ana.send("create_team", name="Gamma")["code"] == "team/locked_in_round"
    assert "join_team" not in ana.team["allowed"]
    ana.received()
    assert facilitator_.send("allow_team_changes", allowed=True) == {"ok": True, "allowed": True}
    assert ana.last("public")["teamChangesAllowed"] is True
    assert "join_team" in ana.team["allowed"]
    assert ana.send("join_team", team=two_teams["team_b"])["ok"]
    assert facilitator_.send("allow_team_changes", allowed="maybe")["code"] == "payload/invalid"


def test_ready_marks_reach_teammates_only(two_teams):  # noqa: F811
    ana, ben = two_teams["a"]
    cy, _ = two_teams["b"]
    assert ana.send("mark_ready", ready=True) == {"ok": True, "ready": True}
    held = ben.last("team")
    assert held["ready"] == [ana.learner_id]
    assert held["activity"][-1]["text"] == "Ana is ready to submit"
    assert cy.received("team_patch") == []
    assert ana.send("mark_ready", ready="soon")["code"] == "payload/invalid"
    assert ana.send("mark_ready")["code"] == "payload/invalid"


def test_activity_travels_as_appended_entries_and_never_as_chat(two_teams):  # noqa: F811
    ana, ben = two_teams["a"]
    ben.received()
    count = ben.team["activityCount"]
    assert ana.send("run_diagnostic", diagnostic="d_fcr_trend")["ok"]
    (patch,) = [m["args"][0] for m in ben.received("team_patch")]
    assert "activity" not in patch["set"] and "activityCount" not in patch["set"]
    assert [e["n"] for e in patch["activity"]] == [count]
    assert patch["activityCount"] == count + 1
    entry = patch["activity"][0]
    assert entry["kind"] == "diagnostic" and entry["name"] == "Ana"
    assert entry["text"].startswith("Ana ran ")
    assert patch["chat"] == [] and ben.team["chatCount"] == 0


def test_the_held_view_matches_a_fresh_one_after_workspace_actions(two_teams, app):  # noqa: F811
    facilitator_ = two_teams["facilitator"]
    ana, ben = two_teams["a"]
    ana.send("run_diagnostic", diagnostic="d_fcr_trend")
    ana.send("write_text", field="gap", text="FCR 64% now.")
    ana.send("mark_ready", ready=True)
    facilitator_.send("allow_team_changes", allowed=True)
    ben.received()
    scenario, state = app.extensions["practicum"].cached(facilitator_.session_id)
    fresh = team_view(scenario, state, two_teams["team_a"])
    assert {k: v for k, v in ben.team.items() if k != "version"} == fresh


def test_a_reopened_earlier_round_is_edited_and_resubmitted(two_teams):  # noqa: F811
    facilitator_ = two_teams["facilitator"]
    ana, ben = two_teams["a"]
    assert facilitator_.send("advance")["ok"]  # r_contract goes in as it stood
    assert [r["id"] for r in ben.last("team")["rounds"]] == ["r_causes"]
    assert facilitator_.send("reopen_round", team=two_teams["team_a"], round="r_contract")["ok"]
    rounds = ben.last("team")["rounds"]
    assert [(r["id"], r["reopened"], r["current"]) for r in rounds] == [
        ("r_contract", True, False), ("r_causes", False, True),
    ]
    assert rounds[0]["missing"] and "submit_round" in ben.team["allowed"]
    assert ana.send("write_text", field="gap", text="FCR 64% now against 74% by Q4.")["ok"]
    assert ana.send("write_text", field="contract", text="Diagnose first.")["ok"]
    assert ana.send("submit_round", round="r_contract") == {"ok": True, "round": "r_contract"}
    held = ben.last("team")
    assert [r["id"] for r in held["rounds"]] == ["r_causes"]
    assert held["submissions"]["r_contract"]["auto"] is False


def test_facilitator_notes_never_reach_a_learner(two_teams, app):  # noqa: F811
    facilitator_ = two_teams["facilitator"]
    ana, _ = two_teams["a"]
    scenario, _state = app.extensions["practicum"].cached(facilitator_.session_id)
    notes = scenario.debrief_notes
    assert notes
    for _ in range(4):
        assert facilitator_.send("advance")["ok"]
    assert ana.last("team")["debrief"] is not None
    hello = ana.send("hello", token=ana.token)
    everything = json.dumps([ana.received(), hello])
    assert notes not in everything
    assert facilitator_.last("board")["debriefNotes"] == notes


def test_the_client_rule_appends_activity_like_chat():
    held = {"version": "v.1", "chat": [], "chatCount": 0,
            "activity": [{"n": i} for i in range(50)], "activityCount": 50}
    patch = {"version": "v.2", "base": "v.1", "set": {}, "chat": [], "chatCount": 0,
             "activity": [{"n": 49}, {"n": 50}, {"n": 51}], "activityCount": 52}
    merged = apply_team_patch(held, patch)
    assert [e["n"] for e in merged["activity"]] == list(range(2, 52))
    assert merged["activityCount"] == 52
    full = apply_team_patch(None, {**patch, "base": None, "activity": [{"n": 7}]})
    assert full["activity"] == [{"n": 7}]
