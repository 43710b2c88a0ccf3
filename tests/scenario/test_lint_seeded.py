"""Each lint rule for a flaw class of issue 13, on a seeded variant of each shipped scenario.

The pristine scenario lints clean (strict); each seed plants one flaw in a copy of its JSON and
the variant must raise the expected rule at the expected JSON path, and no other rule unless
the seed names it as a consequence the flaw may cause (a trap in the expert plan also costs it
automatic points, for example).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from practicum.scenario.lint import lint
from practicum.scenario.plan_search import search

from .helpers import REPO, load_data, minimal_data, variant

# Every shipped scenario, the two added with issue 13 too.
SHIPPED = tuple(sorted(p.stem for p in (REPO / "scenarios").glob("*.json")))
Data = dict[str, Any]


def shipped(name: str) -> Data:
    """Return a fresh copy of a shipped scenario's JSON."""
    return json.loads((REPO / "scenarios" / f"{name}.json").read_text(encoding="utf-8"))


def _index(items: list[Data], item_id: str) -> int:
    return [i["id"] for i in items].index(item_id)


def _trap(d: Data) -> Data:
    return next(i for i in d["interventions"] if i.get("trap"))


def _real_expert_intervention(d: Data) -> Data:
    first = d["expertPlan"]["interventions"][0]["id"]
    return d["interventions"][_index(d["interventions"], first)]


def _validate_with(d: Data, new_id: str, like: str) -> None:
    """List a new intervention in every metric that validates ``like``."""
    for metric in d["metrics"]:
        if like in metric["validates"]:
            metric["validates"].append(new_id)


def _cause(d: Data, truth: str) -> tuple[int, Data]:
    return next((i, c) for i, c in enumerate(d["causes"]) if c["truth"] == truth)


# --- seeds: each plants one flaw and returns the JSON path the finding must name --------------


def _idle_trap(d: Data) -> Data:
    """Return a trap that acts only on false causes."""
    false = {c["id"] for c in d["causes"] if c["truth"] == "false"}
    return next(
        i
        for i in d["interventions"]
        if i.get("trap") and all(e["cause"] in false for e in i["effects"])
    )


def seed_expert_trap(d: Data) -> str:
    trap = _idle_trap(d)
    # Fund it, so only the trap itself is wrong, not the budget.
    d["budget"]["cash"] += trap["cost"]["oneOff"] + 4 * trap["cost"].get("perQuarter", 0)
    for round_ in d["rounds"]:
        limits = round_.get("limits", {})
        if limits.get("maxInterventions"):
            limits["maxInterventions"] += 1
    d["expertPlan"]["interventions"].append({"id": trap["id"], "startWeek": 0})
    return f"expertPlan.interventions[{len(d['expertPlan']['interventions']) - 1}]"


def seed_better_plan(d: Data) -> str:
    kpi = next(k for k in d["kpis"] if d["economics"]["valuePerPoint"].get(k["id"]))
    better = 1 if kpi["direction"] == "higher" else -1
    d["interventions"].append(
        {
            "id": "i_seed_quick_win",
            "name": "Seeded quick win",
            "family": "non_training",
            "category": "process_redesign",
            "description": "A cheap fix the expert plan ignores.",
            "cells": ["cell_tools"],
            "cost": {"oneOff": 1000},
            "leadWeeks": 0,
            "rampWeeks": 0,
            "decay": 0,
            "effects": [],
            "sideEffects": [
                {"kpi": kpi["id"], "delta": better * abs(kpi["baseline"] - kpi["current"])}
            ],
        }
    )
    for metric in d["metrics"]:
        if metric.get("kpi") == kpi["id"]:
            metric["validates"].append("i_seed_quick_win")
    return "expertPlan.interventions"


def seed_sponsor_copies_expert(d: Data) -> str:
    d["sponsorPlan"]["interventions"] = copy.deepcopy(d["expertPlan"]["interventions"])
    d["sponsorPlan"]["stances"] = dict(d["expertPlan"].get("stances", {}))
    d["sponsorPlan"]["injects"] = list(d["expertPlan"].get("injects", []))
    return "sponsorPlan.interventions"


