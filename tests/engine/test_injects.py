"""Injects: manual firing, automatic conditions, effects."""

from __future__ import annotations

from dataclasses import replace

from practicum.engine import Actor
from practicum.scenario.model import Condition, Inject, InjectEffect

from .fixtures import FAC, SCENARIO, Game

A1, B1 = Actor("learner", "a1"), Actor("learner", "b1")


def fired(game: Game, team_id: str) -> list[str]:
    return [f.inject for f in game.team(team_id).injects]


def with_injects(*injects: Inject):
    return replace(SCENARIO, injects=(*SCENARIO.injects, *injects))


def test_round_started_inject_fires_on_every_team_when_the_round_opens():
    game = Game()
    game.started()
    game.ok("advance", FAC)
    answer = game.ok("advance", FAC)
    assert [e.team for e in answer.events if e.type == "inject_fired"] == ["t_a", "t_b"]
    for team_id in ("t_a", "t_b"):
        assert fired(game, team_id) == ["inj_cut"]
        assert game.team(team_id).granted.cash == 100_000.0  # 100k + 10k grant - 10k cut
    fired_event = next(e for e in answer.events if e.type == "inject_fired")
    assert "expected" not in str(fired_event.data).lower()  # the script stays with the facilitator


def test_team_formed_late_receives_the_round_inject_at_once():
    game = Game()
    game.started()
    game.ok("advance", FAC)
    game.ok("advance", FAC)
    late = game.join("late")
    game.ok("create_team", late, team_id="t_late", name="Late")
    assert fired(game, "t_late") == ["inj_cut"]


def test_selected_intervention_inject_fires_once_on_that_team_in_the_same_decision():
    game = Game()
    game.started()
    game.ok("advance", FAC)
    game.ok("advance", FAC)
    answer = game.ok("select_intervention", A1, intervention="i_route_fix", start_week=0)
    assert [e.type for e in answer.events] == ["intervention_selected", "inject_fired"]
    assert fired(game, "t_a") == ["inj_cut", "inj_slip"]
    assert fired(game, "t_b") == ["inj_cut"]
    game.ok("deselect_intervention", A1, intervention="i_route_fix")
    answer = game.ok("select_intervention", A1, intervention="i_route_fix", start_week=0)
    assert [e.type for e in answer.events] == ["intervention_selected"]


def test_analysis_points_and_stance_change_effects():
    game = Game()
    game.started()
    game.ok("advance", FAC)
    before = game.team("t_a").granted.points
    answer = game.ok("run_diagnostic", A1, diagnostic="d_test")
    assert answer.events[-1].type == "inject_fired"
    team = game.team("t_a")
    assert team.granted.points == before + 1
    assert team.stances["st_sponsor"] == 1
    assert game.team("t_b").stances["st_sponsor"] == 0


def test_auto_injects_fire_only_in_their_round():
    early = Inject(
        "inj_early", "Logs noticed", "r_three", "auto", "st_it", "chat", "We saw your query.",
        "-", when=Condition("ran_diagnostic", "d_logs"),
    )
    game = Game(with_injects(early))
    game.started()
    game.ok("run_diagnostic", A1, diagnostic="d_logs")
    assert fired(game, "t_a") == []
    game.ok("advance", FAC)
    assert fired(game, "t_a") == []
    game.ok("advance", FAC)  # the condition held all along: it fires when its round opens
    assert fired(game, "t_a") == ["inj_cut", "inj_early"]
    assert fired(game, "t_b") == ["inj_cut"]


def test_budget_spent_and_submitted_round_conditions():
    spent = Inject(
        "inj_spent", "Finance asks", "r_one", "auto", "Finance", "email", "You spent a lot.",
        "-", when=Condition("budget_spent_at_least", fraction=0.01),
    )
    submitted = Inject(
        "inj_done", "Sponsor replies", "r_one", "auto", "st_sponsor", "email", "Got it.", "-",
        when=Condition("submitted_round", "r_one"),
        effects=(InjectEffect("patience", amount=-1),),
    )
    game = Game(with_injects(spent, submitted))
    game.started()
    game.ok("run_diagnostic", A1, diagnostic="d_logs")  # no cash spent yet
    assert fired(game, "t_a") == []
    game.ok("run_diagnostic", A1, diagnostic="d_survey")  # EUR 1,000 of 100,000
    assert fired(game, "t_a") == ["inj_spent"]
    game.ok("write_text", A1, field="gap", text="88% to 93%")
    game.ok("submit_round", A1)
    assert fired(game, "t_a") == ["inj_spent", "inj_done"]
    # An inject after submission can still be answered.
    game.ok("respond_inject", A1, inject="inj_done", text="Thanks.")


def test_fire_inject_manually_to_some_or_all_teams():
    game = Game()
    game.two_teams()
    game.no("phase/lobby", "fire_inject", FAC, inject="inj_push", teams=None)
    game.ok("start_session", FAC)
    game.no("ref/unknown_inject", "fire_inject", FAC, inject="inj_x", teams=None)
    game.no("ref/unknown_team", "fire_inject", FAC, inject="inj_push", teams=["t_x"])
    game.no("auth/forbidden", "fire_inject", A1, inject="inj_push", teams=None)
    answer = game.ok("fire_inject", FAC, inject="inj_push", teams=["t_b"])
    assert answer.result == {"teams": ["t_b"]}
    assert fired(game, "t_b") == ["inj_push"] and fired(game, "t_a") == []
    rejected = game.no("inject/already_fired", "fire_inject", FAC, inject="inj_push",
                       teams=["t_a", "t_b"])
    assert "Bravo" in rejected.message
    answer = game.ok("fire_inject", FAC, inject="inj_push", teams=None)
    assert answer.result == {"teams": ["t_a"]}
    game.no("inject/already_fired", "fire_inject", FAC, inject="inj_push", teams=None)


def test_fire_inject_with_no_teams():
    game = Game()
    game.ok("start_session", FAC)
    game.no("team/no_teams", "fire_inject", FAC, inject="inj_push", teams=None)
