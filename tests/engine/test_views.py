"""Views: JSON-able, camelCase, and never leaking another team's work or the hidden truth."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from practicum.engine import (
    Actor,
    facilitator_view,
    learner_view,
    public_view,
    scenario_public,
    team_view,
)
from practicum.scenario.loader import load_scenario
from practicum.scenario.model import Scenario

from .fixtures import FAC, SCENARIO, T0, Game

A1, A2, B1 = Actor("learner", "a1"), Actor("learner", "a2"), Actor("learner", "b1")

SECRET_KEYS = ("truth", "gapShare", "loadings", "expectedResponse", "estimateBias", "answerKey",
               "redHerring", "reliability", "credibility", "effects", "trap", "kpiShares",
               "haltsDrift")
SHIPPED = sorted((Path(__file__).resolve().parents[2] / "scenarios").glob("*.json"))


def secrets(scenario: Scenario) -> list[str]:
    """Return texts a learner must not see before the debrief (or ever, for injects' scripts)."""
    found = [c.debrief for c in scenario.causes]
    found += [i.expected_response for i in scenario.injects]
    found += [scenario.debrief_notes] if scenario.debrief_notes else []
    return [s for s in found if s and len(s) > 12]


def keys(value) -> set[str]:
    """Return every dict key anywhere in a JSON value."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys(v)}
    return set()


@pytest.fixture
def game() -> Game:
    """Round three: t_a ran the logs and the planner audit, chatted, got an inject; t_b ran
    the survey. Both were scored on round one (unpublished)."""
    g = Game()
    g.started()
    g.ok("run_diagnostic", A1, diagnostic="d_logs")
    g.ok("run_diagnostic", A2, diagnostic="d_planner")
    g.ok("chat", A1, text="alpha-secret-chat")
    g.ok("write_text", A1, field="gap", text="alpha-secret-gap 88% to 93%")
    g.ok("run_diagnostic", B1, diagnostic="d_survey")
    g.ok("chat", B1, text="bravo-secret-chat")
    g.ok("advance", FAC)
    g.ok("advance", FAC)
    g.ok("fire_inject", FAC, inject="inj_push", teams=["t_a"])
    g.ok("respond_inject", A1, inject="inj_push", text="alpha-secret-response")
    for team in ("t_a", "t_b"):
        g.ok("score_round", FAC, team=team, round="r_one", levels={"c_contract": 2},
             comment=f"{team}-secret-comment")
    return g


def as_json(view) -> str:
    return json.dumps(view)  # fails on anything not JSON-able


def test_learner_view_holds_only_the_learners_own_team(game):
    text = as_json(learner_view(game.scenario, game.state, "b1", now=T0))
    for marker in ("alpha-secret", "t_a-secret", "bravo-secret-comment"):
        assert marker not in text
    assert "bravo-secret-chat" in text
    assert game.scenario.diagnostic("d_survey").finding in text
    for other in ("d_logs", "d_planner"):
        assert game.scenario.diagnostic(other).finding not in text
    assert game.scenario.inject("inj_push").text not in text  # fired on t_a only
    view = learner_view(game.scenario, game.state, "b1")
    assert "Alpha" not in as_json(view["team"])
    assert view["me"] == {"learnerId": "b1", "name": "b1", "team": "t_b"}


def test_no_hidden_truth_before_the_debrief(game):
    for learner_id in ("a1", "b1"):
        view = learner_view(game.scenario, game.state, learner_id)
        text = as_json(view)
        assert not keys(view) & set(SECRET_KEYS)
        for secret in secrets(game.scenario):
            assert secret not in text
        assert view["team"]["debrief"] is None
    assert "Hold the line" not in as_json(learner_view(game.scenario, game.state, "a1"))


def test_truth_is_shown_at_the_debrief(game):
    game.ok("advance", FAC)
    view = learner_view(game.scenario, game.state, "a1")
    debrief = view["team"]["debrief"]
    truths = {c["id"]: c["truth"] for c in debrief["causes"]}
    assert truths == {c.id: c.truth for c in game.scenario.causes}
    assert debrief["outcome"] == game.team("t_a").outcome
    assert debrief["expertPlan"]["interventions"][0]["id"] == "i_route_fix"
    text = as_json(view)
    assert "bravo-secret" not in text
    assert "Hold the line" not in text  # inject scripts stay with the facilitator
    # The facilitator's debrief notes never reach a learner, not even in the debrief.
    assert game.scenario.debrief_notes and game.scenario.debrief_notes not in text
    assert "notes" not in debrief
    assert facilitator_view(game.scenario, game.state)["debriefNotes"] == (
        game.scenario.debrief_notes
    )


def test_scores_appear_only_when_published_and_only_ones_own(game):
    assert "secret-comment" not in as_json(learner_view(game.scenario, game.state, "a1"))
    game.ok("publish_scores", FAC, round="r_one")
    text_a = as_json(learner_view(game.scenario, game.state, "a1"))
    assert "t_a-secret-comment" in text_a and "t_b-secret-comment" not in text_a


def test_team_view_content(game):
    view = team_view(game.scenario, game.state, "t_a")
    assert [m["learnerId"] for m in view["members"]] == ["a1", "a2"]
    run = view["diagnostics"][1]
    assert run["diagnostic"] == "d_planner"
    assert run["ranBy"] == {"learnerId": "a2", "name": "a2"}
    assert view["budget"]["spent"] == {"points": 3, "cash": 500.0, "days": 2}
    assert view["budget"]["left"]["points"] == 4 + 3 - 3
    assert view["injects"][-1]["response"] == "alpha-secret-response"
    assert "inject:inj_push" not in view["texts"]
    assert view["draft"]["round"] == "r_three" and view["draft"]["completeness"] == 0
    assert view["submissions"]["r_one"]["auto"] is True
    assert view["chat"][0]["text"] == "alpha-secret-chat"


def test_public_view_clock_and_teams(game):
    view = public_view(game.scenario, game.state, now=T0 + 60)
    assert view["phase"] == "round"
    assert view["round"]["id"] == "r_three" and view["round"]["index"] == 2
    assert view["remaining"] == game.state.deadline - (T0 + 60)
    assert [(t["name"], t["members"]) for t in view["teams"]] == [("Alpha", 2), ("Bravo", 2)]
    assert "secret" not in as_json(view)
    game.ok("pause", FAC)
    paused = public_view(game.scenario, game.state)
    assert paused["paused"] is True and paused["remaining"] == game.state.remaining


def test_facilitator_view_has_everything(game):
    view = facilitator_view(game.scenario, game.state, now=T0)
    text = as_json(view)
    for marker in ("alpha-secret-chat", "bravo-secret-chat", "t_a-secret-comment",
                   "Hold the line"):
        assert marker in text
    push = next(i for i in view["injects"] if i["id"] == "inj_push")
    assert push["firedOn"] == ["t_a"]
    assert {p["team"]: p["diagnosticsRun"] for p in view["progress"]} == {"t_a": 2, "t_b": 1}
    assert view["progress"][0]["completeness"] == 0 and view["progress"][0]["submitted"] is False
    assert any(c["truth"] == "primary" for c in view["answerKey"])


def test_views_use_camel_case_keys(game):
    game.ok("publish_scores", FAC, round="r_one")
    for view in (facilitator_view(game.scenario, game.state),
                 learner_view(game.scenario, game.state, "a1")):
        snake = {k for k in keys(view) if re.fullmatch(r"[a-z]+(_[a-z]+)+", k)}
        # Ids chosen by scenario authors (fields, rounds, KPIs) are kept as written.
        ids = {f.id for r in game.scenario.rounds for f in r.deliverable}
        ids |= {r.id for r in game.scenario.rounds} | {k.id for k in game.scenario.kpis}
        ids |= {c.id for c in game.scenario.rubric} | {c.id for c in game.scenario.causes}
        ids |= {"t_a", "t_b"} | {s.id for s in game.scenario.stakeholders}
        assert snake <= ids, snake - ids


def test_unknown_learner_gets_an_empty_personal_part(game):
    view = learner_view(game.scenario, game.state, "nobody")
    assert view["me"] is None and view["team"] is None


@pytest.mark.parametrize(
    "scenario",
    [SCENARIO, *(load_scenario(p) for p in SHIPPED)],
    ids=["depot", *(p.stem for p in SHIPPED)],
)
def test_scenario_public_leaves_out_the_answers(scenario):
    public = scenario_public(scenario)
    text = as_json(public)
    assert not keys(public) & {*SECRET_KEYS, "finding", "evidence", "believesTruth", "params",
                               "sideEffects", "expertPlan", "sponsorPlan", "injects", "seed"}
    for secret in secrets(scenario):
        assert secret not in text
    for diagnostic in scenario.diagnostics:
        assert diagnostic.finding not in text
    causes = public["causes"]
    assert [set(c) for c in causes] == [{"id", "label", "description"}] * len(causes)
    assert len(public["diagnostics"]) == len(scenario.diagnostics)
    assert public["rubric"][0]["levels"] is not None


def _body(view: dict) -> dict:
    """Return a team view without chat and activity, which callers send as appended entries."""
    return {k: v for k, v in view.items() if k not in ("chat", "chatCount", "activity",
                                                         "activityCount")}


def test_a_view_after_text_edits_alone_is_patched_and_equals_a_fresh_one():
    from practicum.engine.views import team_view_after_text_edit, team_view_inputs

    game = Game()
    a1, a2, b1, _b2 = game.started()

    def after(change):
        """Apply ``change``; return the text-edit view of t_a built from the view before."""
        before = game.state
        view = team_view(SCENARIO, before, "t_a")
        change()
        state = game.state
        return team_view_after_text_edit(
            SCENARIO,
            state,
            "t_a",
            team_view_inputs(before, before.teams["t_a"]),
            team_view_inputs(state, state.teams["t_a"]),
            view,
        )

    edits = [
        lambda: game.ok("write_text", a1, field="gap", text="88% against 93%"),
        lambda: game.ok("write_text", a2, field="gap", text="88% against 93%, since May"),
        lambda: game.ok("respond_inject", a2, inject="inj_push", text="We hold the line."),
    ]
    game.ok("fire_inject", FAC, inject="inj_push", teams=["t_a"])
    for edit in edits:
        patched = after(edit)
        assert patched is not None
        fresh = team_view(SCENARIO, game.state, "t_a")
        assert _body(patched) == _body(fresh)
    assert patched["texts"]["gap"] == "88% against 93%, since May"
    assert patched["textMeta"]["gap"]["learnerId"] == "a2"
    assert patched["injects"][0]["response"] == "We hold the line."
    # Another team's edit leaves this team's inputs alone: its view is the one it had.
    assert after(lambda: game.ok("write_text", b1, field="gap", text="Bravo")) is not None
    # Anything else the team did, and the view is built anew.
    assert after(lambda: game.ok("run_diagnostic", a1, diagnostic="d_logs")) is None
    assert after(lambda: game.ok("mark_evidence", a1, diagnostic="d_logs", cause="rc_routing",
                                 stance=1)) is None
    assert after(lambda: game.ok("pause", FAC)) is None
