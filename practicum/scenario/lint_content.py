"""Lint rules on scenario content: evidence, metrics, interventions, rounds and injects."""

from __future__ import annotations

from collections.abc import Iterator

from practicum.scenario.lint import Finding, _error, _warning, rule, unlock_chains
from practicum.scenario.model import Intervention, Scenario

REAL = ("primary", "contributing", "minor")
# Which team action fills a deliverable field of each kind (text fields are always writable
# in their own round); state persists, so an earlier round's action fills it too.
FIELD_ACTIONS = {
    "causes": "declare_cause",
    "ruled_out": "rule_out_cause",
    "interventions": "select_intervention",
    "metrics": "select_metric",
    "isolation": "set_isolation",
    "evidence": "mark_evidence",
}
PERCENT_UNITS = ("%", "percent", "per cent", "percentage", "pct")


@rule("cause-evidence")
def check_cause_evidence(scenario: Scenario) -> Iterator[Finding]:
    """Every contributing or minor cause has supporting evidence in a diagnostic a team can run."""
    chains = unlock_chains(scenario)
    for position, cause in enumerate(scenario.causes):
        if cause.truth not in ("contributing", "minor"):
            continue  # primary causes: primary-triangulable; false causes: disconfirmable
        support = [
            d.id
            for d in scenario.diagnostics
            if d.id in chains and any(e.cause == cause.id and e.weight > 0 for e in d.evidence)
        ]
        if support:
            continue
        make = _error if cause.truth == "contributing" else _warning
        yield make(
            "cause-evidence",
            f"causes[{position}]",
            (
                f"{cause.truth} cause '{cause.id}' ({cause.label}) has no supporting evidence in "
                "any diagnostic a team can run, so teams can only guess it"
                + (
                    " and the diagnosis score asks them to find it"
                    if cause.truth == "contributing"
                    else ""
                )
                + "; add a positive evidence weight on it to a reachable diagnostic"
            ),
        )


@rule("false-cause-loadings")
def check_false_loadings(scenario: Scenario) -> Iterator[Finding]:
    """A false cause has no KPI loadings: it acts on nothing."""
    for position, cause in enumerate(scenario.causes):
        loaded = {k: v for k, v in cause.loadings.items() if v != 0}
        if cause.truth == "false" and loaded:
            shown = ", ".join(f"{k} {v:g}" for k, v in loaded.items())
            yield _warning(
                "false-cause-loadings",
                f"causes[{position}].loadings",
                (
                    f"false cause '{cause.id}' ({cause.label}) has loadings ({shown}), but a false "
                    "cause moves no KPI; if it really acts on the KPIs make it minor or "
                    'contributing with a gapShare, else set "loadings": {}'
                ),
            )


@rule("percent-as-fraction")
def check_percent_fractions(scenario: Scenario) -> Iterator[Finding]:
    """Percentage KPIs are written in percent (78), not as fractions (0.78)."""
    percent: set[str] = set()
    for position, kpi in enumerate(scenario.kpis):
        if kpi.unit.strip().lower() not in PERCENT_UNITS:
            continue
        percent.add(kpi.id)
        values = (kpi.baseline, kpi.current, kpi.target)
        if all(abs(v) <= 1 for v in values) and any(v != 0 for v in values):
            yield _error(
                "percent-as-fraction",
                f"kpis[{position}]",
                (
                    f"'{kpi.id}' ({kpi.name}) is in {kpi.unit} but baseline {kpi.baseline:g}, "
                    f"current {kpi.current:g} and target {kpi.target:g} look like fractions; "
                    "valuePerPoint, noise and the gap statement read them as percentage points. "
                    f"Write {kpi.baseline * 100:g}, {kpi.current * 100:g} and {kpi.target * 100:g}"
                ),
            )
    for position, planned in enumerate(scenario.expert_plan.metrics):
        metric = next((m for m in scenario.metrics if m.id == planned.id), None)
        if metric is None or metric.kpi not in percent or planned.target is None:
            continue
        kpi = scenario.kpi(metric.kpi)
        if abs(planned.target) <= 1 < max(abs(kpi.baseline), abs(kpi.current)):
            yield _error(
                "percent-as-fraction",
                f"expertPlan.metrics[{position}].target",
                (
                    f"the expert plan's target {planned.target:g} for '{metric.id}' looks like a "
                    f"fraction, but '{kpi.id}' is in {kpi.unit} ({kpi.current:g} now); write "
                    f"{planned.target * 100:g}"
                ),
            )


@rule("metric-baseline")
def check_metric_baseline(scenario: Scenario) -> Iterator[Finding]:
    """A business-result (level 4) metric tracks a KPI, whose baseline and target it inherits."""
    for position, metric in enumerate(scenario.metrics):
        if metric.level == 4 and metric.kpi is None:
            yield _warning(
                "metric-baseline",
                f"metrics[{position}].kpi",
                (
                    f"level 4 metric '{metric.id}' ({metric.name}) tracks no KPI, so it has no "
                    "baseline to show a change against and the outcome model cannot move it; set "
                    '"kpi" to the KPI it reports, or make it a level 3 measure if it is one'
                ),
            )


