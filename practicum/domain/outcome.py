"""The outcome model: what a team's plan would do to the business, quarter by quarter.

Each KPI fell from its ``baseline`` to its ``current`` value because of the root causes. A cause
has a strength ``s_c(q) = (1 + drift_c) ** q * (1 - removed_c(q))`` at quarter ``q`` (1 now), and

    KPI_k(q) = current_k + G_k * sum_c gap_share_c * loading_ck * (1 - s_c(q))
               + side effects(q) + noise_k(q),        with G_k = baseline_k - current_k.

So an untreated cause that drifts pulls the KPI further from baseline, and removing every cause
brings it back to baseline minus the ``residual`` share no cause explains.

Format v2 adds, each defaulting to the v1 behaviour: a per-KPI share (``kpiShares``) that
replaces ``gap_share_c * loading_ck`` for that KPI and may be negative (the cause holds the KPI
up); a residual that recovers by itself, ``G_k * residual * (1 - (1 - recovery) ** q)``; side
effects that last a set number of weeks; and effects that halt a cause's drift, so its growth
is ``prod_j (1 + drift_c * (1 - h_c(j)))`` with ``h_c(j)`` the share of the halting effect in force
in quarter ``j``. Interventions remove
a share of the causes they target, ramping up after their lead time and decaying unless another
chosen intervention sustains them. Noise is seeded per KPI, so every plan (and doing nothing)
sees the same noise in the same quarter and comparisons are fair.

Everything here is pure and deterministic: no clock, no I/O, no module-level mutable state.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, replace
from typing import Any

from practicum.scenario.model import (
    Intervention,
    Kpi,
    Plan,
    PlannedIntervention,
    RootCause,
    Scenario,
)

# Causes that really act on the KPIs (a "false" cause is a plausible story with no effect).
REAL_TRUTHS = ("primary", "contributing", "minor")
# Cause levels a behaviour change (Kirkpatrick level 3) shows up at.
BEHAVIOUR_LEVELS = ("job", "process")


@dataclass(frozen=True)
class Trajectory:
    """KPI values and cause states for quarter 0 (now) to ``simulation.quarters``."""

    kpis: dict[str, tuple[float, ...]]  # KPI id -> value per quarter; index 0 is `current`
    strength: dict[str, tuple[float, ...]]  # cause id -> s_c(q), 1.0 now; > 1 if it drifted
    removed: dict[str, tuple[float, ...]]  # cause id -> share the plan removed (0..1)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-able copy."""
        return {
            "kpis": {k: list(v) for k, v in self.kpis.items()},
            "strength": {c: list(v) for c, v in self.strength.items()},
            "removed": {c: list(v) for c, v in self.removed.items()},
        }


