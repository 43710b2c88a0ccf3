"""Exports a facilitator opens in a spreadsheet: scores with totals and ranks, who did what, and
the event log in words. Built by folding the stored events once, so membership and counts are
as they were at each moment, not as they are now.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from practicum import engine
from practicum.engine.activity import text_label
from practicum.engine.state import ROUND, SessionState
from practicum.scenario.model import Scenario

# A spreadsheet treats a cell starting with one of these as a formula: prefix such user text
# with an apostrophe so a team named "=HYPERLINK(...)" stays text (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Team-work events a learner makes (besides chat and text edits), counted as their actions.
_ACTIONS = frozenset(
    {
        "diagnostic_run",
        "evidence_marked",
        "cause_declared",
        "cause_withdrawn",
        "cause_ruled_out",
        "intervention_selected",
        "intervention_deselected",
        "metric_selected",
        "metric_deselected",
        "isolation_set",
        "round_submitted",
        "ready_marked",
    }
)
_TEXT_EDITS = frozenset({"text_edited", "text_written", "inject_responded"})
# Events the facilitator's commands cause; the clock's own are told apart by their type.
_BY_FACILITATOR = frozenset(
    {
        "session_started",
        "clock_paused",
        "clock_resumed",
        "clock_extended",
        "team_locked",
        "team_changes_allowed",
        "round_reopened",
        "round_scored",
        "scores_published",
        "session_closed",
        "stage_changed",
        "data_erased",
    }
)
WHAT = {
    "session_created": "Session created",
    "session_configured": "Session settings",
    "session_started": "Session started",
    "round_opened": "Round opened",
    "round_timed_out": "Time ran out",
    "round_locked": "Round locked",
    "clock_paused": "Clock paused",
    "clock_resumed": "Clock resumed",
    "clock_extended": "Clock changed",
    "debrief_started": "Debrief started",
    "session_closed": "Session ended",
    "stage_changed": "Stage changed",
    "data_erased": "Personal data erased",
    "learner_joined": "Joined the session",
    "team_created": "Team created",
    "learner_assigned": "Team membership changed",
    "team_locked": "Team lock changed",
    "team_changes_allowed": "Team changes allowed or stopped",
    "diagnostic_run": "Diagnostic run",
    "evidence_marked": "Evidence marked",
    "cause_declared": "Cause declared",
    "cause_withdrawn": "Cause withdrawn",
    "cause_ruled_out": "Cause ruled out or back in",
    "intervention_selected": "Intervention selected",
    "intervention_deselected": "Intervention dropped",
    "metric_selected": "Metric chosen",
    "metric_deselected": "Metric dropped",
    "isolation_set": "Isolation method set",
    "text_edited": "Text edited",
    "text_written": "Text written",
    "inject_fired": "Inject received",
    "inject_responded": "Inject answered",
    "chat_posted": "Chat message",
    "round_submitted": "Round submitted",
    "round_reopened": "Round reopened",
    "ready_marked": "Ready mark",
    "round_scored": "Round scored",
    "scores_published": "Scores published",
    "outcome_computed": "Outcome computed",
}


def iso(epoch: float | None) -> str:
    """Return an epoch time as ISO 8601 in UTC ("2026-11-29T18:04:10Z"), "" for none."""
    if epoch is None or epoch == "":
        return ""
    return datetime.fromtimestamp(float(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rounded(value: Any, digits: int = 1) -> Any:
    """Return points rounded for display (raw values stay in the JSON export)."""
    if value is None or value == "":
        return ""
    return round(float(value), digits)


def cell(value: Any) -> Any:
    """Return a value safe to put in a spreadsheet cell."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(header: list[str], rows: list[list[Any]]) -> str:
    """Return rows as CSV text with a BOM, so spreadsheets read UTF-8 names intact."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[cell(v) for v in row] for row in rows])
    return buffer.getvalue()


@dataclass
class History:
    """What a fold over the stored events learned besides the final state."""

    state: SessionState
    # round id -> team id -> the learners who were in the team while the round ran, in order.
    members: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    # learner id -> Counter of "actions", "chat", "text_edits", "diagnostics", "submissions".
    counts: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    # One entry per stored event: (row, who, team name, what, detail).
    lines: list[tuple[dict[str, Any], str, str, str, str]] = field(default_factory=list)


def fold_history(scenario: Scenario, rows: list[dict[str, Any]]) -> History:
    """Fold a session's stored events, noting membership per round, counts and events in words."""
    state = engine.EMPTY_STATE
    history = History(state)
    seen: tuple[Any, int, str] | None = None
    for row in rows:
        event = engine.Event.from_dict(row)
        before = state
        state = engine.evolve(scenario, state, event)
        history.lines.append((row, *_describe(scenario, before, state, event)))
        _count(history, event)
        # Membership changes only with the learners mapping or the round: skip the rest.
        key = (state.learners, state.round_index, state.phase)
        changed = seen is None or any(a is not b for a, b in zip(seen, key, strict=True))
        if state.phase == ROUND and changed:
            round_id = scenario.rounds[state.round_index].id
            teams = history.members.setdefault(round_id, {})
            for team in state.teams.values():
                members = teams.setdefault(team.id, [])
                members.extend(m for m in team.members if m not in members)
        seen = key
    history.state = state
    return history


