"""What a learner may send now: each learner command's data-free guard, run on its own."""

from __future__ import annotations

from practicum.engine.commands import LEARNER, LEARNER_COMMANDS, Actor, Command
from practicum.engine.context import GUARDS, Ctx
from practicum.engine.decide import check_command
from practicum.engine.errors import RuleViolation
from practicum.engine.state import SessionState
from practicum.scenario.model import Scenario


def allowed_commands(scenario: Scenario, state: SessionState, learner_id: str) -> list[str]:
    """Return the learner commands ``decide`` would not refuse for the state alone, sorted.

    Each command's guard is the part of its handler that reads no data (phase, team, round,
    frozen deliverable, membership rules), so a command listed here can still be refused for
    what it names (an unknown cause, a short budget). join_session is never listed: a learner
    with an id has joined.
    """
    if learner_id not in state.learners:
        return []
    names = []
    for name in sorted(LEARNER_COMMANDS):
        guard = GUARDS.get(name)
        if guard is None:
            continue
        ctx = Ctx(scenario, state, Command(name, Actor(LEARNER, learner_id), {}), 0.0)
        try:
            check_command(ctx)
            guard(ctx)
        except RuleViolation:
            continue
        names.append(name)
    return names
