"""The session's course: start, advance from round to round, debrief, end; reopening a round."""

from __future__ import annotations

from practicum.engine import budget
from practicum.engine.context import Ctx, handles
from practicum.engine.errors import RuleViolation
from practicum.engine.events import Event
from practicum.engine.plan import plan_for
from practicum.engine.settings import DEFAULT, Settings, round_minutes
from practicum.engine.state import LOBBY, SessionState, is_frozen
from practicum.engine.teamwork import submission_data
from practicum.scenario.model import Scenario


def open_round(
    scenario: Scenario, index: int, now: float, settings: Settings = DEFAULT
) -> Event:
    """Return the event opening round ``index``: absolute deadline and the budget grant."""
    round_ = scenario.rounds[index]
    minutes = round_minutes(round_, settings)
    grant = round_.budget
    return Event(
        "round_opened",
        {
            "round": round_.id,
            "index": index,
            "minutes": minutes,
            "deadline": now + minutes * 60,
            "at": now,
            "grant": budget.round_grant(scenario, grant).to_dict(),
        },
    )


def auto_submissions(
    scenario: Scenario, state: SessionState, now: float, reason: str = "advance"
) -> list[Event]:
    """Return round_submitted events (marked auto) for every draft still open.

    That is the current round of every team that has not submitted it, and any earlier round
    the facilitator reopened for a team and the team left unsubmitted. ``reason`` ("timeout"
    or "advance") says what closed the drafts, so teams can be told.
    """
    events = []
    current = scenario.rounds[state.round_index]
    for team in state.teams.values():
        for round_ in scenario.rounds[: state.round_index + 1]:
            if round_.id in team.submissions:
                continue
            if round_.id == current.id or round_.id in team.reopened:
                data = submission_data(team, round_, True, None, now, reason)
                events.append(Event("round_submitted", data, team.id))
    return events


def debrief(scenario: Scenario, state: SessionState, now: float) -> list[Event]:
    """Return the events opening the debrief: each team's outcome, computed once and stored."""
    from practicum.domain.outcome import evaluate  # domain layer: imported where it is used

    events = [Event("debrief_started", {"at": now})]
    for team in state.teams.values():
        outcome = evaluate(scenario, plan_for(team)).to_dict()
        events.append(Event("outcome_computed", {"outcome": outcome}, team.id))
    return events


def leave_round(
    scenario: Scenario, state: SessionState, now: float, reason: str = "advance"
) -> list[Event]:
    """Return the events that close the current round and open the next one (or the debrief)."""
    events = auto_submissions(scenario, state, now, reason)
    following = state.round_index + 1
    if following < len(scenario.rounds):
        events.append(open_round(scenario, following, now, state.settings))
    else:
        # Outcomes read plans, which submissions do not change: the state before them serves.
        events.extend(debrief(scenario, state, now))
    return events


@handles("start_session")
def start_session(ctx: Ctx) -> None:
    """Open round 1."""
    if ctx.state.phase != LOBBY:
        raise RuleViolation("session/started")
    ctx.emit("session_started", {"at": ctx.now})
    ctx.events.append(open_round(ctx.scenario, 0, ctx.now, ctx.state.settings))
    ctx.result["round"] = ctx.scenario.rounds[0].id


@handles("advance")
def advance(ctx: Ctx) -> None:
    """Close the current round (drafts are submitted as they are) and open the next."""
    ctx.require_round_phase()
    ctx.events.extend(leave_round(ctx.scenario, ctx.state, ctx.now))
    following = ctx.state.round_index + 1
    rounds = ctx.scenario.rounds
    ctx.result["round"] = rounds[following].id if following < len(rounds) else None


@handles("end_session")
def end_session(ctx: Ctx) -> None:
    """Close the session, from any phase."""
    ctx.emit("session_closed", {"at": ctx.now})


@handles("reopen_round")
def reopen_round(ctx: Ctx) -> None:
    """Let one team edit a submitted or locked round again."""
    ctx.require_round_phase()
    team_id = ctx.str_field("team")
    team = ctx.state.teams.get(team_id or "")
    if team is None:
        raise RuleViolation("ref/unknown_team", team=team_id)
    round_id = ctx.str_field("round")
    try:
        round_ = ctx.scenario.round(round_id or "")
    except KeyError:
        raise RuleViolation("ref/unknown_round", round=round_id) from None
    if ctx.scenario.round_index(round_.id) > ctx.state.round_index:
        raise RuleViolation("round/not_opened", round=round_.name)
    if is_frozen(ctx.state, team, round_.id) is None:
        raise RuleViolation("round/not_submitted", team=team.name, round=round_.name)
    ctx.emit("round_reopened", {"round": round_.id, "at": ctx.now}, team.id)
