"""Automatic scoring rules: the expert plan earns full marks, wrong plans lose them, and why."""

from __future__ import annotations

import inspect
from dataclasses import replace

import pytest

from practicum.domain.scoring import (
    RULE_FUNCTIONS,
    RULE_PARAMS,
    RuleResult,
    auto_score,
    score_component,
)
from practicum.scenario.model import (
    RULES,
    EvidenceMark,
    Plan,
    PlannedCause,
    PlannedIntervention,
    PlannedMetric,
)

from .fixtures import EXPERT_PLAN, TRAIN_EVERYONE, build_scenario, component

SCENARIO = build_scenario()


def score(rule: str, plan: Plan, scenario=SCENARIO, **params: object) -> RuleResult:
    """Score a plan on the fixture's component for a rule, with params overridden."""
    comp = component(scenario, rule)
    if params:
        comp = replace(comp, params={**comp.params, **params})
    return score_component(scenario, plan, comp)


def fraction(result: RuleResult) -> float:
    return result.points / result.max_points


# --- registry and contract ---------------------------------------------------------------------


def test_every_rule_in_the_model_has_a_function_and_documented_params():
    assert set(RULE_FUNCTIONS) == set(RULES)
    assert set(RULE_PARAMS) == set(RULES)


@pytest.mark.parametrize("rule", RULES)
def test_each_documented_param_is_named_in_the_rules_docstring(rule):
    doc = inspect.getdoc(RULE_FUNCTIONS[rule])
    for param in RULE_PARAMS[rule]:
        assert f"`{param}`" in doc, f"{rule} docstring does not describe {param}"


def test_expert_plan_earns_full_marks_on_every_automatic_component():
    scores = auto_score(SCENARIO, EXPERT_PLAN)
    assert set(scores) == {c.id for c in SCENARIO.rubric if c.kind == "auto"}
    for result in scores.values():
        assert result.points == result.max_points


def test_auto_score_can_be_limited_to_one_round():
    scores = auto_score(SCENARIO, EXPERT_PLAN, "r_cause")
    assert set(scores) == {"c_diagnosis", "c_triangulation", "c_efficiency"}
    assert auto_score(SCENARIO, EXPERT_PLAN, "r_unknown") == {}


def test_facilitator_components_are_not_scored_automatically():
    with pytest.raises(ValueError, match="not scored automatically"):
        score_component(SCENARIO, EXPERT_PLAN, SCENARIO.component("c_pitch"))


def test_unknown_rule_is_refused():
    bogus = replace(SCENARIO.component("c_gap"), rule="vibes")
    with pytest.raises(ValueError, match="unknown rule"):
        score_component(SCENARIO, EXPERT_PLAN, bogus)


def test_rule_result_refuses_points_outside_the_weight():
    with pytest.raises(ValueError):
        RuleResult(5.0, 4.0, "too many")
    with pytest.raises(ValueError):
        RuleResult(-0.1, 4.0, "negative")
    assert RuleResult(2.0, 4.0, "half").to_dict() == {
        "points": 2.0,
        "maxPoints": 4.0,
        "explanation": "half",
    }


# --- gap_statement -----------------------------------------------------------------------------


def with_gap(text: str) -> Plan:
    return Plan(texts={"gap": text})


def test_gap_statement_needs_current_and_target_for_each_kpi():
    assert fraction(score("gap_statement", with_gap("FCR is 68% and must reach 76%."))) == 0.5
    assert fraction(score("gap_statement", with_gap("FCR is 68%."))) == 0.25
    both = "FCR 68.0 -> 76; handle time 7.5 min -> 6.5 min"
    assert fraction(score("gap_statement", with_gap(both))) == 1.0


def test_gap_statement_without_text_or_numbers_scores_nothing():
    assert score("gap_statement", Plan()).points == 0
    result = score("gap_statement", with_gap("Resolution is too low and calls are too long."))
    assert result.points == 0
    assert "First-contact resolution" in result.explanation


