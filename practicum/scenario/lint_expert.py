"""Lint rules on the expert and sponsor plans: traps, evidence signs, stances, the plan search."""

from __future__ import annotations

from collections.abc import Iterator

from practicum.scenario.lint import Finding, _error, rule
from practicum.scenario.loader import plan_problems
from practicum.scenario.model import Plan, Scenario
from practicum.scenario.plan_search import PlanSearch, Scored, search

# A plan must beat the expert's net benefit by this share (or 1 currency unit) to count: the
# outcome model is a sketch, and a rounding-sized lead is no design flaw.
NET_TOLERANCE = 0.02
MIN_STANCE, MAX_STANCE = -2, 2


def _playable(scenario: Scenario, plan: Plan | None) -> bool:
    return plan is not None and not plan_problems(scenario, plan)


@rule("expert-plan-trap")
def check_expert_trap(scenario: Scenario) -> Iterator[Finding]:
    """The expert plan picks no intervention marked as a trap."""
    for position, planned in enumerate(scenario.expert_plan.interventions):
        if any(i.id == planned.id and i.trap for i in scenario.interventions):
            name = scenario.intervention(planned.id).name
            yield _error(
                "expert-plan-trap",
                f"expertPlan.interventions[{position}]",
                (
                    f"the expert plan picks '{planned.id}' ({name}), which is marked as a "
                    "trap; the rules score teams against the expert plan, so the trap would "
                    "earn full automatic points. Drop it from expertPlan, or remove "
                    '"trap": true if it is a sound choice'
                ),
            )


@rule("expert-evidence-sign")
def check_expert_evidence(scenario: Scenario) -> Iterator[Finding]:
    """Each evidence mark of the expert plan has the sign of the diagnostic's hidden weight."""
    diagnostics = {d.id: d for d in scenario.diagnostics}
    for position, mark in enumerate(scenario.expert_plan.evidence):
        diagnostic = diagnostics.get(mark.diagnostic)
        if diagnostic is None:
            continue  # expert-plan-feasible reports the dangling id
        weight = sum(e.weight for e in diagnostic.evidence if e.cause == mark.cause)
        if weight == 0 or (weight > 0) == (mark.stance > 0):
            if weight == 0:
                yield _error(
                    "expert-evidence-sign",
                    f"expertPlan.evidence[{position}]",
                    (
                        f"the expert plan marks '{mark.diagnostic}' as evidence on '{mark.cause}', "
                        "but that diagnostic carries no evidence on the cause; drop the mark "
                        "or add the evidence to the diagnostic"
                    ),
                )
            continue
        said = "supporting" if mark.stance > 0 else "against"
        real = "supports" if weight > 0 else "disconfirms"
        yield _error(
            "expert-evidence-sign",
            f"expertPlan.evidence[{position}].stance",
            (
                f"the expert plan marks '{mark.diagnostic}' ({diagnostic.name}) as {said} "
                f"'{mark.cause}', but its evidence weight {weight:+d} {real} it; set stance to "
                f"{1 if weight > 0 else -1} or correct the weight"
            ),
        )


def reachable_stances(scenario: Scenario, plan: Plan) -> dict[str, int]:
    """Return the stance each stakeholder ends at after the plan's diagnostics and injects."""
    stances = {s.id: s.stance for s in scenario.stakeholders}
    diagnostics = {d.id: d for d in scenario.diagnostics}
    injects = {i.id: i for i in scenario.injects}
    changes = [
        (effect.stakeholder, effect.delta)
        for d in dict.fromkeys(plan.diagnostics)
        if d in diagnostics
        for effect in diagnostics[d].stance_effects
    ]
    changes += [
        (effect.target, effect.delta)
        for i in dict.fromkeys(plan.injects)
        if i in injects
        for effect in injects[i].effects
        if effect.type == "stance_change" and effect.target
    ]
    for stakeholder, delta in changes:
        if stakeholder in stances:
            stances[stakeholder] = max(MIN_STANCE, min(MAX_STANCE, stances[stakeholder] + delta))
    return stances


@rule("expert-stance-reachable")
def check_expert_stances(scenario: Scenario) -> Iterator[Finding]:
    """The expert plan claims no stakeholder stance its diagnostics and injects cannot reach."""
    plan = scenario.expert_plan
    reached = reachable_stances(scenario, plan)
    for stakeholder, claimed in plan.stances.items():
        if stakeholder not in reached or claimed <= reached[stakeholder]:
            continue
        start = scenario.stakeholder(stakeholder).stance
        yield _error(
            "expert-stance-reachable",
            f"expertPlan.stances.{stakeholder}",
            (
                f"the expert plan claims '{stakeholder}' at stance {claimed:+d}, but from "
                f"{start:+d} its diagnostics' stanceEffects and its injects reach only "
                f"{reached[stakeholder]:+d}; lower the claim, or give a diagnostic the "
                f"expert plan runs a stanceEffect on '{stakeholder}'"
            ),
        )


def _describe(scenario: Scenario, plan: Scored) -> str:
    names = ", ".join(plan.interventions) or "no interventions"
    money = scenario.economics.currency
    return (
        f"[{names}] (closes {plan.results:.0%} of the gap to target, net {money} {plan.net:,.0f})"
    )


def _beats(challenger: Scored, expert: Scored) -> bool:
    if challenger.key()[0] != expert.key()[0]:
        return challenger.key()[0] > expert.key()[0]
    return challenger.net > expert.net + max(1.0, NET_TOLERANCE * abs(expert.net))


@rule("expert-plan-best")
def check_expert_best(scenario: Scenario) -> Iterator[Finding]:
    """No plan a team can afford beats the expert plan's business result (plan search)."""
    if not _playable(scenario, scenario.expert_plan):
        return  # expert-plan-feasible reports the broken references
    result = search(scenario)
    if _beats(result.best, result.expert):
        money = scenario.economics.currency
        yield _error(
            "expert-plan-best",
            "expertPlan.interventions",
            (
                f"the plan {_describe(scenario, result.best)} beats the expert plan "
                f"{_describe(scenario, result.expert)} by {money} "
                f"{result.best.net - result.expert.net:,.0f} net "
                f"(searched {result.visited} plans, {result.affordable} of them affordable); "
                "make the expert plan that "
                "plan, or change costs or effects so the expert's choices earn their place"
            ),
        )


@rule("sponsor-beats-expert")
def check_sponsor(scenario: Scenario) -> Iterator[Finding]:
    """The sponsor's plan does not match or beat the expert plan's business result."""
    sponsor = scenario.sponsor_plan
    if not _playable(scenario, sponsor) or not _playable(scenario, scenario.expert_plan):
        return
    space = PlanSearch(scenario, scenario.expert_plan)
    expert, theirs = space.score_plan(scenario.expert_plan), space.score_plan(sponsor)  # type: ignore[arg-type]
    if theirs.key() >= expert.key():
        money = scenario.economics.currency
        yield _error(
            "sponsor-beats-expert",
            "sponsorPlan.interventions",
            (
                f"the sponsor's plan {_describe(scenario, theirs)} does as well as or better than "
                f"the expert plan {_describe(scenario, expert)}, by {money} "
                f"{theirs.net - expert.net:,.0f} net; the sponsor's request should be the "
                "plausible wrong answer: weaken it or strengthen the expert plan"
            ),
        )
