"""The team room as a shared workspace: who did what, the activity feed, ready marks, moves,
what a learner may do now, and the rounds a team may work on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from practicum.engine import Accepted, Actor, Event, learner_view, replay, team_view
from practicum.engine.allowed import allowed_commands
from practicum.engine.views import facilitator_view, progress, public_view

from .fixtures import FAC, T0, Game
from .test_views import secrets

A1, A2, B1 = Actor("learner", "a1"), Actor("learner", "a2"), Actor("learner", "b1")
SHIPPED = sorted((Path(__file__).resolve().parents[2] / "scenarios").glob("*.json"))


@pytest.fixture
def game() -> Game:
    """Round one with teams t_a (a1, a2) and t_b (b1, b2); each person is named like their id."""
    g = Game()
    g.started()
    return g


def at(game: Game, seconds: float) -> None:
    game.now = T0 + seconds


def texts(game: Game, team_id: str = "t_a") -> list[str]:
    return [e.text for e in game.team(team_id).activity]


def to_round_two(game: Game) -> None:
    game.ok("advance", FAC)


# --- who did what ---------------------------------------------------------------------------


def test_every_team_item_says_who_last_changed_it_and_when(game):
    at(game, 10)
    game.ok("run_diagnostic", A1, diagnostic="d_logs")
    at(game, 20)
    game.ok("mark_evidence", A2, diagnostic="d_logs", cause="rc_routing", stance=1)
    at(game, 30)
    game.ok("write_text", A2, field="gap", text="88% against 93%")
    to_round_two(game)
    at(game, 40)
    game.ok("declare_cause", A1, cause="rc_routing", cell="cell_tools", confidence=0.8)
    at(game, 50)
    game.ok("rule_out_cause", A2, cause="rc_skills", ruled_out=True)
    view = team_view(game.scenario, game.state, "t_a")
    assert view["evidence"][0]["by"] == {"learnerId": "a2", "name": "a2", "at": T0 + 20}
    assert view["causes"][0]["by"] == {"learnerId": "a1", "name": "a1", "at": T0 + 40}
    assert view["ruledOut"] == ["rc_skills"]
    assert view["ruledOutBy"] == {"rc_skills": {"learnerId": "a2", "name": "a2", "at": T0 + 50}}
    assert view["textMeta"] == {"gap": {"learnerId": "a2", "name": "a2", "at": T0 + 30}}
    # A revision is a change too: the cause now belongs to whoever revised it.
    at(game, 60)
    game.ok("declare_cause", A2, cause="rc_routing", cell="cell_tools", confidence=0.9)
    view = team_view(game.scenario, game.state, "t_a")
    assert view["causes"][0]["by"]["learnerId"] == "a2"
    game.ok("rule_out_cause", A1, cause="rc_skills", ruled_out=False)
    assert team_view(game.scenario, game.state, "t_a")["ruledOutBy"] == {}


def test_plan_choices_carry_who_and_isolation_has_its_own_stamp(game):
    game.ok("advance", FAC)
    game.ok("advance", FAC)  # r_three: interventions, metrics, isolation
    at(game, 70)
    game.ok("select_intervention", A1, intervention="i_bonus", start_week=0)
    game.ok("select_metric", A2, metric="m_ontime", target=93)
    game.ok("set_isolation", A2, isolation="iso_pilot")
    game.ok("fire_inject", FAC, inject="inj_push", teams=["t_a"])
    game.ok("respond_inject", A1, inject="inj_push", text="We hold the line.")
    view = team_view(game.scenario, game.state, "t_a")
    assert view["interventions"][0]["by"] == {"learnerId": "a1", "name": "a1", "at": T0 + 70}
    assert view["metrics"][0]["by"]["learnerId"] == "a2"
    assert view["isolationBy"]["learnerId"] == "a2"
    assert view["textMeta"]["inject:inj_push"]["learnerId"] == "a1"
    game.ok("set_isolation", A1, isolation=None)
    view = team_view(game.scenario, game.state, "t_a")
    assert view["isolation"] is None and view["isolationBy"] is None


def test_old_logs_without_by_still_replay_with_nobody_named(game):
    game.ok("run_diagnostic", A1, diagnostic="d_logs")
    game.ok("mark_evidence", A2, diagnostic="d_logs", cause="rc_routing", stance=1)
    game.ok("write_text", A2, field="gap", text="88% against 93%")
    to_round_two(game)
    game.ok("declare_cause", A1, cause="rc_routing", cell="cell_tools", confidence=0.8)
    old = [
        Event(e.type, {k: v for k, v in e.data.items() if k not in ("by", "at", "reason")}, e.team)
        if e.type not in ("session_created", "learner_joined", "round_opened", "diagnostic_run",
                          "round_submitted", "round_timed_out", "inject_fired")
        else e
        for e in game.events
    ]
    state = replay(game.scenario, old)
    view = team_view(game.scenario, state, "t_a")
    assert view["causes"][0]["by"] is None and view["evidence"][0]["by"] is None
    assert view["textMeta"] == {} and view["texts"]["gap"] == "88% against 93%"
    assert "A teammate declared Route planner sequences" in " ".join(
        e.text for e in state.teams["t_a"].activity
    )


# --- the activity feed ----------------------------------------------------------------------


def test_activity_names_who_did_what(game):
    game.ok("run_diagnostic", A1, diagnostic="d_logs")
    game.ok("run_diagnostic", A2, diagnostic="d_interview")
    game.ok("mark_evidence", A2, diagnostic="d_logs", cause="rc_routing", stance=1)
    game.ok("mark_evidence", A1, diagnostic="d_logs", cause="rc_routing", stance=0)
    assert texts(game)[-4:] == [
        "a1 ran Delivery logs (1 point, 1 day)",
        "a2 ran Depot lead interview (1 point, 1 day)",
        "a2 marked Delivery logs as supporting Route planner sequences",
        "a1 cleared the mark of Delivery logs on Route planner sequences",
    ]
    assert texts(game, "t_b") == ["b1 joined the team", "b2 joined the team"]
    entry = team_view(game.scenario, game.state, "t_a")["activity"][-4]
    assert entry == {"n": 2, "kind": "diagnostic", "learnerId": "a1", "name": "a1",
                     "text": "a1 ran Delivery logs (1 point, 1 day)", "at": T0}


def test_removing_a_teammates_choice_names_whose_it_was(game):
    game.ok("advance", FAC)
    game.ok("declare_cause", A1, cause="rc_routing", cell="cell_tools", confidence=0.8)
    game.ok("withdraw_cause", A2, cause="rc_routing")
    game.ok("rule_out_cause", A1, cause="rc_skills", ruled_out=True)
    game.ok("rule_out_cause", A1, cause="rc_skills", ruled_out=False)
    game.ok("advance", FAC)
    game.ok("select_intervention", B1, intervention="i_bonus", start_week=0)
    game.ok("deselect_intervention", Actor("learner", "b2"), intervention="i_bonus")
    game.ok("select_intervention", B1, intervention="i_bonus", start_week=2)
    game.ok("deselect_intervention", B1, intervention="i_bonus")
    game.ok("select_metric", A1, metric="m_ontime", target=None)
    game.ok("deselect_metric", A2, metric="m_ontime")
    feed = texts(game)
    assert "a2 withdrew Route planner sequences (declared by a1)" in feed
    assert "a1 brought back Navigation skill" in feed  # their own: no "by"
    assert "a2 dropped the metric On-time rate (chosen by a1)" in feed
    assert texts(game, "t_b")[-4:] == [
        "b1 added Pay per route to the plan (from week 0)",
        "b2 removed Pay per route (added by b1)",
        "b1 added Pay per route to the plan (from week 2)",
        "b1 removed Pay per route",
    ]


def test_a_run_of_text_edits_is_one_entry_per_person_and_field(game):
    for text in ("8", "88", "88%"):
        game.ok("write_text", A1, field="gap", text=text)
    game.ok("write_text", A2, field="gap", text="88% vs")
    game.ok("write_text", A2, field="gap", text="88% vs 93%")
    game.ok("write_text", A1, field="gap", text="88% vs 93%.")
    edits = [e for e in game.team("t_a").activity if e.kind == "text"]
    # Two people taking turns in one field: one entry each while they keep at it.
    assert [(e.learner_id, e.text) for e in edits] == [
        ("a1", "a1 edited Gap statement"),
        ("a2", "a2 edited Gap statement"),
    ]
    # The stamp still follows every keystroke.
    assert game.team("t_a").stamps["text:gap"].learner_id == "a1"
    # After ten quiet minutes, an edit is news again.
    game.now += 601
    game.ok("write_text", A1, field="gap", text="88% vs 93% by Q3.")
    assert [e.learner_id for e in game.team("t_a").activity if e.kind == "text"][-1] == "a1"
    assert len([e for e in game.team("t_a").activity if e.kind == "text"]) == 3


def test_submissions_injects_and_time_are_in_the_feed(game):
    game.ok("write_text", A1, field="gap", text="88% against 93%")
    game.ok("submit_round", A2)
    game.tick(game.state.deadline)  # r_one times out: t_b's draft goes in as it stood
    assert texts(game)[-1] == "a2 submitted Contract and diagnose"
    assert texts(game, "t_b")[-1] == "Time ran out: the draft was submitted as it stood"
    game.ok("advance", FAC)  # r_two closed by the facilitator; r_three cuts the budget
    assert texts(game)[-2:] == [
        "The round closed: the draft of Causes was submitted as it stood",
        "New message from Finance: Budget cut",
    ]
    game.ok("reopen_round", FAC, team="t_a", round="r_two")
    assert texts(game)[-1] == "The facilitator reopened Causes"


def test_the_feed_never_holds_hidden_truth_or_findings():
    from .test_playthrough import play

    game, _expert, _sponsor = play(Game().scenario)
    scenario = game.scenario
    hidden = secrets(scenario) + [d.finding for d in scenario.diagnostics]
    hidden += [c.truth for c in scenario.causes]
    for team in game.state.teams.values():
        feed = json.dumps([e.text for e in team.activity])
        assert len(team.activity) > 10
        for secret in hidden:
            assert f" {secret}" not in feed and f"{secret}." not in feed, secret
    # Chat is for people: nothing the feed records is posted there.
    assert all(len(team.chat) == 0 for team in game.state.teams.values())


def test_the_view_carries_the_newest_fifty_entries_and_the_count(game):
    for number in range(30):
        game.now += 601  # each edit after a quiet spell: an entry each
        game.ok("write_text", A1 if number % 2 else A2, field="gap", text=f"v{number}")
    view = team_view(game.scenario, game.state, "t_a")
    assert view["activityCount"] == len(game.team("t_a").activity) == 32
    for number in range(30):
        game.now += 601
        game.ok("write_text", A1 if number % 2 else A2, field="gap", text=f"w{number}")
    view = team_view(game.scenario, game.state, "t_a")
    assert view["activityCount"] == 62 and len(view["activity"]) == 50
    assert [e["n"] for e in view["activity"]] == list(range(12, 62))
    board = facilitator_view(game.scenario, game.state)
    assert len(board["teams"][0]["activity"]) == 20


def test_joining_leaving_and_moves_are_in_both_teams_feeds(game):
    game.ok("move_learner", FAC, learner="a2", team="t_b")
    assert texts(game)[-1] == "The facilitator moved a2 out of the team"
    assert texts(game, "t_b")[-1] == "The facilitator moved a2 into the team"
    assert game.events[-1].data["by"] == "facilitator"
    game.ok("move_learner", FAC, learner="a2", team=None)
    assert game.events[-1].data == {"learner_id": "a2", "team": None, "previous": "t_b",
                                    "by": "facilitator", "at": T0}


# --- ready marks ----------------------------------------------------------------------------


def test_ready_marks_belong_to_the_current_round(game):
    answer = game.ok("mark_ready", A1, ready=True)
    assert answer.result == {"ready": True}
    assert game.events[-1].type == "ready_marked" and game.events[-1].team == "t_a"
    assert team_view(game.scenario, game.state, "t_a")["ready"] == ["a1"]
    assert team_view(game.scenario, game.state, "t_b")["ready"] == []
    assert game.ok("mark_ready", A1, ready=True).events == []  # already ready: nothing to record
    game.ok("mark_ready", A2, ready=True)
    game.ok("mark_ready", A1, ready=False)
    assert team_view(game.scenario, game.state, "t_a")["ready"] == ["a2"]
    assert texts(game)[-2:] == ["a2 is ready to submit", "a1 is no longer ready"]
    game.no("input/invalid", "mark_ready", A1, ready="yes")
    game.ok("mark_ready", B1, ready=True)
    game.ok("advance", FAC)  # a new round: nobody is ready
    assert game.team("t_a").ready == frozenset() and game.team("t_b").ready == frozenset()


def test_submitting_or_reopening_clears_the_marks_and_a_frozen_round_takes_none(game):
    game.ok("write_text", A1, field="gap", text="88% against 93%")
    game.ok("mark_ready", A1, ready=True)
    game.ok("mark_ready", A2, ready=True)
    game.ok("submit_round", A1)
    assert game.team("t_a").ready == frozenset()
    game.no("round/submitted", "mark_ready", A1, ready=True)
    game.ok("reopen_round", FAC, team="t_a", round="r_one")
    game.ok("mark_ready", A1, ready=True)
    game.ok("submit_round", A2)
    game.ok("reopen_round", FAC, team="t_a", round="r_one")
    assert game.team("t_a").ready == frozenset()


def test_ready_needs_a_round_and_a_team_and_a_leaver_is_no_longer_ready():
    game = Game()
    a1, *_ = game.two_teams()
    game.no("phase/lobby", "mark_ready", a1, ready=True)
    loner = game.join("c1")
    game.ok("start_session", FAC)
    game.no("team/none", "mark_ready", loner, ready=True)
    game.ok("mark_ready", a1, ready=True)
    game.ok("move_learner", FAC, learner="a1", team="t_b")
    assert game.team("t_a").ready == frozenset()
    assert team_view(game.scenario, game.state, "t_b")["ready"] == []


# --- moves and membership -------------------------------------------------------------------


def test_teams_are_fixed_while_a_round_runs(game):
    for command, data in (("join_team", {"team": "t_b"}), ("leave_team", {}),
                          ("create_team", {"team_id": "t_c", "name": "Charlie"})):
        answer = game.no("team/locked_in_round", command, A1, **data)
        assert answer.message == (
            "Teams are fixed while a round runs; ask the facilitator to move you."
        )
    late = game.join("c1")  # a late joiner without a team may still join one
    game.ok("join_team", late, team="t_a")
    game.ok("move_learner", FAC, learner="a1", team="t_b")  # the facilitator may always move
    game.ok("advance", FAC)
    game.ok("advance", FAC)
    game.ok("advance", FAC)  # the debrief
    game.no("team/locked_in_round", "leave_team", A1)


def test_the_facilitator_can_allow_team_changes(game):
    assert public_view(game.scenario, game.state)["teamChangesAllowed"] is False
    answer = game.ok("allow_team_changes", FAC, allowed=True)
    assert answer.result == {"allowed": True}
    assert [e.type for e in answer.events] == ["team_changes_allowed"]
    assert public_view(game.scenario, game.state)["teamChangesAllowed"] is True
    game.ok("join_team", A1, team="t_b")
    game.ok("leave_team", A1)
    assert game.ok("allow_team_changes", FAC, allowed=True).events == []
    game.ok("allow_team_changes", FAC, allowed=False)
    game.ok("join_team", A1, team="t_a")  # without a team: a late joiner again
    game.no("team/locked_in_round", "leave_team", A1)
    game.no("auth/forbidden", "allow_team_changes", A1, allowed=True)
    assert replay(game.scenario, game.events) == game.state


def test_in_the_lobby_teams_change_freely():
    game = Game()
    a1, *_ = game.two_teams()
    game.ok("join_team", a1, team="t_b")
    game.ok("leave_team", a1)
    game.ok("create_team", a1, team_id="t_c", name="Charlie")


# --- what a learner may send now ------------------------------------------------------------


def allowed(game: Game, learner_id: str = "a1") -> set[str]:
    return set(allowed_commands(game.scenario, game.state, learner_id))


def test_allowed_commands_follow_phase_round_and_team():
    game = Game()
    game.join("c1")
    assert allowed(game, "c1") == {"auto_assign", "create_team", "join_team"}
    a1, *_ = game.two_teams()
    assert allowed(game) == {"chat", "create_team", "join_team", "leave_team"}
    game.ok("start_session", FAC)
    assert allowed(game) == {
        "chat", "edit_text", "mark_evidence", "mark_ready", "run_diagnostic", "submit_round",
            "write_text",
    }
    # A late joiner may join or form a team, and nothing else.
    assert allowed(game, "c1") == {"auto_assign", "create_team", "join_team"}
    game.ok("allow_team_changes", FAC, allowed=True)
    assert {"join_team", "leave_team", "create_team"} <= allowed(game)
    assert allowed_commands(game.scenario, game.state, "nobody") == []


def test_allowed_commands_after_submitting_and_reopening(game):
    assert "respond_inject" not in allowed(game)  # no message has come yet
    game.ok("write_text", A1, field="gap", text="88% against 93%")
    game.ok("submit_round", A1)
    # Frozen: only talk, and texts of later rounds' fields (write_text stays open for them).
    assert allowed(game) == {"chat", "edit_text", "write_text"}
    game.ok("advance", FAC)
    game.ok("advance", FAC)
    assert "declare_cause" not in allowed(game)
    game.ok("reopen_round", FAC, team="t_a", round="r_two")
    assert {"declare_cause", "rule_out_cause", "submit_round"} <= allowed(game)
    assert "declare_cause" not in allowed(game, "b1")
    assert "respond_inject" in allowed(game)  # the budget cut arrived with r_three


def test_the_view_lists_allowed_commands_for_the_team_and_the_learner(game):
    view = learner_view(game.scenario, game.state, "a1")
    assert view["allowed"] == allowed_commands(game.scenario, game.state, "a1")
    assert view["team"]["allowed"] == view["allowed"]
    game.ok("end_session", FAC)
    assert learner_view(game.scenario, game.state, "a1")["allowed"] == []


def test_decide_never_accepts_a_command_the_view_did_not_allow(monkeypatch):
    """A whole bot game of each scenario: every accepted learner command was listed first."""
    from . import fixtures
    from .test_playthrough import play

    checked = []
    original = fixtures.Game.send

    def send(self, type_, actor, **data):
        before = self.state
        answer = original(self, type_, actor, **data)
        if isinstance(answer, Accepted) and actor.learner_id in before.learners:
            assert type_ in allowed_commands(self.scenario, before, actor.learner_id), type_
            checked.append(type_)
        return answer

    monkeypatch.setattr(fixtures.Game, "send", send)
    from practicum.scenario.loader import load_scenario

    for scenario in [Game().scenario, *(load_scenario(p) for p in SHIPPED)]:
        play(scenario)
    assert {"run_diagnostic", "declare_cause", "select_intervention", "submit_round",
            "write_text"} <= set(checked)


# --- the rounds a team may work on ----------------------------------------------------------


def test_rounds_list_the_current_round_and_reopened_earlier_ones(game):
    assert team_view(game.scenario, game.state, "t_a")["rounds"] == [
        {
            "id": "r_one",
            "name": "Contract and diagnose",
            "index": 0,
            "current": True,
            "reopened": False,
            "frozen": None,
            "submission": None,
            "actions": ["run_diagnostic", "mark_evidence", "write_rationale", "chat"],
            "deliverable": [
                {"id": "gap", "kind": "text", "label": "Gap statement", "required": True,
                 "maxLength": 400},
                {"id": "early_evidence", "kind": "evidence", "label": "Early evidence",
                 "required": False, "maxLength": None},
            ],
            "completeness": 0,
            "missing": ["gap"],
        }
    ]
    game.ok("write_text", A1, field="gap", text="88% against 93%")
    at(game, 5)
    game.ok("advance", FAC)
    game.ok("reopen_round", FAC, team="t_a", round="r_one")
    rounds = team_view(game.scenario, game.state, "t_a")["rounds"]
    assert [(r["id"], r["current"], r["reopened"], r["frozen"]) for r in rounds] == [
        ("r_one", False, True, None), ("r_two", True, False, None),
    ]
    assert [r["id"] for r in team_view(game.scenario, game.state, "t_b")["rounds"]] == ["r_two"]
    # The reopened round's text field and its submission work while the current round runs.
    game.ok("write_text", A2, field="gap", text="Revised: 88% against 93%")
    at(game, 9)
    game.ok("submit_round", A2, round="r_one")
    rounds = team_view(game.scenario, game.state, "t_a")["rounds"]
    assert [r["id"] for r in rounds] == ["r_two"]
    assert game.team("t_a").submissions["r_one"].snapshot["gap"] == "Revised: 88% against 93%"
    # Resubmitted: r_one is no longer workable, and Causes has no rationale to write.
    game.no("action/not_allowed", "write_text", A2, field="gap", text="too late")


def test_a_round_entry_says_how_it_was_closed(game):
    game.ok("write_text", A1, field="gap", text="88% against 93%")
    at(game, 3)
    game.ok("submit_round", A1)
    current = team_view(game.scenario, game.state, "t_a")["rounds"][0]
    assert current["frozen"] == "submitted"
    assert current["submission"] == {"auto": False, "by": "a1", "at": T0 + 3, "reason": None}
    game.ok("advance", FAC)
    closed = team_view(game.scenario, game.state, "t_b")["submissions"]["r_one"]
    assert (closed["auto"], closed["by"], closed["reason"]) == (True, None, "advance")
    game.tick(game.state.deadline)  # r_two runs out
    rounds = team_view(game.scenario, game.state, "t_b")["rounds"]
    assert rounds[0]["frozen"] == "locked"
    assert rounds[0]["submission"] == {"auto": True, "by": None, "at": game.now,
                                       "reason": "timeout"}


def test_a_late_team_cannot_hand_in_a_round_it_never_had(game):
    game.ok("advance", FAC)
    late = game.join("c1")
    game.ok("create_team", late, team_id="t_c", name="Charlie")
    game.no("round/closed", "submit_round", late, round="r_one")


# --- telling team, clock and nobody apart ---------------------------------------------------


def test_progress_tells_team_submissions_from_the_clocks_and_from_none(game):
    game.ok("write_text", A1, field="gap", text="88% against 93%")
    game.ok("submit_round", A1)
    rows = {p["team"]: p for p in facilitator_view(game.scenario, game.state)["progress"]}
    assert (rows["t_a"]["submitted"], rows["t_a"]["autoSubmitted"], rows["t_a"]["status"]) == (
        True, False, "submitted")
    assert (rows["t_b"]["submitted"], rows["t_b"]["autoSubmitted"], rows["t_b"]["status"]) == (
        False, False, "open")
    game.ok("advance", FAC)  # r_two, whose timeout locks
    game.tick(game.state.deadline)
    rows = {p["team"]: p for p in facilitator_view(game.scenario, game.state)["progress"]}
    assert rows["t_a"]["submitted"] is False and rows["t_a"]["autoSubmitted"] is True
    assert rows["t_a"]["status"] == "auto_submitted"
    game.ok("reopen_round", FAC, team="t_b", round="r_two")
    assert progress(game.scenario, game.state, game.team("t_b"))["status"] == "open"


def test_a_timeout_marks_auto_submissions_with_their_reason(game):
    game.tick(game.state.deadline)
    closing = [e for e in game.events if e.type == "round_submitted"]
    assert {e.data["reason"] for e in closing} == {"timeout"}
    game.ok("advance", FAC)
    assert [e.data["reason"] for e in game.events if e.type == "round_submitted"][-1] == "advance"


# --- the facilitator's notes ----------------------------------------------------------------


def test_debrief_notes_reach_the_board_only(game):
    for _ in range(3):
        game.ok("advance", FAC)
    assert game.state.phase == "debrief"
    notes = game.scenario.debrief_notes
    assert notes
    assert notes not in json.dumps(learner_view(game.scenario, game.state, "a1"))
    assert "notes" not in team_view(game.scenario, game.state, "t_a")["debrief"]
    assert facilitator_view(game.scenario, game.state)["debriefNotes"] == notes


def test_views_stay_json_and_replay_after_a_busy_workspace_game(game):
    game.ok("run_diagnostic", A1, diagnostic="d_logs")
    game.ok("mark_ready", A1, ready=True)
    game.ok("allow_team_changes", FAC, allowed=True)
    game.ok("move_learner", FAC, learner="b1", team="t_a")
    game.tick(game.state.deadline)
    assert replay(game.scenario, game.events) == game.state
    json.dumps(facilitator_view(game.scenario, game.state))