def test_gap_statement_tolerates_rounding_but_not_false_precision():
    scenario = replace(SCENARIO, kpis=(replace(SCENARIO.kpi("k_fcr"), current=68.4, target=76.25),))
    rounded = score("gap_statement", with_gap("68% now, 76% wanted"), scenario, kpis=["k_fcr"])
    assert fraction(rounded) == 1.0
    precise = score("gap_statement", with_gap("68.0% now, 76.3 wanted"), scenario, kpis=["k_fcr"])
    assert fraction(precise) == 0.5  # 68.0 claims a precision that excludes 68.4


def test_gap_statement_reads_thousands_and_decimal_commas():
    scenario = replace(
        SCENARIO, kpis=(replace(SCENARIO.kpi("k_fcr"), current=1200.0, target=72.5),)
    )
    result = score(
        "gap_statement", with_gap("1,200 today; 72,5 next year"), scenario, kpis=["k_fcr"]
    )
    assert fraction(result) == 1.0


def test_gap_statement_reads_the_configured_field():
    plan = Plan(texts={"gap": "", "problem": "FCR 68 to 76, AHT 7.5 to 6.5"})
    assert fraction(score("gap_statement", plan, field="problem")) == 1.0
    assert score("gap_statement", plan).points == 0


# --- diagnosis_accuracy ------------------------------------------------------------------------


def declaring(*causes: tuple[str, str], confidence: float = 0.8, **fields: object) -> Plan:
    return Plan(causes=tuple(PlannedCause(c, cell, confidence) for c, cell in causes), **fields)


ALL_RIGHT = (
    ("rc_kb", "cell_tools"),
    ("rc_incentive", "cell_incentives"),
    ("rc_skill", "cell_knowledge"),
)


def test_diagnosis_weights_the_primary_cause_most():
    without_primary = fraction(score("diagnosis_accuracy", declaring(*ALL_RIGHT[1:])))
    without_contributing = fraction(score("diagnosis_accuracy", declaring(*ALL_RIGHT[:2])))
    assert without_primary == pytest.approx(2 / 4)
    assert without_contributing == pytest.approx(3 / 4)


def test_diagnosis_gives_partial_credit_for_the_wrong_cell():
    wrong = declaring(("rc_kb", "cell_knowledge"), *ALL_RIGHT[1:])
    result = score("diagnosis_accuracy", wrong)
    assert fraction(result) == pytest.approx((2 * 0.5 + 1 + 1) / 4)
    assert "Knowledge base out of date" in result.explanation


def test_diagnosis_penalises_false_causes_more_when_confident():
    sure = Plan(
        causes=(*declaring(*ALL_RIGHT).causes, PlannedCause("rc_product", "cell_knowledge", 1.0))
    )
    unsure = Plan(
        causes=(*declaring(*ALL_RIGHT).causes, PlannedCause("rc_product", "cell_knowledge", 0.0))
    )
    assert fraction(score("diagnosis_accuracy", sure)) == pytest.approx(1 - 0.2)
    assert fraction(score("diagnosis_accuracy", unsure)) == pytest.approx(1 - 0.1)
    assert "Product knowledge gap" in score("diagnosis_accuracy", sure).explanation


def test_diagnosis_rewards_confidence_on_real_causes():
    hedged = fraction(score("diagnosis_accuracy", declaring(*ALL_RIGHT, confidence=0.35)))
    assert hedged == pytest.approx(1 - 0.25 * 0.5)
    assert fraction(score("diagnosis_accuracy", declaring(*ALL_RIGHT, confidence=0.7))) == 1.0


def test_diagnosis_credits_ruling_out_false_causes_and_penalises_ruling_out_real_ones():
    partial = declaring(*ALL_RIGHT[:2])
    base = fraction(score("diagnosis_accuracy", partial))
    ruled_false = replace(partial, ruled_out=("rc_product", "rc_motives"))
    ruled_real = replace(partial, ruled_out=("rc_skill",))
    assert fraction(score("diagnosis_accuracy", ruled_false)) == pytest.approx(base + 0.1)
    assert fraction(score("diagnosis_accuracy", ruled_real)) == pytest.approx(base - 0.1)


