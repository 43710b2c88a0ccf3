"""Design checks on a loaded scenario: is it consistent, solvable and fair to play?

The loader already refuses files that are malformed or whose references dangle; lint looks at
the game design: do the numbers add up, can every cause be investigated within the budget, does
the expert plan really win. Each rule has a stable name, explained in docs/authoring.md.
The rules on consistency and playability live here; `lint_content` holds the rules on evidence,
metrics, interventions, rounds and injects, and `lint_expert` those on the expert and sponsor
plans, including the plan search (`plan_search`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Literal

from practicum.scenario.loader import plan_problems, scenario_problems
from practicum.scenario.model import Cost, Diagnostic, Intervention, Plan, Scenario

Severity = Literal["error", "warning"]
TOLERANCE = 1e-6


@dataclass(frozen=True)
class Finding:
    """One design problem: ``rule`` is the stable rule name, ``path`` a JSON path."""

    severity: Severity
    path: str
    message: str
    rule: str

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.severity} [{self.rule}] {where}{self.message}"


Rule = Callable[[Scenario], Iterator[Finding]]
RULES: dict[str, Rule] = {}


def rule(name: str) -> Callable[[Rule], Rule]:
    """Register a lint rule under its stable name (the order of registration is the run order)."""
    def register(function: Rule) -> Rule:
        RULES[name] = function
        return function

    return register


def lint(scenario: Scenario) -> list[Finding]:
    """Run every rule; return errors and warnings in rule order."""
    findings: list[Finding] = []
    for name, check in RULES.items():
        try:
            findings.extend(check(scenario))
        except Exception as error:  # noqa: BLE001 - one broken check must not hide the others
            findings.append(_error(name, "", (
                f"could not run this check ({type(error).__name__}: {error}); the scenario may "
                "break the outcome or scoring model - please report it"
            )))
    return findings


def _error(name: str, path: str, message: str) -> Finding:
    return Finding("error", path, message, name)


def _warning(name: str, path: str, message: str) -> Finding:
    return Finding("warning", path, message, name)


# --- consistency ---------------------------------------------------------------------------------


@rule("references")
def check_references(scenario: Scenario) -> Iterator[Finding]:
    """Ids are unique and every reference resolves (the loader enforces this too)."""
    for path, message in scenario_problems(scenario):
        yield _error("references", path, message)


@rule("rubric-weights")
def check_rubric_weights(scenario: Scenario) -> Iterator[Finding]:
    """Rubric weights sum to 100 points."""
    total = sum(component.weight for component in scenario.rubric)
    if abs(total - 100) > TOLERANCE:
        parts = ", ".join(f"{c.id} {c.weight:g}" for c in scenario.rubric)
        yield _error("rubric-weights", "rubric",
                     f"component weights sum to {total:g}, not 100 ({parts})")


@rule("gap-shares")
def check_gap_shares(scenario: Scenario) -> Iterator[Finding]:
    """Causes' gap shares plus the residual explain the whole gap; false causes explain none."""
    total = sum(cause.gap_share for cause in scenario.causes) + scenario.residual
    if abs(total - 1) > TOLERANCE:
        parts = " + ".join(f"{c.id} {c.gap_share:g}" for c in scenario.causes)
        yield _error("gap-shares", "causes",
                     f"gap shares plus residual sum to {total:g}, not 1 "
                     f"({parts} + residual {scenario.residual:g})")
    for position, cause in enumerate(scenario.causes):
        path = f"causes[{position}].gapShare"
        if cause.truth == "false" and cause.gap_share > 0:
            yield _error("gap-shares", path,
                         f"'{cause.id}' is a false cause but explains {cause.gap_share:g} of the "
                         "gap; false causes must have gapShare 0")
        if cause.truth != "false" and cause.gap_share <= 0:
            yield _warning("gap-shares", path,
                           f"'{cause.id}' is {cause.truth} but explains none of the gap; "
                           "give it a gapShare or mark it false")


@rule("cause-loadings")
def check_cause_loadings(scenario: Scenario) -> Iterator[Finding]:
    """A cause that explains part of the gap acts on at least one KPI."""
    for position, cause in enumerate(scenario.causes):
        if cause.gap_share > 0 and not any(v > 0 for v in cause.loadings.values()):
            yield _warning("cause-loadings", f"causes[{position}].loadings",
                           f"'{cause.id}' explains {cause.gap_share:g} of the gap but loads on no "
                           "KPI, so removing it changes nothing")


