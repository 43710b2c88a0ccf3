"""Short announcements for screen readers and toasts, derived from events a team may see."""

from __future__ import annotations

from typing import Any

from practicum.scenario.model import Scenario


def notice_for(scenario: Scenario, event: Any) -> dict[str, Any] | None:
    """Return the notice an event deserves, or None; never includes hidden truth."""
    data = event.data
    if event.type == "diagnostic_run":
        name = _name(scenario.diagnostics, data.get("diagnostic"))
        return {
            "kind": "finding",
            "text": f"{data.get('learner_name', 'A teammate')} ran {name}.",
            "diagnostic": data.get("diagnostic"),
        }
    if event.type == "inject_fired":
        sender = _name(scenario.stakeholders, data.get("sender"))  # a stakeholder or free name
        return {
            "kind": "inject",
            "text": f"New message from {sender}: {data.get('title')}",
            "inject": data.get("inject"),
        }
    if event.type == "round_opened":
        index = data.get("index", 0)
        if 0 <= index < len(scenario.rounds):
            return {
                "kind": "round",
                "text": f"Round {index + 1} opened: {scenario.rounds[index].name}.",
            }
    if event.type == "debrief_started":
        return {"kind": "round", "text": "The rounds are over: the debrief has started."}
    if event.type == "scores_published":
        return {"kind": "scores", "text": "The facilitator published scores."}
    if event.type == "clock_paused":
        return {"kind": "clock", "text": "The facilitator paused the clock."}
    if event.type == "clock_resumed":
        return {"kind": "clock", "text": "The clock is running again."}
    return None


def _name(items: tuple[Any, ...], item_id: str | None) -> str:
    for item in items:
        if item.id == item_id:
            return item.name
    return str(item_id)
