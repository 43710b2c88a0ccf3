"""The stage: what the room's screen shows, what the facilitator may put on it, and what never."""

from __future__ import annotations

import json

import pytest

from practicum.engine import STAGE_MODES, replay, stage_view

from .fixtures import FAC, T0, Game
from .test_views import SECRET_KEYS, keys, secrets


@pytest.fixture
def game() -> Game:
    """Round three with an inject fired on t_a, chat on both teams, round one scored."""
    g = Game()
    a1, _a2, b1, _b2 = g.started()
    g.ok("chat", a1, text="alpha-secret-chat")
    g.ok("write_text", a1, field="gap", text="alpha-secret-gap 88% to 93%")
    g.ok("chat", b1, text="bravo-secret-chat")
    g.ok("advance", FAC)
    g.ok("advance", FAC)
    g.ok("fire_inject", FAC, inject="inj_push", teams=["t_a"])
    g.ok("respond_inject", a1, inject="inj_push", text="alpha-secret-response")
    for team in ("t_a", "t_b"):
        g.ok("score_round", FAC, team=team, round="r_one", levels={"c_contract": 2},
             comment=f"{team}-secret-comment")
    return g


def assert_public(g: Game, view: dict) -> None:
    """Fail if the view holds anything beyond what the whole room may read."""
    text = json.dumps(view)
    assert not keys(view) & set(SECRET_KEYS)
    assert not keys(view) & {"expertPlan", "debriefNotes", "chat", "texts", "comment",
                             "components", "plan", "diagnostics", "finding"}
    for secret in secrets(g.scenario):
        assert secret not in text
    for marker in ("secret-chat", "secret-gap", "secret-response", "secret-comment"):
        assert marker not in text
    for inject in g.scenario.injects:
        assert inject.text not in text  # titles only: the message is the teams' to read
    for c in g.scenario.causes:
        assert c.description not in text


def test_the_stage_follows_the_session_until_the_facilitator_chooses():
    g = Game()
    assert stage_view(g.scenario, g.state)["mode"] == "lobby"
    a1, *_ = g.two_teams()
    view = stage_view(g.scenario, g.state)
    assert [(t["name"], t["members"]) for t in view["teams"]] == [("Alpha", 2), ("Bravo", 2)]
    assert view["joinCode"] == "ABCD12" and view["teamSize"] == {"min": 2, "max": 3}
    assert view["submitted"] is None and view["leaderboard"] is None
    g.ok("start_session", FAC)
    view = stage_view(g.scenario, g.state)
    assert view["mode"] == "round"
    assert view["round"]["name"] == g.scenario.rounds[0].name
    assert view["clock"] == {"deadline": T0 + g.scenario.rounds[0].minutes * 60,
                             "paused": False, "remaining": None}
    assert view["submitted"] == 0
    g.ok("write_text", a1, field="gap", text="From 88% to 93% on time.")
    g.ok("submit_round", a1)
    assert stage_view(g.scenario, g.state)["submitted"] == 1
    g.ok("stage_show", FAC, mode="lobby")
    assert stage_view(g.scenario, g.state)["mode"] == "lobby"
    g.ok("advance", FAC)  # a new round puts the round back on the stage
    assert stage_view(g.scenario, g.state)["mode"] == "round"
    assert stage_view(g.scenario, g.state)["submitted"] == 0


def test_what_the_stage_may_show_depends_on_the_session():
    g = Game()
    g.no("stage/unavailable", "stage_show", FAC, mode="round")
    g.no("stage/unavailable", "stage_show", FAC, mode="scoring")
    g.no("stage/unavailable", "stage_show", FAC, mode="debrief")
    g.no("stage/unavailable", "stage_show", FAC, mode="leaderboard")
    g.no("input/invalid", "stage_show", FAC, mode="answers")
    g.no("input/invalid", "stage_show", FAC)
    _a1, *_ = g.started()
    g.no("auth/forbidden", "stage_show", _a1, mode="lobby")
    g.ok("stage_show", FAC, mode="scoring")
    g.no("stage/unavailable", "stage_show", FAC, mode="debrief")
    event_count = len(g.events)
    g.ok("stage_show", FAC, mode="scoring")  # already shown: nothing to record
    assert len(g.events) == event_count


