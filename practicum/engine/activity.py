"""The team activity feed: who did what, as short sentences built while events are folded.

Texts name only what the team itself can see (public labels of diagnostics, causes,
interventions, metrics, its own injects): never a finding's hidden weight or a cause's truth.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from practicum.engine.state import (
    ActivityEntry,
    ActivityLog,
    Resources,
    SessionState,
    Stamp,
    Team,
)
from practicum.scenario.model import Scenario

ACTIVITY_IN_VIEW = 50  # newest entries sent with a team view; older ones stay in the log
ACTIVITY_ON_BOARD = 20  # a board carries every team, so each holds fewer
SOMEONE = "A teammate"  # the actor of an event from a log that predates `by`

# Entry kinds (stable: clients may pick an icon by kind).
KINDS = (
    "diagnostic",
    "evidence",
    "cause_declared",
    "cause_withdrawn",
    "cause_ruled_out",
    "cause_ruled_in",
    "intervention_added",
    "intervention_removed",
    "metric_chosen",
    "metric_dropped",
    "isolation",
    "text",
    "submitted",
    "auto_submitted",
    "reopened",
    "ready",
    "inject",
    "joined",
    "left",
)


def label(items: Iterable[Any], item_id: str | None, attribute: str = "name") -> str:
    """Return an item's public name by id (the id itself for one the scenario lacks)."""
    for item in items:
        if item.id == item_id:
            return str(getattr(item, attribute))
    return str(item_id)


def learner_name(state: SessionState, learner_id: str | None) -> str:
    """Return a learner's display name, or a neutral word when unknown."""
    learner = state.learners.get(learner_id or "")
    return learner.name if learner is not None else SOMEONE


def stamp_name(state: SessionState, stamp: Stamp | None) -> str | None:
    """Return the name of whoever a stamp names, or None."""
    return None if stamp is None else learner_name(state, stamp.learner_id)


def cost_text(cost: Resources, currency: str) -> str:
    """Return a cost as words: "1 point", "2 points, EUR 500, 1 day"; "" when free."""
    parts = []
    if cost.points:
        parts.append(f"{cost.points:g} point{'' if cost.points == 1 else 's'}")
    if cost.cash:
        parts.append(f"{currency} {cost.cash:,.0f}")
    if cost.analysis:
        parts.append(f"{currency} {cost.analysis:,.0f} of analysis budget")
    if cost.days:
        parts.append(f"{cost.days:g} day{'' if cost.days == 1 else 's'}")
    return ", ".join(parts)


def whose(state: SessionState, stamp: Stamp | None, by: str | None, verb: str) -> str:
    """Return " (added by Ben)" when a teammate other than ``by`` made the choice, else ""."""
    if stamp is None or stamp.learner_id == by:
        return ""
    return f" ({verb} by {learner_name(state, stamp.learner_id)})"


def noted(
    state: SessionState,
    team: Team,
    kind: str,
    by: str | None,
    text: str,
    at: float | None,
    subject: str | None = None,
) -> ActivityLog:
    """Return the team's activity with one more entry (the name is read off the state)."""
    name = learner_name(state, by) if by else ""
    return team.activity.append(ActivityEntry(kind, by, name, text, at, subject))


# Two people writing one field take turns for minutes: one entry per person and field while
# they keep at it, not one per turn (a feed of "Ana edited… Ben edited… Ana edited…").
EDIT_QUIET_SECONDS = 600.0
EDIT_LOOKBACK = 20


def edit_run_continues(team: Team, by: str | None, subject: str, at: float | None = None) -> bool:
    """Return whether this person's edit of this field is already in the feed, recently.

    True when, among the newest entries of the last ten minutes (or the newest one when the
    time is unknown), this person edited this same text field.
    """
    node = team.activity
    for _ in range(EDIT_LOOKBACK):
        newest = node.last if node is not None else None
        if newest is None:
            return False
        if newest.kind == "text" and newest.learner_id == by and newest.subject == subject:
            return True
        if at is None or newest.at is None or at - newest.at > EDIT_QUIET_SECONDS:
            return False
        node = node.previous
    return False


def text_label(scenario: Scenario, field_id: str) -> str:
    """Return what a text key is called: a deliverable field's label or an inject's reply."""
    if field_id.startswith("inject:"):
        inject_id = field_id.removeprefix("inject:")
        return f"the reply to {label(scenario.injects, inject_id, 'title')}"
    for round_ in scenario.rounds:
        for item in round_.deliverable:
            if item.id == field_id:
                return item.label
    return field_id


def entries(log: ActivityLog, limit: int) -> list[dict[str, Any]]:
    """Return the newest entries, oldest first, each with its index ``n`` in the feed."""
    recent = log.recent(limit)
    first = len(log) - len(recent)
    return [
        {
            "n": first + i,
            "kind": e.kind,
            "learnerId": e.learner_id,
            "name": e.name,
            "text": e.text,
            "at": e.at,
        }
        for i, e in enumerate(recent)
    ]
