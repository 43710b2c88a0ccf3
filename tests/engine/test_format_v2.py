"""Format v2 in the engine: questions to a stakeholder, reactions to a choice, objectives."""

from __future__ import annotations

import json
from dataclasses import replace

from practicum.engine import learner_view, scenario_public
from practicum.engine.events import Event
from practicum.engine.views import objectives_view
from practicum.scenario.model import Objective, Reaction

from .fixtures import FAC, SCENARIO, Game

ANSWER = "Honestly? The planner update broke the stop order and nobody fixed it."
REACTION = "Finally someone listens: I can have the sequencing patch in two sprints."


def _v2():
    diagnostics = tuple(
        replace(d, stakeholder="st_it", question="What changed in the planner?", finding=ANSWER)
        if d.id == "d_interview"
        else d
        for d in SCENARIO.diagnostics
    )
    interventions = tuple(
        replace(i, reactions=(Reaction("st_it", REACTION),)) if i.id == "i_route_fix" else i
        for i in SCENARIO.interventions
    )
    rubric = tuple(
        replace(c, objectives=("obj_cause",)) if c.id in ("c_diagnosis", "c_triangulation") else c
        for c in SCENARIO.rubric
    )
    return replace(
        SCENARIO,
        schema_version=2,
        diagnostics=diagnostics,
        interventions=interventions,
        rubric=rubric,
        objectives=(
            Objective("obj_cause", "Tell a skill gap from an environment gap with evidence."),
            Objective("obj_unused", "Plan an evaluation backwards from level 4."),
        ),
    )


V2 = _v2()


def test_a_question_to_a_stakeholder_costs_and_reveals_the_answer_to_that_team_only() -> None:
    g = Game(V2)
    a1, _, b1, _ = g.started()
    catalogue = scenario_public(V2)
    asked = next(d for d in catalogue["diagnostics"] if d["id"] == "d_interview")
    assert asked["stakeholder"] == "st_it" and asked["question"] == "What changed in the planner?"
    assert ANSWER not in json.dumps(catalogue)
    before = g.team("t_a").spent.points
    answer = g.ok("run_diagnostic", a1, diagnostic="d_interview")
    assert answer.result["finding"] == ANSWER
    assert g.team("t_a").spent.points == before + 1
    assert g.team("t_a").stances["st_it"] == 0  # the question's stance effect applied
    assert ANSWER in json.dumps(learner_view(V2, g.state, "a1"))
    assert ANSWER not in json.dumps(learner_view(V2, g.state, "b1"))
    g.no("diagnostic/already_run", "run_diagnostic", a1, diagnostic="d_interview")
    assert b1


def test_a_stakeholder_reacts_when_the_team_first_chooses_an_intervention() -> None:
    g = Game(V2)
    a1, _, b1, _ = g.started()
    g.ok("advance", FAC)
    g.ok("advance", FAC)
    assert REACTION not in json.dumps(learner_view(V2, g.state, "a1"))
    chosen = g.ok("select_intervention", a1, intervention="i_route_fix", start_week=0)
    assert chosen.result["reactions"] == [{"stakeholder": "st_it", "text": REACTION}]
    moved = g.ok("select_intervention", a1, intervention="i_route_fix", start_week=4)
    assert "reactions" not in moved.result  # re-timing is not a new choice
    mine = learner_view(V2, g.state, "a1")["team"]["reactions"]
    assert [(r["stakeholder"], r["intervention"], r["text"]) for r in mine] == [
        ("st_it", "i_route_fix", REACTION)
    ]
    assert learner_view(V2, g.state, "b1")["team"]["reactions"] == []
    g.ok("deselect_intervention", a1, intervention="i_route_fix")
    g.ok("select_intervention", a1, intervention="i_route_fix", start_week=0)
    assert len(g.team("t_a").reactions) == 2  # chosen again after removal: heard again
    assert b1


def test_reactions_replay_from_the_log() -> None:
    g = Game(V2)
    a1, *_ = g.started()
    g.ok("advance", FAC)
    g.ok("advance", FAC)
    g.ok("select_intervention", a1, intervention="i_route_fix", start_week=0)
    stored = [Event.from_dict(json.loads(json.dumps(e.to_dict()))) for e in g.events]
    again = Game(V2)
    again.events = stored
    from practicum.engine import replay

    assert replay(V2, stored).teams["t_a"].reactions == g.team("t_a").reactions


def test_objectives_list_the_components_that_assess_them_at_the_debrief() -> None:
    assert objectives_view(V2) == [
        {
            "id": "obj_cause",
            "text": "Tell a skill gap from an environment gap with evidence.",
            "components": [
                {"id": "c_diagnosis", "name": "Diagnosis", "round": "r_two", "weight": 20.0},
                {
                    "id": "c_triangulation",
                    "name": "Triangulation",
                    "round": "r_two",
                    "weight": 10.0,
                },
            ],
        },
        {
            "id": "obj_unused",
            "text": "Plan an evaluation backwards from level 4.",
            "components": [],
        },
    ]
    assert objectives_view(SCENARIO) == []
    public = scenario_public(V2)
    assert [o["id"] for o in public["objectives"]] == ["obj_cause", "obj_unused"]
    assert "objectives" not in scenario_public(SCENARIO)  # v1 catalogues unchanged