@rule("kpi-target")
def check_kpi_targets(scenario: Scenario) -> Iterator[Finding]:
    """Each KPI got worse (current behind baseline) and its target lies between the two."""
    for position, kpi in enumerate(scenario.kpis):
        sign = 1 if kpi.direction == "higher" else -1
        if sign * (kpi.baseline - kpi.current) <= 0:
            yield _warning("kpi-target", f"kpis[{position}].current",
                           f"'{kpi.id}' is not worse now ({kpi.current:g}) than at baseline "
                           f"({kpi.baseline:g}) for a '{kpi.direction}' KPI, so there is no gap")
        elif not min(kpi.current, kpi.baseline) <= kpi.target <= max(kpi.current, kpi.baseline):
            yield _warning("kpi-target", f"kpis[{position}].target",
                           f"'{kpi.id}' target {kpi.target:g} is not between current "
                           f"{kpi.current:g} and baseline {kpi.baseline:g}; even removing every "
                           "cause cannot be expected to reach it")


# --- playability ---------------------------------------------------------------------------------


@rule("round-playable")
def check_rounds(scenario: Scenario) -> Iterator[Finding]:
    """Every round has time on the clock and something to hand in."""
    for position, round_ in enumerate(scenario.rounds):
        if round_.minutes <= 0:
            yield _error("round-playable", f"rounds[{position}].minutes",
                         f"round '{round_.id}' has {round_.minutes} minutes; give it time")
        if not round_.deliverable:
            yield _error("round-playable", f"rounds[{position}].deliverable",
                         f"round '{round_.id}' has no deliverable; teams need something to submit")


@rule("facilitator-levels")
def check_facilitator_levels(scenario: Scenario) -> Iterator[Finding]:
    """Facilitator components describe four distinct levels, 1 to 4."""
    for position, component in enumerate(scenario.rubric):
        if component.kind != "facilitator":
            continue
        path = f"rubric[{position}].levels"
        numbers = sorted(level.level for level in component.levels)
        if numbers != [1, 2, 3, 4]:
            yield _error("facilitator-levels", path,
                         f"'{component.id}' needs one descriptor for each level 1-4, has {numbers}")
        texts = [level.descriptor.strip().lower() for level in component.levels]
        if any(not text for text in texts) or len(set(texts)) != len(texts):
            yield _error("facilitator-levels", path,
                         f"'{component.id}' level descriptors must be non-blank and distinct")


@rule("diagnostic-runnable")
def check_diagnostics_runnable(scenario: Scenario) -> Iterator[Finding]:
    """A round at or after each diagnostic's opensIn allows running diagnostics."""
    for position, diagnostic in enumerate(scenario.diagnostics):
        if diagnostic.opens_in not in scenario_round_ids(scenario):
            continue  # a dangling reference; the references rule reports it
        later = scenario.rounds[scenario.round_index(diagnostic.opens_in):]
        if not any("run_diagnostic" in r.actions for r in later):
            yield _warning("diagnostic-runnable", f"diagnostics[{position}].opensIn",
                           f"'{diagnostic.id}' opens in '{diagnostic.opens_in}' but no round from "
                           "there on allows run_diagnostic")


@rule("unlock-reachable")
def check_unlocks(scenario: Scenario) -> Iterator[Finding]:
    """Every locked diagnostic can be unlocked by a diagnostic a team can reach."""
    reachable = unlock_chains(scenario)
    for position, diagnostic in enumerate(scenario.diagnostics):
        if diagnostic.id not in reachable:
            unlockers = [d.id for d in scenario.diagnostics if diagnostic.id in d.unlocks]
            detail = (f"it is unlocked only by {', '.join(unlockers)}, which no team can reach"
                      if unlockers else "no diagnostic lists it in unlocks")
            yield _error("unlock-reachable", f"diagnostics[{position}].locked",
                         f"'{diagnostic.id}' is locked and can never be run: {detail}")


