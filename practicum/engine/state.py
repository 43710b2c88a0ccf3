"""Session state: small frozen objects, shared structurally between successive states.

``evolve`` never mutates a state. It copies only what an event touches: the team that changed
(with ``updated``) and the ``teams`` dict that points to it; everything else is shared with the
previous state. The dict and set fields are never mutated after construction: treat them as
immutable (copy on write), which keeps a fold over tens of thousands of events cheap.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from typing import Any, TypeVar

from practicum.engine.settings import DEFAULT as DEFAULT_SETTINGS
from practicum.engine.settings import Settings
from practicum.engine.shared_text import SharedText
from practicum.scenario.model import PlannedCause, PlannedIntervention, PlannedMetric, Round

T = TypeVar("T")

LOBBY = "lobby"
ROUND = "round"
DEBRIEF = "debrief"
CLOSED = "closed"
PHASES = (LOBBY, ROUND, DEBRIEF, CLOSED)

_FIELD_NAMES: dict[type, frozenset[str]] = {}


def updated(obj: T, **changes: Any) -> T:
    """Return a copy of a frozen dataclass with some fields changed (a fast ``replace``)."""
    cls = type(obj)
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = frozenset(f.name for f in fields(cls))  # type: ignore[arg-type]
    if not names.issuperset(changes):
        raise TypeError(f"{cls.__name__} has no field {sorted(set(changes) - names)}")
    # dataclasses.replace re-runs __init__ through frozen __setattr__ guards; copying the
    # instance dict is ten times faster and matters when replaying 100,000 events.
    new = object.__new__(cls)
    attributes = new.__dict__
    attributes.update(obj.__dict__)
    attributes.update(changes)
    return new


@dataclass(frozen=True)
class Resources:
    """Analysis points, cash and calendar days (and, format v2, a separate analysis cash)."""

    points: float = 0
    cash: float = 0.0
    days: float = 0
    # v2 scenarios with separate budgets: cash for diagnostics, apart from intervention cash.
    analysis: float = 0.0

    def plus(self, other: Resources) -> Resources:
        """Return the sum of two amounts."""
        return Resources(
            self.points + other.points,
            self.cash + other.cash,
            self.days + other.days,
            self.analysis + other.analysis,
        )

    def minus(self, other: Resources) -> Resources:
        """Return this amount less another."""
        return Resources(
            self.points - other.points,
            self.cash - other.cash,
            self.days - other.days,
            self.analysis - other.analysis,
        )

    def to_dict(self) -> dict[str, float]:
        """Return the amounts as JSON-able data (``analysis`` only when there is any)."""
        amounts = {"points": self.points, "cash": self.cash, "days": self.days}
        if self.analysis:
            amounts["analysis"] = self.analysis
        return amounts

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any] | None) -> Resources:
        """Build from ``to_dict`` output; missing keys are zero."""
        raw = raw or {}
        return cls(
            raw.get("points", 0), raw.get("cash", 0.0), raw.get("days", 0), raw.get("analysis", 0.0)
        )


@dataclass(frozen=True)
class Learner:
    """A person in the session."""

    id: str
    name: str
    team: str | None
    joined_at: float


@dataclass(frozen=True)
class DiagnosticRun:
    """A diagnostic a team ran: the finding it received and who ran it."""

    diagnostic: str
    finding: str
    learner_id: str | None
    learner_name: str
    round: str
    at: float
    cost: Resources


@dataclass(frozen=True)
class PilotRun:
    """An intervention a team piloted on one site (format v2) and what it measured there."""

    intervention: str
    measures: Mapping[str, float]  # KPI id -> change against the sites without it
    report: str
    learner_id: str | None
    learner_name: str
    round: str
    at: float
    cost: Resources


@dataclass(frozen=True)
class HeardReaction:
    """What a stakeholder said when the team put an intervention in its plan (format v2)."""

    stakeholder: str
    intervention: str
    text: str
    at: float


@dataclass(frozen=True)
class FiredInject:
    """An inject a team received."""

    inject: str
    round: str
    trigger: str  # manual | auto
    title: str
    sender: str
    channel: str
    text: str
    at: float


@dataclass(frozen=True)
class Submission:
    """A frozen deliverable: the listed fields and the whole plan at that moment."""

    round: str
    snapshot: Mapping[str, Any]  # deliverable field id -> value, JSON-able
    plan: Mapping[str, Any]  # plan.plan_to_dict of the team's plan when submitted
    auto: bool  # submitted by the clock or by an advance, not by the team
    by: str | None  # learner id, None when automatic
    at: float
    reason: str | None = None  # what closed an automatic one: "timeout" | "advance"


@dataclass(frozen=True)
class ChatMessage:
    """One team chat message."""

    learner_id: str
    name: str
    text: str
    at: float


class AppendLog:
    """A persistent append-only list: appending shares the older items (O(1))."""

    __slots__ = ("last", "previous", "size")

    def __init__(self, last: Any = None, previous: AppendLog | None = None) -> None:
        self.last = last
        self.previous = previous
        self.size = 0 if last is None else 1 + (previous.size if previous else 0)

    def append(self, item: Any) -> Any:
        """Return a log of the same kind with one more item."""
        return type(self)(item, self if self.size else None)

    def recent(self, limit: int) -> list[Any]:
        """Return up to ``limit`` newest items, oldest first."""
        out: list[Any] = []
        node: AppendLog | None = self
        while node is not None and node.last is not None and len(out) < limit:
            out.append(node.last)
            node = node.previous
        out.reverse()
        return out

    def __len__(self) -> int:
        return self.size

    def __iter__(self) -> Iterator[Any]:
        return iter(self.recent(self.size))

    def __eq__(self, other: object) -> bool:
        # Iterative: the default recursive comparison would overflow the stack on long logs.
        if not isinstance(other, AppendLog) or type(other) is not type(self):
            return NotImplemented
        return self.size == other.size and list(self) == list(other)

    def __hash__(self) -> int:
        return hash((self.size, self.last))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.size} items)"


class ChatLog(AppendLog):
    """A team's chat messages (``ChatMessage``)."""

    __slots__ = ()