@dataclass(frozen=True)
class Outcome:
    """What a plan would do, beside doing nothing and beside the scenario's expert plan."""

    plan: Trajectory
    nothing: Trajectory
    expert: Trajectory
    cost: float  # fully loaded over the simulated quarters
    benefit: float  # monetised improvement over doing nothing
    roi: float | None  # true ROI, (benefit - cost) / cost; None when the plan costs nothing
    reported_benefit: float  # what the team's isolation method would credit to the programme
    reported_roi: float | None
    isolation_kind: str  # the kind of the team's isolation method ("none" when it has none)
    expert_cost: float
    expert_benefit: float
    expert_roi: float | None
    reaction: float  # mean level-1 reaction (1..5) of the chosen training, 0 if none
    learning: float  # mean level-2 knowledge gain (0..1) of the chosen training, 0 if none
    behaviour: float | None  # level 3: gap-share-weighted share of job/process causes removed
    results: float  # level 4: share of the current-to-target gap closed, averaged over KPIs
    remaining: dict[str, float]  # cause id -> share of the cause left in place at the end
    targets_met: dict[str, bool]  # KPI id -> target reached in the last quarter

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-able copy with camelCase keys."""
        return {
            "plan": self.plan.to_dict(),
            "nothing": self.nothing.to_dict(),
            "expert": self.expert.to_dict(),
            "cost": self.cost,
            "benefit": self.benefit,
            "roi": self.roi,
            "reportedBenefit": self.reported_benefit,
            "reportedRoi": self.reported_roi,
            "isolationKind": self.isolation_kind,
            "expertCost": self.expert_cost,
            "expertBenefit": self.expert_benefit,
            "expertRoi": self.expert_roi,
            "reaction": self.reaction,
            "learning": self.learning,
            "behaviour": self.behaviour,
            "results": self.results,
            "remaining": dict(self.remaining),
            "targetsMet": dict(self.targets_met),
        }


# --- simulation ----------------------------------------------------------------------------


def simulate(scenario: Scenario, plan: Plan) -> Trajectory:
    """Return the KPI and cause trajectory the plan produces, noise included."""
    return _simulate(scenario, plan, with_noise=True)


def _simulate(scenario: Scenario, plan: Plan, *, with_noise: bool) -> Trajectory:
    sim = scenario.simulation
    quarters = range(sim.quarters + 1)
    weeks = [q * sim.weeks_per_quarter for q in quarters]
    multipliers = [
        (
            intervention,
            planned,
            [effect_multiplier(scenario, plan, intervention, planned, w) for w in weeks],
        )
        for intervention, planned in chosen_interventions(scenario, plan)
    ]

    removed: dict[str, tuple[float, ...]] = {}
    strength: dict[str, tuple[float, ...]] = {}
    for cause in scenario.causes:
        per_quarter = []
        for q in quarters:
            kept = 1.0  # combine as 1 - prod(1 - e): removal never exceeds the whole cause
            for intervention, _, mult in multipliers:
                for effect in intervention.effects:
                    if effect.cause == cause.id:
                        kept *= 1.0 - _clamp(effect.removes) * mult[q]
            per_quarter.append(1.0 - kept)
        removed[cause.id] = tuple(per_quarter)
        growth = drift_growth(scenario, cause, multipliers)
        strength[cause.id] = tuple(growth[q] * (1.0 - per_quarter[q]) for q in quarters)

    kpis: dict[str, tuple[float, ...]] = {}
    for kpi in scenario.kpis:
        gap = kpi.baseline - kpi.current
        noise = noise_series(scenario, kpi) if with_noise else (0.0,) * len(weeks)
        values = []
        for q in quarters:
            closed = sum(
                kpi_share(cause, kpi.id) * (1.0 - strength[cause.id][q])
                for cause in scenario.causes
            )
            if scenario.residual_recovery > 0:  # v2; v1 files add nothing (same floats)
                closed += scenario.residual * (1.0 - (1.0 - scenario.residual_recovery) ** q)
            side = sum(
                side_effect.delta
                * mult[q]
                * side_effect_window(
                    scenario, plan, intervention, planned, side_effect.weeks, weeks[q]
                )
                for intervention, planned, mult in multipliers
                for side_effect in intervention.side_effects
                if side_effect.kpi == kpi.id
            )
            values.append(kpi.current + gap * closed + side + noise[q])
        kpis[kpi.id] = tuple(values)
    return Trajectory(kpis=kpis, strength=strength, removed=removed)


def expected(scenario: Scenario, plan: Plan) -> Trajectory:
    """Return the trajectory without noise: what the plan does on average."""
    return _simulate(scenario, plan, with_noise=False)


def kpi_share(cause: RootCause, kpi_id: str) -> float:
    """Return the share of a KPI's gap a cause explains: its v2 ``kpiShares`` entry if any,
    else ``gap_share * loading``."""
    if kpi_id in cause.kpi_shares:
        return cause.kpi_shares[kpi_id]
    return cause.gap_share * cause.loadings.get(kpi_id, 0.0)


Multipliers = list[tuple[Intervention, PlannedIntervention, list[float]]]


def drift_growth(scenario: Scenario, cause: RootCause, multipliers: Multipliers) -> list[float]:
    """Return the factor drift has grown a cause by at each quarter (1 now).

    Without a halting effect this is ``(1 + drift) ** q``, computed as v1 did so v1 outcomes stay
    bit for bit; a v2 effect with ``haltsDrift`` holds back the drift by the share it is in force.
    """
    quarters = range(scenario.simulation.quarters + 1)
    halting = [
        mult
        for intervention, _, mult in multipliers
        for effect in intervention.effects
        if effect.cause == cause.id and effect.halts_drift
    ]
    if not halting:
        return [(1.0 + cause.drift) ** q for q in quarters]
    growth, factor = [], 1.0
    for q in quarters:
        if q > 0:
            held = max(_clamp(mult[q]) for mult in halting)
            factor *= 1.0 + cause.drift * (1.0 - held)
        growth.append(factor)
    return growth


def side_effect_window(
    scenario: Scenario,
    plan: Plan,
    intervention: Intervention,
    planned: PlannedIntervention,
    lasts_weeks: int | None,
    week: float,
) -> float:
    """Return 1 while a side effect lasts, 0 after: v2 side effects may end ``weeks`` after
    the intervention starts to take effect; without ``weeks`` they last while it runs."""
    if lasts_weeks is None:
        return 1.0
    on = planned.start_week + slip_weeks(scenario, plan, intervention.id) + intervention.lead_weeks
    return 1.0 if week < on + lasts_weeks else 0.0


def noise_series(scenario: Scenario, kpi: Kpi) -> tuple[float, ...]:
    """Return the seeded noise for one KPI per quarter (0 for quarter 0)."""
    # crc32, not hash(): Python salts str hashes per process, and every server process and
    # every replay must draw the same noise.
    rng = random.Random(scenario.simulation.seed + zlib.crc32(kpi.id.encode("utf-8")))
    draws = [rng.gauss(0.0, kpi.noise) for _ in range(scenario.simulation.quarters)]
    return (0.0, *draws) if kpi.noise > 0 else (0.0,) * (scenario.simulation.quarters + 1)


def chosen_interventions(
    scenario: Scenario, plan: Plan
) -> list[tuple[Intervention, PlannedIntervention]]:
    """Return the plan's interventions with their scenario definitions, first choice per id."""
    seen: dict[str, PlannedIntervention] = {}
    for planned in plan.interventions:
        seen.setdefault(planned.id, planned)
    return [(scenario.intervention(i), planned) for i, planned in seen.items()]


