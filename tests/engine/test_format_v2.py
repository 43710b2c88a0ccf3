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


# --- separate analysis and intervention budgets ------------------------------------------------


def _separate(analysis: float = 1_500.0):
    from practicum.scenario.model import Budget

    rounds = tuple(
        replace(r, budget=replace(r.budget, analysis_cash=500.0)) if r.id == "r_two" else r
        for r in SCENARIO.rounds
    )
    return replace(
        SCENARIO,
        schema_version=2,
        rounds=rounds,
        budget=Budget(points=4, cash=100_000.0, days=8, analysis_cash=analysis),
    )


def test_diagnostics_pay_from_the_analysis_budget_and_interventions_from_the_rest() -> None:
    scenario = _separate()
    g = Game(scenario)
    a1, *_ = g.started()
    start = g.team("t_a").granted
    assert (start.cash, start.analysis) == (100_000.0, 1_500.0)
    g.ok("run_diagnostic", a1, diagnostic="d_survey")  # EUR 1,000 cash
    team = g.team("t_a")
    assert (team.spent.cash, team.spent.analysis) == (0.0, 1_000.0)
    view = learner_view(scenario, g.state, "a1")["team"]["budget"]
    assert view["left"]["analysis"] == 500.0 and view["left"]["cash"] == 100_000.0
    assert scenario_public(scenario)["budget"]["analysisCash"] == 1_500.0
    assert "analysisCash" not in scenario_public(SCENARIO)["budget"]


def test_a_diagnostic_the_analysis_budget_cannot_cover_is_refused_with_cash_to_spare() -> None:
    scenario = _separate(analysis=800.0)
    g = Game(scenario)
    a1, *_ = g.started()
    refused = g.no("budget/insufficient", "run_diagnostic", a1, diagnostic="d_survey")
    assert "analysis budget needed" in refused.message
    assert g.team("t_a").granted.cash == 100_000.0  # plenty of intervention cash, unused


def test_round_grants_add_analysis_cash_and_a_late_team_gets_them_too() -> None:
    scenario = _separate()
    g = Game(scenario)
    g.started()
    g.ok("advance", FAC)  # r_two grants EUR 500 of analysis cash
    assert g.team("t_a").granted.analysis == 2_000.0
    late = g.join("c1")
    g.ok("create_team", late, team_id="t_c", name="Charlie")
    assert g.team("t_c").granted.analysis == 2_000.0


def test_one_shared_pool_is_unchanged() -> None:
    g = Game(SCENARIO)
    a1, *_ = g.started()
    g.ok("run_diagnostic", a1, diagnostic="d_survey")
    team = g.team("t_a")
    assert (team.spent.cash, team.spent.analysis) == (1_000.0, 0.0)
    assert "analysis" not in learner_view(SCENARIO, g.state, "a1")["team"]["budget"]["left"]


# --- pilots -----------------------------------------------------------------------------------


def _piloting():
    from practicum.scenario.model import Cost, Pilot

    rounds = tuple(
        replace(r, actions=(*r.actions, "run_pilot")) if r.id == "r_two" else r
        for r in SCENARIO.rounds
    )
    interventions = tuple(
        replace(
            i,
            pilot=Pilot(
                "North depot",
                Cost(points=1, cash=2_000.0),
                quarters=2,
                note="North had the newest vans.",
            ),
        )
        if i.id == "i_route_fix"
        else i
        for i in SCENARIO.interventions
    )
    return replace(SCENARIO, schema_version=2, rounds=rounds, interventions=interventions)


