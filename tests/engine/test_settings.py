"""Session settings chosen at creation: stored as an event, and the rules follow them."""

from __future__ import annotations

import pytest

from practicum.engine import facilitator_view, public_view, replay, stage_view
from practicum.engine.session import new_session
from practicum.engine.settings import DEFAULT, Settings, SettingsError, check_settings

from .fixtures import FAC, SCENARIO, T0, Game


def configured(**raw) -> Game:
    """Return a game whose session was created with some settings."""
    g = Game()
    g.events = new_session(SCENARIO, "s1", "ABCD12", T0, check_settings(SCENARIO, raw))
    g.state = replay(SCENARIO, g.events)
    return g


def test_settings_left_as_the_scenario_has_them_store_nothing():
    raw = {"minutes_scale": 1.0, "team_min": SCENARIO.team_size.min,
           "team_max": SCENARIO.team_size.max, "disabled_injects": [], "leaderboard": True}
    assert check_settings(SCENARIO, raw) == DEFAULT
    assert [e.type for e in new_session(SCENARIO, "s1", "C", T0, DEFAULT)] == ["session_created"]


@pytest.mark.parametrize("raw", [
    {"minutes_scale": 0.2}, {"minutes_scale": 3.5}, {"minutes_scale": True},
    {"team_min": 0}, {"team_max": 13}, {"team_min": 4, "team_max": 3}, {"team_max": 2.5},
    {"disabled_injects": ["inj_nope"]}, {"leaderboard": "yes"},
])
def test_impossible_settings_are_refused_with_a_reason(raw):
    with pytest.raises(SettingsError) as refused:
        check_settings(SCENARIO, raw)
    assert str(refused.value)


def test_rounds_run_for_the_scaled_minutes():
    g = configured(minutes_scale=0.5)
    assert g.events[1].type == "session_configured"
    g.started()
    first = SCENARIO.rounds[0]
    assert g.state.deadline == T0 + round(first.minutes * 0.5) * 60
    assert public_view(SCENARIO, g.state)["round"]["minutes"] == round(first.minutes * 0.5)
    assert facilitator_view(SCENARIO, g.state)["settings"]["minutesScale"] == 0.5


def test_team_size_follows_the_session():
    g = configured(team_min=1, team_max=2)
    a1, a2, b1 = (g.join(n) for n in ("a1", "a2", "b1"))
    g.ok("create_team", a1, team_id="t_a", name="Alpha")
    g.ok("join_team", a2, team="t_a")
    g.no("team/full", "join_team", b1, team="t_a")
    assert public_view(SCENARIO, g.state)["teamSize"] == {"min": 1, "max": 2}
    assert stage_view(SCENARIO, g.state)["teamSize"] == {"min": 1, "max": 2}


def test_switched_off_injects_never_fire():
    auto = [i for i in SCENARIO.injects if i.trigger == "auto"]
    manual = next(i for i in SCENARIO.injects if i.trigger == "manual")
    g = configured(disabled_injects=[i.id for i in auto] + [manual.id])
    g.started()
    while g.state.phase == "round":
        g.no("inject/disabled", "fire_inject", FAC, inject=manual.id, teams=None)
        g.ok("advance", FAC)
    assert not any(e.type == "inject_fired" for e in g.events)


def test_without_a_leaderboard_the_stage_cannot_reveal_one():
    g = configured(leaderboard=False)
    a1, *_ = g.started()
    g.ok("score_round", FAC, team="t_a", round="r_one", levels={"c_contract": 2}, comment="",
         overrides={})
    g.ok("publish_scores", FAC, round="r_one")
    assert public_view(SCENARIO, g.state)["leaderboard"] == []
    refused = g.no("stage/unavailable", "stage_show", FAC, mode="leaderboard")
    assert "switched off" in refused.message
    assert g.team("t_a").scores  # the team still sees its own published score


def test_settings_replay():
    g = configured(minutes_scale=1.5, leaderboard=False)
    assert replay(SCENARIO, g.events).settings == Settings(minutes_scale=1.5, leaderboard=False)