def seed_dominated_sustaining_trap(d: Data) -> str:
    base = _real_expert_intervention(d)
    worse = copy.deepcopy(base)
    worse.update(id="i_seed_premium", name=f"{base['name']} (premium)")
    worse["cost"] = {**base["cost"], "oneOff": base["cost"]["oneOff"] + 5000}
    worse["effects"] = [{**e, "removes": e["removes"] * 0.9} for e in base["effects"]]
    worse["sustains"] = [_trap(d)["id"]]
    worse.pop("requires", None)
    d["interventions"].append(worse)
    _validate_with(d, "i_seed_premium", base["id"])
    return f"interventions[{len(d['interventions']) - 1}]"


def seed_metric_without_baseline(d: Data) -> str:
    d["metrics"].append(
        {
            "id": "m_seed_result",
            "name": "Seeded result with no KPI",
            "level": 4,
            "timing": "lagging",
            "guardrail": False,
            "source": "Finance",
            "latencyWeeks": 13,
            "collectionCost": 0,
            "validates": [_real_expert_intervention(d)["id"]],
        }
    )
    return f"metrics[{len(d['metrics']) - 1}].kpi"


def seed_minor_cause_without_evidence(d: Data) -> str:
    position, cause = _cause(d, "minor")
    for diagnostic in d["diagnostics"]:
        diagnostic["evidence"] = [
            e for e in diagnostic["evidence"] if not (e["cause"] == cause["id"] and e["weight"] > 0)
        ] or [{"cause": cause["id"], "weight": -1}]
    return f"causes[{position}]"


def seed_inject_that_cannot_fire(d: Data) -> str:
    inject = copy.deepcopy(d["injects"][0])
    inject.update(
        id="inj_seed_never",
        title="Seeded never",
        round=d["rounds"][0]["id"],
        trigger="auto",
        when={"type": "round_started", "id": d["rounds"][-1]["id"]},
        effects=[],
    )
    inject.pop("component", None)
    d["injects"].append(inject)
    return f"injects[{len(d['injects']) - 1}].when"


def seed_unfillable_field(d: Data) -> str:
    first = d["rounds"][0]
    assert "select_metric" not in first["actions"]
    first["deliverable"].append({"id": "seed_metrics", "label": "Metrics", "kind": "metrics"})
    return f"rounds[0].deliverable[{len(first['deliverable']) - 1}]"


def seed_expert_evidence_sign(d: Data) -> str:
    marks = d["expertPlan"]["evidence"]
    position = next(i for i, m in enumerate(marks) if m["stance"] < 0)
    marks[position]["stance"] = 1
    return f"expertPlan.evidence[{position}].stance"


def seed_unreachable_stance(d: Data) -> str:
    stakeholder = next(s for s in d["stakeholders"] if s["stance"] < 1)
    d["expertPlan"].setdefault("stances", {})[stakeholder["id"]] = 2
    return f"expertPlan.stances.{stakeholder['id']}"


def seed_trap_fixes_primary(d: Data) -> str:
    _, primary = _cause(d, "primary")
    best = max(
        e["removes"]
        for i in d["interventions"]
        if not i.get("trap")
        for e in i["effects"]
        if e["cause"] == primary["id"]
    )
    trap = next(
        i for i in d["interventions"] if i.get("trap") and i["cost"].get("perQuarter", 0) == 0
    )
    trap["effects"].append({"cause": primary["id"], "removes": best})
    return f"interventions[{_index(d['interventions'], trap['id'])}].trap"


def seed_duplicate_intervention(d: Data) -> str:
    base = _real_expert_intervention(d)
    twin = copy.deepcopy(base)
    twin["id"] = "i_seed_twin"
    d["interventions"].append(twin)
    _validate_with(d, "i_seed_twin", base["id"])
    return f"interventions[{len(d['interventions']) - 1}]"


