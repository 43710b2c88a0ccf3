"""Lint: each design rule fires on a scenario that breaks it, and only then."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from practicum.scenario.lint import RULES, Finding, lint
from practicum.scenario.model import Level, Scenario

from .helpers import load_data, variant


def findings(scenario: Scenario, rule: str) -> list[tuple[str, str, str]]:
    """Return (severity, path, message) of one rule's findings."""
    return [(f.severity, f.path, f.message) for f in lint(scenario) if f.rule == rule]


def lint_variant(mutate: Any, rule: str) -> list[tuple[str, str, str]]:
    """Load a variant of the minimal scenario and return one rule's findings."""
    return findings(load_data(variant(mutate)), rule)


def test_the_minimal_scenario_lints_clean(minimal) -> None:
    assert lint(minimal) == []


def test_finding_renders_severity_rule_path_and_message() -> None:
    finding = Finding("warning", "kpis[0]", "odd", "kpi-target")
    assert str(finding) == "warning [kpi-target] kpis[0]: odd"


def test_references_rule_reports_ids_built_in_code(minimal) -> None:
    broken = replace(minimal, brief=replace(minimal.brief, sponsor="st_ghost"))
    assert findings(broken, "references") == [
        ("error", "brief.sponsor", "unknown stakeholder 'st_ghost' (known: st_sponsor)")
    ]


def test_rubric_weights_must_sum_to_100() -> None:
    assert lint_variant(lambda d: d["rubric"][0].update(weight=5), "rubric-weights") == [
        ("error", "rubric", "component weights sum to 95, not 100 (c_gap 5, c_diagnosis 25, "
         "c_evidence 10, c_fit 15, c_metrics 10, c_pitch 30)")
    ]


def test_gap_shares_and_residual_must_sum_to_one() -> None:
    assert lint_variant(lambda d: d["causes"][0].update(gapShare=0.7), "gap-shares") == [
        ("error", "causes", "gap shares plus residual sum to 0.9, not 1 (rc_search 0.7 + "
         "rc_skills 0 + residual 0.2)")
    ]


def test_a_tolerance_absorbs_floating_point_sums() -> None:
    def thirds(d: dict[str, Any]) -> None:
        d["causes"][0]["gapShare"] = 0.1 + 0.7  # 0.7999999999999999
        d["residual"] = 0.2

    assert lint_variant(thirds, "gap-shares") == []


def test_false_causes_explain_none_of_the_gap_and_real_ones_some() -> None:
    def swap(d: dict[str, Any]) -> None:
        d["causes"][0]["gapShare"] = 0.7
        d["causes"][1]["gapShare"] = 0.1

    assert lint_variant(swap, "gap-shares") == [
        ("error", "causes[1].gapShare", "'rc_skills' is a false cause but explains 0.1 of the "
         "gap; false causes must have gapShare 0")
    ]

    def real_but_empty(d: dict[str, Any]) -> None:
        d["causes"][1]["truth"] = "minor"

    assert lint_variant(real_but_empty, "gap-shares") == [
        ("warning", "causes[1].gapShare", "'rc_skills' is minor but explains none of the gap; "
         "give it a gapShare or mark it false")
    ]


def test_a_cause_with_a_share_loads_on_a_kpi() -> None:
    assert lint_variant(lambda d: d["causes"][0].update(loadings={}), "cause-loadings") == [
        ("warning", "causes[0].loadings", "'rc_search' explains 0.8 of the gap but loads on no "
         "KPI, so removing it changes nothing")
    ]


def test_kpi_target_lies_between_current_and_baseline() -> None:
    assert lint_variant(lambda d: d["kpis"][0].update(target=85), "kpi-target") == [
        ("warning", "kpis[0].target", "'k_fcr' target 85 is not between current 70 and baseline "
         "80; even removing every cause cannot be expected to reach it")
    ]
    assert lint_variant(lambda d: d["kpis"][0].update(direction="lower"), "kpi-target") == [
        ("warning", "kpis[0].current", "'k_fcr' is not worse now (70) than at baseline (80) for "
         "a 'lower' KPI, so there is no gap")
    ]


