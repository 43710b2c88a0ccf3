"""Phases and the round clock: start, advance, pause, resume, extend, tick, end."""

from __future__ import annotations

from practicum.engine import Actor, tick

from .fixtures import FAC, T0, Game

A1 = Actor("learner", "a1")


def test_start_opens_round_one_with_an_absolute_deadline_and_grants():
    game = Game()
    game.two_teams()
    game.no("phase/lobby", "advance", FAC)
    game.no("phase/lobby", "pause", FAC)
    answer = game.ok("start_session", FAC)
    assert answer.result == {"round": "r_one"}
    state = game.state
    assert (state.phase, state.round_index, state.deadline) == ("round", 0, T0 + 30 * 60)
    game.no("session/started", "start_session", FAC)


def test_advance_grants_the_next_round_budget_and_auto_submits():
    game = Game()
    game.started()
    game.ok("write_text", A1, field="gap", text="88% now")
    game.now += 100
    answer = game.ok("advance", FAC)
    assert answer.result == {"round": "r_two"}
    assert game.state.round_index == 1
    assert game.state.deadline == game.now + 30 * 60
    for team_id in ("t_a", "t_b"):
        submission = game.team(team_id).submissions["r_one"]
        assert submission.auto and submission.by is None and submission.at == game.now
        assert game.team(team_id).granted.points == 7
    assert game.team("t_a").submissions["r_one"].snapshot["gap"] == "88% now"


def test_advance_after_the_last_round_opens_the_debrief_with_stored_outcomes():
    game = Game()
    game.started()
    game.ok("advance", FAC)
    game.ok("advance", FAC)
    answer = game.ok("advance", FAC)
    assert answer.result == {"round": None}
    assert game.state.phase == "debrief"
    assert game.state.deadline is None
    types = [e.type for e in answer.events]
    assert types.count("outcome_computed") == 2
    outcome = game.team("t_a").outcome
    assert set(outcome) >= {"plan", "nothing", "expert"}
    game.no("phase/debrief", "advance", FAC)
    game.no("phase/debrief", "run_diagnostic", A1, diagnostic="d_logs")
    game.ok("chat", A1, text="what a ride")
    game.ok("end_session", FAC)
    assert game.state.phase == "closed"
    game.no("session/closed", "end_session", FAC)


def test_end_session_from_any_phase():
    for rounds_played in (0, 1, 2):
        game = Game()
        if rounds_played:
            game.started()
            for _ in range(rounds_played - 1):
                game.ok("advance", FAC)
        game.ok("end_session", FAC)
        assert game.state.phase == "closed"
        assert game.tick(T0 + 10**6) == []


def test_pause_resume_keeps_the_seconds_left():
    game = Game()
    game.started()
    game.now = T0 + 600
    game.ok("pause", FAC)
    assert game.state.paused and game.state.deadline is None
    assert game.state.remaining == 1200
    game.no("clock/paused", "pause", FAC)
    game.now = T0 + 5000  # long after the old deadline: nothing happens while paused
    assert game.tick() == []
    game.ok("resume", FAC)
    assert game.state.deadline == T0 + 5000 + 1200 and not game.state.paused
    game.no("clock/running", "resume", FAC)


def test_extend_pushes_the_deadline_or_the_paused_remainder():
    game = Game()
    game.started()
    game.ok("extend", FAC, minutes=5)
    assert game.state.deadline == T0 + 35 * 60
    game.ok("pause", FAC)
    game.ok("extend", FAC, minutes=2)
    assert game.state.remaining == 37 * 60 and game.state.deadline is None
    game.no("input/invalid", "extend", FAC, minutes=0)
    game.no("input/out_of_range", "extend", FAC, minutes=241)
    game.no("input/invalid", "extend", FAC, minutes="5")
    game.no("input/invalid", "extend", FAC, minutes=1.5)


def test_a_round_can_be_shortened_but_never_below_a_minute():
    game = Game()
    game.started()  # 30 minutes
    game.ok("extend", FAC, minutes=-10)
    assert game.state.deadline == T0 + 20 * 60
    game.no("clock/too_short", "extend", FAC, minutes=-20)
    game.ok("extend", FAC, minutes=-19)
    assert game.state.deadline == T0 + 60
    game.ok("extend", FAC, minutes=9)
    game.ok("pause", FAC)
    game.ok("extend", FAC, minutes=-5)
    assert game.state.remaining == 5 * 60 and game.state.deadline is None
    game.no("clock/too_short", "extend", FAC, minutes=-5)
    game.no("input/out_of_range", "extend", FAC, minutes=-241)


def test_extend_after_a_missed_deadline_counts_from_now():
    game = Game()
    game.started()
    game.now = T0 + 40 * 60  # the deadline passed, no tick yet
    game.ok("extend", FAC, minutes=3)
    assert game.state.deadline == game.now + 180


def test_tick_before_the_deadline_does_nothing():
    game = Game()
    game.started()
    assert game.tick(T0 + 30 * 60 - 1) == []
    assert game.state.round_index == 0


def test_tick_advance_policy_opens_the_next_round_once():
    game = Game()
    game.started()
    deadline = game.state.deadline
    events = game.tick(deadline)
    types = [e.type for e in events]
    assert types[0] == "round_timed_out"
    assert types.count("round_submitted") == 2 and "round_opened" in types
    assert game.state.round_index == 1
    assert game.tick(deadline) == []  # idempotent: the deadline now belongs to round two
    assert game.tick(deadline + 60) == []


def test_tick_lock_policy_freezes_drafts_until_the_facilitator_advances():
    game = Game()
    game.started()
    game.ok("advance", FAC)  # r_two locks on timeout
    game.ok("declare_cause", A1, cause="rc_routing", cell="cell_tools", confidence=0.8)
    events = game.tick(game.state.deadline + 5)
    assert [e.type for e in events][-1] == "round_locked"
    assert game.state.locked_rounds == {"r_two"}
    assert game.state.round_index == 1 and game.state.deadline is None
    assert game.team("t_a").submissions["r_two"].auto
    game.no("round/locked", "declare_cause", A1, cause="rc_bonus", cell="cell_incentives",
            confidence=0.5)
    game.no("clock/stopped", "pause", FAC)
    game.no("clock/stopped", "extend", FAC, minutes=5)
    assert game.tick(game.now + 3600) == []
    # The facilitator gives one team more time, even though the round is locked.
    game.ok("reopen_round", FAC, team="t_a", round="r_two")
    game.ok("declare_cause", A1, cause="rc_bonus", cell="cell_incentives", confidence=0.5)
    game.ok("write_text", A1, field="cause_note", text="Routing and bonus.")
    game.ok("submit_round", A1)
    game.no("round/submitted", "withdraw_cause", A1, cause="rc_bonus")
    game.ok("advance", FAC)
    assert game.state.round_index == 2


def test_tick_after_the_last_round_opens_the_debrief():
    game = Game()
    game.started()
    game.ok("advance", FAC)
    game.ok("advance", FAC)
    events = game.tick(game.state.deadline)
    assert game.state.phase == "debrief"
    assert [e.type for e in events].count("outcome_computed") == 2


def test_a_tick_computed_for_a_round_already_left_changes_nothing():
    game = Game()
    game.started()
    stale = game.state
    game.now += 600  # the facilitator moves on early: round two ends later than round one
    game.ok("advance", FAC)
    assert tick(game.scenario, game.state, stale.deadline) == []
    assert game.state.round_index == 1
