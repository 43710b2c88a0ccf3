"""The first events of a session."""

from __future__ import annotations

from practicum.engine.events import Event
from practicum.engine.settings import DEFAULT, Settings
from practicum.scenario.model import Scenario


def new_session(
    scenario: Scenario,
    session_id: str,
    join_code: str,
    now: float,
    settings: Settings = DEFAULT,
) -> list[Event]:
    """Return the events that create a session in its lobby (with its settings, if changed)."""
    configured = [] if settings == DEFAULT else [
        Event("session_configured", {**settings.to_dict(), "at": now})
    ]
    return [
        Event(
            "session_created",
            {
                "session_id": session_id,
                "join_code": join_code,
                "scenario_id": scenario.id,
                "at": now,
            },
        ),
        *configured,
    ]
