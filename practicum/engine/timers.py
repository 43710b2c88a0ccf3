"""The round clock: pause, resume, extend, and ``tick`` for deadlines that have passed."""

from __future__ import annotations

from practicum.engine.context import Ctx, handles
from practicum.engine.errors import RuleViolation
from practicum.engine.events import Event
from practicum.engine.flow import auto_submissions, leave_round
from practicum.engine.injects import with_auto_injects
from practicum.engine.limits import EXTEND_MAX_MINUTES
from practicum.engine.state import ROUND, SessionState
from practicum.scenario.model import Scenario

# Taking time away never leaves less than a minute (the bounds: practicum/engine/limits.py).
MIN_SECONDS_LEFT = 60.0


@handles("pause")
def pause(ctx: Ctx) -> None:
    """Stop the clock, keeping the seconds left."""
    round_ = ctx.require_round_phase()
    if ctx.state.paused:
        raise RuleViolation("clock/paused")
    if ctx.state.deadline is None:
        raise RuleViolation("clock/stopped", round=round_.name)
    remaining = max(0.0, ctx.state.deadline - ctx.now)
    ctx.emit("clock_paused", {"round": round_.id, "remaining": remaining})


@handles("resume")
def resume(ctx: Ctx) -> None:
    """Restart the clock from the seconds kept at the pause."""
    round_ = ctx.require_round_phase()
    if not ctx.state.paused:
        raise RuleViolation("clock/running")
    deadline = ctx.now + (ctx.state.remaining or 0.0)
    ctx.emit("clock_resumed", {"round": round_.id, "deadline": deadline})


@handles("extend")
def extend(ctx: Ctx) -> None:
    """Give the round more minutes, or take some away (added to the time left when paused)."""
    round_ = ctx.require_round_phase()
    minutes = ctx.number("minutes", -EXTEND_MAX_MINUTES, EXTEND_MAX_MINUTES, integer=True) or 0
    if minutes == 0:
        raise RuleViolation("input/invalid", field="minutes", reason="0 changes nothing")
    seconds = minutes * 60
    state = ctx.state
    if state.paused:
        left = state.remaining or 0.0
    elif state.deadline is None:
        raise RuleViolation("clock/stopped", round=round_.name)
    else:
        # A deadline already past (the tick has not come yet) is extended from now.
        left = max(state.deadline, ctx.now) - ctx.now
    if seconds < 0 and left + seconds < MIN_SECONDS_LEFT:
        raise RuleViolation("clock/too_short", minutes=-minutes, round=round_.name)
    if state.paused:
        deadline, remaining = None, left + seconds
    else:
        deadline, remaining = ctx.now + left + seconds, None
    ctx.emit(
        "clock_extended",
        {"round": round_.id, "minutes": minutes, "deadline": deadline, "remaining": remaining},
    )


def tick(scenario: Scenario, state: SessionState, now: float) -> list[Event]:
    """Return the events due at ``now``: nothing unless the current round's deadline passed.

    The deadline belongs to the current round and is cleared or replaced by the events
    returned, so a repeated tick, or a tick for a round already left, returns nothing.
    """
    if state.phase != ROUND or state.deadline is None or now < state.deadline:
        return []
    round_ = scenario.rounds[state.round_index]
    policy = round_.on_timeout
    events = [Event("round_timed_out", {"round": round_.id, "policy": policy, "at": now})]
    if policy == "lock":
        events.extend(auto_submissions(scenario, state, now, "timeout"))
        events.append(Event("round_locked", {"round": round_.id}))
    else:
        events.extend(leave_round(scenario, state, now, "timeout"))
    return with_auto_injects(scenario, state, events, now)