def seed_inject_scored_elsewhere(d: Data) -> str:
    inject = copy.deepcopy(d["injects"][0])
    other = next(
        c for c in d["rubric"] if c["kind"] == "facilitator" and c["round"] != d["rounds"][0]["id"]
    )
    inject.update(
        id="inj_seed_elsewhere",
        title="Seeded elsewhere",
        round=d["rounds"][0]["id"],
        trigger="manual",
        component=other["id"],
        effects=[],
    )
    inject.pop("when", None)
    d["injects"].append(inject)
    return f"injects[{len(d['injects']) - 1}].component"


def seed_late_analysis_points(d: Data) -> str:
    d["rounds"][-1]["budget"] = {"points": 3}
    return f"rounds[{len(d['rounds']) - 1}].budget.points"


def seed_metric_validating_a_trap(d: Data) -> str:
    trap = _idle_trap(d)
    moved = {side["kpi"] for side in trap.get("sideEffects", [])}
    kpi = next(k["id"] for k in d["kpis"] if k["id"] not in moved)
    d["metrics"].append(
        {
            "kpi": kpi,
            "id": "m_seed_idle",
            "name": "Seeded idle measure",
            "level": 3,
            "timing": "leading",
            "guardrail": False,
            "source": "LMS",
            "latencyWeeks": 4,
            "collectionCost": 0,
            "validates": [trap["id"]],
        }
    )
    return f"metrics[{len(d['metrics']) - 1}].validates"


def seed_loadings_on_false_cause(d: Data) -> str:
    position, cause = _cause(d, "false")
    cause["loadings"] = {d["kpis"][0]["id"]: 1.0}
    return f"causes[{position}].loadings"


def seed_percent_as_fraction(d: Data) -> str:
    percent = {k["id"] for k in d["kpis"] if k["unit"] == "%"}
    by_id = {m["id"]: m for m in d["metrics"]}
    marks = d["expertPlan"]["metrics"]
    position = next(
        i for i, m in enumerate(marks) if by_id[m["id"]].get("kpi") in percent and m.get("target")
    )
    marks[position]["target"] = marks[position]["target"] / 100
    return f"expertPlan.metrics[{position}].target"


@dataclass(frozen=True)
class Seed:
    """A flaw to plant, the rule that must catch it, and rules it must also trip."""

    rule: str
    plant: Callable[[Data], str]
    also: tuple[str, ...] = ()


SEEDS = (
    # A trap costs money for nothing, so a plan without it may beat the expert plan, and
    # training in the expert plan is a misfit, so the expert plan may lose automatic points.
    Seed("expert-plan-trap", seed_expert_trap, ("expert-plan-wins", "expert-plan-best")),
    Seed("expert-plan-best", seed_better_plan),
    Seed("sponsor-beats-expert", seed_sponsor_copies_expert),
    Seed("dominated-intervention", seed_dominated_sustaining_trap),
    Seed("metric-baseline", seed_metric_without_baseline),
    # Where the expert plan marked that evidence, it now marks a diagnostic that carries none.
    Seed("cause-evidence", seed_minor_cause_without_evidence, ("expert-evidence-sign",)),
    Seed("inject-can-fire", seed_inject_that_cannot_fire),
    Seed("deliverable-fillable", seed_unfillable_field),
    Seed("expert-evidence-sign", seed_expert_evidence_sign),
    Seed("expert-stance-reachable", seed_unreachable_stance),
    # A trap that fixes the primary cause may also cost more than a trap it beats (pennant).
    Seed("primary-fix-trap", seed_trap_fixes_primary, ("dominated-intervention",)),
    # Two copies of a fading fix can beat the expert plan together: the search may say so.
    Seed("duplicate-intervention", seed_duplicate_intervention, ("expert-plan-best",)),
    Seed("inject-component", seed_inject_scored_elsewhere),
    Seed("analysis-points-late", seed_late_analysis_points),
    Seed("metric-validates-real", seed_metric_validating_a_trap),
    Seed("false-cause-loadings", seed_loadings_on_false_cause),
    Seed("percent-as-fraction", seed_percent_as_fraction),
)