def effect_multiplier(
    scenario: Scenario,
    plan: Plan,
    intervention: Intervention,
    planned: PlannedIntervention,
    week: float,
) -> float:
    """Return the share (0..1) of its full effect an intervention delivers at a given week."""
    active = activation(
        intervention, planned.start_week + slip_weeks(scenario, plan, intervention.id), week
    )
    if active == 0.0:
        return 0.0
    return (
        active
        * requirement_factor(scenario, plan, intervention)
        * _decay_factor(scenario, plan, intervention, planned, week)
    )


def activation(intervention: Intervention, start_week: float, week: float) -> float:
    """Return the ramp (0..1): nothing before the lead time, then linear to full effect."""
    on = start_week + intervention.lead_weeks
    if week < on:
        return 0.0
    if intervention.ramp_weeks <= 0:
        return 1.0
    return min(1.0, (week - on) / intervention.ramp_weeks)


def _decay_factor(
    scenario: Scenario,
    plan: Plan,
    intervention: Intervention,
    planned: PlannedIntervention,
    week: float,
) -> float:
    if intervention.decay <= 0 or is_sustained(scenario, plan, intervention.id):
        return 1.0
    full = (
        planned.start_week
        + slip_weeks(scenario, plan, intervention.id)
        + intervention.lead_weeks
        + intervention.ramp_weeks
    )
    if week <= full:
        return 1.0
    quarters_since_full = (week - full) / scenario.simulation.weeks_per_quarter
    return (1.0 - _clamp(intervention.decay)) ** quarters_since_full


def is_sustained(scenario: Scenario, plan: Plan, intervention_id: str) -> bool:
    """Say whether another chosen intervention (governance, reinforcement) stops the decay."""
    return any(
        intervention_id in other.sustains and other.id != intervention_id
        for other, _ in chosen_interventions(scenario, plan)
    )


def requirement_factor(scenario: Scenario, plan: Plan, intervention: Intervention) -> float:
    """Return the product of `effectiveness` over the requirements the plan leaves unmet."""
    factor = 1.0
    for requirement in intervention.requires:
        if stance_of(scenario, plan, requirement.stakeholder) < requirement.min_stance:
            factor *= _clamp(requirement.effectiveness)
    return factor


def stance_of(scenario: Scenario, plan: Plan, stakeholder_id: str) -> int:
    """Return the stance the plan reached with a stakeholder, else the initial stance."""
    if stakeholder_id in plan.stances:
        return plan.stances[stakeholder_id]
    return scenario.stakeholder(stakeholder_id).stance


def slip_weeks(scenario: Scenario, plan: Plan, intervention_id: str) -> int:
    """Return the weeks fired `lead_time_slip` injects add to an intervention's lead time."""
    weeks = 0
    for inject_id in dict.fromkeys(plan.injects):
        for effect in scenario.inject(inject_id).effects:
            if effect.type == "lead_time_slip" and effect.target in (None, intervention_id):
                weeks += effect.weeks
    return weeks


# --- money -----------------------------------------------------------------------------------


def running_quarters(scenario: Scenario, start_week: float) -> int:
    """Return how many simulated quarters an intervention started in `start_week` runs in."""
    sim = scenario.simulation
    return sum(1 for q in range(1, sim.quarters + 1) if q * sim.weeks_per_quarter > start_week)