@rule("false-cause-disconfirmable")
def check_false_causes(scenario: Scenario) -> Iterator[Finding]:
    """Each false cause is disconfirmed by a diagnostic a team can afford."""
    chains = unlock_chains(scenario)
    for position, cause in enumerate(scenario.causes):
        if cause.truth != "false":
            continue
        against = [d for d in scenario.diagnostics if _weight(d, cause.id) < 0]
        if not against:
            yield _error("false-cause-disconfirmable", f"causes[{position}]",
                         f"false cause '{cause.id}' has no diagnostic with negative evidence "
                         "weight, so no team can rule it out on evidence")
        elif not any(d.id in chains and fits_budget(scenario, chains[d.id]) for d in against):
            yield _error("false-cause-disconfirmable", f"causes[{position}]",
                         f"false cause '{cause.id}' is disconfirmed only by "
                         f"{', '.join(d.id for d in against)}, which a team cannot reach within "
                         f"its budget ({_budget_text(scenario)})")


@rule("primary-triangulable")
def check_primary_causes(scenario: Scenario) -> Iterator[Finding]:
    """The primary cause can be supported by two different method types within the budget."""
    primaries = [(i, c) for i, c in enumerate(scenario.causes) if c.truth == "primary"]
    if not primaries:
        yield _error("primary-triangulable", "causes",
                     "no cause has truth 'primary'; the game needs one main cause to find")
    chains = unlock_chains(scenario)
    for position, cause in primaries:
        support = [d for d in scenario.diagnostics if _weight(d, cause.id) > 0 and d.id in chains]
        pairs = [(a, b) for a, b in itertools.combinations(support, 2) if a.method != b.method]
        if not pairs:
            methods = sorted({d.method for d in support}) or ["none"]
            yield _error("primary-triangulable", f"causes[{position}]",
                         f"primary cause '{cause.id}' is supported by methods {methods}; "
                         "triangulation needs positive evidence from two different method types")
        elif not any(fits_budget(scenario, chains[a.id] | chains[b.id]) for a, b in pairs):
            yield _error("primary-triangulable", f"causes[{position}]",
                         f"no two diagnostics of different methods supporting '{cause.id}' fit "
                         f"the budget together ({_budget_text(scenario)})")


@rule("rule-params")
def check_rule_params(scenario: Scenario) -> Iterator[Finding]:
    """Automatic components pass only parameters their rule reads; what a rule needs exists."""
    from practicum.domain.scoring import RULE_PARAMS

    text_fields = {f.id for r in scenario.rounds for f in r.deliverable if f.kind == "text"}
    for position, component in enumerate(scenario.rubric):
        if component.kind != "auto" or component.rule is None:
            continue
        path = f"rubric[{position}]"
        known = RULE_PARAMS.get(component.rule, {})
        for name in component.params:
            if name not in known:
                listed = ", ".join(known) or "none"
                yield _warning("rule-params", f"{path}.params.{name}",
                               f"rule '{component.rule}' does not read '{name}' "
                               f"(it reads: {listed})")
        if component.rule == "gap_statement":
            field = component.params.get("field") or "gap"
            if field not in text_fields:
                yield _error("rule-params", path,
                             f"gap_statement reads the text field '{field}', but no round has a "
                             "text deliverable field with that id; add one or set params.field")
        if component.rule == "inject_response" and not (
            component.params.get("inject")
            or any(inject.component == component.id for inject in scenario.injects)
        ):
            yield _error("rule-params", path,
                         f"inject_response component '{component.id}' scores no inject: set "
                         "params.inject or point an inject's component at it")


# --- interventions and evaluation ----------------------------------------------------------------


@rule("intervention-measurable")
def check_measurable(scenario: Scenario) -> Iterator[Finding]:
    """Every intervention is validated by at least one metric."""
    for position, intervention in enumerate(scenario.interventions):
        if not any(intervention.id in metric.validates for metric in scenario.metrics):
            yield _error("intervention-measurable", f"interventions[{position}]",
                         f"no metric lists '{intervention.id}' in validates, so no team can plan "
                         "to show its effect")