@pytest.mark.parametrize("name", SHIPPED)
def test_the_pristine_shipped_scenario_lints_clean_even_strictly(name: str) -> None:
    assert [str(f) for f in lint(load_data(shipped(name), f"{name}.json"))] == []


@pytest.mark.parametrize("name", SHIPPED)
@pytest.mark.parametrize("seed", SEEDS, ids=lambda s: s.rule)
def test_each_seeded_flaw_raises_its_rule_at_its_path(seed: Seed, name: str) -> None:
    data = shipped(name)
    path = seed.plant(data)
    findings = lint(load_data(data, f"{name}-seeded.json"))
    caught = [(f.rule, f.path) for f in findings]
    assert (seed.rule, path) in caught, [str(f) for f in findings]
    others = {f.rule for f in findings} - {seed.rule}
    assert others <= set(seed.also), [str(f) for f in findings]


@pytest.mark.parametrize("name", SHIPPED)
def test_the_plan_search_visits_singles_pairs_greedy_and_neighbours(name: str) -> None:
    scenario = load_data(shipped(name), f"{name}.json")
    result = search(scenario)
    n = len(scenario.interventions)
    singles_and_pairs = n + n * (n - 1) // 2
    # Greedy steps and the expert's neighbours add plans beyond the singles and pairs, but
    # never more than every subset of at most the expert's size plus one.
    assert singles_and_pairs < result.visited <= 2**n
    assert result.best.key() >= result.expert.key()
    assert set(result.expert.interventions) == {p.id for p in scenario.expert_plan.interventions}


# --- rule details the shipped seeds do not reach -----------------------------------------------


def _findings(data: Data, rule: str) -> list[tuple[str, str]]:
    return [(f.severity, f.path) for f in lint(load_data(data)) if f.rule == rule]


def test_the_search_visits_exactly_singles_pairs_and_the_empty_neighbour_on_two_options() -> None:
    # Two interventions: {fix}, {refresher}, {fix, refresher}, and {} (the expert minus its one);
    # both together cost 49,000 of the 40,000 a team has, so three are affordable.
    result = search(load_data(minimal_data()))
    assert (result.visited, result.affordable) == (4, 3)
    assert result.best.interventions == result.expert.interventions == ("i_search_fix",)


@pytest.mark.parametrize("name", SHIPPED)
def test_the_search_covers_every_neighbour_of_the_expert_plan(name: str) -> None:
    scenario = load_data(shipped(name), f"{name}.json")
    n, e = len(scenario.interventions), len(scenario.expert_plan.interventions)
    assert e > 3  # so drops, swaps and adds are all larger than pairs and cannot overlap them
    families = n + n * (n - 1) // 2 + e + e * (n - e) + (n - e)
    greedy_at_most = n * (n + 1) // 2
    assert families <= search(scenario).visited <= families + greedy_at_most


def test_a_contributing_cause_without_evidence_is_an_error() -> None:
    def mutate(d: Data) -> None:
        d["causes"][1].update(truth="contributing", gapShare=0.1, loadings={"k_fcr": 1.0})
        d["causes"][0]["gapShare"] = 0.7
        for diagnostic in d["diagnostics"]:
            for evidence in diagnostic["evidence"]:
                if evidence["cause"] == "rc_skills":
                    evidence["weight"] = -1

    assert ("error", "causes[1]") in _findings(variant(mutate), "cause-evidence")


def test_a_percentage_kpi_written_as_fractions_is_an_error() -> None:
    def mutate(d: Data) -> None:
        d["kpis"][0].update(baseline=0.8, current=0.7, target=0.76, noise=0)

    assert _findings(variant(mutate), "percent-as-fraction") == [("error", "kpis[0]")]


def test_an_inject_waiting_for_a_diagnostic_no_round_lets_it_run_never_fires() -> None:
    def mutate(d: Data) -> None:
        d["diagnostics"][2]["opensIn"] = "r_plan"  # r_plan does not allow run_diagnostic
        d["injects"][0].update(trigger="auto", when={"type": "ran_diagnostic", "id": "d_quiz"})

    assert _findings(variant(mutate), "inject-can-fire") == [("error", "injects[0].when")]