def _count(history: History, event: engine.Event) -> None:
    d = event.data
    who = d.get("by") or d.get("learner_id")
    if not who or event.type not in _ACTIONS | _TEXT_EDITS | {"chat_posted"}:
        return
    counts = history.counts[who]
    if event.type == "chat_posted":
        counts["chat"] += 1
    elif event.type in _TEXT_EDITS:
        counts["text_edits"] += 1
    else:
        counts["actions"] += 1
        if event.type == "diagnostic_run":
            counts["diagnostics"] += 1
        if event.type == "round_submitted" and not d.get("auto"):
            counts["submissions"] += 1


def _name(state: SessionState, learner_id: Any) -> str:
    learner = state.learners.get(learner_id or "")
    return learner.name if learner is not None else ""


def _describe(
    scenario: Scenario, before: SessionState, after: SessionState, event: engine.Event
) -> tuple[str, str, str, str]:
    """Return who did an event, the team's name, what it was and its detail, in words."""
    d = event.data
    team = after.teams.get(event.team or d.get("team_id") or "") or before.teams.get(
        event.team or ""
    )
    team_name = team.name if team is not None else ""
    learner_id = d.get("by") or d.get("learner_id")
    if learner_id == "facilitator" or event.type in _BY_FACILITATOR:
        who = "Facilitator"
    elif event.type in ("round_timed_out", "round_locked") or d.get("auto"):
        who = "Clock"
    elif event.type == "inject_fired":
        who = "Facilitator" if d.get("trigger") == "manual" else "Scenario"
    elif learner_id:
        who = _name(after, learner_id) or _name(before, learner_id) or d.get("name", "")
    else:
        who = "Practicum"
    what = WHAT.get(event.type, event.type.replace("_", " ").capitalize())
    # Team work: the sentence the team's own activity feed got for it (public labels only).
    if team is not None and event.team and event.type != "chat_posted":
        old = before.teams.get(event.team)
        if old is None or len(team.activity) > len(old.activity):
            entry = team.activity.last
            if entry is not None:
                return who, team_name, what, entry.text  # the sentence names the actor
    return who, team_name, what, _detail(scenario, after, event)


def _round_name(scenario: Scenario, round_id: Any) -> str:
    try:
        return scenario.round(str(round_id)).name
    except KeyError:
        return str(round_id)


