"""Automatic rubric scoring: one pure rule function per name in `model.RULES`.

A rule reads the scenario (including its hidden truth), a team's plan and the rubric component
(its `params`), and returns a `RuleResult`: a fraction of the component's weight and a short
explanation a learner can read. Targets are set by the scenario's truth or its expert plan, never
by an unreachable ideal, so a plan that does what the expert plan does earns full points.

Explanations name what the team chose by label; a cause the team did not find is described by
its role and cell only ("a contributing cause in the Tools cell"), never by name, because
published scores can be read before the debrief.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from practicum.domain.outcome import (
    REAL_TRUTHS,
    Trajectory,
    cash_available,
    cash_spent,
    chosen_interventions,
    evaluate,
    gap_share_removed,
    intervention_cost,
    results_fraction,
    roi,
    simulate,
    with_events_of,
)
from practicum.scenario.model import Component, Metric, Plan, RootCause, Scenario
from practicum.scenario.rule_params import RULE_PARAM_SPECS, param_default

# Causes a diagnosis is expected to find, and how much each counts by default.
FINDABLE = ("primary", "contributing")


@dataclass(frozen=True)
class RuleResult:
    """Points a rule gives a component, out of the component's weight, and why."""

    points: float
    max_points: float
    explanation: str

    def __post_init__(self) -> None:
        if not 0.0 <= self.points <= self.max_points:
            raise ValueError(f"points {self.points} outside 0..{self.max_points}")

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-able copy with camelCase keys."""
        return {
            "points": self.points,
            "maxPoints": self.max_points,
            "explanation": self.explanation,
        }


Rule = Callable[[Scenario, Plan, Component], RuleResult]


def _result(component: Component, fraction: float, explanation: str) -> RuleResult:
    # Snap near-1 sums of partial credit to exactly full marks, so the expert plan's points equal
    # the weight rather than 0.9999999 of it.
    fraction = 1.0 if fraction >= 1.0 - 1e-9 else max(0.0, fraction)
    return RuleResult(fraction * component.weight, component.weight, explanation)


def _param(component: Component, name: str) -> Any:
    """Return a param's value, or the default declared in `rule_params` (checked at load)."""
    value = component.params.get(name)
    return param_default(component.rule or "", name) if value is None else value


# --- wording helpers ---------------------------------------------------------------------------


def _quote(label: str) -> str:
    return f"\u201c{label}\u201d"


