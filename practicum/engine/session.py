"""The first events of a session."""

from __future__ import annotations

from practicum.engine.events import Event
from practicum.scenario.model import Scenario


def new_session(scenario: Scenario, session_id: str, join_code: str, now: float) -> list[Event]:
    """Return the events that create a session in its lobby."""
    return [
        Event(
            "session_created",
            {
                "session_id": session_id,
                "join_code": join_code,
                "scenario_id": scenario.id,
                "at": now,
            },
        )
    ]
