"""A team's path through a session, read back from the event log (pure: events in, entries out).

Each entry is one event that changed the team's work, with who did it, when, what in words
(the sentence the team's activity feed got) and the team's plan right after it, so a
facilitator can scrub through the session and see what the plan would have done at any point.
It needs only the stored events: it works after a restart and on an exported log.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from practicum.engine.activity import text_label
from practicum.engine.events import Event
from practicum.engine.evolve import EMPTY_STATE, evolve
from practicum.engine.plan import plan_for, plan_to_dict
from practicum.engine.state import SessionState
from practicum.scenario.model import Scenario

# Team events that are not the team's path: talk, and marks that change no work.
_NOT_PATH = frozenset({"chat_posted", "ready_marked", "team_locked", "round_scored"})


def team_timeline(
    scenario: Scenario, events: Iterable[Event], team_id: str
) -> list[dict[str, Any]]:
    """Return the team's path: per event that changed its work, ``{index, seq, type, at, by,
    text, round, plan}``; ``index`` is how many events of the log lead up to it (inclusive)."""
    state: SessionState = EMPTY_STATE
    entries: list[dict[str, Any]] = []
    for index, event in enumerate(events, start=1):
        before = state
        state = evolve(scenario, state, event)
        team = state.teams.get(team_id)
        if event.team != team_id or team is None or event.type in _NOT_PATH:
            continue
        old = before.teams.get(team_id)
        grew = old is None or len(team.activity) > len(old.activity)
        entry = team.activity.last if grew else None
        by = event.data.get("by") or event.data.get("learner_id")
        learner = state.learners.get(by or "")
        entries.append(
            {
                "index": index,
                "type": event.type,
                "at": event.data.get("at"),
                "by": learner.name if learner is not None else None,
                "text": entry.text if entry is not None else _words(scenario, event),
                "round": state.round_index,
                "plan": plan_to_dict(plan_for(team)),
            }
        )
    return entries


def _words(scenario: Scenario, event: Event) -> str:
    """Return what an event without an activity sentence did, in a few words."""
    words = {
        "text_edited": "{name} edited {field}",
        "text_written": "{name} wrote {field}",
        "inject_fired": "New message: '{title}'",
        "outcome_computed": "The debrief computed the plan's outcome",
        "round_reopened": "The facilitator reopened a round",
    }
    template = words.get(event.type, event.type.replace("_", " "))
    field = event.data.get("field")
    data = {**event.data, "field": text_label(scenario, field) if field else ""}
    try:
        return template.format(**data)
    except (KeyError, IndexError):
        return event.type.replace("_", " ")


def outlook(scenario: Scenario, plan: dict[str, Any]) -> dict[str, Any]:
    """Return what a plan (``plan_to_dict`` form) would do to each KPI, beside doing nothing."""
    from practicum.domain.outcome import evaluate  # domain layer: imported where it is used
    from practicum.engine.plan import plan_from_dict

    outcome = evaluate(scenario, plan_from_dict(plan)).to_dict()
    return {
        "plan": outcome["plan"]["kpis"],
        "nothing": outcome["nothing"]["kpis"],
        "expert": outcome["expert"]["kpis"],
        "roi": outcome["roi"],
        "cost": outcome["cost"],
    }
