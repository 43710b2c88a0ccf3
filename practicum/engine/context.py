"""What a command handler works with: the command, the state, the clock, checked data access."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from practicum.engine.commands import Command
from practicum.engine.errors import RuleViolation
from practicum.engine.events import Event
from practicum.engine.limits import NAME_MAX
from practicum.engine.state import DEBRIEF, LOBBY, ROUND, Learner, SessionState, Team
from practicum.scenario.model import Round, Scenario


@dataclass
class Ctx:
    """One decision in progress. Handlers append events and set the ack's result."""

    scenario: Scenario
    state: SessionState
    command: Command
    now: float
    events: list[Event] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)

    # --- emitting ---

    def emit(self, type_: str, data: dict[str, Any], team: str | None = None) -> None:
        """Record an event of this decision."""
        self.events.append(Event(type_, data, team))

    def by(self) -> dict[str, Any]:
        """Return the ``by`` (sender) and ``at`` (now) that team-work events carry."""
        return {"by": self.command.actor.learner_id, "at": self.now}

    # --- who and where ---

    @property
    def data(self) -> dict[str, Any]:
        """Return the command's data."""
        return self.command.data

    def learner(self) -> Learner:
        """Return the learner sending the command (role checks ran before)."""
        return self.state.learners[self.command.actor.learner_id or ""]

    def team(self) -> Team:
        """Return the sender's team, or refuse with team/none."""
        learner = self.learner()
        team = self.state.teams.get(learner.team or "")
        if team is None:
            raise RuleViolation("team/none")
        return team

    def round(self) -> Round:
        """Return the current round (only called once the phase check passed)."""
        return self.scenario.rounds[self.state.round_index]

    def require_round_phase(self) -> Round:
        """Refuse unless a round is being played; return it."""
        phase = self.state.phase
        if phase == LOBBY:
            raise RuleViolation("phase/lobby")
        if phase == DEBRIEF:
            raise RuleViolation("phase/debrief")
        if phase != ROUND:
            raise RuleViolation("session/closed")  # decide refuses a closed session earlier
        return self.round()

    # --- checked data access: the server validates shapes, the engine must still not crash ---

    def str_field(self, key: str, *, optional: bool = False) -> str | None:
        """Return a string field of the data (None only when optional and missing/null)."""
        value = self.data.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, str):
            raise RuleViolation("input/invalid", field=key, reason="a text value is required")
        return value

    def text(self, key: str, label: str, max_length: int, *, allow_empty: bool = True) -> str:
        """Return a stripped text field, checked for length."""
        value = self.str_field(key) or ""
        value = value.strip()
        if not value and not allow_empty:
            raise RuleViolation("text/empty", field=label)
        if len(value) > max_length:
            raise RuleViolation("text/too_long", field=label, max=max_length)
        return value

    def name(self, key: str, code: str) -> str:
        """Return a trimmed name of 1..NAME_MAX characters, or refuse with ``code``."""
        value = self.str_field(key) or ""
        value = " ".join(value.split())  # collapse runs of whitespace: "A  Team" == "A Team"
        if not 1 <= len(value) <= NAME_MAX:
            raise RuleViolation(code, max=NAME_MAX)
        return value

    def number(
        self, key: str, low: float, high: float, *, optional: bool = False, integer: bool = False
    ) -> float | None:
        """Return a number field within [low, high]."""
        value = self.data.get(key)
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise RuleViolation("input/invalid", field=key, reason="a number is required")
        if integer and value != int(value):
            raise RuleViolation("input/invalid", field=key, reason="a whole number is required")
        if not low <= value <= high:
            raise RuleViolation("input/out_of_range", field=key, low=low, high=high)
        return int(value) if integer else value

    def flag(self, key: str) -> bool:
        """Return a boolean field."""
        value = self.data.get(key)
        if not isinstance(value, bool):
            raise RuleViolation("input/invalid", field=key, reason="true or false is required")
        return value


Handler = Callable[[Ctx], None]
HANDLERS: dict[str, Handler] = {}
# Per learner command, the checks that do not depend on the command's data (phase, team,
# round, frozen deliverable, membership rules): the handler runs them first, and
# ``allowed.allowed_commands`` runs them alone to tell a client what it may send now.
Guard = Callable[[Ctx], Any]
GUARDS: dict[str, Guard] = {}


def handles(*command_types: str) -> Callable[[Handler], Handler]:
    """Register a function as the handler of one or more command types."""

    def register(fn: Handler) -> Handler:
        for command_type in command_types:
            HANDLERS[command_type] = fn
        return fn

    return register


def guards(*command_types: str) -> Callable[[Guard], Guard]:
    """Register a function as the data-free guard of one or more learner commands."""

    def register(fn: Guard) -> Guard:
        for command_type in command_types:
            GUARDS[command_type] = fn
        return fn

    return register
