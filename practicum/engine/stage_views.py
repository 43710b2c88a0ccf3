"""The stage's view: what a projector in the room shows, built from public data only.

The stage is a shared display anyone in the room can read (and anyone holding its link can
open): never a team's work, chat or scores before the reveal, never the answer key, the expert
plan's contents, inject scripts or facilitator notes.
"""

from __future__ import annotations

from typing import Any

from practicum.engine.settings import team_size
from practicum.engine.stage import DEBRIEF_MODE, LEADERBOARD_MODE, SCORING_MODE, stage_mode
from practicum.engine.state import ROUND, SessionState, current_round
from practicum.engine.views import leaderboard
from practicum.scenario.model import Scenario


def _latest_inject(scenario: Scenario, state: SessionState) -> dict[str, Any] | None:
    """Return the newest inject fired in this round: title, sender, channel, how many teams."""
    opened = state.round_opened_at if state.round_opened_at is not None else float("-inf")
    fired = [
        (f.at, i, f) for t in state.teams.values() for i, f in enumerate(t.injects)
        if f.at >= opened
    ]
    if not fired:
        return None
    # Ties (injects fired in one instant) go to the one a team received last.
    latest = max(fired, key=lambda item: item[:2])[2]
    fired_ = [f for _at, _i, f in fired]
    return {
        "inject": latest.inject,
        "title": latest.title,
        "sender": _sender(scenario, latest.sender),
        "channel": latest.channel,
        "at": latest.at,
        "teams": sum(1 for f in fired_ if f.inject == latest.inject),
    }


def _sender(scenario: Scenario, sender: str) -> str:
    """Return who sent an inject as people read it: "Name, role" for a stakeholder id."""
    for person in scenario.stakeholders:
        if person.id == sender:
            return f"{person.name}, {person.role}"
    return sender


def _scoring(scenario: Scenario, state: SessionState) -> list[dict[str, Any]]:
    """Return, per round played, how many teams are scored (counts only, never points)."""
    played = scenario.rounds[: state.round_index + 1] if state.round_index >= 0 else ()
    return [
        {
            "round": r.id,
            "name": r.name,
            "scored": sum(1 for t in state.teams.values() if r.id in t.scores),
            "teams": len(state.teams),
            "published": r.id in state.published,
        }
        for r in played
    ]


def _debrief(scenario: Scenario, state: SessionState) -> dict[str, Any]:
    """Return the story of the debrief: outcomes by KPI, ROI per team, who found which cause."""
    outcomes = [(t, t.outcome) for t in state.teams.values() if t.outcome]
    # Doing nothing and the expert plan do not depend on the team: any stored outcome has them.
    reference = outcomes[0][1] if outcomes else None
    kpis = []
    for kpi in scenario.kpis:
        kpis.append(
            {
                "id": kpi.id,
                "name": kpi.name,
                "unit": kpi.unit,
                "direction": kpi.direction,
                "target": kpi.target,
                "nothing": list(reference["nothing"]["kpis"].get(kpi.id, ())) if reference else [],
                "expert": list(reference["expert"]["kpis"].get(kpi.id, ())) if reference else [],
                "teams": [
                    {
                        "team": t.id,
                        "name": t.name,
                        "values": list(o["plan"]["kpis"].get(kpi.id, ())),
                    }
                    for t, o in outcomes
                ],
            }
        )
    # Learners see every cause's verdict in their debrief; the stage shows less: the causes
    # that were real, most important first, and which teams named them (no shares, no notes).
    real = sorted((c for c in scenario.causes if c.truth != "false"), key=lambda c: -c.gap_share)
    return {
        "quarters": scenario.simulation.quarters,
        "kpis": kpis,
        "roi": [
            {
                "team": t.id,
                "name": t.name,
                "trueRoi": o.get("roi"),
                "reportedRoi": o.get("reportedRoi"),
                "isolationKind": o.get("isolationKind"),
            }
            for t, o in outcomes
        ],
        "expertRoi": reference.get("expertRoi") if reference else None,
        "causes": [
            {
                "id": c.id,
                "label": c.label,
                "foundBy": [
                    {"team": t.id, "name": t.name} for t in state.teams.values() if c.id in t.causes
                ],
            }
            for c in real
        ],
    }


def stage_view(scenario: Scenario, state: SessionState) -> dict[str, Any]:
    """Return the stage's view: public data only, and the debrief and leaderboard when shown.

    The clock is the absolute deadline (or the seconds kept while paused), so the view changes
    only when the session does and a screen counts down on its own.
    """
    mode = stage_mode(state)
    round_ = current_round(scenario, state)
    in_round = state.phase == ROUND and round_ is not None
    return {
        "sessionId": state.session_id,
        "title": scenario.title,
        "joinCode": state.join_code,
        "phase": state.phase,
        "mode": mode,
        "round": None
        if round_ is None
        else {"index": state.round_index, "id": round_.id, "name": round_.name},
        "roundCount": len(scenario.rounds),
        "clock": {
            "deadline": state.deadline,
            "paused": state.paused,
            "remaining": state.remaining,
        },
        "teamSize": dict(zip(("min", "max"), team_size(scenario, state.settings), strict=True)),
        "teams": [
            {"id": t.id, "name": t.name, "members": len(t.members)} for t in state.teams.values()
        ],
        "learners": len(state.learners),
        # Submitted by the team or closed by the clock: either way the round is in.
        "submitted": sum(1 for t in state.teams.values() if round_.id in t.submissions)
        if in_round
        else None,
        "inject": _latest_inject(scenario, state) if in_round else None,
        "scoring": _scoring(scenario, state) if mode == SCORING_MODE else None,
        # Only once the facilitator reveals it: scores stay off the wall until then.
        "leaderboard": leaderboard(state) if mode == LEADERBOARD_MODE else None,
        "debrief": _debrief(scenario, state) if mode == DEBRIEF_MODE else None,
    }
