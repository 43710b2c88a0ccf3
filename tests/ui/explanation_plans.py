"""Plans to score for the explanation coverage test: reference plans, fixtures, random plans."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace

from practicum.domain.outcome import cash_available, cash_spent
from practicum.scenario.model import (
    Component,
    EvidenceMark,
    InterventionCost,
    Plan,
    PlannedCause,
    PlannedIntervention,
    PlannedMetric,
    Scenario,
)
from tests.scenarios.shipped import SHIPPED, plan, plan_names, scenario

RANDOM_PLANS = 60  # per scenario; enough to reach every branch of every rule (see the test)


def _some(rng: random.Random, items: list, low: int = 0) -> list:
    """Return a random subset of items (at least `low` of them when there are that many)."""
    return rng.sample(items, rng.randint(min(low, len(items)), len(items)))


def _gap_text(rng: random.Random, found: Scenario) -> str:
    """Write a gap statement naming some of the KPIs' current and target values."""
    if rng.random() < 0.15:
        return ""
    words = ["We are"]
    for kpi in found.kpis:
        if rng.random() < 0.6:
            words.append(f"at {kpi.current:g}")
        if rng.random() < 0.6:
            words.append(f"and need {kpi.target:g}")
    return " ".join(words) + "."


def random_plan(found: Scenario, rng: random.Random) -> Plan:
    """Draw a plan from the scenario's catalogue, trimmed to the cash the team has."""
    diagnostics = [d.id for d in _some(rng, list(found.diagnostics))]
    causes = _some(rng, list(found.causes))
    cells = [c.id for c in found.taxonomy]
    declared = [
        PlannedCause(
            c.id,
            c.cell if rng.random() < 0.7 else rng.choice(cells),
            round(rng.random(), 2),
        )
        for c in causes
    ]
    rest = [c.id for c in found.causes if c not in causes]
    evidence = [
        EvidenceMark(d, c.id, rng.choice((1, 1, -1)))
        for d in diagnostics
        for c in causes
        if rng.random() < 0.5
    ]
    interventions = [
        PlannedIntervention(i.id, rng.choice((0, 0, 4, 8)))
        for i in _some(rng, list(found.interventions))
    ]
    metrics = [
        PlannedMetric(m.id, None if rng.random() < 0.3 else 1.0)
        for m in _some(rng, list(found.metrics))
    ]
    isolation = None
    if found.isolation_methods and rng.random() < 0.8:
        isolation = rng.choice(found.isolation_methods).id
    texts = {"gap": _gap_text(rng, found)}
    injects = [i.id for i in _some(rng, list(found.injects))]
    for inject_id in injects:
        if rng.random() < 0.6:
            texts[f"inject:{inject_id}"] = "We hold the line and explain why."
    drawn = Plan(
        diagnostics=tuple(diagnostics),
        evidence=tuple(evidence),
        causes=tuple(declared),
        ruled_out=tuple(_some(rng, rest)),
        interventions=tuple(interventions),
        metrics=tuple(metrics),
        isolation=isolation,
        texts=texts,
        injects=tuple(injects),
    )
    # Keep most plans within the budget (drop interventions until they fit); a few stay over it.
    while (
        rng.random() < 0.9
        and drawn.interventions
        and cash_spent(found, drawn) > cash_available(found, drawn)
    ):
        drawn = replace(drawn, interventions=drawn.interventions[:-1])
    return drawn


def scored_plans() -> Iterator[tuple[str, str, Scenario, Plan]]:
    """Yield (scenario id, plan name, scenario, plan) for every plan the test scores."""
    for scenario_id in SHIPPED:
        found = scenario(scenario_id)
        names = ["expert", *(["sponsor"] if found.sponsor_plan else []), *plan_names(scenario_id)]
        for name in names:
            yield scenario_id, name, found, plan(scenario_id, name)
        rng = random.Random(f"explanations-{scenario_id}")
        for n in range(RANDOM_PLANS):
            yield scenario_id, f"random-{n}", found, random_plan(found, rng)


def synthetic_cases() -> Iterator[tuple[Scenario, Plan, Component]]:
    """Yield rule inputs no shipped scenario produces: many main causes, no KPIs, free
    interventions, an expert plan that removes nothing, the "closure" measure."""
    found = scenario("harbor")
    rubric = {c.rule: c for c in found.rubric if c.kind == "auto"}
    cells = [c.id for c in found.taxonomy]
    base = found.causes[0]
    # An empty plan misses every main cause: counted per role, in one cell or spread over several.
    for primary, contributing in ((2, 0), (3, 1), (0, 2), (4, 3), (5, 5), (7, 6), (0, 4), (10, 12)):
        for spread in (1, 2, 3):
            causes = tuple(
                replace(
                    base,
                    id=f"{truth}{i}",
                    label=f"{truth} {i}",
                    truth=truth,
                    cell=cells[i % spread],
                )
                for truth, count in (("primary", primary), ("contributing", contributing))
                for i in range(count)
            )
            yield replace(found, causes=causes), Plan(), rubric["diagnosis_accuracy"]
    yield replace(found, kpis=()), Plan(texts={"gap": "We are behind."}), rubric["gap_statement"]
    yield replace(found, expert_plan=Plan()), found.expert_plan, rubric["solution_fit"]
    free = tuple(replace(i, cost=InterventionCost(0.0, 0.0)) for i in found.interventions)
    yield replace(found, interventions=free), found.expert_plan, rubric["cost_effectiveness"]
    idle = tuple(replace(i, effects=(), side_effects=()) for i in free)
    yield replace(found, interventions=idle), found.expert_plan, rubric["cost_effectiveness"]
    closure = replace(
        rubric["cost_effectiveness"],
        params={**rubric["cost_effectiveness"].params, "measure": "closure"},
    )
    for name in ("expert", "sponsor", *plan_names("harbor")):
        yield found, plan("harbor", name), closure
