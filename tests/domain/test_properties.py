"""Properties over random plans: bounded scores, determinism, and more effect never hurting."""

from __future__ import annotations

import math
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from practicum.domain.outcome import evaluate, simulate
from practicum.domain.plan_io import plan_from_dict, plan_to_dict
from practicum.domain.scoring import auto_score
from practicum.scenario.model import (
    CauseEffect,
    EvidenceMark,
    Plan,
    PlannedCause,
    PlannedIntervention,
    PlannedMetric,
)

from .fixtures import build_scenario, replace_intervention

SCENARIO = build_scenario()
# Without side effects, only the causes move the KPIs: the setting the monotonicity claims hold in.
NO_SIDE_EFFECTS = replace(
    SCENARIO, interventions=tuple(replace(i, side_effects=()) for i in SCENARIO.interventions)
)
QUARTERS = range(SCENARIO.simulation.quarters + 1)

# Per-test settings, not a loaded profile: a profile would change every other suite's tests.
PROPERTY = settings(deadline=None, max_examples=50)


def ids(items) -> list[str]:
    return [item.id for item in items]


def subset(items: list[str]) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(items), unique=True).map(tuple)


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    """Draw any plan the engine could hand over: valid ids, arbitrary choices."""
    causes, cells = ids(SCENARIO.causes), ids(SCENARIO.taxonomy)
    diagnostics = draw(subset(ids(SCENARIO.diagnostics)))
    return Plan(
        diagnostics=diagnostics,
        evidence=tuple(
            draw(
                st.lists(
                    st.builds(
                        EvidenceMark,
                        st.sampled_from(ids(SCENARIO.diagnostics)),
                        st.sampled_from(causes),
                        st.sampled_from([-1, 1]),
                    ),
                    max_size=8,
                )
            )
        ),
        causes=tuple(
            PlannedCause(c, draw(st.sampled_from(cells)), draw(st.floats(0, 1)))
            for c in draw(subset(causes))
        ),
        ruled_out=draw(subset(causes)),
        interventions=tuple(
            PlannedIntervention(i, draw(st.integers(0, 60)))
            for i in draw(subset(ids(SCENARIO.interventions)))
        ),
        metrics=tuple(
            PlannedMetric(m, draw(st.none() | st.floats(0, 100)))
            for m in draw(subset(ids(SCENARIO.metrics)))
        ),
        isolation=draw(st.none() | st.sampled_from(ids(SCENARIO.isolation_methods))),
        texts=draw(
            st.dictionaries(
                st.sampled_from(["gap", "inject:inj_sponsor_training"]),
                st.text(max_size=60),
            )
        ),
        stances=draw(
            st.dictionaries(
                st.sampled_from(ids(SCENARIO.stakeholders)),
                st.integers(-2, 2),
            )
        ),
        injects=draw(subset(ids(SCENARIO.injects))),
    )


def worse_by(scenario, after_trajectory, before_trajectory) -> float:
    """Return the largest move in the bad direction from one trajectory to another."""
    worst = 0.0
    for kpi in scenario.kpis:
        sign = 1.0 if kpi.direction == "higher" else -1.0
        for q in QUARTERS:
            drop = sign * (before_trajectory.kpis[kpi.id][q] - after_trajectory.kpis[kpi.id][q])
            worst = max(worst, drop)
    return worst


@PROPERTY
@given(plans())
def test_scores_stay_within_zero_and_the_weight(plan):
    for component_id, result in auto_score(SCENARIO, plan).items():
        weight = SCENARIO.component(component_id).weight
        assert 0.0 <= result.points <= weight
        assert result.max_points == weight
        assert result.explanation.strip()


@PROPERTY
@given(plans())
def test_outcomes_are_finite_and_deterministic(plan):
    first, second = evaluate(SCENARIO, plan), evaluate(SCENARIO, plan)
    assert first == second
    assert auto_score(SCENARIO, plan) == auto_score(SCENARIO, plan)
    for values in first.plan.kpis.values():
        assert all(math.isfinite(v) for v in values)
    assert all(0.0 <= share <= 1.0 for share in first.remaining.values())
    assert 0.0 <= first.results <= 1.0


@PROPERTY
@given(plans(), st.data())
def test_removing_more_of_a_cause_never_hurts_any_kpi(plan, data):
    chosen = [p.id for p in plan.interventions]
    target = data.draw(st.sampled_from(chosen or ids(SCENARIO.interventions)))
    plan = plan if chosen else replace(plan, interventions=(PlannedIntervention(target),))
    intervention = NO_SIDE_EFFECTS.intervention(target)
    cause = data.draw(st.sampled_from(ids(SCENARIO.causes)))
    current = {e.cause: e.removes for e in intervention.effects}
    stronger = {**current, cause: data.draw(st.floats(current.get(cause, 0.0), 1.0))}
    better = replace_intervention(
        NO_SIDE_EFFECTS, target, effects=tuple(CauseEffect(c, r) for c, r in stronger.items())
    )
    before = simulate(NO_SIDE_EFFECTS, plan)
    after = simulate(better, plan)
    assert worse_by(SCENARIO, after, before) <= 1e-9


@PROPERTY
@given(plans(), st.data())
def test_shorter_lead_time_never_hurts_any_kpi_when_the_effect_does_not_decay(plan, data):
    # With decay, an earlier start also fades earlier, so a late quarter can be lower:
    # see test_earlier_start_fades_earlier below. Without decay, sooner is never worse.
    steady = replace(
        NO_SIDE_EFFECTS,
        interventions=tuple(replace(i, decay=0.0) for i in NO_SIDE_EFFECTS.interventions),
    )
    target = data.draw(st.sampled_from(ids(SCENARIO.interventions)))
    if target not in {p.id for p in plan.interventions}:
        plan = replace(plan, interventions=(*plan.interventions, PlannedIntervention(target)))
    lead = steady.intervention(target).lead_weeks
    quicker = replace_intervention(steady, target, lead_weeks=data.draw(st.integers(0, lead)))
    before = simulate(steady, plan)
    after = simulate(quicker, plan)
    assert worse_by(SCENARIO, after, before) <= 1e-9


def test_earlier_start_fades_earlier():
    """Decay is real: a job aid live since week 0 is staler in quarter 4 than one from week 13."""
    plan = Plan(interventions=(PlannedIntervention("i_kb_fix"),), stances={"st_it": 1})
    later = replace_intervention(NO_SIDE_EFFECTS, "i_kb_fix", lead_weeks=17)
    early = simulate(NO_SIDE_EFFECTS, plan).removed["rc_kb"]
    late = simulate(later, plan).removed["rc_kb"]
    assert early[1] > late[1]
    assert early[4] < late[4]


@PROPERTY
@given(plans())
def test_plans_survive_a_json_round_trip(plan):
    assert plan_from_dict(plan_to_dict(plan)) == plan