def test_a_pilot_costs_and_reports_the_measured_effect_to_that_team_only() -> None:
    from practicum.domain.pilot import pilot_measures

    scenario = _piloting()
    g = Game(scenario)
    a1, _, b1, _ = g.started()
    g.no("action/not_allowed", "run_pilot", a1, intervention="i_route_fix")  # not in r_one
    g.ok("advance", FAC)
    g.no("pilot/none", "run_pilot", a1, intervention="i_bonus")
    assert "run_pilot" in learner_view(scenario, g.state, "a1")["team"]["allowed"]
    done = g.ok("run_pilot", a1, intervention="i_route_fix")
    report = done.result["report"]
    assert report.startswith("Pilot of Fix the planner at North depot, read after 2 quarters")
    assert report.endswith("North had the newest vans.")
    team = g.team("t_a")
    assert team.spent.cash == 2_000.0 and team.spent.points == 1
    expected = pilot_measures(scenario, scenario.intervention("i_route_fix"), team.stances)
    assert dict(team.pilots[0].measures) == expected
    assert any(value != 0 for value in expected.values())
    mine = learner_view(scenario, g.state, "a1")["team"]["pilots"]
    assert [p["report"] for p in mine] == [report]
    assert learner_view(scenario, g.state, "b1")["team"]["pilots"] == []
    assert report not in json.dumps(learner_view(scenario, g.state, "b1"))
    g.no("pilot/already_run", "run_pilot", a1, intervention="i_route_fix")
    public = next(i for i in scenario_public(scenario)["interventions"] if i["id"] == "i_route_fix")
    assert public["pilot"] == {
        "site": "North depot",
        "quarters": 2,
        "cost": {"points": 1, "cash": 2_000.0, "days": 0},
    }
    assert b1


def test_a_pilot_replays_from_the_log() -> None:
    from practicum.engine import replay

    scenario = _piloting()
    g = Game(scenario)
    a1, *_ = g.started()
    g.ok("advance", FAC)
    g.ok("run_pilot", a1, intervention="i_route_fix")
    stored = [Event.from_dict(json.loads(json.dumps(e.to_dict()))) for e in g.events]
    assert replay(scenario, stored).teams["t_a"] == g.team("t_a")


# --- pitch rounds with a Q&A the facilitator scores --------------------------------------------

NOTES = "Asked how they would isolate the effect: named the two-site comparison, with numbers."


def _pitching():
    from practicum.scenario.model import Presentation

    rounds = tuple(
        replace(r, presentation=Presentation(5, 3, "Pitch the fix; expect questions on cost."))
        if r.id == "r_one"
        else r
        for r in SCENARIO.rounds
    )
    rubric = tuple(replace(c, qa=True) if c.id == "c_contract" else c for c in SCENARIO.rubric)
    return replace(SCENARIO, schema_version=2, rounds=rounds, rubric=rubric)


def test_q_and_a_notes_are_stored_with_the_level_and_reach_the_team_once_published() -> None:
    scenario = _pitching()
    g = Game(scenario)
    g.started()
    g.no(
        "score/not_facilitator",
        "score_round",
        FAC,
        team="t_a",
        round="r_one",
        levels={},
        notes={"c_gap": "not a Q&A"},
    )
    g.ok(
        "score_round",
        FAC,
        team="t_a",
        round="r_one",
        levels={"c_contract": 3},
        notes={"c_contract": f"  {NOTES}  "},
    )
    entry = g.team("t_a").scores["r_one"]["components"]["c_contract"]
    assert entry["notes"] == NOTES and entry["level"] == 3
    assert NOTES not in json.dumps(learner_view(scenario, g.state, "a1"))  # not published yet
    g.ok("publish_scores", FAC, round="r_one")
    scores = learner_view(scenario, g.state, "a1")["team"]["scores"]["r_one"]
    assert scores["components"]["c_contract"]["notes"] == NOTES
    assert NOTES not in json.dumps(learner_view(scenario, g.state, "b1"))
    public = scenario_public(scenario)
    assert public["rounds"][0]["presentation"] == {
        "pitchMinutes": 5,
        "qaMinutes": 3,
        "brief": "Pitch the fix; expect questions on cost.",
    }
    assert next(c for c in public["rubric"] if c["id"] == "c_contract")["qa"] is True


def test_scoring_without_notes_is_unchanged() -> None:
    g = Game(SCENARIO)
    g.started()
    g.ok("score_round", FAC, team="t_a", round="r_one", levels={"c_contract": 2})
    assert "notes" not in g.team("t_a").scores["r_one"]["components"]["c_contract"]
