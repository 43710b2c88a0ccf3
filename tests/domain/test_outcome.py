"""The outcome model: trajectories, timing, decay, requirements, injects, money, debrief levels."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest

from practicum.domain.outcome import (
    activation,
    evaluate,
    noise_series,
    plan_cost,
    results_summary,
    simulate,
    target_met,
)
from practicum.scenario.model import CauseEffect, Plan, PlannedIntervention, PlannedMetric

from .fixtures import (
    EXPERT_PLAN,
    TRAIN_EVERYONE,
    build_scenario,
    quiet,
    replace_cause,
    replace_intervention,
)

WEEKS = 13  # weeks per quarter in the fixture


def only(*interventions: str, **plan_fields: object) -> Plan:
    """Return a plan choosing just these interventions, starting in week 0."""
    return Plan(
        interventions=tuple(PlannedIntervention(i, 0) for i in interventions), **plan_fields
    )


def no_drift(scenario):
    """Return the scenario with causes that do not grow."""
    return replace(scenario, causes=tuple(replace(c, drift=0.0) for c in scenario.causes))


# --- trajectories ------------------------------------------------------------------------------


def test_trajectory_starts_at_current_and_covers_every_quarter():
    scenario = build_scenario()
    for plan in (Plan(), EXPERT_PLAN, TRAIN_EVERYONE):
        trajectory = simulate(scenario, plan)
        for kpi in scenario.kpis:
            assert len(trajectory.kpis[kpi.id]) == scenario.simulation.quarters + 1
            assert trajectory.kpis[kpi.id][0] == kpi.current


def test_doing_nothing_drifts_worse_when_causes_grow():
    scenario = quiet(build_scenario())
    fcr = simulate(scenario, Plan()).kpis["k_fcr"]
    aht = simulate(scenario, Plan()).kpis["k_aht"]
    assert all(later < earlier for earlier, later in zip(fcr, fcr[1:], strict=False))
    assert all(later > earlier for earlier, later in zip(aht, aht[1:], strict=False))


def test_doing_nothing_stays_put_without_drift_or_noise():
    scenario = no_drift(quiet(build_scenario()))
    for kpi in scenario.kpis:
        assert simulate(scenario, Plan()).kpis[kpi.id] == pytest.approx((kpi.current,) * 5)


def test_removing_every_cause_reaches_baseline_minus_residual():
    scenario = quiet(build_scenario())
    scenario = replace_cause(scenario, "rc_incentive", loadings={"k_fcr": 1.0, "k_aht": 1.0})
    fixes = []
    for cause in ("rc_kb", "rc_incentive", "rc_skill"):
        fixes.append(f"i_fix_{cause}")
        scenario = replace(
            scenario,
            interventions=(
                *scenario.interventions,
                replace(
                    scenario.intervention("i_scorecard"),
                    id=f"i_fix_{cause}",
                    effects=(CauseEffect(cause, 1.0),),
                    side_effects=(),
                    lead_weeks=0,
                    ramp_weeks=0,
                ),
            ),
        )
    trajectory = simulate(scenario, only(*fixes))
    for kpi in scenario.kpis:
        expected = kpi.baseline - scenario.residual * (kpi.baseline - kpi.current)
        assert trajectory.kpis[kpi.id][1:] == pytest.approx((expected,) * 4)


def test_a_cause_without_a_loading_does_not_move_that_kpi():
    scenario = quiet(replace_cause(build_scenario(), "rc_kb", loadings={"k_fcr": 1.0}))
    scenario = replace_intervention(scenario, "i_kb_fix", decay=0.0)
    with_fix = simulate(scenario, only("i_kb_fix")).kpis
    without = simulate(scenario, Plan()).kpis
    assert with_fix["k_aht"] == pytest.approx(without["k_aht"])
    assert with_fix["k_fcr"][4] > without["k_fcr"][4]


def test_removal_never_exceeds_the_whole_cause():
    scenario = build_scenario()
    scenario = replace_intervention(
        scenario, "i_kb_governance", effects=(CauseEffect("rc_kb", 1.0),), ramp_weeks=0
    )
    scenario = replace_intervention(scenario, "i_kb_fix", effects=(CauseEffect("rc_kb", 1.0),))
    removed = simulate(scenario, only("i_kb_fix", "i_kb_governance", stances={"st_it": 1}))
    assert max(removed.removed["rc_kb"]) == pytest.approx(1.0)
    assert all(0.0 <= r <= 1.0 for r in removed.removed["rc_kb"])


def test_side_effects_move_their_kpi_at_full_effect():
    scenario = quiet(build_scenario())
    plain = replace_intervention(scenario, "i_scorecard", side_effects=())
    with_side = simulate(scenario, only("i_scorecard")).kpis["k_aht"]
    without = simulate(plain, only("i_scorecard")).kpis["k_aht"]
    side = scenario.intervention("i_scorecard").side_effects[0].delta
    assert with_side[4] - without[4] == pytest.approx(side)


# --- timing, decay, requirements, injects ------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "lead", "ramp", "week", "expected"),
    [
        (0, 4, 8, 0, 0.0),
        (0, 4, 8, 3.9, 0.0),
        (0, 4, 8, 4, 0.0),
        (0, 4, 8, 8, 0.5),
        (0, 4, 8, 12, 1.0),
        (0, 4, 8, 40, 1.0),
        (10, 4, 0, 13, 0.0),
        (10, 4, 0, 14, 1.0),
    ],
)
def test_activation_ramps_linearly_after_the_lead_time(start, lead, ramp, week, expected):
    intervention = replace(
        build_scenario().intervention("i_kb_fix"), lead_weeks=lead, ramp_weeks=ramp
    )
    assert activation(intervention, start, week) == pytest.approx(expected)


def test_lead_time_delays_the_effect():
    scenario = quiet(replace_intervention(build_scenario(), "i_scorecard", side_effects=()))
    slow = replace_intervention(scenario, "i_scorecard", lead_weeks=20, ramp_weeks=12)
    nothing = simulate(scenario, Plan()).kpis["k_fcr"]
    fast_fcr = simulate(scenario, only("i_scorecard")).kpis["k_fcr"]
    slow_fcr = simulate(slow, only("i_scorecard")).kpis["k_fcr"]
    assert slow_fcr[1] == pytest.approx(nothing[1])  # week 13: still inside the lead time
    assert nothing[2] < slow_fcr[2] < fast_fcr[2]  # week 26: half-way up the ramp
    assert slow_fcr[3] == pytest.approx(fast_fcr[3])  # week 39: both at full effect


def test_late_start_shifts_the_effect_like_a_longer_lead():
    scenario = quiet(build_scenario())
    late = Plan(interventions=(PlannedIntervention("i_scorecard", 13),))
    longer = replace_intervention(scenario, "i_scorecard", lead_weeks=15)
    assert simulate(scenario, late).kpis == simulate(longer, only("i_scorecard")).kpis


def test_decay_erodes_the_effect_unless_governance_sustains_it():
    scenario = build_scenario()
    fix = scenario.intervention("i_kb_fix")
    full_week = fix.lead_weeks + fix.ramp_weeks
    alone = simulate(scenario, only("i_kb_fix", stances={"st_it": 1})).removed["rc_kb"]
    sustained = simulate(
        scenario, only("i_kb_fix", "i_kb_governance", stances={"st_it": 1})
    ).removed["rc_kb"]
    faded = 0.8 * (1 - fix.decay) ** ((4 * WEEKS - full_week) / WEEKS)
    assert alone[4] == pytest.approx(faded)
    assert sustained[4] == pytest.approx(1 - (1 - 0.8) * (1 - 0.1))
    assert alone[1] == pytest.approx(0.8 * (1 - fix.decay) ** ((WEEKS - full_week) / WEEKS))


def test_unmet_requirement_scales_the_effect():
    scenario = build_scenario()
    plan = only("i_kb_fix", "i_kb_governance")  # IT starts sceptical (-1), needs neutral (0)
    sceptical = simulate(scenario, plan).removed["rc_kb"][4]
    won_over = simulate(scenario, replace(plan, stances={"st_it": 0})).removed["rc_kb"][4]
    effectiveness = scenario.intervention("i_kb_fix").requires[0].effectiveness
    assert sceptical == pytest.approx(1 - (1 - 0.8 * effectiveness) * (1 - 0.1))
    assert won_over == pytest.approx(1 - (1 - 0.8) * (1 - 0.1))


def test_lead_time_slip_delays_only_its_target():
    scenario = quiet(build_scenario())
    plan = only("i_kb_fix", "i_coaching", stances={"st_it": 1})
    slipped = simulate(scenario, replace(plan, injects=("inj_vendor_slip",)))
    normal = simulate(scenario, plan)
    delayed_fix = replace(
        plan,
        interventions=(
            PlannedIntervention("i_kb_fix", 6),
            PlannedIntervention("i_coaching", 0),
        ),
    )
    assert slipped.removed["rc_kb"] == simulate(scenario, delayed_fix).removed["rc_kb"]
    assert slipped.removed["rc_kb"][1] < normal.removed["rc_kb"][1]
    # Coaching reaches full effect in week 8; six weeks later would show by week 13.
    assert slipped.removed["rc_skill"] == normal.removed["rc_skill"]
    all_slipped = simulate(scenario, replace(plan, injects=("inj_all_slip",)))
    assert all_slipped.removed["rc_skill"][1] < normal.removed["rc_skill"][1]


def test_untargeted_slip_delays_everything_and_budget_cut_changes_nothing():
    scenario = build_scenario()
    everything = simulate(scenario, replace(EXPERT_PLAN, injects=("inj_all_slip",)))
    normal = simulate(scenario, EXPERT_PLAN)
    for cause in ("rc_kb", "rc_incentive", "rc_skill"):
        assert everything.removed[cause][1] < normal.removed[cause][1]
    cut = simulate(scenario, replace(EXPERT_PLAN, injects=("inj_budget_cut",)))
    assert cut == normal


# --- noise -------------------------------------------------------------------------------------


def test_noise_is_seeded_identical_across_plans_and_absent_now():
    scenario = build_scenario()
    for plan in (Plan(), EXPERT_PLAN):
        noisy = simulate(scenario, plan).kpis
        clean = simulate(quiet(scenario), plan).kpis
        for kpi in scenario.kpis:
            drawn = tuple(a - b for a, b in zip(noisy[kpi.id], clean[kpi.id], strict=True))
            assert drawn == pytest.approx(noise_series(scenario, kpi))
    assert all(noise_series(scenario, k)[0] == 0.0 for k in scenario.kpis)
    assert noise_series(scenario, scenario.kpi("k_fcr")) != noise_series(
        replace(scenario, simulation=replace(scenario.simulation, seed=8)), scenario.kpi("k_fcr")
    )


# --- money -------------------------------------------------------------------------------------


def test_cost_is_fully_loaded_over_the_running_quarters():
    scenario = build_scenario()
    plan = Plan(
        interventions=(PlannedIntervention("i_kb_fix", 0), PlannedIntervention("i_coaching", 20)),
        metrics=(PlannedMetric("m_fcr", 76.0), PlannedMetric("m_aht")),
        isolation="iso_trend",
    )
    fix, coaching = scenario.intervention("i_kb_fix"), scenario.intervention("i_coaching")
    expected = (
        fix.cost.one_off
        + 4 * fix.cost.per_quarter
        + coaching.cost.one_off
        + 3 * coaching.cost.per_quarter  # starts in quarter 2
        + scenario.metric("m_fcr").collection_cost
        + scenario.metric("m_aht").collection_cost
        + scenario.isolation_method("iso_trend").cost
    )
    assert plan_cost(scenario, plan) == pytest.approx(expected)
    assert evaluate(scenario, plan).cost == pytest.approx(expected)


def test_benefit_is_monetised_improvement_over_doing_nothing():
    scenario = build_scenario()
    outcome = evaluate(scenario, EXPERT_PLAN)
    values = scenario.economics.value_per_point
    expected = sum(
        values["k_fcr"] * (outcome.plan.kpis["k_fcr"][q] - outcome.nothing.kpis["k_fcr"][q])
        - values["k_aht"] * (outcome.plan.kpis["k_aht"][q] - outcome.nothing.kpis["k_aht"][q])
        for q in range(1, 5)
    )
    assert outcome.benefit == pytest.approx(expected)
    assert outcome.roi == pytest.approx((expected - outcome.cost) / outcome.cost)


def test_a_plan_that_costs_nothing_has_no_roi():
    outcome = evaluate(build_scenario(), Plan())
    assert outcome.cost == 0 and outcome.benefit == 0
    assert outcome.roi is None and outcome.reported_roi is None


def with_isolation(isolation: str | None) -> Plan:
    return replace(EXPERT_PLAN, isolation=isolation)


def test_control_group_reports_the_true_roi():
    outcome = evaluate(build_scenario(), with_isolation("iso_pilot"))
    assert outcome.isolation_kind == "control_group"
    assert outcome.reported_roi == pytest.approx(outcome.roi)


def test_trend_line_misses_compounding_drift():
    drifting = quiet(build_scenario())
    outcome = evaluate(drifting, with_isolation("iso_trend"))
    assert outcome.isolation_kind == "trend_line"
    assert outcome.reported_benefit < outcome.benefit  # the straight line falls too slowly
    steady = evaluate(no_drift(drifting), with_isolation("iso_trend"))
    assert steady.reported_roi == pytest.approx(steady.roi)


def test_trend_line_credits_noise_to_the_programme():
    noisy = no_drift(build_scenario())
    outcome = evaluate(noisy, with_isolation("iso_trend"))
    assert outcome.reported_benefit != pytest.approx(outcome.benefit)


@pytest.mark.parametrize("isolation", ["iso_manager", "iso_participant"])
def test_estimates_scale_the_raw_change_by_their_bias(isolation):
    scenario = no_drift(quiet(build_scenario()))
    outcome = evaluate(scenario, with_isolation(isolation))
    bias = scenario.isolation_method(isolation).estimate_bias
    assert outcome.reported_benefit == pytest.approx(bias * outcome.benefit)
    assert outcome.reported_roi > outcome.roi


@pytest.mark.parametrize("isolation", ["iso_manager", "iso_participant"])
def test_estimates_play_down_a_loss_instead_of_magnifying_it(isolation):
    """A plan that does nothing while the causes drift: estimators soften the loss."""
    drifting = quiet(build_scenario())
    outcome = evaluate(drifting, Plan(isolation=isolation))
    raw = evaluate(drifting, Plan(isolation="iso_none")).reported_benefit
    assert raw < 0, "the KPIs must lose ground under drift for this test"
    bias = drifting.isolation_method(isolation).estimate_bias
    assert outcome.reported_benefit == pytest.approx(raw / bias)
    assert raw < outcome.reported_benefit < 0


@pytest.mark.parametrize("isolation", ["iso_none", None])
def test_before_and_after_credits_the_raw_change(isolation):
    steady = evaluate(no_drift(quiet(build_scenario())), with_isolation(isolation))
    assert steady.isolation_kind == "none"
    assert steady.reported_roi == pytest.approx(steady.roi)
    # When the KPI would have kept falling, before/after hides part of the programme's effect.
    drifting = evaluate(quiet(build_scenario()), with_isolation(isolation))
    raw = sum(
        20000.0 * (drifting.plan.kpis["k_fcr"][q] - 68.0)
        - 30000.0 * (drifting.plan.kpis["k_aht"][q] - 7.5)
        for q in range(1, 5)
    )
    assert drifting.reported_benefit == pytest.approx(raw)
    assert drifting.reported_benefit < drifting.benefit


# --- debrief levels ----------------------------------------------------------------------------


def test_training_everyone_pleases_learners_but_moves_no_results():
    scenario = build_scenario()
    training = results_summary(evaluate(scenario, TRAIN_EVERYONE))
    expert = results_summary(evaluate(scenario, EXPERT_PLAN))
    assert training["reaction"] >= 4.0
    assert training["learning"] > 0.3
    assert training["results"] < 0.2 < 0.8 < expert["results"]
    assert training["behaviour"] < expert["behaviour"]
    assert training["roi"] < 0 < expert["roi"]


def test_reaction_and_learning_average_the_chosen_training_only():
    scenario = build_scenario()
    outcome = evaluate(scenario, only("i_coaching", "i_refresher", "i_kb_fix"))
    coaching, refresher = scenario.intervention("i_coaching"), scenario.intervention("i_refresher")
    assert outcome.reaction == pytest.approx((coaching.reaction + refresher.reaction) / 2)
    assert outcome.learning == pytest.approx((coaching.learning + refresher.learning) / 2)
    assert evaluate(scenario, only("i_kb_fix")).reaction == 0.0


def test_remaining_share_and_targets_met_at_the_last_quarter():
    scenario = build_scenario()
    outcome = evaluate(scenario, EXPERT_PLAN)
    assert outcome.remaining["rc_product"] == 1.0
    assert outcome.remaining["rc_kb"] == pytest.approx(1 - outcome.plan.removed["rc_kb"][4])
    for kpi in scenario.kpis:
        assert outcome.targets_met[kpi.id] == target_met(kpi, outcome.plan.kpis[kpi.id][4])
    assert target_met(scenario.kpi("k_aht"), 6.4) and not target_met(scenario.kpi("k_aht"), 6.6)
    assert target_met(scenario.kpi("k_fcr"), 76.0) and not target_met(scenario.kpi("k_fcr"), 75.9)


def test_results_fraction_is_the_share_of_the_gap_to_target_closed():
    scenario = build_scenario()
    outcome = evaluate(scenario, EXPERT_PLAN)
    shares = [
        min(1.0, max(0.0, (outcome.plan.kpis[k.id][4] - k.current) / (k.target - k.current)))
        for k in scenario.kpis
    ]
    assert outcome.results == pytest.approx(sum(shares) / len(shares))


def test_expert_trajectory_faces_the_teams_injects():
    scenario = build_scenario()
    hit = evaluate(scenario, replace(TRAIN_EVERYONE, injects=("inj_vendor_slip",)))
    assert hit.expert == simulate(scenario, replace(EXPERT_PLAN, injects=("inj_vendor_slip",)))
    assert hit.expert != simulate(scenario, EXPERT_PLAN)


def test_outcome_is_json_serialisable_with_camel_case_keys():
    data = evaluate(build_scenario(), EXPERT_PLAN).to_dict()
    restored = json.loads(json.dumps(data, allow_nan=False))
    assert {"reportedRoi", "targetsMet", "expertRoi", "isolationKind"} <= set(restored)
    assert len(restored["plan"]["kpis"]["k_fcr"]) == 5
    assert all(math.isfinite(v) for v in restored["nothing"]["kpis"]["k_aht"])