def _detail(scenario: Scenario, state: SessionState, event: engine.Event) -> str:
    """Return a session event's detail in words (team work reads its activity sentence)."""
    d = event.data
    t = event.type
    if t == "session_created":
        return f"From '{scenario.title}', join code {d.get('join_code', '')}"
    if t == "round_opened":
        return f"Round {d['index'] + 1}, '{_round_name(scenario, d['round'])}', {d['minutes']} min"
    if t == "clock_paused":
        return f"{round(d.get('remaining', 0) / 60, 1):g} minutes left"
    if t == "clock_extended":
        return f"{d.get('minutes', 0):+d} minutes"
    if t == "learner_joined":
        return f"{d.get('name', '')} joined"
    if t == "team_created":
        return f"Team '{d.get('name', '')}'"
    if t == "learner_assigned":
        team = state.teams.get(d.get("team") or "")
        name = _name(state, d.get("learner_id"))
        return f"{name} moved to {team.name}" if team is not None else f"{name} left their team"
    if t == "chat_posted":
        return str(d.get("text", ""))
    if t == "inject_fired":
        return f"'{d.get('title', '')}' from {d.get('sender', '')}"
    if t == "round_scored":
        name = _round_name(scenario, d.get("round"))
        return f"{name}: {rounded(d.get('total'))} of {rounded(d.get('max'))} points"
    if t == "scores_published":
        return f"Scores of '{_round_name(scenario, d.get('round'))}' published"
    if t == "outcome_computed":
        outcome = d.get("outcome") or {}
        roi, reported = outcome.get("roi"), outcome.get("reportedRoi")
        words = "no ROI" if roi is None else f"true ROI {roi:.0%}"
        return words + ("" if reported is None else f", reported ROI {reported:.0%}")
    if t in _TEXT_EDITS:
        key = d.get("field") or f"inject:{d.get('inject', '')}"
        return f"Edited {text_label(scenario, key)}"
    if t == "stage_changed":
        return f"The stage shows the {d.get('mode', '')}"
    if t == "session_configured":
        low = d.get("team_min") or scenario.team_size.min
        high = d.get("team_max") or scenario.team_size.max
        parts = [f"rounds at {d.get('minutes_scale', 1):.0%} of their minutes",
                 f"teams of {low} to {high}"]
        if d.get("disabled_injects"):
            parts.append(f"{len(d['disabled_injects'])} injects off")
        parts.append("leaderboard on" if d.get("leaderboard", True) else "leaderboard off")
        return ", ".join(parts)
    if t == "session_started":
        return f"{len(state.teams)} teams, {len(state.learners)} learners"
    if t == "clock_resumed":
        return f"Deadline {iso(d.get('deadline'))}"
    if t in ("debrief_started", "session_closed"):
        return f"After {len(scenario.rounds)} rounds"
    if t == "data_erased":
        return f"{d.get('events', 0)} stored events rewritten"
    if t in ("round_reopened", "round_submitted", "round_timed_out", "round_locked"):
        return _round_name(scenario, d.get("round"))
    if t == "team_locked":
        return "Locked" if d.get("locked") else "Unlocked"
    if t == "team_changes_allowed":
        return "Learners may change team" if d.get("allowed") else "Teams fixed"
    return ""


EVENT_COLUMNS = ["seq", "time_utc", "who", "team", "what", "detail", "type", "action_id"]


def events_csv(scenario: Scenario, rows: list[dict[str, Any]]) -> str:
    """Return the event log as CSV: when, who, which team, what and the detail in words."""
    history = fold_history(scenario, rows)
    return to_csv(
        EVENT_COLUMNS,
        [
            [row["seq"], iso(row.get("at")), who, team, what, detail, row["type"],
             row.get("actionId") or ""]
            for row, who, team, what, detail in history.lines
        ],
    )


SCORE_COLUMNS = [
    "team_rank",
    "team_name",
    "team_total",
    "team_max",
    "round_name",
    "round_total",
    "round_max",
    "component_name",
    "kind",
    "points",
    "max_points",
    "level",
    "computed_points",
    "override_reason",
    "published",
    "members_in_round",
    "explanation",
    "comment",
    "team_id",
    "round_id",
    "component_id",
    "objectives",  # format v2: the learning objectives the component assesses
    "qa_notes",  # format v2: the facilitator's notes on a pitch's Q&A
]


def team_totals(state: SessionState) -> list[tuple[int, Any, float, float]]:
    """Return (rank, team, total scored points, their maximum), best first; ties share a rank."""
    totals = [
        (
            team,
            sum(float(s["total"]) for s in team.scores.values()),
            sum(float(s["max"]) for s in team.scores.values()),
        )
        for team in state.teams.values()
    ]
    ranked = sorted(totals, key=lambda item: -item[1])
    return [
        (1 + sum(other > total for _, other, _ in totals), team, total, most)
        for team, total, most in ranked
    ]