def test_an_inject_shows_its_title_and_sender_only(game):
    view = stage_view(game.scenario, game.state)
    inject = game.scenario.inject("inj_push")
    assert view["inject"]["title"] == inject.title
    person = next(p for p in game.scenario.stakeholders if p.id == inject.sender)
    assert view["inject"]["sender"] == f"{person.name}, {person.role}"
    assert view["inject"]["teams"] == 1
    assert_public(game, view)


def test_scoring_shows_progress_never_points(game):
    game.ok("stage_show", FAC, mode="scoring")
    view = stage_view(game.scenario, game.state)
    assert view["mode"] == "scoring"
    assert view["scoring"][0] == {"round": "r_one", "name": game.scenario.rounds[0].name,
                                  "scored": 2, "teams": 2, "published": False}
    assert [r["scored"] for r in view["scoring"][1:]] == [0, 0]
    assert view["leaderboard"] is None
    assert_public(game, view)


def test_the_leaderboard_waits_for_the_reveal(game):
    game.no("stage/unavailable", "stage_show", FAC, mode="leaderboard")
    game.ok("publish_scores", FAC, round="r_one")
    assert stage_view(game.scenario, game.state)["leaderboard"] is None
    game.ok("stage_show", FAC, mode="leaderboard")
    board = stage_view(game.scenario, game.state)["leaderboard"]
    assert [row["team"] for row in board] and {row["rank"] for row in board} <= {1, 2}


def test_the_debrief_tells_the_story_without_the_answer_key(game):
    for mode in STAGE_MODES:
        if mode != "debrief":
            assert stage_view(game.scenario, game.state)["debrief"] is None
    game.ok("advance", FAC)
    view = stage_view(game.scenario, game.state)
    assert view["mode"] == "debrief"
    debrief = view["debrief"]
    outcome = game.team("t_a").outcome
    kpi = debrief["kpis"][0]
    assert kpi["nothing"] == outcome["nothing"]["kpis"][kpi["id"]]
    assert kpi["expert"] == outcome["expert"]["kpis"][kpi["id"]]
    assert [t["name"] for t in kpi["teams"]] == ["Alpha", "Bravo"]
    assert kpi["teams"][0]["values"] == outcome["plan"]["kpis"][kpi["id"]]
    assert len(debrief["kpis"]) == len(game.scenario.kpis)
    assert debrief["roi"][0]["trueRoi"] == outcome["roi"]
    assert debrief["roi"][0]["reportedRoi"] == outcome["reportedRoi"]
    real = [c for c in game.scenario.causes if c.truth != "false"]
    assert {c["id"] for c in debrief["causes"]} == {c.id for c in real}
    assert_public(game, view)
    game.ok("end_session", FAC)
    game.ok("stage_show", FAC, mode="lobby")  # a closed session's screen can still change
    assert stage_view(game.scenario, game.state)["mode"] == "lobby"


def test_who_found_which_cause():
    game2 = Game()
    a1, _a2, _b1, _b2 = game2.started()
    game2.ok("advance", FAC)
    cause = next(c for c in game2.scenario.causes if c.truth == "primary")
    game2.ok("declare_cause", a1, cause=cause.id, cell=cause.cell, confidence=0.8)
    game2.ok("advance", FAC)
    game2.ok("advance", FAC)
    found = {c["id"]: c for c in stage_view(game2.scenario, game2.state)["debrief"]["causes"]}
    assert found[cause.id]["foundBy"] == [{"team": "t_a", "name": "Alpha"}]


def test_the_stage_choice_replays():
    g = Game()
    g.started()
    g.ok("stage_show", FAC, mode="scoring")
    assert replay(g.scenario, g.events) == g.state