def intervention_cost(scenario: Scenario, plan: Plan) -> float:
    """Return the one-off plus running cost of the plan's interventions over the horizon."""
    return sum(
        intervention.cost.one_off
        + intervention.cost.per_quarter * running_quarters(scenario, planned.start_week)
        for intervention, planned in chosen_interventions(scenario, plan)
    )


def plan_cost(scenario: Scenario, plan: Plan) -> float:
    """Return the fully loaded cost: interventions, metric collection and isolation method."""
    metrics = sum(
        scenario.metric(m).collection_cost for m in dict.fromkeys(p.id for p in plan.metrics)
    )
    isolation = scenario.isolation_method(plan.isolation).cost if plan.isolation else 0.0
    return intervention_cost(scenario, plan) + metrics + isolation


def cash_spent(scenario: Scenario, plan: Plan) -> float:
    """Return what the plan draws on the team's cash budget: diagnostics and interventions.

    With v2 separate budgets (``budget.analysisCash``) diagnostics draw on the analysis cash
    instead (see `analysis_spent`).
    """
    if scenario.budget.analysis_cash is not None:
        return intervention_cost(scenario, plan)
    diagnostics = sum(scenario.diagnostic(d).cost.cash for d in dict.fromkeys(plan.diagnostics))
    return diagnostics + intervention_cost(scenario, plan)


def analysis_spent(scenario: Scenario, plan: Plan) -> float:
    """Return the diagnostics' cash: what the plan draws on a v2 separate analysis budget."""
    return sum(scenario.diagnostic(d).cost.cash for d in dict.fromkeys(plan.diagnostics))


def analysis_available(scenario: Scenario) -> float | None:
    """Return a v2 separate analysis budget plus round grants, or None with one shared pool."""
    if scenario.budget.analysis_cash is None:
        return None
    return scenario.budget.analysis_cash + sum(r.budget.analysis_cash for r in scenario.rounds)


def cash_available(scenario: Scenario, plan: Plan) -> float:
    """Return the team's cash: starting budget plus round grants minus fired budget cuts."""
    granted = scenario.budget.cash + sum(r.budget.cash for r in scenario.rounds)
    cuts = sum(
        effect.amount
        for inject_id in dict.fromkeys(plan.injects)
        for effect in scenario.inject(inject_id).effects
        if effect.type == "budget_cut"
    )
    return granted - cuts


def roi(benefit: float, cost: float) -> float | None:
    """Return (benefit - cost) / cost, or None when nothing was spent."""
    return (benefit - cost) / cost if cost > 0 else None


def _direction(kpi: Kpi) -> float:
    return 1.0 if kpi.direction == "higher" else -1.0


def _valued_kpis(scenario: Scenario) -> list[tuple[Kpi, float]]:
    values = scenario.economics.value_per_point
    return [(kpi, values[kpi.id]) for kpi in scenario.kpis if values.get(kpi.id)]


def monetise(scenario: Scenario, effect: dict[str, list[float]]) -> float:
    """Return the money value of per-quarter KPI changes (signed in KPI units), quarters 1..n."""
    return sum(
        value * _direction(kpi) * sum(effect[kpi.id][1:]) for kpi, value in _valued_kpis(scenario)
    )


def _difference(
    a: Trajectory, b: dict[str, tuple[float, ...]] | Trajectory
) -> dict[str, list[float]]:
    other = b.kpis if isinstance(b, Trajectory) else b
    return {
        k: [x - y for x, y in zip(values, other[k], strict=True)] for k, values in a.kpis.items()
    }


def trend_projection(scenario: Scenario) -> dict[str, tuple[float, ...]]:
    """Return the straight-line trend an analyst would project without the programme.

    The line continues the pre-programme slope (the noise-free first-quarter change of doing
    nothing) at a constant rate, so it misses both the compounding of drift and the noise.
    """
    clean = _simulate(scenario, Plan(), with_noise=False)
    projection = {}
    for kpi in scenario.kpis:
        slope = clean.kpis[kpi.id][1] - kpi.current if scenario.simulation.quarters else 0.0
        projection[kpi.id] = tuple(
            kpi.current + slope * q for q in range(scenario.simulation.quarters + 1)
        )
    return projection


