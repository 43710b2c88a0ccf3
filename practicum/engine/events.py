"""Events: facts in the past tense, the only thing the event store keeps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Event:
    """A fact. ``data`` is JSON-able; ``team`` names the team whose private state it touches."""

    type: str
    data: dict[str, Any] = field(default_factory=dict)
    team: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the event as JSON-able data."""
        return {"type": self.type, "data": self.data, "team": self.team}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Event:
        """Build an event from ``to_dict`` output (or a stored row with the same keys)."""
        return cls(type=raw["type"], data=raw.get("data") or {}, team=raw.get("team"))


# Every event type ``decide``, ``tick`` and ``new_session`` can produce.
EVENT_TYPES = (
    # session and clock
    "session_created",
    "session_configured",  # the settings chosen at creation (practicum/engine/settings.py)
    "session_started",
    "round_opened",
    "round_timed_out",
    "round_locked",
    "clock_paused",
    "clock_resumed",
    "clock_extended",
    "debrief_started",
    "session_closed",
    "stage_changed",  # what the facilitator put on the stage
    "data_erased",  # personal data rewritten in the log (practicum/server/privacy.py)
    # people and teams
    "learner_joined",
    "team_created",
    "learner_assigned",
    "team_locked",
    "team_changes_allowed",
    # team work
    "diagnostic_run",
    "pilot_run",  # format v2: an intervention run on one site and measured
    "evidence_marked",
    "cause_declared",
    "cause_withdrawn",
    "cause_ruled_out",
    "intervention_selected",
    "intervention_deselected",
    "metric_selected",
    "metric_deselected",
    "isolation_set",
    "text_edited",
    "text_written",  # only in logs written before shared editing (now text_edited)
    "inject_fired",
    "inject_responded",  # only in logs written before shared editing (now text_edited)
    "chat_posted",
    "round_submitted",
    "round_reopened",
    "ready_marked",
    # scoring and debrief
    "round_scored",
    "scores_published",
    "outcome_computed",
)