def test_rounds_need_minutes_and_a_deliverable() -> None:
    def empty(d: dict[str, Any]) -> None:
        d["rounds"][0]["minutes"] = 0
        d["rounds"][1]["deliverable"] = []
        d["expertPlan"]["texts"].pop("pitch")

    assert lint_variant(empty, "round-playable") == [
        ("error", "rounds[0].minutes", "round 'r_cause' has 0 minutes; give it time"),
        ("error", "rounds[1].deliverable",
         "round 'r_plan' has no deliverable; teams need something to submit"),
    ]


def test_facilitator_levels_are_distinct_and_complete(minimal) -> None:
    def same_words(d: dict[str, Any]) -> None:
        d["rubric"][5]["levels"][1]["descriptor"] = d["rubric"][5]["levels"][0]["descriptor"]

    assert lint_variant(same_words, "facilitator-levels") == [
        ("error", "rubric[5].levels",
         "'c_pitch' level descriptors must be non-blank and distinct")
    ]
    pitch = minimal.rubric[5]
    built = replace(minimal, rubric=(*minimal.rubric[:5], replace(pitch, levels=pitch.levels[:2]
                                                                   + (Level(2, "again"),))))
    assert findings(built, "facilitator-levels")[0] == (
        "error", "rubric[5].levels", "'c_pitch' needs one descriptor for each level 1-4, has "
        "[1, 2, 2]")


def test_diagnostics_open_in_a_round_that_allows_running_them() -> None:
    assert lint_variant(lambda d: d["rounds"][0]["actions"].remove("run_diagnostic"),
                        "diagnostic-runnable") == [
        ("warning", f"diagnostics[{i}].opensIn", f"'{d}' opens in 'r_cause' but no round from "
         "there on allows run_diagnostic")
        for i, d in enumerate(["d_kpi_trend", "d_side_by_side", "d_quiz"])
    ]


def test_locked_diagnostics_must_be_unlockable_from_a_reachable_one() -> None:
    assert lint_variant(lambda d: d["diagnostics"][2].update(locked=True),
                        "unlock-reachable") == [
        ("error", "diagnostics[2].locked",
         "'d_quiz' is locked and can never be run: no diagnostic lists it in unlocks")
    ]

    def locked_chain(d: dict[str, Any]) -> None:
        d["diagnostics"][1].update(locked=True, unlocks=["d_quiz"])
        d["diagnostics"][2].update(locked=True)
        d["expertPlan"]["diagnostics"] = ["d_kpi_trend"]
        d["expertPlan"]["evidence"] = [d["expertPlan"]["evidence"][0]]

    assert lint_variant(locked_chain, "unlock-reachable") == [
        ("error", "diagnostics[1].locked",
         "'d_side_by_side' is locked and can never be run: no diagnostic lists it in unlocks"),
        ("error", "diagnostics[2].locked", "'d_quiz' is locked and can never be run: it is "
         "unlocked only by d_side_by_side, which no team can reach"),
    ]

    def unlocked(d: dict[str, Any]) -> None:
        d["diagnostics"][0]["unlocks"] = ["d_side_by_side"]
        d["diagnostics"][1].update(locked=True, unlocks=["d_quiz"])
        d["diagnostics"][2].update(locked=True)

    assert lint_variant(unlocked, "unlock-reachable") == []


def test_every_false_cause_can_be_disconfirmed_within_budget() -> None:
    def no_counter_evidence(d: dict[str, Any]) -> None:
        d["diagnostics"][0]["evidence"] = d["diagnostics"][0]["evidence"][:1]
        d["diagnostics"][2]["evidence"] = [{"cause": "rc_skills", "weight": 1}]

    assert lint_variant(no_counter_evidence, "false-cause-disconfirmable") == [
        ("error", "causes[1]", "false cause 'rc_skills' has no diagnostic with negative evidence "
         "weight, so no team can rule it out on evidence")
    ]

    def too_dear(d: dict[str, Any]) -> None:
        d["diagnostics"][0]["cost"] = {"points": 5}
        d["diagnostics"][2]["cost"] = {"points": 1, "cash": 50000}

    assert lint_variant(too_dear, "false-cause-disconfirmable") == [
        ("error", "causes[1]", "false cause 'rc_skills' is disconfirmed only by d_kpi_trend, "
         "d_quiz, which a team cannot reach within its budget (4 points, 40000 cash, 10 days)")
    ]


def test_round_grants_count_towards_the_budget() -> None:
    def dear_but_granted(d: dict[str, Any]) -> None:
        d["diagnostics"][0]["cost"] = {"points": 5}
        d["diagnostics"][2]["cost"] = {"points": 1, "cash": 50000}
        d["rounds"][1]["budget"] = {"cash": 20000}

    assert lint_variant(dear_but_granted, "false-cause-disconfirmable") == []