def test_diagnosis_explains_misses_by_cell_without_naming_them():
    result = score("diagnosis_accuracy", declaring(ALL_RIGHT[0]))
    assert "Knowledge base out of date" in result.explanation
    assert "Incentives & consequences" in result.explanation
    assert "Handle-time target" not in result.explanation
    assert "New hires" not in result.explanation


def test_diagnosis_of_nothing_scores_nothing():
    assert score("diagnosis_accuracy", Plan()).points == 0


# --- evidence_triangulation --------------------------------------------------------------------


def test_triangulation_needs_two_method_types_per_declared_cause():
    one_method = replace(
        EXPERT_PLAN,
        evidence=tuple(m for m in EXPERT_PLAN.evidence if m.diagnostic != "d_kpi_trend"),
    )
    result = score("evidence_triangulation", one_method)
    assert fraction(result) == pytest.approx((0.5 + 1 + 1) / 3)
    assert "Knowledge base out of date" in result.explanation


def test_triangulation_ignores_marks_on_diagnostics_not_run_or_against_the_evidence():
    plan = declaring(
        ALL_RIGHT[0],
        diagnostics=("d_kpi_trend",),
        evidence=(
            EvidenceMark("d_kpi_trend", "rc_kb", 1),
            EvidenceMark("d_observe", "rc_kb", 1),  # not run
            EvidenceMark("d_exemplar", "rc_kb", -1),  # run below, but marked against
        ),
    )
    assert fraction(score("evidence_triangulation", plan)) == 0.5
    ran_both = replace(plan, diagnostics=("d_kpi_trend", "d_exemplar", "d_observe"))
    assert fraction(score("evidence_triangulation", ran_both)) == 1.0
    flipped = replace(ran_both, evidence=(EvidenceMark("d_kpi_trend", "rc_kb", -1),))
    assert score("evidence_triangulation", flipped).points == 0


def test_triangulation_does_not_count_findings_that_do_not_support_the_cause():
    # d_survey bears on incentives and motives, not on the knowledge base.
    plan = declaring(
        ALL_RIGHT[0],
        diagnostics=("d_kpi_trend", "d_survey"),
        evidence=(
            EvidenceMark("d_kpi_trend", "rc_kb", 1),
            EvidenceMark("d_survey", "rc_kb", 1),
        ),
    )
    assert fraction(score("evidence_triangulation", plan)) == 0.5


def test_triangulation_needs_fewer_methods_when_the_scenario_offers_fewer():
    assert fraction(score("evidence_triangulation", EXPERT_PLAN, minMethods=3)) < 1.0
    lone = replace(
        SCENARIO,
        diagnostics=tuple(
            d if d.id != "d_exemplar" else replace(d, evidence=()) for d in SCENARIO.diagnostics
        ),
    )
    plan = declaring(
        ALL_RIGHT[2], diagnostics=("d_test",), evidence=(EvidenceMark("d_test", "rc_skill", 1),)
    )
    assert fraction(score("evidence_triangulation", plan, lone)) == 1.0


def test_triangulation_with_no_main_cause_declared_scores_nothing():
    assert score("evidence_triangulation", Plan()).points == 0
    only_false = declaring(("rc_product", "cell_knowledge"))
    assert score("evidence_triangulation", only_false).points == 0


# --- diagnostic_efficiency ---------------------------------------------------------------------


def running(*diagnostics: str) -> Plan:
    return Plan(diagnostics=diagnostics)


def test_efficiency_rewards_useful_diagnostics_and_penalises_red_herrings():
    expert = fraction(score("diagnostic_efficiency", running(*EXPERT_PLAN.diagnostics)))
    herrings = fraction(score("diagnostic_efficiency", running("d_focus", "d_sponsor")))
    assert expert == 1.0
    assert herrings == 0.0


