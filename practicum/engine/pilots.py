"""``run_pilot`` (format v2): run an intervention on one site, pay for it, read the result."""

from __future__ import annotations

from practicum.domain.pilot import pilot_measures, pilot_report
from practicum.engine import budget
from practicum.engine.context import Ctx, handles
from practicum.engine.errors import RuleViolation
from practicum.engine.teamwork import _ref, _team_action


@handles("run_pilot")
def run_pilot(ctx: Ctx) -> None:
    """Pilot an intervention: pay like a diagnostic; the team reads the measured effect."""
    _, team = _team_action(ctx)
    round_ = ctx.round()
    intervention = _ref(ctx, "intervention", ctx.scenario.intervention, "ref/unknown_intervention")
    if intervention.pilot is None:
        raise RuleViolation("pilot/none", name=intervention.name)
    if team.piloted(intervention.id):
        raise RuleViolation("pilot/already_run", name=intervention.name)
    cost = budget.diagnostic_cost(ctx.scenario, intervention.pilot.cost)
    short = budget.shortfall(budget.left(ctx.scenario, team), cost, ctx.scenario.economics.currency)
    if short:
        raise RuleViolation("budget/insufficient", short="; ".join(short))
    # The team's stances now decide how well the pilot goes, as they would on site.
    measures = pilot_measures(ctx.scenario, intervention, team.stances)
    report = pilot_report(ctx.scenario, intervention, measures)
    learner = ctx.learner()
    ctx.emit(
        "pilot_run",
        {
            "intervention": intervention.id,
            "measures": measures,
            "report": report,
            "learner_id": learner.id,
            "learner_name": learner.name,
            "round": round_.id,
            "at": ctx.now,
            "cost": cost.to_dict(),
        },
        team.id,
    )
    ctx.result.update({"intervention": intervention.id, "report": report})