def test_the_primary_cause_can_be_triangulated_within_budget() -> None:
    assert lint_variant(lambda d: d["diagnostics"][1].update(method="extant_data"),
                        "primary-triangulable") == [
        ("error", "causes[0]", "primary cause 'rc_search' is supported by methods "
         "['extant_data']; triangulation needs positive evidence from two different method types")
    ]
    assert lint_variant(lambda d: d["diagnostics"][1]["cost"].update(points=4),
                        "primary-triangulable") == [
        ("error", "causes[0]", "no two diagnostics of different methods supporting 'rc_search' "
         "fit the budget together (4 points, 40000 cash, 10 days)")
    ]
    assert lint_variant(lambda d: d["causes"][0].update(truth="contributing"),
                        "primary-triangulable") == [
        ("error", "causes", "no cause has truth 'primary'; the game needs one main cause to find")
    ]


def test_triangulation_counts_the_cost_of_unlocking() -> None:
    def behind_the_quiz(d: dict[str, Any]) -> None:
        d["diagnostics"][1]["locked"] = True
        d["diagnostics"][2]["unlocks"] = ["d_side_by_side"]

    assert lint_variant(behind_the_quiz, "primary-triangulable") == []  # 1 + 2 + 1 points of 4

    def and_a_tighter_budget(d: dict[str, Any]) -> None:
        behind_the_quiz(d)
        d["budget"]["points"] = 3

    assert lint_variant(and_a_tighter_budget, "primary-triangulable")[0][2].startswith(
        "no two diagnostics of different methods supporting 'rc_search' fit the budget")


def test_every_intervention_is_validated_by_a_metric() -> None:
    def unmeasured(d: dict[str, Any]) -> None:
        d["metrics"][0]["validates"] = ["i_search_fix"]
        d["metrics"][2]["validates"] = []

    assert lint_variant(unmeasured, "intervention-measurable") == [
        ("error", "interventions[1]", "no metric lists 'i_refresher' in validates, so no team can "
         "plan to show its effect")
    ]


PREMIUM = {
    "id": "i_search_premium", "name": "Premium search", "family": "non_training",
    "category": "tool_fix", "description": "A dearer search fix.", "cells": ["cell_tools"],
    "cost": {"oneOff": 40000}, "leadWeeks": 3, "rampWeeks": 3, "decay": 0.0,
    "effects": [{"cause": "rc_search", "removes": 0.5}],
}


def test_strictly_dominated_interventions_are_errors_unless_traps() -> None:
    def add(extra: dict[str, Any]) -> Any:
        def mutate(d: dict[str, Any]) -> None:
            d["interventions"].append({**PREMIUM, **extra})
            d["metrics"][0]["validates"].append("i_search_premium")
        return mutate

    assert lint_variant(add({}), "dominated-intervention") == [
        ("error", "interventions[2]", "'i_search_premium' costs more than 'i_search_fix' and "
         "removes no cause better; make it different, or mark it \"trap\": true if it is a "
         "deliberate poor choice")
    ]
    assert lint_variant(add({"trap": True}), "dominated-intervention") == []
    # Sustaining a trap earns nothing, so it does not shield an option from the rule.
    assert [f[:2] for f in lint_variant(add({"sustains": ["i_refresher"]}),
                                        "dominated-intervention")] == [
        ("error", "interventions[2]")]
    better_somewhere = {"effects": [{"cause": "rc_search", "removes": 0.5},
                                    {"cause": "rc_skills", "removes": 0.1}]}
    assert lint_variant(add(better_somewhere), "dominated-intervention") == []


def test_the_expert_plan_must_be_playable() -> None:
    def out_of_order(d: dict[str, Any]) -> None:
        d["diagnostics"][2]["locked"] = True
        d["diagnostics"][0]["unlocks"] = ["d_quiz"]
        d["expertPlan"]["diagnostics"] = ["d_quiz", "d_kpi_trend"]

    assert lint_variant(out_of_order, "expert-plan-feasible") == [
        ("error", "expertPlan.diagnostics[0]",
         "'d_quiz' is locked and no diagnostic run before it unlocks it"),
        ("error", "expertPlan.evidence[1].diagnostic",
         "the expert plan cites 'd_side_by_side' but does not run it"),
    ]

    def over_budget(d: dict[str, Any]) -> None:
        d["budget"]["points"] = 2
        d["rounds"][1]["limits"] = {"maxMetrics": 1}

    assert lint_variant(over_budget, "expert-plan-feasible") == [
        ("error", "expertPlan", "the expert plan spends 3 points, more than the 2 a team receives"),
        ("error", "expertPlan.metrics", "the expert plan has 2 metrics but a round allows 1"),
    ]