def test_efficiency_splits_coverage_and_spend():
    # Two of five useful diagnostics (1 + 3 points) and a red herring (1 point).
    result = score("diagnostic_efficiency", running("d_kpi_trend", "d_observe", "d_focus"))
    coverage, share = 2 / 5, 4 / 5
    assert fraction(result) == pytest.approx(0.5 * coverage + 0.5 * min(1.0, share / 0.7))
    assert "Focus" in result.explanation


def test_efficiency_targets_never_exceed_the_expert_plan():
    scenario = replace(
        SCENARIO,
        expert_plan=replace(
            EXPERT_PLAN,
            diagnostics=("d_kpi_trend", "d_observe", "d_survey", "d_focus"),
        ),
    )
    plan = running("d_kpi_trend", "d_observe", "d_survey", "d_focus")
    assert fraction(score("diagnostic_efficiency", plan, scenario)) == 1.0


def test_efficiency_with_no_diagnostics_scores_nothing():
    assert score("diagnostic_efficiency", Plan()).points == 0


# --- solution_fit ------------------------------------------------------------------------------


def choosing(*interventions: str, **fields: object) -> Plan:
    return Plan(interventions=tuple(PlannedIntervention(i) for i in interventions), **fields)


def test_solution_fit_compares_cause_removal_with_the_expert_plan():
    assert fraction(score("solution_fit", EXPERT_PLAN)) == 1.0
    partial = fraction(score("solution_fit", choosing("i_scorecard")))
    assert 0.0 < partial < 0.5


def test_solution_fit_penalises_training_for_non_skill_causes():
    misfit = replace(
        EXPERT_PLAN,
        interventions=(
            *EXPERT_PLAN.interventions,
            PlannedIntervention("i_workaround_course"),
        ),
    )
    result = score("solution_fit", misfit)
    assert fraction(result) == pytest.approx(0.75)
    assert "Workaround course" in result.explanation
    two = replace(misfit, interventions=(*misfit.interventions, PlannedIntervention("i_refresher")))
    assert fraction(score("solution_fit", two, trainingMisfitPenalty=0.5)) == 0.0


def test_solution_fit_accepts_training_for_a_real_skill_cause():
    result = score("solution_fit", choosing("i_coaching"))
    assert "training aimed" not in result.explanation
    assert result.points > 0


def test_training_everyone_fits_nothing():
    result = score("solution_fit", TRAIN_EVERYONE)
    assert result.points == 0
    assert "Tools, process & time" in result.explanation
    assert "Knowledge base out of date" not in result.explanation


def test_solution_fit_counts_unmet_requirements():
    won_over = score("solution_fit", EXPERT_PLAN)
    sceptical = score("solution_fit", replace(EXPERT_PLAN, stances={}))
    assert sceptical.points < won_over.points


# --- cost_effectiveness ------------------------------------------------------------------------


def test_cost_effectiveness_compares_roi_with_the_expert_plan():
    assert fraction(score("cost_effectiveness", EXPERT_PLAN)) == 1.0
    padded = replace(
        EXPERT_PLAN,
        interventions=(
            *EXPERT_PLAN.interventions,
            PlannedIntervention("i_refresher"),
        ),
    )
    assert 0.0 < fraction(score("cost_effectiveness", padded)) < 1.0
    assert score("cost_effectiveness", TRAIN_EVERYONE).points == 0  # negative ROI


def test_cost_effectiveness_gives_nothing_over_budget():
    cut = replace(EXPERT_PLAN, injects=("inj_budget_cut",))
    result = score("cost_effectiveness", cut)
    assert result.points == 0
    assert "EUR" in result.explanation


def test_cost_effectiveness_closure_measure():
    assert fraction(score("cost_effectiveness", EXPERT_PLAN, measure="closure")) == 1.0
    cheap = choosing("i_scorecard")
    closure = fraction(score("cost_effectiveness", cheap, measure="closure"))
    assert 0.0 <= closure <= 1.0


def test_cost_effectiveness_without_interventions_scores_nothing():
    assert score("cost_effectiveness", Plan()).points == 0


# --- metric_quality ----------------------------------------------------------------------------


