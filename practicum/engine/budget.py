"""What a team has been granted, has spent and has committed."""

from __future__ import annotations

from practicum.engine.state import Resources, Team
from practicum.scenario.model import Budget, Cost, Intervention, RoundBudget, Scenario


def separate(scenario: Scenario) -> bool:
    """Say whether diagnostics draw on their own analysis cash (format v2 separate budgets)."""
    return scenario.budget.analysis_cash is not None


def start_grant(scenario: Scenario, start: Budget) -> Resources:
    """Return a scenario's starting budget as Resources."""
    return Resources(start.points, start.cash, start.days, start.analysis_cash or 0.0)


def round_grant(scenario: Scenario, grant: RoundBudget) -> Resources:
    """Return what a round grants each team (analysis cash only with separate budgets)."""
    analysis = grant.analysis_cash if separate(scenario) else 0.0
    return Resources(grant.points, grant.cash, grant.days, analysis)


def diagnostic_cost(scenario: Scenario, cost: Cost) -> Resources:
    """Return what running a diagnostic takes: its cash from the analysis budget if separate."""
    if separate(scenario):
        return Resources(cost.points, 0.0, cost.days, cost.cash)
    return Resources(cost.points, cost.cash, cost.days)


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
    if needed.analysis > available.analysis:
        short.append(
            f"{currency} {needed.analysis:,.0f} of analysis budget needed, "
            f"{currency} {available.analysis:,.0f} left"
        )
    return short