@dataclass(frozen=True)
class ActivityEntry:
    """One line of a team's activity feed: what a teammate (or the clock) did."""

    kind: str
    learner_id: str | None
    name: str
    text: str
    at: float | None
    subject: str | None = None  # what it was about (a text field id): merges runs of edits


class ActivityLog(AppendLog):
    """A team's activity feed (``ActivityEntry``)."""

    __slots__ = ()


@dataclass(frozen=True)
class Stamp:
    """Who last changed a piece of a team's work, and when."""

    learner_id: str
    at: float | None


EMPTY_CHAT = ChatLog()
EMPTY_ACTIVITY = ActivityLog()


@dataclass(frozen=True)
class Team:
    """A team and everything it has done. Dicts keep insertion order (the order of choice)."""

    id: str
    name: str
    locked: bool
    members: tuple[str, ...]
    granted: Resources  # start budget + round grants + inject effects
    spent: Resources  # diagnostics run
    stances: Mapping[str, int]  # stakeholder id -> stance as this team has moved it
    diagnostics: tuple[DiagnosticRun, ...]
    unlocked: frozenset[str]  # locked diagnostics this team has revealed
    evidence: Mapping[tuple[str, str], int]  # (diagnostic, cause) -> +1 | -1
    causes: Mapping[str, PlannedCause]
    ruled_out: tuple[str, ...]
    interventions: Mapping[str, PlannedIntervention]
    metrics: Mapping[str, PlannedMetric]
    isolation: str | None
    texts: Mapping[str, str]  # deliverable text fields and "inject:<id>" responses
    docs: Mapping[str, SharedText]  # the same fields' CRDT histories (texts holds their text)
    injects: tuple[FiredInject, ...]
    chat: ChatLog
    activity: ActivityLog  # what teammates did, appended by evolve
    stamps: Mapping[str, Stamp]  # item key (see evolve.stamp_key) -> who last changed it
    ready: frozenset[str]  # learners who marked the current round ready to submit
    submissions: Mapping[str, Submission]  # round id -> frozen deliverable
    reopened: frozenset[str]  # rounds the facilitator reopened for this team (beats a lock)
    scores: Mapping[str, Mapping[str, Any]]  # round id -> stored score breakdown
    outcome: Mapping[str, Any] | None  # debrief outcome, stored when the debrief opens
    reactions: tuple[HeardReaction, ...] = ()  # v2: stakeholders' words on the team's choices
    pilots: tuple[PilotRun, ...] = ()  # v2: interventions piloted on one site

    def piloted(self, intervention_id: str) -> bool:
        """Return whether the team has piloted this intervention."""
        return any(run.intervention == intervention_id for run in self.pilots)

    def ran(self, diagnostic_id: str) -> bool:
        """Return whether the team has run this diagnostic."""
        return any(run.diagnostic == diagnostic_id for run in self.diagnostics)

    def received(self, inject_id: str) -> bool:
        """Return whether this inject has fired on the team."""
        return any(fired.inject == inject_id for fired in self.injects)


@dataclass(frozen=True)
class SessionState:
    """The whole session, as folded from its events."""

    session_id: str
    join_code: str
    scenario_id: str
    created_at: float
    phase: str  # lobby | round | debrief | closed
    round_index: int  # -1 in the lobby; the last round stays current in the debrief
    deadline: float | None  # absolute end of the current round; None when paused or stopped
    remaining: float | None  # seconds left, kept while paused
    locked_rounds: frozenset[str]  # rounds whose clock ran out under on_timeout = lock
    learners: Mapping[str, Learner]
    teams: Mapping[str, Team]  # in creation order
    published: frozenset[str]  # rounds whose scores the teams can see
    seq: int  # number of events folded into this state
    team_changes_allowed: bool = False  # learners may change team during a round
    stage_mode: str | None = None  # what the facilitator put on the stage (None: follow phase)
    round_opened_at: float | None = None  # when the current round opened
    settings: Settings = DEFAULT_SETTINGS  # what the facilitator chose at creation

    @property
    def paused(self) -> bool:
        """Return whether the round clock is paused."""
        return self.remaining is not None


def current_round(scenario: Any, state: SessionState) -> Round | None:
    """Return the round being played (or the last one in the debrief), None in the lobby."""
    if state.round_index < 0:
        return None
    return scenario.rounds[state.round_index]


def team_of(state: SessionState, learner_id: str | None) -> Team | None:
    """Return the learner's team, or None."""
    learner = state.learners.get(learner_id or "")
    if learner is None or learner.team is None:
        return None
    return state.teams.get(learner.team)


def is_frozen(state: SessionState, team: Team, round_id: str) -> str | None:
    """Return why the team's deliverable for a round is frozen ("submitted", "locked") or None."""
    if round_id in state.locked_rounds and round_id not in team.reopened:
        return "locked"
    if round_id in team.submissions:
        return "submitted"
    return None
