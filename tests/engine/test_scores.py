"""Scoring rounds, overrides, publication and the leaderboard."""

from __future__ import annotations

import pytest

import practicum.domain.scoring as scoring
from practicum.engine import Actor, public_view, replay, team_view
from practicum.engine.plan import plan_for
from practicum.engine.scores import plan_for_round

from .fixtures import FAC, Game

A1, B1 = Actor("learner", "a1"), Actor("learner", "b1")


@pytest.fixture
def game() -> Game:
    """Round one played by t_a (a good gap statement) and t_b (nothing), now in round two."""
    g = Game()
    g.started()
    g.ok("write_text", A1, field="gap", text="On-time delivery is 88% now; the target is 93%.")
    g.ok("submit_round", A1)
    g.ok("advance", FAC)
    return g


def test_score_round_stores_the_automatic_breakdown_and_levels(game):
    answer = game.ok("score_round", FAC, team="t_a", round="r_one", levels={"c_contract": 3},
                     comment="Good re-contracting.", overrides={})
    score = game.team("t_a").scores["r_one"]
    expected = scoring.auto_score(game.scenario, plan_for(game.team("t_a")), "r_one")["c_gap"]
    assert score["components"]["c_gap"]["points"] == expected.points
    assert score["components"]["c_gap"]["explanation"] == expected.explanation
    assert score["components"]["c_contract"]["points"] == 10.0 * 3 / 4
    assert score["components"]["c_contract"]["explanation"] == "Solid"
    assert score["total"] == expected.points + 7.5
    assert score["max"] == 20.0
    assert answer.result == {"total": score["total"], "max": 20.0}
    assert score["comment"] == "Good re-contracting."


def test_auto_components_tell_teams_apart(game):
    game.ok("score_round", FAC, team="t_a", round="r_one")
    game.ok("score_round", FAC, team="t_b", round="r_one")
    gap_a = game.team("t_a").scores["r_one"]["components"]["c_gap"]["points"]
    gap_b = game.team("t_b").scores["r_one"]["components"]["c_gap"]["points"]
    assert gap_a > gap_b == 0
    assert game.team("t_b").scores["r_one"]["components"]["c_contract"]["points"] == 0


def test_overrides_replace_points_and_keep_the_computed_value(game):
    game.ok("score_round", FAC, team="t_b", round="r_one",
            overrides={"c_gap": {"points": 4, "reason": "Stated the gap aloud in the meeting."}})
    gap = game.team("t_b").scores["r_one"]["components"]["c_gap"]
    assert gap["points"] == 4.0 and gap["computed"] == 0.0
    assert gap["override"]["reason"].startswith("Stated")


def test_rescoring_replaces_the_previous_score(game):
    game.ok("score_round", FAC, team="t_a", round="r_one", levels={"c_contract": 1})
    game.ok("score_round", FAC, team="t_a", round="r_one", levels={"c_contract": 4})
    assert game.team("t_a").scores["r_one"]["levels"] == {"c_contract": 4}
    assert game.team("t_a").scores["r_one"]["components"]["c_contract"]["points"] == 10.0


def test_score_round_rejections(game):
    game.no("ref/unknown_team", "score_round", FAC, team="t_x", round="r_one")
    game.no("ref/unknown_round", "score_round", FAC, team="t_a", round="r_x")
    game.no("round/not_opened", "score_round", FAC, team="t_a", round="r_three")
    game.no("ref/unknown_component", "score_round", FAC, team="t_a", round="r_one",
            levels={"c_pitch": 2})
    game.no("ref/unknown_component", "score_round", FAC, team="t_a", round="r_one",
            levels={"c_push": 2})  # a component of another round
    game.no("score/not_facilitator", "score_round", FAC, team="t_a", round="r_one",
            levels={"c_gap": 2})
    for bad in (0, 5, 2.5, True, "3"):
        game.no("score/level_range", "score_round", FAC, team="t_a", round="r_one",
                levels={"c_contract": bad})
    game.no("score/override_range", "score_round", FAC, team="t_a", round="r_one",
            overrides={"c_gap": {"points": 11, "reason": "x"}})
    game.no("score/override_range", "score_round", FAC, team="t_a", round="r_one",
            overrides={"c_gap": {"points": -1, "reason": "x"}})
    game.no("score/reason_required", "score_round", FAC, team="t_a", round="r_one",
            overrides={"c_gap": {"points": 5, "reason": "  "}})
    game.no("text/too_long", "score_round", FAC, team="t_a", round="r_one", comment="x" * 2001)
    game.no("auth/forbidden", "score_round", A1, team="t_a", round="r_one")


def test_scoring_in_the_lobby_is_refused():
    game = Game()
    game.two_teams()
    game.no("phase/lobby", "score_round", FAC, team="t_a", round="r_one")
    game.no("phase/lobby", "publish_scores", FAC, round="r_one")


def test_scores_are_replayed_not_recomputed(game, monkeypatch):
    game.ok("score_round", FAC, team="t_a", round="r_one", levels={"c_contract": 2})

    def broken(*args, **kwargs):
        raise AssertionError("replay must not score again")

    monkeypatch.setattr(scoring, "auto_score", broken)
    assert replay(game.scenario, game.events) == game.state


def test_a_submitted_round_is_scored_on_its_frozen_plan(game):
    game.ok("run_diagnostic", A1, diagnostic="d_logs")  # after r_one was submitted
    frozen = plan_for_round(game.team("t_a"), "r_one")
    assert frozen.diagnostics == () and plan_for(game.team("t_a")).diagnostics == ("d_logs",)
    assert frozen.texts["gap"].startswith("On-time")


def test_unpublished_scores_stay_hidden_until_published(game):
    game.ok("score_round", FAC, team="t_a", round="r_one", levels={"c_contract": 4},
            comment="Well done")
    game.ok("score_round", FAC, team="t_b", round="r_one", levels={"c_contract": 1})
    assert team_view(game.scenario, game.state, "t_a")["scores"] == {}
    assert public_view(game.scenario, game.state)["leaderboard"] == []
    game.no("round/not_opened", "publish_scores", FAC, round="r_three")
    game.no("ref/unknown_round", "publish_scores", FAC, round="r_x")
    game.ok("publish_scores", FAC, round="r_one")
    view_a = team_view(game.scenario, game.state, "t_a")
    assert view_a["scores"]["r_one"]["comment"] == "Well done"
    assert "r_one" in team_view(game.scenario, game.state, "t_b")["scores"]
    board = public_view(game.scenario, game.state)["leaderboard"]
    assert [row["team"] for row in board] == ["t_a", "t_b"]
    assert [row["rank"] for row in board] == [1, 2]
    assert board[0]["points"] == game.team("t_a").scores["r_one"]["total"]
    # A later round scored but not published does not count yet.
    game.ok("score_round", FAC, team="t_b", round="r_two", levels={})
    assert public_view(game.scenario, game.state)["leaderboard"] == board
