"""Design checks on the shipped scenarios' content, beyond what lint enforces for any scenario.

These encode the authoring brief: the ingredients every shipped case must have so that the
craft it teaches (re-contracting, environment-first cause analysis, triangulation, evaluation
with isolation) can actually be practised in it.
"""

from __future__ import annotations

import pytest

from practicum.domain.outcome import cash_available
from practicum.scenario.lint import lifetime_cost, total_budget
from practicum.scenario.model import RULES, STANDARDS, Scenario

from .shipped import SHIPPED, TRAINING_IS_A_TRAP, scenario

PRIMER_PHASES = ("performance_analysis", "cause_analysis", "intervention_selection", "evaluation")


@pytest.fixture(params=SHIPPED)
def shipped(request: pytest.FixtureRequest) -> Scenario:
    """Each shipped scenario in turn."""
    return scenario(request.param)


def test_the_cases_have_different_primary_causes() -> None:
    cells = {s: next(c.cell for c in scenario(s).causes if c.truth == "primary") for s in SHIPPED}
    assert cells == {
        "harbor": "cell_tools",
        "foundry": "cell_incentives",
        "heatwise": "cell_knowledge",
        "alder": "cell_capacity",
        "pennant": "cell_expectations",
    }
    assert len({scenario(s).company.industry for s in SHIPPED}) == len(SHIPPED)


def test_kpis_have_a_gap_and_a_reachable_target(shipped: Scenario) -> None:
    assert 2 <= len(shipped.kpis) <= 4
    for kpi in shipped.kpis:
        low, high = sorted((kpi.baseline, kpi.current))
        assert low < kpi.target < high, kpi.id
        assert kpi.noise > 0, kpi.id
    assert any(shipped.economics.value_per_point.get(k.id, 0) > 0 for k in shipped.kpis)


def test_someone_believes_a_false_cause(shipped: Scenario) -> None:
    assert 4 <= len(shipped.stakeholders) <= 6
    truth = {c.id: c.truth for c in shipped.causes}
    believers = [s for s in shipped.stakeholders if s.believes and truth[s.believes] == "false"]
    assert believers
    assert all(s.bio and s.won_over_by for s in shipped.stakeholders)
    sponsor_belief = truth[shipped.stakeholder(shipped.brief.sponsor).believes]
    # The sponsor's theory is the trap where training is the trap; in heatwise she is right
    # about the cell and wrong about the fix.
    expected = "false" if shipped.id in TRAINING_IS_A_TRAP else "primary"
    assert sponsor_belief == expected


def test_causes_cover_every_role(shipped: Scenario) -> None:
    assert 4 <= len(shipped.causes) <= 6
    truths = [c.truth for c in shipped.causes]
    assert truths.count("primary") == 1
    for role in ("contributing", "minor", "false"):
        assert role in truths, role
    assert sum(c.gap_share for c in shipped.causes) + shipped.residual == pytest.approx(1.0)
    assert all(c.gap_share == 0 for c in shipped.causes if c.truth == "false")
    assert len({c.cell for c in shipped.causes}) == len(shipped.causes)
    assert all(len(c.debrief) > 200 for c in shipped.causes)


def test_diagnostics_offer_the_classic_moves(shipped: Scenario) -> None:
    diagnostics = shipped.diagnostics
    truth = {c.id: c.truth for c in shipped.causes}
    assert 6 <= len(diagnostics) <= 10
    assert len({d.method for d in diagnostics}) >= 5
    locked = [d for d in diagnostics if d.locked]
    assert locked and all(any(d.id in u.unlocks for u in diagnostics) for d in locked)
    herrings = [d for d in diagnostics if d.red_herring]
    assert any(e.weight > 0 and truth[e.cause] == "false" for d in herrings for e in d.evidence)
    assert any(d.method == "exemplar_comparison" for d in diagnostics)
    assert any(
        d.method == "interview" and any(e.delta > 0 for e in d.stance_effects) for d in diagnostics
    )


def test_a_cheap_first_round_diagnostic_disconfirms_the_popular_theory(shipped: Scenario) -> None:
    believed = {s.believes for s in shipped.stakeholders} & {
        c.id for c in shipped.causes if c.truth == "false"
    }
    cheapest = min(d.cost.points for d in shipped.diagnostics)
    first_round = shipped.rounds[0].id
    assert any(
        d.cost.points == cheapest
        and d.opens_in == first_round
        and not d.locked
        and any(e.cause in believed and e.weight <= -2 for e in d.evidence)
        for d in shipped.diagnostics
    )


