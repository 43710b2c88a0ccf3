"""Injects: the facilitator fires them by hand; automatic ones fire when a condition holds."""

from __future__ import annotations

from typing import Any

from practicum.engine import budget
from practicum.engine.context import Ctx, handles
from practicum.engine.errors import RuleViolation
from practicum.engine.events import Event
from practicum.engine.evolve import fold
from practicum.engine.state import ROUND, SessionState, Team
from practicum.scenario.model import Inject, Scenario


def inject_data(inject: Inject, trigger: str, now: float) -> dict[str, Any]:
    """Return the data of an inject_fired event: the message and its effects."""
    return {
        "inject": inject.id,
        "round": inject.round,
        "trigger": trigger,
        "title": inject.title,
        "sender": inject.sender,
        "channel": inject.channel,
        "text": inject.text,
        "at": now,
        "effects": [
            {
                "type": e.type,
                "amount": e.amount,
                "weeks": e.weeks,
                "target": e.target,
                "delta": e.delta,
            }
            for e in inject.effects
        ],
    }


def spent_share(scenario: Scenario, team: Team) -> float:
    """Return the share of its cash the team has committed (points if it has no cash)."""
    used = budget.committed(scenario, team)
    if team.granted.cash > 0:
        return used.cash / team.granted.cash
    if team.granted.points > 0:
        return used.points / team.granted.points
    return 0.0


def condition_holds(scenario: Scenario, state: SessionState, team: Team, inject: Inject) -> bool:
    """Return whether an automatic inject's condition holds for a team now."""
    cond = inject.when
    if cond is None:
        return False
    kind = cond.type
    if kind == "round_started":
        return cond.id is None or state.round_index >= scenario.round_index(cond.id)
    if kind == "ran_diagnostic":
        return team.ran(cond.id) if cond.id else bool(team.diagnostics)
    if kind == "selected_intervention":
        return cond.id in team.interventions if cond.id else bool(team.interventions)
    if kind == "declared_cause":
        return cond.id in team.causes if cond.id else bool(team.causes)
    if kind == "budget_spent_at_least":
        return spent_share(scenario, team) >= (cond.fraction or 0.0)
    if kind == "submitted_round":
        return (cond.id or inject.round) in team.submissions
    return False


def auto_injects(scenario: Scenario, state: SessionState, now: float) -> list[Event]:
    """Return inject_fired events for every automatic inject whose condition now holds."""
    if state.phase != ROUND:
        return []
    round_id = scenario.rounds[state.round_index].id
    off = state.settings.disabled_injects
    due = [
        i for i in scenario.injects
        if i.trigger == "auto" and i.round == round_id and i.id not in off
    ]
    events = []
    for inject in due:
        for team in state.teams.values():
            if not team.received(inject.id) and condition_holds(scenario, state, team, inject):
                events.append(Event("inject_fired", inject_data(inject, "auto", now), team.id))
    return events


@handles("fire_inject")
def fire_inject(ctx: Ctx) -> None:
    """The facilitator sends an inject to some teams, or to every team (teams = null)."""
    ctx.require_round_phase()
    inject_id = ctx.str_field("inject")
    try:
        inject = ctx.scenario.inject(inject_id or "")
    except KeyError:
        raise RuleViolation("ref/unknown_inject", inject=inject_id) from None
    if inject.id in ctx.state.settings.disabled_injects:
        raise RuleViolation("inject/disabled", title=inject.title)
    wanted = ctx.data.get("teams")
    if wanted is None:
        if not ctx.state.teams:
            raise RuleViolation("team/no_teams")
        targets = [t for t in ctx.state.teams.values() if not t.received(inject.id)]
        if not targets:
            raise RuleViolation("inject/already_fired", title=inject.title, teams="every team")
    else:
        if not isinstance(wanted, list) or not all(isinstance(t, str) for t in wanted):
            raise RuleViolation("input/invalid", field="teams", reason="a list of team ids")
        unknown = [t for t in wanted if t not in ctx.state.teams]
        if unknown:
            raise RuleViolation("ref/unknown_team", team=unknown[0])
        targets = [ctx.state.teams[t] for t in dict.fromkeys(wanted)]
        if not targets:
            raise RuleViolation("input/invalid", field="teams", reason="name at least one team")
        already = [t.name for t in targets if t.received(inject.id)]
        if already:
            raise RuleViolation(
                "inject/already_fired", title=inject.title, teams=", ".join(already)
            )
    for team in targets:
        ctx.emit("inject_fired", inject_data(inject, "manual", ctx.now), team.id)
    ctx.result["teams"] = [t.id for t in targets]


def with_auto_injects(
    scenario: Scenario, state: SessionState, events: list[Event], now: float
) -> list[Event]:
    """Return ``events`` followed by the automatic injects that hold once they are folded.

    Evaluated for every team, not only the sender's: a round opening concerns them all, and
    a team whose condition held would have received the inject already, so the extra checks
    only cost time.
    """
    return folded_with_auto_injects(scenario, state, events, now)[0]


def folded_with_auto_injects(
    scenario: Scenario, state: SessionState, events: list[Event], now: float
) -> tuple[list[Event], SessionState]:
    """Return `with_auto_injects` and the state once all of those events are folded."""
    if not events:
        return events, state
    after = fold(scenario, state, events)
    fired = auto_injects(scenario, after, now)
    return events + fired, fold(scenario, after, fired)
