"""``decide``: check a command against the state and return the events it causes, or why not."""

from __future__ import annotations

# The handler modules register their commands on import (context.HANDLERS).
from practicum.engine import (  # noqa: F401
    flow,
    injects,
    membership,
    pilots,
    scores,
    stage,
    teamwork,
    timers,
)
from practicum.engine.commands import (
    AFTER_CLOSE,
    FACILITATOR,
    FACILITATOR_COMMANDS,
    LEARNER,
    LEARNER_COMMANDS,
    SYSTEM,
    Accepted,
    Command,
    Rejected,
)
from practicum.engine.context import HANDLERS, Ctx
from practicum.engine.errors import RuleViolation
from practicum.engine.injects import folded_with_auto_injects
from practicum.engine.state import CLOSED, SessionState
from practicum.scenario.model import Scenario


def decide(
    scenario: Scenario, state: SessionState, command: Command, now: float
) -> Accepted | Rejected:
    """Return the events a command causes (state untouched), or a rejection with a code.

    Checks run in a fixed order: unknown command, session closed, role, then each handler's
    phase, allowed action, references, limits and budget.
    """
    try:
        ctx = Ctx(scenario, state, command, now)
        check_command(ctx)
        HANDLERS[command.type](ctx)
    except RuleViolation as violation:
        return Rejected(violation.code, violation.message)
    events, after = folded_with_auto_injects(scenario, state, ctx.events, now)
    return Accepted(events, ctx.result, after)


def check_command(ctx: Ctx) -> None:
    """Run the checks every command passes first: known, session open, role, data shape."""
    command = ctx.command
    if command.type not in HANDLERS:
        raise RuleViolation("action/unknown", command=command.type)
    if ctx.state.phase == CLOSED and command.type not in AFTER_CLOSE:
        raise RuleViolation("session/closed")
    role = command.actor.role
    if role == LEARNER:
        if command.type not in LEARNER_COMMANDS:
            raise RuleViolation("auth/forbidden", role="the facilitator", command=command.type)
        if command.type != "join_session" and command.actor.learner_id not in ctx.state.learners:
            raise RuleViolation("auth/unknown_learner", learner=command.actor.learner_id)
    elif role in (FACILITATOR, SYSTEM):
        if command.type not in FACILITATOR_COMMANDS:
            raise RuleViolation("auth/forbidden", role="learners", command=command.type)
    else:
        raise RuleViolation(
            "auth/forbidden", role="learners or the facilitator", command=command.type
        )
    if not isinstance(command.data, dict):
        raise RuleViolation("input/invalid", field="data", reason="an object is required")
