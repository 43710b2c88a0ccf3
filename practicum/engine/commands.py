"""Commands a client sends, who sends them, and what ``decide`` answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from practicum.engine.events import Event

LEARNER = "learner"
FACILITATOR = "facilitator"
SYSTEM = "system"  # the server acting on its own (e.g. an operator script)

# Commands a learner may send. join_session is the only one from a learner not yet known.
LEARNER_COMMANDS = frozenset(
    {
        "join_session",
        "create_team",
        "join_team",
        "auto_assign",
        "leave_team",
        "run_diagnostic",
        "run_pilot",
        "mark_evidence",
        "declare_cause",
        "withdraw_cause",
        "rule_out_cause",
        "select_intervention",
        "deselect_intervention",
        "select_metric",
        "deselect_metric",
        "set_isolation",
        "write_text",
        "edit_text",
        "respond_inject",
        "chat",
        "submit_round",
        "mark_ready",
    }
)

# Commands the facilitator (or the server as ``system``) may send.
FACILITATOR_COMMANDS = frozenset(
    {
        "start_session",
        "pause",
        "resume",
        "extend",
        "advance",
        "reopen_round",
        "move_learner",
        "lock_team",
        "allow_team_changes",
        "create_team",
        "fire_inject",
        "score_round",
        "publish_scores",
        "end_session",
        "stage_show",
    }
)

# Commands a closed session still takes: what the room's screen shows harms no record.
AFTER_CLOSE = frozenset({"stage_show"})

ALL_COMMANDS = LEARNER_COMMANDS | FACILITATOR_COMMANDS

# Team commands gated by a round's ``actions`` list (model.ACTIONS), command -> action name.
# write_text and edit_text are also allowed when the field belongs to the current
# round's deliverable.
ROUND_ACTIONS: dict[str, str] = {
    "run_diagnostic": "run_diagnostic",
    "run_pilot": "run_pilot",
    "mark_evidence": "mark_evidence",
    "declare_cause": "declare_cause",
    "withdraw_cause": "declare_cause",
    "rule_out_cause": "rule_out_cause",
    "select_intervention": "select_intervention",
    "deselect_intervention": "select_intervention",
    "select_metric": "select_metric",
    "deselect_metric": "select_metric",
    "set_isolation": "set_isolation",
    "write_text": "write_rationale",
    "edit_text": "write_rationale",
}


@dataclass(frozen=True)
class Actor:
    """Who sends a command: a learner (with id), the facilitator, or the server itself."""

    role: str  # learner | facilitator | system
    learner_id: str | None = None


@dataclass(frozen=True)
class Command:
    """One request to change the session; ``data`` holds snake_case fields."""

    type: str
    actor: Actor
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Accepted:
    """The command is valid: fold ``events`` into the state; ``result`` goes in the ack.

    ``state`` is the state decide was given with ``events`` folded in (decide folds them to
    see which automatic injects they trigger), so a caller need not fold them again.
    """

    events: list[Event]
    result: dict[str, Any] = field(default_factory=dict)
    state: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Rejected:
    """The command breaks a rule: ``code`` from errors.ERRORS and a human message."""

    code: str
    message: str
