"""Short announcements for screen readers and toasts, derived from events a team may see."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from practicum.engine.evolve import FACILITATOR_BY
from practicum.scenario.model import Scenario

# Where a notice goes: ("session", None), ("team", team id) or ("learner", learner id).
Target = tuple[str, str | None]


def notices_for(
    scenario: Scenario, state: Any, events: Iterable[Any]
) -> list[tuple[Target, dict[str, Any]]]:
    """Return every notice a batch of events deserves, each with where it goes.

    A timeout tells each team what became of its draft (read off the automatic submissions
    of the same batch), and a learner the facilitator moved is told where to, on their own
    sockets only. ``state`` is the state after the events.
    """
    batch = list(events)
    out: list[tuple[Target, dict[str, Any]]] = []
    for event in batch:
        if event.type == "round_timed_out":
            out.extend(_timeout_notices(state, event, batch))
            continue
        if event.type == "learner_assigned":
            moved = _moved_notice(state, event)
            if moved is not None:
                out.append((("learner", event.data.get("learner_id")), moved))
            continue
        notice = notice_for(scenario, event)
        if notice is not None:
            out.append((("team", event.team) if event.team else ("session", None), notice))
    return out


def _timeout_notices(
    state: Any, event: Any, batch: list[Any]
) -> list[tuple[Target, dict[str, Any]]]:
    round_id = event.data.get("round")
    locked = event.data.get("policy") == "lock"
    closed = {
        e.team
        for e in batch
        if e.type == "round_submitted" and e.data.get("auto") and e.data.get("round") == round_id
    }
    out: list[tuple[Target, dict[str, Any]]] = []
    for team_id in state.teams:
        if team_id in closed:
            outcome, what = "auto_submitted", "your draft was submitted as it stood."
        else:
            outcome, what = "already_submitted", "your team had already submitted."
        text = f"Time is up: the round is locked; {what}" if locked else f"Time is up: {what}"
        notice = {"kind": "timeout", "text": text, "round": round_id, "outcome": outcome}
        out.append((("team", team_id), notice))
    return out


def _moved_notice(state: Any, event: Any) -> dict[str, Any] | None:
    """Return the notice for a learner the facilitator moved, or None for a learner's own move."""
    data = event.data
    if data.get("by") != FACILITATOR_BY:
        return None
    team = state.teams.get(data.get("team") or "")
    if team is None:
        text = "The facilitator moved you out of your team."
        return {"kind": "moved", "text": text, "team": None}
    text = f"The facilitator moved you to {team.name}."
    return {"kind": "moved", "text": text, "team": team.id}


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