def scores_csv(scenario: Scenario, rows: list[dict[str, Any]]) -> str:
    """Return one row per team per rubric component, with round and team totals and ranks."""
    history = fold_history(scenario, rows)
    state = history.state
    out = []
    for rank, team, total, most in team_totals(state):
        for component in scenario.rubric:
            score = team.scores.get(component.round) or {}
            entry = (score.get("components") or {}).get(component.id) or {}
            override = entry.get("override") or {}
            members = history.members.get(component.round, {}).get(team.id, [])
            out.append(
                [
                    rank,
                    team.name,
                    rounded(total),
                    rounded(most),
                    _round_name(scenario, component.round),
                    rounded(score.get("total")) if score else "",
                    rounded(score.get("max")) if score else "",
                    component.name,
                    component.kind,
                    rounded(entry.get("points")) if score else "",
                    rounded(component.weight),
                    entry.get("level") or "",
                    rounded(entry["computed"]) if "computed" in entry else "",
                    override.get("reason", ""),
                    "yes" if component.round in state.published else "no",
                    "; ".join(_name(state, m) or m for m in members),
                    entry.get("explanation", "" if score else "Not scored yet."),
                    score.get("comment", ""),
                    team.id,
                    component.round,
                    component.id,
                    "; ".join(scenario.objective(o).text for o in component.objectives),
                    entry.get("notes", ""),
                ]
            )
    return to_csv(SCORE_COLUMNS, out)


TEAM_COLUMNS = ["rank", "team_name", "total", "max", "published_total", "members_now"]


def teams_csv(scenario: Scenario, rows: list[dict[str, Any]]) -> str:
    """Return one row per team: rank, total, each round's points and who was in it then."""
    history = fold_history(scenario, rows)
    state = history.state
    header = list(TEAM_COLUMNS)
    for r in scenario.rounds:
        header += [f"{r.name}: points", f"{r.name}: members"]
    out = []
    for rank, team, total, most in team_totals(state):
        published = sum(
            float(s["total"]) for rid, s in team.scores.items() if rid in state.published
        )
        line: list[Any] = [
            rank,
            team.name,
            rounded(total),
            rounded(most),
            rounded(published),
            "; ".join(_name(state, m) for m in team.members),
        ]
        for r in scenario.rounds:
            score = team.scores.get(r.id)
            members = history.members.get(r.id, {}).get(team.id, [])
            line += [
                rounded(score["total"]) if score else "",
                "; ".join(_name(state, m) or m for m in members),
            ]
        out.append(line)
    return to_csv(header, out)


LEARNER_COLUMNS = [
    "learner_name",
    "team_now",
    "actions",
    "chat_messages",
    "text_edits",
    "diagnostics_run",
    "rounds_submitted",
    "joined_utc",
    "learner_id",
]


def learners_csv(scenario: Scenario, rows: list[dict[str, Any]]) -> str:
    """Return one row per learner: what they contributed (actions, chat, text edits) and when."""
    history = fold_history(scenario, rows)
    state = history.state
    out = []
    for learner in state.learners.values():
        counts = history.counts.get(learner.id, Counter())
        team = state.teams.get(learner.team or "")
        out.append(
            [
                learner.name,
                team.name if team is not None else "",
                counts["actions"],
                counts["chat"],
                counts["text_edits"],
                counts["diagnostics"],
                counts["submissions"],
                iso(learner.joined_at),
                learner.id,
            ]
        )
    return to_csv(LEARNER_COLUMNS, out)


# Keys whose numbers are times in a JSON export's board (event data keep epoch seconds: they
# are the facts a replay reads).
_TIME_KEYS = frozenset({"at", "joinedAt", "deadline", "exportedAt", "createdAt"})


def iso_times(value: Any) -> Any:
    """Return a JSON value with every time field (``_TIME_KEYS``) written in ISO 8601."""
    if isinstance(value, dict):
        return {
            k: iso(v) if k in _TIME_KEYS and isinstance(v, int | float) and not isinstance(v, bool)
            else iso_times(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [iso_times(v) for v in value]
    return value
