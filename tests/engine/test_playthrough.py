"""Scripted play-throughs: two teams of two, one plays the expert plan, one the sponsor's.

Run on the in-code depot fixture and on every shipped scenario in scenarios/, loaded with the
real loader, with a fixed clock, from the lobby to the debrief.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from practicum.engine import (
    facilitator_view,
    learner_view,
    public_view,
    replay,
)
from practicum.scenario.loader import load_scenario
from practicum.scenario.model import Plan, Scenario

from .bot import Bot, play_session
from .fixtures import SCENARIO, Game

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"
SHIPPED = sorted(SCENARIO_DIR.glob("*.json"))


def play(scenario: Scenario) -> tuple[Game, Bot, Bot]:
    """Play a whole session: team t_exp follows the expert plan, t_spo the sponsor plan."""
    game = Game(scenario)
    actors = [game.join(name) for name in ("e1", "e2", "s1", "s2")]
    game.ok("create_team", actors[0], team_id="t_exp", name="Experts")
    game.ok("join_team", actors[1], team="t_exp")
    game.ok("create_team", actors[2], team_id="t_spo", name="Sponsor's picks")
    game.ok("join_team", actors[3], team="t_spo")
    expert = Bot(game, "t_exp", actors[:2], scenario.expert_plan)
    sponsor = Bot(game, "t_spo", actors[2:], scenario.sponsor_plan or Plan())
    play_session(game, [expert, sponsor])
    return game, expert, sponsor


def check_play_through(scenario: Scenario) -> None:
    game, expert, sponsor = play(scenario)
    state = game.state
    assert state.phase == "debrief"
    # The expert team did everything its plan asked without a single refusal.
    assert expert.refused == []
    experts, sponsors = state.teams["t_exp"], state.teams["t_spo"]
    assert [d.diagnostic for d in experts.diagnostics] == list(scenario.expert_plan.diagnostics)
    assert {c.cause for c in experts.causes.values()} == {
        c.cause for c in scenario.expert_plan.causes
    }
    assert {i.id for i in experts.interventions.values()} == {
        i.id for i in scenario.expert_plan.interventions
    }
    # Every round was submitted by both teams (by hand or by the clock).
    for round_ in scenario.rounds:
        assert round_.id in experts.submissions and round_.id in sponsors.submissions
        assert not experts.submissions[round_.id].auto  # the expert plan completes every round
    # Scores for every round, published; the expert team wins.
    total = {t: sum(s["total"] for s in state.teams[t].scores.values()) for t in state.teams}
    assert len(experts.scores) == len(scenario.rounds)
    assert total["t_exp"] > total["t_spo"]
    board = public_view(scenario, state)["leaderboard"]
    assert board[0]["team"] == "t_exp"
    # The debrief outcome is stored, and the expert plan moves the business more.
    assert experts.outcome["benefit"] > sponsors.outcome["benefit"]
    assert experts.outcome["results"] > sponsors.outcome["results"]
    # Replay from stored JSON gives the same state; views serialise.
    stored = [json.loads(json.dumps(e.to_dict())) for e in game.events]
    from practicum.engine import Event

    assert replay(scenario, [Event.from_dict(e) for e in stored]) == state
    json.dumps(facilitator_view(scenario, state))
    learner = learner_view(scenario, state, "e1")
    assert learner["team"]["debrief"]["outcome"] == experts.outcome
    assert json.loads(json.dumps(learner))["me"]["team"] == "t_exp"


def test_play_through_the_depot_fixture():
    check_play_through(SCENARIO)


def test_at_least_one_scenario_ships():
    assert SHIPPED, f"no scenario in {SCENARIO_DIR}"


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_play_through_shipped_scenario(path: Path):
    check_play_through(load_scenario(path))
