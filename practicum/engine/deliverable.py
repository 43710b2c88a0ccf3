"""A round's deliverable read off a team's draft: snapshot, missing fields, completeness."""

from __future__ import annotations

from typing import Any

from practicum.engine.state import Team
from practicum.scenario.model import DeliverableField, Round, Scenario


def field_value(team: Team, item: DeliverableField) -> Any:
    """Return the JSON value of one deliverable field from the team's draft."""
    kind = item.kind
    if kind == "text":
        return team.texts.get(item.id, "")
    if kind == "causes":
        return [
            {"cause": c.cause, "cell": c.cell, "confidence": c.confidence}
            for c in team.causes.values()
        ]
    if kind == "ruled_out":
        return list(team.ruled_out)
    if kind == "interventions":
        return [{"id": i.id, "startWeek": i.start_week} for i in team.interventions.values()]
    if kind == "metrics":
        return [{"id": m.id, "target": m.target} for m in team.metrics.values()]
    if kind == "isolation":
        return team.isolation
    if kind == "evidence":
        return [
            {"diagnostic": d, "cause": c, "stance": s} for (d, c), s in team.evidence.items()
        ]
    return None  # an unknown kind has no value: the loader rejects such scenarios anyway


def is_empty(value: Any) -> bool:
    """Return whether a field value counts as not filled in."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list) and not value


def snapshot(team: Team, round_: Round) -> dict[str, Any]:
    """Return the deliverable's fields as the team has them now."""
    return {item.id: field_value(team, item) for item in round_.deliverable}


def missing(team: Team, round_: Round) -> list[DeliverableField]:
    """Return the required fields the team has left empty."""
    return [
        item for item in round_.deliverable if item.required and is_empty(field_value(team, item))
    ]


def completeness(team: Team, round_: Round) -> int:
    """Return the share (0..100) of the deliverable's required fields filled in.

    With no required field, every field counts; an empty deliverable is complete.
    """
    counted = [item for item in round_.deliverable if item.required] or list(round_.deliverable)
    if not counted:
        return 100
    filled = sum(not is_empty(field_value(team, item)) for item in counted)
    return round(100 * filled / len(counted))


def text_field(scenario: Scenario, field_id: str) -> tuple[DeliverableField, list[Round]] | None:
    """Return a text field by id and every round whose deliverable lists it, or None."""
    found: DeliverableField | None = None
    rounds: list[Round] = []
    for round_ in scenario.rounds:
        for item in round_.deliverable:
            if item.id == field_id and item.kind == "text":
                found = found or item
                rounds.append(round_)
    return (found, rounds) if found else None