def test_interventions_mix_families_with_governance_and_conditions(shipped: Scenario) -> None:
    interventions = shipped.interventions
    assert 6 <= len(interventions) <= 10
    assert {i.family for i in interventions} == {"training", "non_training"}
    assert all(i.cost.one_off > 0 and i.effects for i in interventions)
    job_aids = {i.id for i in interventions if i.category == "job_aid"}
    assert any(
        i.category == "content_governance" and job_aids & set(i.sustains) for i in interventions
    )
    assert any(i.requires for i in interventions)
    assert any(i.decay > 0 for i in interventions if i.family == "training")
    guarded = {m.kpi for m in shipped.metrics if m.guardrail and m.kpi}
    assert any(e.kpi in guarded for i in interventions for e in i.side_effects)
    assert all(i.reaction > 0 and i.learning > 0 for i in interventions if i.family == "training")


def test_metrics_span_the_evaluation_levels(shipped: Scenario) -> None:
    metrics = shipped.metrics
    assert 6 <= len(metrics) <= 10
    assert {m.level for m in metrics} == {1, 2, 3, 4, 5}
    assert {m.timing for m in metrics} == {"leading", "lagging"}
    assert any(m.guardrail for m in metrics)
    validated = {i for m in metrics for i in m.validates}
    assert validated == {i.id for i in shipped.interventions}


def test_isolation_methods_rank_from_control_group_to_estimates(shipped: Scenario) -> None:
    methods = shipped.isolation_methods
    assert 3 <= len(methods) <= 4
    by_credibility = sorted(methods, key=lambda m: m.credibility)
    assert by_credibility[-1].kind == "control_group"
    assert by_credibility[0].kind in ("participant_estimate", "manager_estimate")
    estimates = [m for m in methods if m.kind in ("participant_estimate", "manager_estimate")]
    assert estimates and all(m.estimate_bias > 1 for m in estimates)
    assert shipped.expert_plan.isolation == by_credibility[-1].id


def test_rounds_follow_the_primer(shipped: Scenario) -> None:
    assert tuple(r.phase for r in shipped.rounds) == PRIMER_PHASES
    assert all(35 <= r.minutes <= 45 for r in shipped.rounds)
    kinds = [{f.kind for f in r.deliverable} for r in shipped.rounds]
    assert "text" in kinds[0] and "causes" not in kinds[0]
    assert {"causes", "evidence"} <= kinds[1]
    assert "interventions" in kinds[2]
    assert {"metrics", "isolation", "text"} <= kinds[3]
    assert "run_diagnostic" in shipped.rounds[1].actions
    assert "select_intervention" in shipped.rounds[2].actions
    assert {"select_metric", "set_isolation"} <= set(shipped.rounds[3].actions)
    assert any(r.budget.points > 0 for r in shipped.rounds)
    assert shipped.rounds[3].limits.max_metrics is not None


def test_injects_have_a_trigger_an_expected_response_and_a_score(shipped: Scenario) -> None:
    injects = shipped.injects
    assert 2 <= len(injects) <= 3
    assert any(i.trigger == "manual" for i in injects)
    assert any(i.trigger == "auto" and i.when is not None for i in injects)
    rubric = {c.id for c in shipped.rubric}
    for inject in injects:
        assert len(inject.expected_response) > 100, inject.id
        assert inject.component in rubric, inject.id


def test_rubric_splits_content_and_facilitation(shipped: Scenario) -> None:
    rubric = shipped.rubric
    auto = sum(c.weight for c in rubric if c.kind == "auto")
    facilitator = sum(c.weight for c in rubric if c.kind == "facilitator")
    assert auto + facilitator == pytest.approx(100)
    assert 55 <= auto <= 65
    assert {c.rule for c in rubric if c.kind == "auto"} <= set(RULES)
    for component in rubric:
        assert component.standards and set(component.standards) <= set(STANDARDS), component.id
        if component.kind == "facilitator":
            assert sorted(level.level for level in component.levels) == [1, 2, 3, 4]
    assert {c.round for c in rubric} == {r.id for r in shipped.rounds}


def test_budget_forces_choices(shipped: Scenario) -> None:
    everything = sum(lifetime_cost(shipped, i) for i in shipped.interventions)
    assert everything > 1.5 * cash_available(shipped, shipped.expert_plan)
    all_points = sum(d.cost.points for d in shipped.diagnostics)
    assert all_points > total_budget(shipped).points