def _join(items: Iterable[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _quoted(labels: Iterable[str]) -> str:
    return _join(_quote(label) for label in labels)


def _sentence(text: str) -> str:
    return f"{text[:1].upper()}{text[1:]}."


def _percent(fraction: float) -> str:
    return f"{fraction * 100:.0f}%"


def _money(scenario: Scenario, amount: float) -> str:
    return f"{scenario.economics.currency} {amount:,.0f}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _cell_label(scenario: Scenario, cell_id: str) -> str:
    return scenario.cell(cell_id).label


# --- gap_statement -----------------------------------------------------------------------------

# A number as people write it: 72, 72.0, 72,5 (decimal comma), 1,200 or 1,200.50 (thousands).
_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?)")


def _numbers(text: str) -> list[tuple[float, int]]:
    """Return each number in the text with how many decimals it was written with."""
    found = []
    for token in _NUMBER.findall(text):
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", token):
            token = token.replace(",", "")
        token = token.replace(",", ".")
        decimals = len(token.split(".")[1]) if "." in token else 0
        found.append((float(token), decimals))
    return found


def _mentions(numbers: list[tuple[float, int]], value: float) -> bool:
    # A number matches when it is the value rounded to the precision it was written with: "72%"
    # and "72.4" both state a value of 72.4, while "72.0" claims a precision it does not have.
    return any(abs(number - value) <= 0.5 * 10.0**-decimals + 1e-9 for number, decimals in numbers)


def gap_statement(scenario: Scenario, plan: Plan, component: Component) -> RuleResult:
    """Score whether a text field states the gap in numbers: each KPI's current and target.

    Params: `field` - the text field id (default "gap"); `kpis` - KPI ids the statement must
    cover (default all KPIs). Half the KPI's share for its current value, half for its target;
    a number counts when it is the value rounded to the precision written ("72%", "72.4").
    """
    field = _param(component, "field")
    kpis = [scenario.kpi(k) for k in _param(component, "kpis") or [k.id for k in scenario.kpis]]
    text = plan.texts.get(field, "").strip()
    if not text:
        return _result(
            component,
            0.0,
            "No gap statement was written: say where each KPI is now and "
            "where it needs to be, in numbers.",
        )
    if not kpis:
        return _result(component, 1.0, "A gap statement was written.")
    numbers = _numbers(text)
    credit = 0.0
    complete, lacking = [], []
    for kpi in kpis:
        has_current, has_target = _mentions(numbers, kpi.current), _mentions(numbers, kpi.target)
        credit += 0.5 * has_current + 0.5 * has_target
        if has_current and has_target:
            complete.append(kpi.name)
        elif has_current:
            lacking.append(f"the target for {kpi.name}")
        elif has_target:
            lacking.append(f"the current value of {kpi.name}")
        else:
            lacking.append(f"both numbers for {kpi.name}")
    parts = []
    if complete:
        parts.append(
            f"Your gap statement gives the current and target values for {_join(complete)}."
        )
    if lacking:
        lead = "It lacks" if complete else "Your gap statement lacks"
        parts.append(f"{lead} {_join(lacking)}.")
    return _result(component, credit / len(kpis), " ".join(parts))


# --- diagnosis_accuracy ------------------------------------------------------------------------


def diagnosis_accuracy(scenario: Scenario, plan: Plan, component: Component) -> RuleResult:
    """Score the declared causes against the truth: real causes found, in the right cell.

    Params: `primaryWeight` (default 2) and `contributingWeight` (1) - how much finding each
    counts; `wrongCellCredit` (0.5) - share of the credit for a real cause in the wrong cell;
    `confidentAt` (0.7) - confidence for full credit on a real cause, below it up to
    `confidenceShare` (0.25) of that credit is lost; `falseCausePenalty` (0.2) - taken per false
    cause declared, scaled from half (confidence 0) to full (confidence 1);
    `ruledOutBonus` (0.05) per false cause ruled out; `ruledOutRealPenalty` (0.1) per real cause
    ruled out. Fractions of the weight; the total is clamped to 0..1.
    """
    weights = {
        "primary": float(_param(component, "primaryWeight")),
        "contributing": float(_param(component, "contributingWeight")),
    }
    wrong_cell_credit = float(_param(component, "wrongCellCredit"))
    confident_at = float(_param(component, "confidentAt"))
    confidence_share = float(_param(component, "confidenceShare"))
    false_penalty = float(_param(component, "falseCausePenalty"))
    ruled_out_bonus = float(_param(component, "ruledOutBonus"))
    ruled_out_real_penalty = float(_param(component, "ruledOutRealPenalty"))

    declared = {}
    for planned in plan.causes:
        declared.setdefault(planned.cause, planned)
    ruled_out = set(plan.ruled_out) - set(declared)
    findable = [c for c in scenario.causes if c.truth in FINDABLE]
    total = sum(weights[c.truth] for c in findable)

    credit = 0.0
    found, wrong_cell, missed = [], [], []
    for cause in findable:
        planned = declared.get(cause.id)
        if planned is None:
            missed.append(cause)
            continue
        found.append(cause)
        cell_factor = 1.0
        if planned.cell != cause.cell:
            cell_factor = wrong_cell_credit
            wrong_cell.append(cause.label)
        sure = min(1.0, max(0.0, planned.confidence) / confident_at) if confident_at > 0 else 1.0
        credit += weights[cause.truth] * cell_factor * (1.0 - confidence_share * (1.0 - sure))
    fraction = credit / total if total > 0 else 1.0

    false_declared = [c for c in scenario.causes if c.truth == "false" and c.id in declared]
    for cause in false_declared:
        confidence = min(1.0, max(0.0, declared[cause.id].confidence))
        fraction -= false_penalty * (0.5 + 0.5 * confidence)
    false_ruled_out = [c for c in scenario.causes if c.truth == "false" and c.id in ruled_out]
    real_ruled_out = [c for c in scenario.causes if c.truth in REAL_TRUTHS and c.id in ruled_out]
    fraction += ruled_out_bonus * len(false_ruled_out)
    fraction -= ruled_out_real_penalty * len(real_ruled_out)

    return _result(
        component,
        min(1.0, fraction),
        _diagnosis_explanation(
            scenario,
            found,
            findable,
            missed,
            wrong_cell,
            false_declared,
            false_ruled_out,
            real_ruled_out,
        ),
    )


def _diagnosis_explanation(
    scenario: Scenario,
    found: list[RootCause],
    findable: list[RootCause],
    missed: list[RootCause],
    wrong_cell: list[str],
    false_declared: list[RootCause],
    false_ruled_out: list[RootCause],
    real_ruled_out: list[RootCause],
) -> str:
    if found:
        labels = _quoted(c.label for c in found)
        first = f"You identified {len(found)} of {len(findable)} main causes ({labels})."
    else:
        first = "You identified none of the main causes."
    if false_ruled_out:
        first = first[:-1] + f", and rightly ruled out {_quoted(c.label for c in false_ruled_out)}."
    issues = []
    misses = [
        text
        for truth in FINDABLE
        if (text := _missed_causes(scenario, truth, [c for c in missed if c.truth == truth]))
    ]
    if misses:
        issues.append(f"you missed {_join(misses)}")
    if wrong_cell:
        issues.append(
            f"{_quoted(wrong_cell)} {'belongs' if len(wrong_cell) == 1 else 'belong'} in a "
            "different cell"
        )
    if false_declared:
        issues.append(f"the evidence does not support {_quoted(c.label for c in false_declared)}")
    if real_ruled_out:
        issues.append(
            f"you ruled out {_plural(len(real_ruled_out), 'cause')} that the evidence supports"
        )
    if not issues:
        return first
    return f"{first} {_sentence('; '.join(issues))}"


_COUNTS = {2: "two", 3: "three", 4: "four", 5: "five"}


def _missed_causes(scenario: Scenario, truth: str, causes: list[RootCause]) -> str:
    """Describe missed causes of one role by cell, each one told apart, never by name.

    Names stay hidden because published scores can be read before the debrief; two causes in
    the same cell are counted ("two primary causes, both in ...") rather than repeated.
    """
    if not causes:
        return ""
    cells = list(dict.fromkeys(_cell_label(scenario, c.cell) for c in causes))
    if len(causes) == 1:
        article = "the" if truth == "primary" else "a"
        return f"{article} {truth} cause in the {cells[0]} cell"
    count = _COUNTS.get(len(causes), str(len(causes)))
    if len(cells) == 1:
        where = "both" if len(causes) == 2 else "all"
        return f"{count} {truth} causes, {where} in the {cells[0]} cell"
    per_cell = [
        f"{_COUNTS.get(n, str(n)) if n > 1 else 'one'} in the {cell} cell"
        for cell in cells
        if (n := sum(_cell_label(scenario, c.cell) == cell for c in causes))
    ]
    return f"{count} {truth} causes: {_join(per_cell)}"


# --- evidence_triangulation --------------------------------------------------------------------


def _evidence_weight(scenario: Scenario, diagnostic_id: str, cause_id: str) -> int:
    return sum(e.weight for e in scenario.diagnostic(diagnostic_id).evidence if e.cause == cause_id)


def _supporting_methods(scenario: Scenario, plan: Plan, cause_id: str) -> set[str]:
    """Return the method types of the team's own findings it marked as supporting a cause."""
    ran = set(plan.diagnostics)
    return {
        scenario.diagnostic(mark.diagnostic).method
        for mark in plan.evidence
        if mark.cause == cause_id
        and mark.stance > 0
        and mark.diagnostic in ran
        and _evidence_weight(scenario, mark.diagnostic, cause_id) > 0
    }


def evidence_triangulation(scenario: Scenario, plan: Plan, component: Component) -> RuleResult:
    """Score whether each main cause the team declared rests on two or more kinds of evidence.

    Params: `minMethods` (default 2) - distinct method types needed for full credit (lowered for
    a cause whose supporting diagnostics in the scenario offer fewer types). A mark counts only
    when the team ran that diagnostic, marked it as supporting and the finding really supports
    the cause. The score averages over the primary and contributing causes declared.
    """
    min_methods = max(1, int(_param(component, "minMethods")))
    declared = {c.cause for c in plan.causes}
    causes = [c for c in scenario.causes if c.truth in FINDABLE and c.id in declared]
    credits, strong, thin, bare = [], [], [], []
    for cause in causes:
        available = {
            d.method for d in scenario.diagnostics if _evidence_weight(scenario, d.id, cause.id) > 0
        }
        if not available:
            continue  # nothing in the scenario can support it, so it cannot be held against them
        needed = min(min_methods, len(available))
        methods = _supporting_methods(scenario, plan, cause.id)
        credits.append(min(1.0, len(methods) / needed))
        if len(methods) >= needed:
            strong.append(cause.label)
        elif methods:
            thin.append(cause.label)
        else:
            bare.append(cause.label)
    if not credits:
        return _result(
            component,
            0.0,
            "None of the causes you declared is one the evidence can confirm yet, "
            "so there is nothing triangulated to credit.",
        )
    parts = []
    if strong:
        parts.append(
            f"{_quoted(strong)} {'is' if len(strong) == 1 else 'are'} backed by "
            "findings from at least two kinds of method."
        )
    gaps = []
    if thin:
        gaps.append(
            f"{_quoted(thin)} {'rests' if len(thin) == 1 else 'rest'} on one kind of method only"
        )
    if bare:
        gaps.append(
            f"{_quoted(bare)} {'has' if len(bare) == 1 else 'have'} no supporting finding marked"
        )
    if gaps:
        parts.append(_sentence("; ".join(gaps)) if not strong else f"But {'; '.join(gaps)}.")
    return _result(component, sum(credits) / len(credits), " ".join(parts))


# --- diagnostic_efficiency ---------------------------------------------------------------------


def useful_diagnostics(scenario: Scenario, useful_weight: float = 2.0) -> set[str]:
    """Return diagnostics that can settle a question: strong evidence on a main or false cause."""
    truth = {c.id: c.truth for c in scenario.causes}
    return {
        d.id
        for d in scenario.diagnostics
        if not d.red_herring
        and any(
            abs(e.weight) >= useful_weight and truth.get(e.cause) in (*FINDABLE, "false")
            for e in d.evidence
        )
    }


def _spend_profile(scenario: Scenario, ran: list[str], useful: set[str]) -> tuple[float, float]:
    """Return (share of useful diagnostics run, share of spending that went to them)."""
    coverage = len(useful.intersection(ran)) / len(useful) if useful else 1.0
    if not ran:
        return coverage, 0.0
    # Weigh by analysis points; fall back to a count when the diagnostics run cost no points.
    spend = {d: scenario.diagnostic(d).cost.points for d in ran}
    if sum(spend.values()) <= 0:
        spend = dict.fromkeys(ran, 1)
    share = sum(v for d, v in spend.items() if d in useful) / sum(spend.values())
    return coverage, share


def diagnostic_efficiency(scenario: Scenario, plan: Plan, component: Component) -> RuleResult:
    """Score value of information: the useful diagnostics run and the spend that went to them.

    Params: `usefulWeight` (default 2) - |evidence weight| on a primary, contributing or false
    cause that makes a non-red-herring diagnostic useful; `budgetShareTarget` (0.7) - share of
    analysis points spent on useful diagnostics for full efficiency credit; `coverageTarget`
    (1.0) - share of the useful diagnostics to run for full coverage credit; `coverageShare`
    (0.5) - how much of the score coverage carries (the rest is efficiency). Both targets are
    lowered to what the expert plan achieves.
    """
    useful = useful_diagnostics(scenario, float(_param(component, "usefulWeight")))
    ran = list(dict.fromkeys(plan.diagnostics))
    if not ran:
        return _result(
            component,
            0.0,
            "You ran no diagnostics, so the diagnosis rests on no evidence of your own.",
        )
    coverage, share = _spend_profile(scenario, ran, useful)
    expert_coverage, expert_share = _spend_profile(
        scenario, list(dict.fromkeys(scenario.expert_plan.diagnostics)), useful
    )
    coverage_target = min(float(_param(component, "coverageTarget")), expert_coverage)
    share_target = min(float(_param(component, "budgetShareTarget")), expert_share)
    coverage_score = min(1.0, coverage / coverage_target) if coverage_target > 0 else 1.0
    share_score = min(1.0, share / share_target) if share_target > 0 else 1.0
    weight = min(1.0, max(0.0, float(_param(component, "coverageShare"))))

    ran_useful = len(useful.intersection(ran))
    text = (
        f"You ran {ran_useful} of the {len(useful)} diagnostics that could settle a question "
        f"about the causes, and {_percent(share)} of your spending went to them."
    )
    idle = [scenario.diagnostic(d).name for d in ran if d not in useful]
    if idle:
        text += f" {_quoted(idle)} told you little you could rely on."
    return _result(component, weight * coverage_score + (1 - weight) * share_score, text)


# --- solution_fit ------------------------------------------------------------------------------


def _training_misfits(scenario: Scenario, plan: Plan) -> list[str]:
    """Return names of chosen training aimed at nothing training can fix.

    A training intervention fits when it removes some of a real cause in a trainable cell
    (knowledge and skills); training aimed only at environmental or imaginary causes is the
    classic error of prescribing training for a non-skill problem.
    """
    misfits = []
    for intervention, _ in chosen_interventions(scenario, plan):
        if intervention.family != "training":
            continue
        fits = any(
            effect.removes > 0
            and scenario.cause(effect.cause).truth in REAL_TRUTHS
            and scenario.cause(effect.cause).gap_share > 0
            and scenario.cell(scenario.cause(effect.cause).cell).trainable
            for effect in intervention.effects
        )
        if not fits:
            misfits.append(intervention.name)
    return misfits


def solution_fit(scenario: Scenario, plan: Plan, component: Component) -> RuleResult:
    """Score how much of the gap's causes the interventions remove, against the expert plan.

    The removal of each real cause in the last simulated quarter is weighted by its gap share
    (so timing, requirements and decay count) and compared with the expert plan facing the same
    injects. Params: `trainingMisfitPenalty` (default 0.25) - share of the weight taken for each
    training intervention that targets no real cause in a trainable cell; floored at 0.
    """
    penalty = float(_param(component, "trainingMisfitPenalty"))
    if not plan.interventions:
        return _result(
            component,
            0.0,
            "You chose no interventions, so none of the causes of the gap is removed.",
        )
    quarters = scenario.simulation.quarters
    trajectory = simulate(scenario, plan)
    mine = gap_share_removed(scenario, trajectory) or 0.0
    expert = gap_share_removed(
        scenario, simulate(scenario, with_events_of(scenario.expert_plan, plan))
    )
    coverage = 1.0 if not expert else min(1.0, mine / expert)
    misfits = _training_misfits(scenario, plan)

    text = (
        f"By quarter {quarters} your interventions remove about {_percent(mine)} of what "
        "drives the gap"
    )
    text += f", against {_percent(expert)} for a strong reference plan." if expert else "."
    untouched = _untouched_causes(scenario, trajectory)
    if untouched:
        text += f" Barely touched: {_join(untouched)}."
    if misfits:
        text += (
            f" {_quoted(misfits)} {'is' if len(misfits) == 1 else 'are'} training aimed at a "
            "problem training cannot fix."
        )
    return _result(component, coverage - penalty * len(misfits), text)


def _untouched_causes(scenario: Scenario, trajectory: Trajectory) -> list[str]:
    """Describe (by role and cell, not name) main causes a plan leaves mostly in place."""
    last = scenario.simulation.quarters
    removed = trajectory.removed
    return [
        f"{'the primary' if c.truth == 'primary' else 'a contributing'} cause in the "
        f"{_cell_label(scenario, c.cell)} cell"
        for c in scenario.causes
        if c.truth in FINDABLE and removed[c.id][last] < 0.25
    ]


# --- cost_effectiveness ------------------------------------------------------------------------


def cost_effectiveness(scenario: Scenario, plan: Plan, component: Component) -> RuleResult:
    """Score return per cost of the interventions against the expert plan's, within budget.

    Params: `measure` - "roi" (default): the programme's true ROI (benefit over doing nothing,
    interventions' cost over the simulated quarters) as a share of the expert plan's; or
    "closure": share of the KPI gap closed per unit of cost, against the expert plan's. Falls
    back to "closure" when the expert ROI is not positive. The ratio is clamped to 0..1. A plan
    needing more cash than the team has (budget plus round grants minus fired budget cuts)
    scores 0.
    """
    spent, available = cash_spent(scenario, plan), cash_available(scenario, plan)
    if spent > available + 1e-6:
        return _result(
            component,
            0.0,
            f"Your plan needs {_money(scenario, spent)} but only "
            f"{_money(scenario, available)} is available, so it cannot be funded.",
        )
    if not plan.interventions:
        return _result(
            component,
            0.0,
            "You chose no interventions, so there is no return to weigh against cost.",
        )
    outcome = evaluate(scenario, plan)
    expert_plan = with_events_of(scenario.expert_plan, plan)
    cost, expert_cost = intervention_cost(scenario, plan), intervention_cost(scenario, expert_plan)
    mine_roi = roi(outcome.benefit, cost)
    expert_roi = roi(outcome.expert_benefit, expert_cost)
    if cost <= 0:  # free interventions: any improvement is an infinite return
        return _result(
            component,
            1.0 if outcome.benefit > 0 else 0.0,
            "Your interventions cost nothing"
            + (" and still improve the KPIs." if outcome.benefit > 0 else " and change nothing."),
        )
    if _param(component, "measure") == "roi" and expert_roi is not None and expert_roi > 0:
        ratio = max(0.0, mine_roi or 0.0) / expert_roi
        text = (
            f"Your interventions cost {_money(scenario, cost)} and return "
            f"{_percent(mine_roi or 0.0)} on that cost, against {_percent(expert_roi)} for a "
            "strong reference plan."
        )
        return _result(component, min(1.0, ratio), text)
    mine = outcome.results / cost
    expert = results_fraction(scenario, outcome.expert) / expert_cost if expert_cost > 0 else 0.0
    ratio = 1.0 if expert <= 0 else mine / expert
    text = (
        f"Your interventions cost {_money(scenario, cost)} and close {_percent(outcome.results)}"
        f" of the gap to target, {_percent(min(ratio, 1.0))} of a strong reference plan's "
        "closure per unit of cost."
    )
    return _result(component, min(1.0, ratio), text)


# --- metric_quality ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Check:
    weight: float
    score: float  # 0..1
    good: str  # what the team got right, named when the score is full ("" names nothing)
    missing: str  # what is missing when the score is not full ("" names nothing)
    note: str = ""  # a sentence of its own when the score is not full


def _metric_checks(scenario: Scenario, plan: Plan) -> list[_Check]:
    metrics = [scenario.metric(m) for m in dict.fromkeys(p.id for p in plan.metrics)]
    targets = {p.id: p.target for p in plan.metrics}
    chosen = [i for i, _ in chosen_interventions(scenario, plan)]
    chosen_ids = {i.id for i in chosen}
    kpi_ids = {k.id for k in scenario.kpis}
    checks: list[_Check] = []

    def result_metric(m: Metric) -> bool:
        return m.level == 4 and m.kpi in kpi_ids

    def leading_metric(m: Metric) -> bool:
        return m.level == 3 and m.timing == "leading"

    # A check the scenario offers no metric for cannot be asked of the team.
    has_result = any(result_metric(m) for m in metrics)
    if any(result_metric(m) for m in scenario.metrics):
        checks.append(
            _Check(0.2, float(has_result), "a level 4 result", "a level 4 business result")
        )
    if any(leading_metric(m) for m in scenario.metrics):
        leads = any(leading_metric(m) and chosen_ids.intersection(m.validates) for m in metrics)
        checks.append(
            _Check(
                0.15,
                float(leads),
                "a leading level 3 measure",
                "a leading level 3 measure of what your interventions change",
            )
        )
    if any(m.guardrail for m in scenario.metrics):
        guarded = any(m.guardrail for m in metrics)
        checks.append(_Check(0.1, float(guarded), "a guardrail", "a guardrail"))
    checkable = [i for i in chosen if any(i.id in m.validates for m in scenario.metrics)]
    if checkable:
        blind = [i.name for i in checkable if not any(i.id in m.validates for m in metrics)]
        checks.append(
            _Check(
                0.15,
                1.0 - len(blind) / len(checkable),
                "a measure for each intervention",
                f"a measure for {_quoted(blind)}",
            )
        )
    reaction_learning = [m.name for m in metrics if m.level in (1, 2)]
    training = any(i.family == "training" for i in chosen)
    if not reaction_learning or (training and has_result):
        checks.append(_Check(0.1, 1.0, "", ""))
    else:
        # Reaction and learning say nothing about the business: fine beside training and a
        # result measure, an error when they stand in for one or measure no training at all.
        note = (
            f"{_quoted(reaction_learning)} cannot prove impact without a level 4 result."
            if training
            else f"{_quoted(reaction_learning)} measure training your plan does not include."
        )
        checks.append(_Check(0.1, 0.0, "", "", note))
    credibility = [m.credibility for m in scenario.isolation_methods]
    if credibility and max(credibility) > 0:
        expert = scenario.expert_plan.isolation
        reference = (scenario.isolation_method(expert).credibility if expert else 0.0) or max(
            credibility
        )
        method = scenario.isolation_method(plan.isolation) if plan.isolation else None
        checks.append(
            _Check(
                0.2,
                min(1.0, method.credibility / reference) if method else 0.0,
                "a credible isolation method",
                f"a more credible isolation method than {_quote(method.name)}"
                if method
                else "an isolation method",
            )
        )
    untargeted = [m.name for m in metrics if targets.get(m.id) is None]
    checks.append(
        _Check(
            0.1,
            1.0 - len(untargeted) / len(metrics),
            "targets",
            f"targets for {_quoted(untargeted)}",
        )
    )
    return checks


def metric_quality(scenario: Scenario, plan: Plan, component: Component) -> RuleResult:
    """Score the evaluation plan: result, leading and guardrail metrics, isolation, targets.

    Checks (weights): a level-4 metric on a KPI (0.2); a leading level-3 metric validating a
    chosen intervention (0.15); a guardrail (0.1); every chosen intervention a metric can
    validate is validated (0.15); level-1/2 metrics only beside training and a level-4 metric
    (0.1); isolation credibility relative to the expert plan's method (0.2); a target on every
    metric (0.1). Checks the scenario cannot satisfy are skipped. Params: `maxMetrics` (default:
    the round's limit) and `overLimitPenalty` (0.25) taken when more metrics are chosen.
    """
    if not plan.metrics:
        return _result(
            component,
            0.0,
            "You chose no metrics, so the plan has no way to show whether it worked.",
        )
    checks = _metric_checks(scenario, plan)
    total = sum(c.weight for c in checks)
    fraction = sum(c.weight * c.score for c in checks) / total
    good = [c.good for c in checks if c.score >= 1.0 and c.good]
    missing = [c.missing for c in checks if c.score < 1.0 and c.missing]
    notes = [c.note for c in checks if c.score < 1.0 and c.note]

    limit = _param(component, "maxMetrics")
    if limit is None:
        limit = scenario.round(component.round).limits.max_metrics
    count = len(dict.fromkeys(p.id for p in plan.metrics))
    if limit is not None and count > limit:
        fraction -= float(_param(component, "overLimitPenalty"))
        missing.append(f"focus: at most {limit} metrics, not {count}")
    parts = []
    if good:
        parts.append(f"Your evaluation plan has {_join(good)}.")
    if missing:
        parts.append(f"{'It' if good else 'Your evaluation plan'} needs {_join(missing)}.")
    return _result(component, fraction, " ".join(parts + notes))


# --- inject_response ---------------------------------------------------------------------------


def inject_response(scenario: Scenario, plan: Plan, component: Component) -> RuleResult:
    """Score the response to an inject: answered, did not cave to a demand, kept what matters.

    Params: `inject` - the inject id (default: the inject whose `component` is this one);
    `avoid` - intervention ids that mean caving to the demand; `expect` - intervention ids a
    good response keeps or adds. Credit: 0.4 answered (text `inject:<id>`), 0.4 avoided, 0.2
    the share of `expect` chosen (without `expect`, 0.5 and 0.5). Full points if the inject
    never fired on the team.
    """
    inject_id = _param(component, "inject") or next(
        (i.id for i in scenario.injects if i.component == component.id), None
    )
    if inject_id is None:
        raise ValueError(f"component {component.id} names no inject")
    inject = scenario.inject(inject_id)
    if inject_id not in plan.injects:
        return _result(
            component,
            1.0,
            f"The {_quote(inject.title)} event did not happen to your team, so this part scores "
            "full marks.",
        )
    avoid = list(_param(component, "avoid"))
    expect = list(_param(component, "expect"))
    chosen = {i.id for i, _ in chosen_interventions(scenario, plan)}
    answered = bool(plan.texts.get(f"inject:{inject_id}", "").strip())
    caved = [scenario.intervention(i).name for i in avoid if i in chosen]
    kept = [i for i in expect if i in chosen]

    weights = (0.4, 0.4, 0.2) if expect else (0.5, 0.5, 0.0)
    fraction = weights[0] * answered + weights[1] * (not caved)
    if expect:
        fraction += weights[2] * len(kept) / len(expect)

    done, not_done = [], []
    (done if answered else not_done).append(
        f"answered {_quote(inject.title)}" if answered else f"answer {_quote(inject.title)}"
    )
    if caved:
        not_done.append(f"hold the line instead of adding {_quoted(caved)}")
    else:
        done.append("did not give in to the demand")
    if expect:
        dropped = [scenario.intervention(i).name for i in expect if i not in chosen]
        if dropped:
            not_done.append(f"keep {_quoted(dropped)} in the plan")
        else:
            done.append("kept what the plan needs")
    text = f"You {_join(done)}." if done else ""
    if not_done:
        text += f" {'You did not' if not done else 'But you did not'} {_join(not_done)}."
    return _result(component, fraction, text.strip())


# --- registry ------------------------------------------------------------------------------------

RULE_FUNCTIONS: Mapping[str, Rule] = MappingProxyType(
    {
        "gap_statement": gap_statement,
        "diagnosis_accuracy": diagnosis_accuracy,
        "evidence_triangulation": evidence_triangulation,
        "diagnostic_efficiency": diagnostic_efficiency,
        "solution_fit": solution_fit,
        "cost_effectiveness": cost_effectiveness,
        "metric_quality": metric_quality,
        "inject_response": inject_response,
    }
)

# Rule name -> {param: description}; the typed declarations live in `rule_params`.
RULE_PARAMS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        rule: MappingProxyType({name: spec.doc for name, spec in specs.items()})
        for rule, specs in RULE_PARAM_SPECS.items()
    }
)


def score_component(scenario: Scenario, plan: Plan, component: Component) -> RuleResult:
    """Score one automatic rubric component of a plan."""
    if component.kind != "auto" or component.rule is None:
        raise ValueError(f"component {component.id} is not scored automatically")
    if component.rule not in RULE_FUNCTIONS:
        raise ValueError(f"component {component.id} names unknown rule {component.rule!r}")
    return RULE_FUNCTIONS[component.rule](scenario, plan, component)


def auto_score(
    scenario: Scenario, plan: Plan, round_id: str | None = None
) -> dict[str, RuleResult]:
    """Score every automatic component (of one round if given), by component id."""
    return {
        c.id: score_component(scenario, plan, c)
        for c in scenario.rubric
        if c.kind == "auto" and (round_id is None or c.round == round_id)
    }
