"""What a learner may send now: each learner command's data-free guard, run on its own."""

from __future__ import annotations

from practicum.engine.commands import LEARNER, LEARNER_COMMANDS, ROUND_ACTIONS, Actor, Command
from practicum.engine.context import GUARDS, Ctx
from practicum.engine.decide import check_command
from practicum.engine.errors import RuleViolation
from practicum.engine.state import SessionState
from practicum.scenario.model import Scenario

# Every learner command with a guard (all but join_session), in the order views list them.
# The handler modules registered their guards when decide imported them.
_PROBED = tuple(sorted(name for name in LEARNER_COMMANDS if name in GUARDS))


def allowed_commands(scenario: Scenario, state: SessionState, learner_id: str) -> list[str]:
    """Return the learner commands ``decide`` would not refuse for the state alone, sorted.

    Each command's guard is the part of its handler that reads no data (phase, team, round,
    frozen deliverable, membership rules), so a command listed here can still be refused for
    what it names (an unknown cause, a short budget). join_session is never listed: a learner
    with an id has joined.
    """
    if learner_id not in state.learners:
        return []
    actor = Actor(LEARNER, learner_id)
    ctx = Ctx(scenario, state, Command("", actor, {}), 0.0)
    # Commands gated by the same round action (declare and withdraw a cause) share a guard
    # and an answer: each is asked once, since views ask on every change of a team.
    verdicts: dict[tuple[object, str], bool] = {}
    names = []
    for name in _PROBED:
        guard = GUARDS[name]
        key = (guard, ROUND_ACTIONS.get(name, name))
        verdict = verdicts.get(key)
        if verdict is None:
            ctx.command = Command(name, actor, {})
            try:
                check_command(ctx)
                guard(ctx)
                verdict = True
            except RuleViolation:
                verdict = False
            verdicts[key] = verdict
        if verdict:
            names.append(name)
    return names