def measuring(*metrics: tuple[str, float | None], plan: Plan = EXPERT_PLAN, **fields) -> Plan:
    return replace(plan, metrics=tuple(PlannedMetric(m, t) for m, t in metrics), **fields)


def test_metric_quality_full_for_a_complete_evaluation_plan():
    assert fraction(score("metric_quality", EXPERT_PLAN)) == 1.0


def test_reaction_and_learning_are_not_proof_of_impact():
    result = score("metric_quality", TRAIN_EVERYONE)
    assert fraction(result) < 0.4
    assert "cannot prove impact" in result.explanation


def test_reaction_measures_beside_training_and_results_are_fine():
    plan = measuring(*((m.id, m.target) for m in EXPERT_PLAN.metrics), ("m_smile_sheet", 4.0))
    assert fraction(score("metric_quality", plan, maxMetrics=6)) == 1.0
    no_training = replace(
        plan, interventions=tuple(i for i in plan.interventions if i.id != "i_coaching")
    )
    assert fraction(score("metric_quality", no_training, maxMetrics=6)) < 1.0


def test_metric_quality_weighs_isolation_by_credibility():
    trend = fraction(score("metric_quality", replace(EXPERT_PLAN, isolation="iso_trend")))
    manager = fraction(score("metric_quality", replace(EXPERT_PLAN, isolation="iso_manager")))
    none = fraction(score("metric_quality", replace(EXPERT_PLAN, isolation=None)))
    assert 1.0 > trend > manager > none
    assert none == pytest.approx(0.8)


def test_metric_quality_wants_targets_guardrail_and_leading_measures():
    no_targets = measuring(*((m.id, None) for m in EXPERT_PLAN.metrics))
    assert fraction(score("metric_quality", no_targets)) == pytest.approx(0.9)
    no_guardrail = measuring(("m_fcr", 76.0), ("m_kb_use", 80.0), ("m_call_review", 90.0))
    assert fraction(score("metric_quality", no_guardrail)) == pytest.approx(0.9)
    lagging_only = measuring(("m_fcr", 76.0), ("m_aht", 6.5))
    result = score("metric_quality", lagging_only)
    assert fraction(result) == pytest.approx(1 - 0.15 - 0.15 * 0.5)
    assert "Coaching" in result.explanation  # no metric shows the coaching works


def test_metric_quality_respects_the_round_limit():
    many = measuring(*((m.id, 1.0) for m in SCENARIO.metrics))
    assert fraction(score("metric_quality", many)) <= 0.75
    assert "at most 5" in score("metric_quality", many).explanation


def test_metric_quality_without_metrics_scores_nothing():
    assert score("metric_quality", Plan(isolation="iso_pilot")).points == 0


# --- inject_response ---------------------------------------------------------------------------

FIRED = replace(EXPERT_PLAN, injects=("inj_sponsor_training",))


def test_inject_that_never_fired_scores_full_marks():
    assert fraction(score("inject_response", Plan())) == 1.0


def test_inject_response_answered_held_and_kept_scores_full():
    answered = replace(FIRED, texts={"inject:inj_sponsor_training": "Let us look at the data."})
    assert fraction(score("inject_response", answered)) == 1.0


def test_inject_response_loses_for_silence_caving_and_dropping():
    silent = score("inject_response", FIRED)
    assert fraction(silent) == pytest.approx(0.6)
    caved = replace(
        FIRED,
        texts={"inject:inj_sponsor_training": "OK!"},
        interventions=(PlannedIntervention("i_refresher"),),
    )
    result = score("inject_response", caved)
    assert fraction(result) == pytest.approx(0.4)
    assert "Refresher" in result.explanation


def test_inject_response_without_expectations_splits_answer_and_hold():
    result = score("inject_response", FIRED, expect=[])
    assert fraction(result) == pytest.approx(0.5)


def test_inject_response_finds_its_inject_through_the_component():
    comp = replace(SCENARIO.component("c_inject"), params={"avoid": ["i_refresher"]})
    assert score_component(SCENARIO, FIRED, comp).points == pytest.approx(0.5 * comp.weight)