def reported_benefit(
    scenario: Scenario, plan: Plan, plan_trajectory: Trajectory, nothing: Trajectory
) -> tuple[float, str]:
    """Return the benefit the team's isolation method would credit, and the method's kind."""
    method = scenario.isolation_method(plan.isolation) if plan.isolation else None
    kind = method.kind if method else "none"
    if kind == "control_group":  # the pilot/control comparison sees the true effect
        return monetise(scenario, _difference(plan_trajectory, nothing)), kind
    if kind == "trend_line":
        return monetise(scenario, _difference(plan_trajectory, trend_projection(scenario))), kind
    current = {k.id: (k.current,) * (scenario.simulation.quarters + 1) for k in scenario.kpis}
    raw = monetise(scenario, _difference(plan_trajectory, current))
    if kind in ("participant_estimate", "manager_estimate"):
        # Estimators inflate the gains they credit to the programme and play down the losses:
        # a bias above 1 multiplies a gain and divides a loss, never magnifies a loss.
        bias = method.estimate_bias
        return (raw * bias if raw >= 0 else raw / bias), kind
    return raw, kind  # no isolation: the whole before/after change is credited to the programme


# --- evaluation ------------------------------------------------------------------------------


def with_events_of(reference: Plan, plan: Plan) -> Plan:
    """Return the reference plan facing the same fired injects as the team's plan."""
    return replace(reference, injects=tuple(dict.fromkeys((*reference.injects, *plan.injects))))


def evaluate(scenario: Scenario, plan: Plan) -> Outcome:
    """Return the plan's outcome beside doing nothing and the expert plan (same injects)."""
    expert_plan = with_events_of(scenario.expert_plan, plan)
    nothing = simulate(scenario, Plan())
    mine = simulate(scenario, plan)
    expert = simulate(scenario, expert_plan)

    cost = plan_cost(scenario, plan)
    benefit = monetise(scenario, _difference(mine, nothing))
    reported, kind = reported_benefit(scenario, plan, mine, nothing)
    expert_cost = plan_cost(scenario, expert_plan)
    expert_benefit = monetise(scenario, _difference(expert, nothing))

    training = [i for i, _ in chosen_interventions(scenario, plan) if i.family == "training"]
    last = scenario.simulation.quarters
    return Outcome(
        plan=mine,
        nothing=nothing,
        expert=expert,
        cost=cost,
        benefit=benefit,
        roi=roi(benefit, cost),
        reported_benefit=reported,
        reported_roi=roi(reported, cost),
        isolation_kind=kind,
        expert_cost=expert_cost,
        expert_benefit=expert_benefit,
        expert_roi=roi(expert_benefit, expert_cost),
        reaction=_mean([i.reaction for i in training]),
        learning=_mean([i.learning for i in training]),
        behaviour=behaviour_share(scenario, mine),
        results=results_fraction(scenario, mine),
        remaining={c.id: 1.0 - mine.removed[c.id][last] for c in scenario.causes},
        targets_met={k.id: target_met(k, mine.kpis[k.id][last]) for k in scenario.kpis},
    )


def gap_share_removed(
    scenario: Scenario, trajectory: Trajectory, levels: tuple[str, ...] = ()
) -> float | None:
    """Return the gap-share-weighted share of real causes removed in the last quarter.

    Only causes at the given levels count when `levels` is not empty; None if none qualify.
    """
    last = scenario.simulation.quarters
    causes = [
        c
        for c in scenario.causes
        if c.truth in REAL_TRUTHS and c.gap_share > 0 and (not levels or c.level in levels)
    ]
    total = sum(c.gap_share for c in causes)
    if total <= 0:
        return None
    return sum(c.gap_share * trajectory.removed[c.id][last] for c in causes) / total


def behaviour_share(scenario: Scenario, trajectory: Trajectory) -> float | None:
    """Return level 3: the share of job- and process-level real causes removed at the end."""
    return gap_share_removed(scenario, trajectory, BEHAVIOUR_LEVELS)


def results_fraction(scenario: Scenario, trajectory: Trajectory) -> float:
    """Return level 4: the share of each KPI's current-to-target gap closed, averaged."""
    last = scenario.simulation.quarters
    shares = [
        _clamp((trajectory.kpis[k.id][last] - k.current) / (k.target - k.current))
        for k in scenario.kpis
        if k.target != k.current
    ]
    return _mean(shares)


def target_met(kpi: Kpi, value: float) -> bool:
    """Say whether a value reaches the KPI's target, given which direction is better."""
    return value >= kpi.target if kpi.direction == "higher" else value <= kpi.target


def results_summary(outcome: Outcome) -> dict[str, float | None]:
    """Return the evaluation levels a debrief shows: reaction, learning, behaviour, results, ROI."""
    return {
        "reaction": outcome.reaction,  # level 1
        "learning": outcome.learning,  # level 2
        "behaviour": outcome.behaviour,  # level 3
        "results": outcome.results,  # level 4
        "roi": outcome.roi,  # level 5, true
        "reportedRoi": outcome.reported_roi,  # level 5, as the team's isolation method shows it
    }


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _clamp(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return max(low, min(high, value))