def moves(scenario: Scenario, intervention: Intervention, kpi_id: str | None = None) -> bool:
    """Say whether an intervention changes a KPI (any KPI when none is named)."""
    causes = {c.id: c for c in scenario.causes}
    for effect in intervention.effects:
        cause = causes.get(effect.cause)
        if cause is None or effect.removes <= 0 or cause.truth not in REAL:
            continue
        if cause.gap_share > 0 and (kpi_id is None or cause.loadings.get(kpi_id, 0) != 0):
            return True
    return any(s.delta != 0 and kpi_id in (None, s.kpi) for s in intervention.side_effects)


@rule("metric-validates-real")
def check_metric_validates(scenario: Scenario) -> Iterator[Finding]:
    """A behaviour or result metric (level 3 and up) can show the effect of something real."""
    interventions = {i.id: i for i in scenario.interventions}
    for position, metric in enumerate(scenario.metrics):
        if metric.level < 3 or metric.level == 5:
            continue  # reaction/learning measure training by design; ROI covers the whole plan
        listed = [interventions[i] for i in metric.validates if i in interventions]
        if any(moves(scenario, i, metric.kpi) for i in listed):
            continue
        names = ", ".join(i.id for i in listed) or "nothing"
        scope = f"'{metric.kpi}'" if metric.kpi else "any KPI"
        yield _warning(
            "metric-validates-real",
            f"metrics[{position}].validates",
            (
                f"level {metric.level} metric '{metric.id}' ({metric.name}) validates "
                f"{names}, none of which moves {scope} in the outcome model, so choosing it "
                "earns credit for measuring nothing real; list the interventions it can really show"
            ),
        )


def _effects(intervention: Intervention) -> tuple[object, ...]:
    return (
        tuple(sorted((e.cause, e.removes) for e in intervention.effects)),
        tuple(sorted((s.kpi, s.delta) for s in intervention.side_effects)),
        tuple(sorted(intervention.sustains)),
        intervention.lead_weeks,
        intervention.ramp_weeks,
    )


@rule("duplicate-intervention")
def check_duplicates(scenario: Scenario) -> Iterator[Finding]:
    """No two interventions share a name, or do exactly the same thing."""
    for later, second in enumerate(scenario.interventions):
        for first in scenario.interventions[:later]:
            same_name = first.name.strip().lower() == second.name.strip().lower()
            if same_name or _effects(first) == _effects(second):
                what = "the same name" if same_name else "the same effects, timing and sustains"
                yield _error(
                    "duplicate-intervention",
                    f"interventions[{later}]",
                    (
                        f"'{second.id}' ({second.name}) has {what} as '{first.id}' ({first.name}); "
                        "teams cannot tell them apart: remove one or make them differ"
                    ),
                )
                break


@rule("primary-fix-trap")
def check_primary_fix_trap(scenario: Scenario) -> Iterator[Finding]:
    """No intervention marked as a trap is the best fix for a primary cause."""
    for position, trap in enumerate(scenario.interventions):
        if not trap.trap:
            continue
        for effect in trap.effects:
            cause = next((c for c in scenario.causes if c.id == effect.cause), None)
            if cause is None or cause.truth != "primary" or effect.removes <= 0:
                continue
            rivals = [
                e.removes
                for i in scenario.interventions
                if not i.trap
                for e in i.effects
                if e.cause == cause.id
            ]
            if effect.removes >= max(rivals, default=0.0):
                yield _error(
                    "primary-fix-trap",
                    f"interventions[{position}].trap",
                    (
                        f"'{trap.id}' ({trap.name}) is marked as a trap but removes "
                        f"{effect.removes:g} of the primary cause '{cause.id}', as much as any "
                        'other intervention; a trap is a poor choice: remove "trap": true, or let '
                        "a sound intervention fix the primary cause better"
                    ),
                )


def _rounds_until(scenario: Scenario, round_id: str) -> list[str]:
    """Return the actions allowed in every round up to and including this one."""
    index = scenario.round_index(round_id)
    return [a for r in scenario.rounds[: index + 1] for a in r.actions]


@rule("deliverable-fillable")
def check_deliverables(scenario: Scenario) -> Iterator[Finding]:
    """A required deliverable field can be filled by an action allowed by then."""
    for r_position, round_ in enumerate(scenario.rounds):
        allowed = _rounds_until(scenario, round_.id)
        for f_position, field in enumerate(round_.deliverable):
            action = FIELD_ACTIONS.get(field.kind)
            if not field.required or action is None or action in allowed:
                continue
            yield _error(
                "deliverable-fillable",
                f"rounds[{r_position}].deliverable[{f_position}]",
                (
                    f"round '{round_.id}' requires the {field.kind} field '{field.id}', but no "
                    f'round up to it allows {action}, so no team can fill it; add "{action}" to '
                    "the round's actions or make the field optional"
                ),
            )