@rule("dominated-intervention")
def check_dominance(scenario: Scenario) -> Iterator[Finding]:
    """No intervention is strictly worse than another unless it is marked as a trap."""
    for position, worse in enumerate(scenario.interventions):
        if worse.trap:
            continue
        for better in scenario.interventions:
            if better is not worse and dominates(scenario, better, worse):
                yield _error("dominated-intervention", f"interventions[{position}]",
                             f"'{worse.id}' costs more than '{better.id}' and removes no cause "
                             "better; make it different, or mark it \"trap\": true if it is a "
                             "deliberate poor choice")
                break


@rule("expert-plan-feasible")
def check_expert_feasible(scenario: Scenario) -> Iterator[Finding]:
    """The expert plan can be played: ids resolve, unlocks in order, within budget and limits."""
    plan = scenario.expert_plan
    problems = plan_problems(scenario, plan, "expertPlan")
    for path, message in problems:
        yield _error("expert-plan-feasible", path, message)
    if problems:
        return
    yield from _plan_order_findings(scenario, plan)
    # Imported here: the domain layer sits above the scenario package and imports from it.
    from practicum.domain.outcome import cash_available, cash_spent

    spent = Cost(
        points=sum(scenario.diagnostic(d).cost.points for d in dict.fromkeys(plan.diagnostics)),
        cash=cash_spent(scenario, plan),
        days=sum(scenario.diagnostic(d).cost.days for d in dict.fromkeys(plan.diagnostics)),
    )
    available = replace(total_budget(scenario), cash=cash_available(scenario, plan))
    for unit in ("points", "cash", "days"):
        if getattr(spent, unit) > getattr(available, unit) + TOLERANCE:
            yield _error("expert-plan-feasible", "expertPlan",
                         f"the expert plan spends {getattr(spent, unit):g} {unit}, more than "
                         f"the {getattr(available, unit):g} a team receives")
    for field, count, cap in (
        ("causes", len(plan.causes), "max_causes"),
        ("interventions", len(plan.interventions), "max_interventions"),
        ("metrics", len(plan.metrics), "max_metrics"),
    ):
        limits = [getattr(r.limits, cap) for r in scenario.rounds if getattr(r.limits, cap)]
        if limits and count > min(limits):
            yield _error("expert-plan-feasible", f"expertPlan.{field}",
                         f"the expert plan has {count} {field} but a round allows {min(limits)}")


@rule("expert-plan-wins")
def check_expert_wins(scenario: Scenario) -> Iterator[Finding]:
    """The expert plan meets every KPI target at the last quarter and earns full automatic marks."""
    if list(plan_problems(scenario, scenario.expert_plan)):
        return  # expert-plan-feasible reports the broken references
    # Imported here: the domain layer sits above the scenario package and imports from it.
    from practicum.domain.outcome import evaluate
    from practicum.domain.scoring import auto_score

    outcome = evaluate(scenario, scenario.expert_plan)
    last = scenario.simulation.quarters
    for position, kpi in enumerate(scenario.kpis):
        if not outcome.targets_met.get(kpi.id, False):
            reached = outcome.plan.kpis[kpi.id][last]
            yield _error("expert-plan-wins", f"kpis[{position}].target",
                         f"the expert plan reaches {short_of(reached, kpi.target)} {kpi.unit} "
                         f"on '{kpi.id}' in quarter {last}, short of the target "
                         f"{kpi.target:g}; strengthen the expert plan or lower the target")
    for component_id, result in auto_score(scenario, scenario.expert_plan).items():
        if result.points < result.max_points - TOLERANCE:
            position = [c.id for c in scenario.rubric].index(component_id)
            yield _error("expert-plan-wins", f"rubric[{position}]",
                         f"the expert plan scores {result.points:g} of {result.max_points:g} on "
                         f"'{component_id}': {result.explanation}")


# --- helpers -------------------------------------------------------------------------------------


def short_of(value: float, target: float) -> str:
    """Format a value that misses a target with enough decimals to show that it differs."""
    for decimals in range(2, 10):
        shown = f"{value:.{decimals}f}"
        if float(shown) != target:
            return shown
    return repr(value)


def scenario_round_ids(scenario: Scenario) -> set[str]:
    """Return the ids of the scenario's rounds."""
    return {r.id for r in scenario.rounds}


def _weight(diagnostic: Diagnostic, cause_id: str) -> int:
    return sum(e.weight for e in diagnostic.evidence if e.cause == cause_id)


