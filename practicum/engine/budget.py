"""What a team has been granted, has spent and has committed."""

from __future__ import annotations

from practicum.engine.state import Resources, Team
from practicum.scenario.model import Intervention, Scenario


def quarters_running(scenario: Scenario, start_week: int) -> int:
    """Return the simulated quarters an intervention started in ``start_week`` runs (and costs)."""
    sim = scenario.simulation
    return max(0, sim.quarters - start_week // sim.weeks_per_quarter)


def intervention_cost(scenario: Scenario, intervention: Intervention, start_week: int) -> float:
    """Return an intervention's one-off cost plus its running cost over the quarters it runs."""
    running = intervention.cost.per_quarter * quarters_running(scenario, start_week)
    return intervention.cost.one_off + running


def interventions_cost(scenario: Scenario, team: Team, leaving_out: str | None = None) -> float:
    """Return the cash committed to the team's interventions (optionally leaving one out)."""
    return sum(
        intervention_cost(scenario, scenario.intervention(i.id), i.start_week)
        for i in team.interventions.values()
        if i.id != leaving_out
    )


def committed(scenario: Scenario, team: Team) -> Resources:
    """Return what the team has used: diagnostics' points, cash and days plus interventions."""
    return team.spent.plus(Resources(0, interventions_cost(scenario, team), 0))


def left(scenario: Scenario, team: Team) -> Resources:
    """Return the team's budget still free (negative when a budget cut overtook its plan)."""
    return team.granted.minus(committed(scenario, team))


def shortfall(available: Resources, needed: Resources, currency: str) -> list[str]:
    """Return a human phrase per resource that ``available`` cannot cover."""
    short = []
    if needed.points > available.points:
        short.append(f"{needed.points:g} analysis points needed, {available.points:g} left")
    if needed.cash > available.cash:
        short.append(f"{currency} {needed.cash:,.0f} needed, {currency} {available.cash:,.0f} left")
    if needed.days > available.days:
        short.append(f"{needed.days:g} days needed, {available.days:g} left")
    return short