def test_the_expert_plan_must_spend_no_more_cash_than_a_team_has() -> None:
    # The search fix costs 15000 once and 1000 a quarter over four quarters: 19000.
    assert lint_variant(lambda d: d["budget"].update(cash=18000), "expert-plan-feasible") == [
        ("error", "expertPlan",
         "the expert plan spends 19000 cash, more than the 18000 a team receives")
    ]
    assert lint_variant(lambda d: d["budget"].update(cash=19000), "expert-plan-feasible") == []


def test_the_expert_plan_must_reach_targets_and_full_marks() -> None:
    assert lint_variant(lambda d: d["expertPlan"]["texts"].pop("gap"), "expert-plan-wins") == [
        ("error", "rubric[0]", "the expert plan scores 0 of 10 on 'c_gap': No gap statement was "
         "written: say where each KPI is now and where it needs to be, in numbers.")
    ]
    missed = lint_variant(lambda d: d["kpis"][0].update(target=79.5), "expert-plan-wins")
    assert missed[0][:2] == ("error", "kpis[0].target")
    assert missed[0][2].startswith("the expert plan reaches 77.")
    assert missed[0][2].endswith("% on 'k_fcr' in quarter 4, short of the target 79.5; "
                                 "strengthen the expert plan or lower the target")


def test_rule_params_are_ones_the_rule_reads() -> None:
    assert lint_variant(lambda d: d["rubric"][0].update(params={"fields": "gap"}),
                        "rule-params") == [
        ("warning", "rubric[0].params.fields",
         "rule 'gap_statement' does not read 'fields' (it reads: field, kpis)")
    ]
    assert lint_variant(lambda d: d["rubric"][0].update(params={"field": "pitchh"}),
                        "rule-params") == [
        ("error", "rubric[0]", "gap_statement reads the text field 'pitchh', but no round has a "
         "text deliverable field with that id; add one or set params.field")
    ]


def test_inject_response_components_score_an_inject() -> None:
    def respond(d: dict[str, Any]) -> None:
        d["rubric"][0].update(rule="inject_response")

    assert lint_variant(respond, "rule-params") == [
        ("error", "rubric[0]", "inject_response component 'c_gap' scores no inject: set "
         "params.inject or point an inject's component at it")
    ]

    def wired(d: dict[str, Any]) -> None:
        respond(d)
        d["injects"][0]["component"] = "c_gap"

    assert lint_variant(wired, "rule-params") == []


def test_a_crashing_check_becomes_an_error_finding(minimal, monkeypatch) -> None:
    import practicum.domain.outcome as outcome

    def explode(*args: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(outcome, "evaluate", explode)
    assert findings(minimal, "expert-plan-wins") == [
        ("error", "", "could not run this check (RuntimeError: boom); the scenario may break "
         "the outcome or scoring model - please report it")
    ]


def test_rule_names_are_stable() -> None:
    assert list(RULES) == [
        "references", "rubric-weights", "gap-shares", "cause-loadings", "kpi-target",
        "round-playable", "facilitator-levels", "diagnostic-runnable", "unlock-reachable",
        "false-cause-disconfirmable", "primary-triangulable", "rule-params",
        "intervention-measurable", "dominated-intervention", "expert-plan-feasible",
        "expert-plan-wins", "cause-evidence", "false-cause-loadings", "percent-as-fraction",
        "metric-baseline", "metric-validates-real", "duplicate-intervention", "primary-fix-trap",
        "deliverable-fillable", "inject-can-fire", "inject-component", "analysis-points-late",
        "expert-plan-trap", "expert-evidence-sign", "expert-stance-reachable",
        "expert-plan-best", "sponsor-beats-expert",
    ]


@pytest.mark.parametrize("rule", list(RULES))
def test_every_rule_is_silent_on_the_minimal_scenario(minimal, rule: str) -> None:
    assert findings(minimal, rule) == []