def unlock_chains(scenario: Scenario) -> dict[str, frozenset[str]]:
    """Map each reachable diagnostic to the diagnostics a team must buy to run it (itself too).

    Open diagnostics need only themselves; a locked one needs the chain of its first-found
    unlocker (breadth first, so the shortest chain).
    """
    chains = {d.id: frozenset({d.id}) for d in scenario.diagnostics if not d.locked}
    frontier = list(chains)
    while frontier:
        next_frontier = []
        for unlocker_id in frontier:
            for target in scenario.diagnostic(unlocker_id).unlocks:
                if target not in chains and any(d.id == target for d in scenario.diagnostics):
                    chains[target] = chains[unlocker_id] | {target}
                    next_frontier.append(target)
        frontier = next_frontier
    return chains


def total_budget(scenario: Scenario) -> Cost:
    """Return everything a team receives: the starting budget plus every round's grant."""
    return Cost(
        points=scenario.budget.points + sum(r.budget.points for r in scenario.rounds),
        cash=scenario.budget.cash + sum(r.budget.cash for r in scenario.rounds),
        days=scenario.budget.days + sum(r.budget.days for r in scenario.rounds),
    )


def fits_budget(scenario: Scenario, diagnostic_ids: Iterable[str]) -> bool:
    """Say whether a team can afford running all these diagnostics."""
    costs = [scenario.diagnostic(d).cost for d in diagnostic_ids]
    budget = total_budget(scenario)
    return (
        sum(c.points for c in costs) <= budget.points
        and sum(c.cash for c in costs) <= budget.cash + TOLERANCE
        and sum(c.days for c in costs) <= budget.days
    )


def _budget_text(scenario: Scenario) -> str:
    budget = total_budget(scenario)
    return f"{budget.points} points, {budget.cash:g} cash, {budget.days} days"


def lifetime_cost(scenario: Scenario, intervention: Intervention) -> float:
    """Return one-off plus running cost over the simulated quarters."""
    return (intervention.cost.one_off
            + intervention.cost.per_quarter * scenario.simulation.quarters)


def dominates(scenario: Scenario, better: Intervention, worse: Intervention) -> bool:
    """Say whether ``better`` costs less and removes at least as much of every cause, more of one.

    An intervention that sustains something ``better`` does not sustain is never dominated:
    governance earns its keep by stopping decay, not by removing causes. Sustaining a trap
    earns nothing, so it does not count.
    """
    if lifetime_cost(scenario, worse) <= lifetime_cost(scenario, better):
        return False
    traps = {i.id for i in scenario.interventions if i.trap}
    if not set(worse.sustains) - traps <= set(better.sustains):
        return False
    causes = {e.cause for e in (*worse.effects, *better.effects)}
    removes = [(_removes(better, c), _removes(worse, c)) for c in causes]
    return all(w <= b for b, w in removes) and any(w < b for b, w in removes)


def _removes(intervention: Intervention, cause_id: str) -> float:
    return max((e.removes for e in intervention.effects if e.cause == cause_id), default=0.0)


def _plan_order_findings(scenario: Scenario, plan: Plan) -> Iterator[Finding]:
    """Locked diagnostics are run after their unlocker; evidence cites diagnostics the plan ran."""
    run: set[str] = set()
    for position, diagnostic_id in enumerate(plan.diagnostics):
        diagnostic = scenario.diagnostic(diagnostic_id)
        if diagnostic.locked and not any(
            diagnostic_id in scenario.diagnostic(earlier).unlocks for earlier in run
        ):
            yield _error("expert-plan-feasible", f"expertPlan.diagnostics[{position}]",
                         f"'{diagnostic_id}' is locked and no diagnostic run before it unlocks it")
        run.add(diagnostic_id)
    for position, mark in enumerate(plan.evidence):
        if mark.diagnostic not in run:
            yield _error("expert-plan-feasible", f"expertPlan.evidence[{position}].diagnostic",
                         f"the expert plan cites '{mark.diagnostic}' but does not run it")


# The rule modules register themselves on import; imported last because they import from here.
from practicum.scenario import lint_content, lint_expert  # noqa: E402, F401