@rule("inject-can-fire")
def check_injects_fire(scenario: Scenario) -> Iterator[Finding]:
    """An automatic inject's condition can hold during the inject's own round."""
    rounds = {r.id for r in scenario.rounds}
    chains = unlock_chains(scenario)
    for position, inject in enumerate(scenario.injects):
        if inject.trigger != "auto" or inject.when is None or inject.round not in rounds:
            continue
        reason = _never_fires(scenario, inject.round, inject.when, chains)
        if reason:
            yield _error(
                "inject-can-fire",
                f"injects[{position}].when",
                (
                    f"automatic inject '{inject.id}' ({inject.title}) can fire only in round "
                    f"'{inject.round}', but {reason}; change the condition or the inject's round"
                ),
            )


def _never_fires(
    scenario: Scenario, round_id: str, when: object, chains: dict[str, frozenset[str]]
) -> str | None:
    kind, target = getattr(when, "type"), getattr(when, "id")  # noqa: B009 - Condition fields
    here = scenario.round_index(round_id)
    allowed = _rounds_until(scenario, round_id)
    later = {r.id for r in scenario.rounds[here + 1 :]}
    if kind in ("round_started", "submitted_round") and target in later:
        return f"its {kind} condition names the later round '{target}'"
    if kind == "ran_diagnostic":
        if "run_diagnostic" not in allowed:
            return "no round up to it allows run_diagnostic"
        if target is not None:
            diagnostic = next((d for d in scenario.diagnostics if d.id == target), None)
            if diagnostic is not None and target not in chains:
                return f"'{target}' is locked and no team can unlock it"
            if diagnostic is not None and scenario.round_index(diagnostic.opens_in) > here:
                return f"'{target}' opens only in the later round '{diagnostic.opens_in}'"
            if diagnostic is not None and not any(
                "run_diagnostic" in r.actions
                for r in scenario.rounds[scenario.round_index(diagnostic.opens_in) : here + 1]
            ):
                return (
                    f"no round from '{diagnostic.opens_in}' (where '{target}' opens) up to it "
                    "allows run_diagnostic"
                )
    action = {
        "selected_intervention": "select_intervention",
        "declared_cause": "declare_cause",
    }.get(kind)
    if action and action not in allowed:
        return f"no round up to it allows {action}"
    if kind == "budget_spent_at_least":
        fraction = getattr(when, "fraction") or 0.0  # noqa: B009
        if fraction > 1:
            return f"a team can never spend {fraction:g} of its budget (more than all of it)"
        spending = ("run_diagnostic", "select_intervention")
        if fraction > 0 and not any(a in allowed for a in spending):
            return "no round up to it lets a team spend anything"
    return None


@rule("inject-component")
def check_inject_components(scenario: Scenario) -> Iterator[Finding]:
    """An inject is scored by a component of its own round that scores inject responses."""
    components = {c.id: c for c in scenario.rubric}
    for position, inject in enumerate(scenario.injects):
        component = components.get(inject.component or "")
        if component is None:
            continue
        path = f"injects[{position}].component"
        if component.round != inject.round:
            yield _error(
                "inject-component",
                path,
                (
                    f"inject '{inject.id}' fires in round '{inject.round}' but is scored by "
                    f"'{component.id}' ({component.name}) in round '{component.round}'; "
                    "point it at a component of its own round"
                ),
            )
        elif component.kind == "auto" and component.rule != "inject_response":
            yield _error(
                "inject-component",
                path,
                (
                    f"inject '{inject.id}' is scored by '{component.id}', an automatic "
                    f"{component.rule} component that does not read inject responses; use an "
                    "inject_response or a facilitator component"
                ),
            )
        elif component.kind == "auto" and component.params.get("inject") not in (None, inject.id):
            yield _error(
                "inject-component",
                path,
                (
                    f"inject '{inject.id}' points at '{component.id}', but that component's "
                    f"params.inject scores '{component.params['inject']}'; make them agree"
                ),
            )


@rule("analysis-points-late")
def check_late_points(scenario: Scenario) -> Iterator[Finding]:
    """Analysis points are granted only while a team can still run diagnostics."""
    diagnosing = [i for i, r in enumerate(scenario.rounds) if "run_diagnostic" in r.actions]
    last = max(diagnosing, default=-1)
    for position, round_ in enumerate(scenario.rounds):
        if position > last and round_.budget.points > 0:
            yield _warning(
                "analysis-points-late",
                f"rounds[{position}].budget.points",
                (
                    f"round '{round_.id}' grants {round_.budget.points} analysis points, but no "
                    "round from there on allows run_diagnostic, so they can never be spent; grant "
                    "them in an earlier round or allow run_diagnostic"
                ),
            )
    rounds = {r.id: i for i, r in enumerate(scenario.rounds)}
    for position, inject in enumerate(scenario.injects):
        for e_position, effect in enumerate(inject.effects):
            if (
                effect.type == "analysis_points"
                and effect.amount > 0
                and rounds.get(inject.round, -1) > last
            ):
                yield _warning(
                    "analysis-points-late",
                    f"injects[{position}].effects[{e_position}].amount",
                    (
                        f"inject '{inject.id}' grants {effect.amount:g} analysis points in round "
                        f"'{inject.round}', after the last round that allows run_diagnostic; they "
                        "can never be spent: move the inject earlier"
                    ),
                )
