"""Per-client views: JSON-able dicts with camelCase keys, each holding only what its reader may see.

A learner's view never holds another team's work, unpublished scores, inject expected
responses, or the hidden truth of the scenario before the debrief.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import fields
from typing import Any

from practicum.engine import budget, deliverable, shared_text
from practicum.engine.activity import ACTIVITY_IN_VIEW, ACTIVITY_ON_BOARD, entries
from practicum.engine.allowed import allowed_commands
from practicum.engine.evolve import stamp_key
from practicum.engine.plan import plan_for, plan_to_dict
from practicum.engine.scores import published_total
from practicum.engine.settings import Settings, round_minutes, team_size
from practicum.engine.shared_text import field_text
from practicum.engine.stage import stage_mode
from practicum.engine.state import (
    CLOSED,
    DEBRIEF,
    ROUND,
    DiagnosticRun,
    PilotRun,
    SessionState,
    Stamp,
    Team,
    current_round,
    is_frozen,
)
from practicum.scenario.model import Round, Scenario

CHAT_IN_VIEW = 200  # newest messages sent with a learner's view; older ones stay in the log
# The console shows a team's last 30 messages; a board carries every team, so each holds no more.
CHAT_ON_BOARD = 30


def _remaining(state: SessionState, now: float | None) -> float | None:
    if state.remaining is not None:
        return state.remaining
    if state.deadline is not None and now is not None:
        return max(0.0, state.deadline - now)
    return None


def leaderboard(state: SessionState) -> list[dict[str, Any]]:
    """Return teams ranked by their totals over the published rounds (empty before any)."""
    if not state.published:
        return []
    totals = [(team, published_total(state, team)) for team in state.teams.values()]
    board = []
    for team, total in sorted(totals, key=lambda pair: -pair[1]):
        rank = 1 + sum(other > total for _, other in totals)
        board.append({"team": team.id, "name": team.name, "points": total, "rank": rank})
    return board


def public_view(
    scenario: Scenario, state: SessionState, now: float | None = None
) -> dict[str, Any]:
    """Return what everyone in the session may see: phase, round, clock, teams, leaderboard.

    With ``now`` the seconds left are filled in for a running clock too.
    """
    round_ = current_round(scenario, state)
    low, limit = team_size(scenario, state.settings)
    return {
        "sessionId": state.session_id,
        "joinCode": state.join_code,
        "scenarioId": scenario.id,
        "title": scenario.title,
        "phase": state.phase,
        "seq": state.seq,
        "roundCount": len(scenario.rounds),
        "round": None
        if round_ is None
        else {
            "index": state.round_index,
            "id": round_.id,
            "name": round_.name,
            "phase": round_.phase,
            "minutes": round_minutes(round_, state.settings),
            "onTimeout": round_.on_timeout,
            "locked": round_.id in state.locked_rounds,
        },
        "deadline": state.deadline,
        "paused": state.paused,
        "remaining": _remaining(state, now),
        "teams": [
            {
                "id": t.id,
                "name": t.name,
                "members": len(t.members),
                "locked": t.locked,
                "full": len(t.members) >= limit,
            }
            for t in state.teams.values()
        ],
        "publishedRounds": [r.id for r in scenario.rounds if r.id in state.published],
        "teamChangesAllowed": state.team_changes_allowed,
        "teamSize": {"min": low, "max": limit},
        # Switched off at creation: each team still sees its own published scores.
        "leaderboard": leaderboard(state) if state.settings.leaderboard else [],
    }


def _resources(amount: Any) -> dict[str, float]:
    return amount.to_dict()


def _paid_run(run: DiagnosticRun | PilotRun) -> dict[str, Any]:
    """Return who ran a diagnostic or a pilot, in which round, when, and what it cost."""
    return {
        "ranBy": {"learnerId": run.learner_id, "name": run.learner_name},
        "round": run.round,
        "at": run.at,
        "cost": _resources(run.cost),
    }


def _budget(scenario: Scenario, team: Team) -> dict[str, Any]:
    interventions = budget.interventions_cost(scenario, team)
    return {
        "granted": _resources(team.granted),
        "diagnostics": _resources(team.spent),
        "interventions": interventions,
        "spent": _resources(budget.committed(scenario, team)),
        "left": _resources(budget.left(scenario, team)),
    }


def _score_view(score: Any) -> dict[str, Any]:
    return {
        "round": score["round"],
        "total": score["total"],
        "max": score["max"],
        "comment": score.get("comment", ""),
        "components": score["components"],
    }


def _debrief(scenario: Scenario, team: Team) -> dict[str, Any]:
    return {
        "outcome": team.outcome,
        "causes": [
            {
                "id": c.id,
                "label": c.label,
                "cell": c.cell,
                "level": c.level,
                "truth": c.truth,
                "gapShare": c.gap_share,
                "debrief": c.debrief,
            }
            for c in scenario.causes
        ],
        "yourPlan": plan_to_dict(plan_for(team)),
        "expertPlan": plan_to_dict(scenario.expert_plan),
        "sponsorPlan": plan_to_dict(scenario.sponsor_plan) if scenario.sponsor_plan else None,
        "objectives": objectives_view(scenario),
    }


def objectives_view(scenario: Scenario) -> list[dict[str, Any]]:
    """Return each learning objective (format v2) with the rubric components that assess it."""
    return [
        {
            "id": o.id,
            "text": o.text,
            "components": [
                {"id": c.id, "name": c.name, "round": c.round, "weight": c.weight}
                for c in scenario.rubric
                if o.id in c.objectives
            ],
        }
        for o in scenario.objectives
    ]


# Every Team field a team body reads, chat and activity aside (they travel as appended entries;
# the caller decides how many to add).
_APPENDED = ("chat", "activity")
_TEAM_FIELDS = tuple(f.name for f in fields(Team) if f.name not in _APPENDED)


def team_view_inputs(state: SessionState, team: Team) -> tuple[Any, ...]:
    """Return everything a team's view is built from except its chat and activity feed.

    States are immutable and share what an event did not change, so two calls whose inputs are
    the same objects (compare with `same_inputs`) yield equal views: a caller may keep the view
    it built and skip building it again, e.g. after a chat message, which changes only the chat.
    Keep this in step with `_team_body`: it must list every part of the state the body reads.
    """
    return (
        *(getattr(team, name) for name in _TEAM_FIELDS),
        state.learners,  # members' names
        state.phase,
        state.paused,  # allowed commands: no editing while the clock is paused
        state.round_index,
        state.locked_rounds,  # is_frozen
        state.published,  # which scores a team sees
        state.team_changes_allowed,  # allowed commands
    )


def same_inputs(old: tuple[Any, ...] | None, new: tuple[Any, ...]) -> bool:
    """Return whether two `team_view_inputs` results hold the very same objects."""
    return (
        old is not None
        and len(old) == len(new)
        and all(a is b for a, b in zip(old, new, strict=True))
    )


def chat_messages(team: Team, limit: int) -> list[dict[str, Any]]:
    """Return a team's newest chat messages, oldest first, each with its index ``n`` in the chat."""
    recent = team.chat.recent(limit)
    first = len(team.chat) - len(recent)
    return [
        {"n": first + i, "learnerId": m.learner_id, "name": m.name, "text": m.text, "at": m.at}
        for i, m in enumerate(recent)
    ]


def _by(state: SessionState, stamp: Stamp | None) -> dict[str, Any] | None:
    """Return who last changed an item, as a view shows it, or None when nobody is known."""
    if stamp is None:
        return None
    learner = state.learners.get(stamp.learner_id)
    name = learner.name if learner is not None else None
    return {"learnerId": stamp.learner_id, "name": name, "at": stamp.at}


def _stamps_of(state: SessionState, team: Team, kind: str) -> dict[str, dict[str, Any]]:
    """Return ``{item id: by}`` for every stamp of one kind ("ruled", "text")."""
    prefix = kind + ":"
    return {
        key.removeprefix(prefix): by
        for key, stamp in team.stamps.items()
        if key.startswith(prefix) and (by := _by(state, stamp)) is not None
    }


def _round_entry(
    scenario: Scenario, state: SessionState, team: Team, round_: Round, current: bool
) -> dict[str, Any]:
    submission = team.submissions.get(round_.id)
    return {
        "id": round_.id,
        "name": round_.name,
        "index": scenario.round_index(round_.id),
        "current": current,
        "reopened": round_.id in team.reopened,
        "frozen": is_frozen(state, team, round_.id),
        "submission": None
        if submission is None
        else {
            "auto": submission.auto,
            "by": submission.by,
            "at": submission.at,
            "reason": submission.reason,
        },
        "actions": list(round_.actions),
        "deliverable": [
            {
                "id": item.id,
                "kind": item.kind,
                "label": item.label,
                "required": item.required,
                "maxLength": item.max_length if item.kind == "text" else None,
            }
            for item in round_.deliverable
        ],
        "completeness": deliverable.completeness(team, round_),
        "missing": [item.id for item in deliverable.missing(team, round_)],
    }


def workable_rounds(scenario: Scenario, state: SessionState, team: Team) -> list[dict[str, Any]]:
    """Return the rounds a team may work on now: reopened earlier ones, then the current one.

    An earlier round counts while the facilitator has reopened it for the team and the team
    has not resubmitted it; the current one counts during a round (frozen or not).
    """
    if state.phase != ROUND:
        return []
    current = scenario.rounds[state.round_index]
    earlier = [
        r
        for r in scenario.rounds[: state.round_index]
        if r.id in team.reopened and r.id not in team.submissions
    ]
    return [
        *(_round_entry(scenario, state, team, r, False) for r in earlier),
        _round_entry(scenario, state, team, current, True),
    ]


def team_allowed(scenario: Scenario, state: SessionState, team: Team) -> list[str]:
    """Return the commands the team's members may send now (the same for every member)."""
    return allowed_commands(scenario, state, team.members[0]) if team.members else []


def _allowed_inputs(state: SessionState, team: Team) -> tuple[Any, ...]:
    """Return every part of the state the commands' guards read (see `allowed_commands`).

    Keep this in step with the guards: phase, pause, round, the member they are asked for
    (`team_allowed` asks for the first; the guards read that learner and their team, never the
    others, so a join elsewhere in the session changes nothing), frozen rounds, team changes,
    and the team's members, injects, reopened rounds, submissions and lock. A text edit or a
    chat message changes none of them.
    """
    return (
        state.phase,
        state.paused,
        state.round_index,
        state.learners.get(team.members[0]) if team.members else None,
        state.locked_rounds,
        state.team_changes_allowed,
        team.members,
        team.injects,
        team.reopened,
        team.submissions,
        team.locked,
    )


def _part(
    memo: MutableMapping[str, Any] | None,
    name: str,
    inputs: tuple[Any, ...],
    build: Callable[[], Any],
) -> Any:
    """Return ``build()``, or the part kept in ``memo`` under ``name`` while ``inputs`` (every
    part of the state the build reads) are the very same objects.

    A keystroke burst rebuilds its team's view once per edit and changes only the texts and
    who wrote them; probing every command's guard for ``allowed`` alone was half of building
    a view (bench/README.md).
    """
    if memo is None:
        return build()
    kept = memo.get(name)
    if kept is None or not same_inputs(kept[0], inputs):
        kept = (inputs, build())
        memo[name] = kept
    return kept[1]


def _team_body(
    scenario: Scenario,
    state: SessionState,
    team: Team,
    *,
    all_scores: bool,
    chat_limit: int,
    activity_limit: int = ACTIVITY_IN_VIEW,
    memo: MutableMapping[str, Any] | None = None,
) -> dict[str, Any]:
    round_ = current_round(scenario, state)
    stamps = team.stamps
    names = {p.id: p.name for p in scenario.stakeholders}
    body: dict[str, Any] = {
        "id": team.id,
        "name": team.name,
        "locked": team.locked,
        "members": _part(
            memo,
            "members",
            (team.members, state.learners),
            lambda: [
                {"learnerId": lid, "name": state.learners[lid].name}
                for lid in team.members
                if lid in state.learners
            ],
        ),
        "budget": _part(
            memo,
            "budget",
            (team.granted, team.spent, team.interventions),
            lambda: _budget(scenario, team),
        ),
        "stances": [
            {"stakeholder": sid, "name": names.get(sid, sid), "stance": stance}
            for sid, stance in team.stances.items()
        ],
        "diagnostics": _part(
            memo,
            "diagnostics",
            (team.diagnostics,),
            lambda: [
                {
                    "diagnostic": run.diagnostic,
                    "name": scenario.diagnostic(run.diagnostic).name,
                    "method": scenario.diagnostic(run.diagnostic).method,
                    "finding": run.finding,
                    **_paid_run(run),
                }
                for run in team.diagnostics
            ],
        ),
        "pilots": [
            {
                "intervention": run.intervention,
                "measures": dict(run.measures),
                "report": run.report,
                **_paid_run(run),
            }
            for run in team.pilots
        ],
        "unlocked": sorted(team.unlocked),
        "evidence": [
            {
                "diagnostic": d,
                "cause": c,
                "stance": s,
                "by": _by(state, stamps.get(stamp_key("evidence", d, c))),
            }
            for (d, c), s in team.evidence.items()
        ],
        "causes": [
            {
                "cause": c.cause,
                "label": scenario.cause(c.cause).label,
                "cell": c.cell,
                "confidence": c.confidence,
                "by": _by(state, stamps.get(stamp_key("cause", c.cause))),
            }
            for c in team.causes.values()
        ],
        "ruledOut": list(team.ruled_out),
        "ruledOutBy": {
            cause: by
            for cause, by in _stamps_of(state, team, "ruled").items()
            if cause in team.ruled_out
        },
        "interventions": [
            {
                "intervention": i.id,
                "name": scenario.intervention(i.id).name,
                "startWeek": i.start_week,
                "oneOff": scenario.intervention(i.id).cost.one_off,
                "perQuarter": scenario.intervention(i.id).cost.per_quarter,
                "cost": budget.intervention_cost(
                    scenario, scenario.intervention(i.id), i.start_week
                ),
                "by": _by(state, stamps.get(stamp_key("intervention", i.id))),
            }
            for i in team.interventions.values()
        ],
        "metrics": [
            {
                "metric": m.id,
                "name": scenario.metric(m.id).name,
                "target": m.target,
                "by": _by(state, stamps.get(stamp_key("metric", m.id))),
            }
            for m in team.metrics.values()
        ],
        "isolation": team.isolation,
        "isolationBy": _by(state, stamps.get("isolation")) if team.isolation else None,
        "chat": chat_messages(team, chat_limit),
        "chatCount": len(team.chat),
        "activity": entries(team.activity, activity_limit),
        "activityCount": len(team.activity),
        "reactions": [
            {
                "stakeholder": r.stakeholder,
                "intervention": r.intervention,
                "text": r.text,
                "at": r.at,
            }
            for r in team.reactions
        ],
        "ready": [lid for lid in team.members if lid in team.ready],
        "allowed": _part(
            memo,
            "allowed",
            _allowed_inputs(state, team),
            lambda: team_allowed(scenario, state, team),
        ),
        "submissions": _part(
            memo,
            "submissions",
            (team.submissions,),
            lambda: {
                rid: {
                    "auto": s.auto,
                    "at": s.at,
                    "by": s.by,
                    "reason": s.reason,  # an automatic one: closed by "timeout" or "advance"
                    "snapshot": dict(s.snapshot),
                }
                for rid, s in team.submissions.items()
            },
        ),
        "scores": _part(
            memo,
            "scores",
            (team.scores, state.published, all_scores),
            lambda: {
                rid: _score_view(score)
                for rid, score in team.scores.items()
                if all_scores or rid in state.published
            },
        ),
        "debrief": _debrief(scenario, team) if state.phase in (DEBRIEF, CLOSED) else None,
        **_text_parts(scenario, state, team, round_),
    }
    return body


def _text_parts(
    scenario: Scenario, state: SessionState, team: Team, round_: Round | None
) -> dict[str, Any]:
    """Return the parts of a team body that read the team's texts or who edited them."""
    return {
        "texts": {k: v for k, v in team.texts.items() if not k.startswith("inject:")},
        # Deliverable fields and "inject:<id>" replies: who last edited each.
        "textMeta": _stamps_of(state, team, "text"),
        "injects": [
            {
                "inject": fired.inject,
                "title": fired.title,
                "sender": fired.sender,
                "channel": fired.channel,
                "text": fired.text,
                "round": fired.round,
                "at": fired.at,
                "response": team.texts.get(f"inject:{fired.inject}", ""),
            }
            for fired in team.injects
        ],
        "rounds": workable_rounds(scenario, state, team),  # completeness reads every choice
        "draft": None
        if round_ is None or state.phase != ROUND
        else {
            "round": round_.id,
            "frozen": is_frozen(state, team, round_.id),
            "completeness": deliverable.completeness(team, round_),
            "missing": [f.id for f in deliverable.missing(team, round_)],
        },
    }


# What a text edit changes in a team (`record_text_edit`): its texts, their CRDT histories, and
# the "text:<field>" stamps.
_TEXT_EDITED = frozenset(
    i for i, name in enumerate(_TEAM_FIELDS) if name in ("texts", "docs", "stamps")
)
_STAMPS = _TEAM_FIELDS.index("stamps")
_TEXT_STAMP = stamp_key("text", "")


def _only_text_stamps_differ(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Return whether two stamp mappings hold the same objects but for "text:" keys."""
    missing = object()
    if any(
        old.get(key, missing) is not stamp and not key.startswith(_TEXT_STAMP)
        for key, stamp in new.items()
    ):
        return False
    return all(key in new or key.startswith(_TEXT_STAMP) for key in old)


def team_view_after_text_edit(
    scenario: Scenario,
    state: SessionState,
    team_id: str,
    old_inputs: tuple[Any, ...] | None,
    new_inputs: tuple[Any, ...],
    old_view: Mapping[str, Any],
) -> dict[str, Any] | None:
    """Return ``old_view`` brought up to date after edits of the team's texts alone, or None.

    ``old_view`` is a `team_view` built from ``old_inputs`` (`team_view_inputs`); when nothing
    but the texts, their histories and their "text:" stamps changed since, only the parts that
    read them are rebuilt. Four of five messages of a session are such edits (bench/README.md).
    Chat and activity are left as they were: callers send them as appended entries. None
    means more changed (or a debrief, whose plan reads the texts, is shown): build the
    view anew.
    """
    if old_inputs is None or len(old_inputs) != len(new_inputs) or old_view.get("debrief"):
        return None
    for index, (before, after) in enumerate(zip(old_inputs, new_inputs, strict=True)):
        if before is not after and index not in _TEXT_EDITED:
            return None
    stamps_before, stamps_after = old_inputs[_STAMPS], new_inputs[_STAMPS]
    if stamps_before is not stamps_after and not _only_text_stamps_differ(
        stamps_before, stamps_after
    ):
        return None
    team = state.teams[team_id]
    return {**old_view, **_text_parts(scenario, state, team, current_round(scenario, state))}


def team_view(
    scenario: Scenario,
    state: SessionState,
    team_id: str,
    chat_limit: int = CHAT_IN_VIEW,
    activity_limit: int = ACTIVITY_IN_VIEW,
    memo: MutableMapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Return one team's private view: its work, budget, messages, published scores.

    ``memo``, a dict the caller keeps for this team between calls, lets parts whose inputs did
    not change be reused (they must then be treated as read-only).
    """
    team = state.teams[team_id]
    return _team_body(
        scenario,
        state,
        team,
        all_scores=False,
        chat_limit=chat_limit,
        activity_limit=activity_limit,
        memo=memo,
    )


def learner_view(
    scenario: Scenario, state: SessionState, learner_id: str, now: float | None = None
) -> dict[str, Any]:
    """Return a learner's view: ``public``, their ``team`` (or None), ``me`` and ``allowed``.

    ``allowed`` lists the commands the learner may send now; a team member finds the same
    list, kept up to date by patches, in ``team.allowed``.
    """
    learner = state.learners.get(learner_id)
    team_id = learner.team if learner else None
    return {
        "public": public_view(scenario, state, now),
        "team": team_view(scenario, state, team_id) if team_id in state.teams else None,
        "me": None
        if learner is None
        else {"learnerId": learner.id, "name": learner.name, "team": learner.team},
        "allowed": allowed_commands(scenario, state, learner_id),
    }


def progress(scenario: Scenario, state: SessionState, team: Team) -> dict[str, Any]:
    """Return the facilitator's one-line summary of a team (online members come from the server)."""
    round_ = current_round(scenario, state)
    in_round = round_ is not None and state.phase == ROUND
    submission = team.submissions.get(round_.id) if round_ is not None else None
    return {
        "team": team.id,
        "name": team.name,
        "members": list(team.members),
        "budgetSpent": _resources(budget.committed(scenario, team)),
        "diagnosticsRun": len(team.diagnostics),
        "completeness": deliverable.completeness(team, round_) if in_round else None,
        # Only the team's own submission counts as submitted; a draft the clock (or an
        # advance) closed is "auto", and a round with neither is "open" (or "locked").
        "submitted": submission is not None and not submission.auto,
        "autoSubmitted": submission is not None and submission.auto,
        "status": _status(state, team, round_, submission),
        "frozen": is_frozen(state, team, round_.id) if in_round else None,
        "ready": [lid for lid in team.members if lid in team.ready],
    }


def _status(state: SessionState, team: Team, round_: Round | None, submission: Any) -> str | None:
    """Return "submitted", "auto_submitted", "locked", "open", or None in the lobby."""
    if round_ is None:
        return None
    if submission is not None:
        return "auto_submitted" if submission.auto else "submitted"
    if is_frozen(state, team, round_.id) == "locked":
        return "locked"
    return "open"


def _board_team(
    scenario: Scenario,
    state: SessionState,
    team: Team,
    chat_limit: int,
    parts: MutableMapping[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        **_team_body(
            scenario,
            state,
            team,
            all_scores=True,
            chat_limit=chat_limit,
            activity_limit=ACTIVITY_ON_BOARD,
            memo=parts,
        ),
        "outcome": team.outcome,
        "plan": plan_to_dict(plan_for(team)),
    }


def _board_teams(
    scenario: Scenario,
    state: SessionState,
    chat_limit: int,
    memo: MutableMapping[str, Any] | None,
) -> list[dict[str, Any]]:
    if memo is None:
        return [_board_team(scenario, state, team, chat_limit) for team in state.teams.values()]
    bodies = []
    for team in state.teams.values():
        inputs = (*team_view_inputs(state, team), team.chat, team.activity, chat_limit)
        kept = memo.get(team.id)
        if kept is None or not same_inputs(kept[0], inputs):
            # The parts of the body an action left alone are reused (see `_part`).
            parts = kept[2] if kept is not None else {}
            kept = (inputs, _board_team(scenario, state, team, chat_limit, parts), parts)
            memo[team.id] = kept
        bodies.append(kept[1])
    for team_id in [t for t in list(memo) if t not in state.teams]:
        memo.pop(team_id, None)
    return bodies


def facilitator_view(
    scenario: Scenario,
    state: SessionState,
    now: float | None = None,
    chat_limit: int = CHAT_ON_BOARD,
    memo: MutableMapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Return everything: all teams in full, score drafts, the answer key, inject scripts.

    ``memo``, a dict the caller keeps between calls for one session, lets a team whose inputs
    did not change reuse the body built last time (bodies must then be treated as read-only).
    """
    round_index = state.round_index
    return {
        "public": public_view(scenario, state, now),
        "learners": [
            {"learnerId": lr.id, "name": lr.name, "team": lr.team, "joinedAt": lr.joined_at}
            for lr in state.learners.values()
        ],
        "teams": _board_teams(scenario, state, chat_limit, memo),
        "progress": [progress(scenario, state, team) for team in state.teams.values()],
        "scoreboard": [
            {
                "team": team.id,
                "name": team.name,
                "rounds": {
                    rid: {"total": s["total"], "max": s["max"], "published": rid in state.published}
                    for rid, s in team.scores.items()
                },
            }
            for team in state.teams.values()
        ],
        "injects": [
            {
                "id": i.id,
                "title": i.title,
                "round": i.round,
                "trigger": i.trigger,
                "sender": i.sender,
                "channel": i.channel,
                "text": i.text,
                "expectedResponse": i.expected_response,
                "component": i.component,
                "when": None
                if i.when is None
                else {"type": i.when.type, "id": i.when.id, "fraction": i.when.fraction},
                "firedOn": [t.id for t in state.teams.values() if t.received(i.id)],
            }
            for i in scenario.injects
        ],
        "diagnostics": [
            {
                "id": d.id,
                "name": d.name,
                "method": d.method,
                "opensIn": d.opens_in,
                "open": scenario.round_index(d.opens_in) <= round_index,
                "locked": d.locked,
                "redHerring": d.red_herring,
                "ranBy": [t.id for t in state.teams.values() if t.ran(d.id)],
            }
            for d in scenario.diagnostics
        ],
        "answerKey": [
            {
                "id": c.id,
                "label": c.label,
                "cell": c.cell,
                "truth": c.truth,
                "gapShare": c.gap_share,
            }
            for c in scenario.causes
        ],
        "expertPlan": plan_to_dict(scenario.expert_plan),
        # The facilitator's debrief notes: on the board only, never in a learner's view.
        "debriefNotes": scenario.debrief_notes,
        # What the room's screen shows now, and what the facilitator chose (null: follow).
        "stage": {"mode": stage_mode(state), "chosen": state.stage_mode},
        "settings": settings_view(scenario, state.settings),
    }


def settings_view(scenario: Scenario, settings: Settings) -> dict[str, Any]:
    """Return the session's settings as the console and the exports show them."""
    low, high = team_size(scenario, settings)
    return {
        "minutesScale": settings.minutes_scale,
        "roundMinutes": {r.id: round_minutes(r, settings) for r in scenario.rounds},
        "teamSize": {"min": low, "max": high},
        "disabledInjects": sorted(settings.disabled_injects),
        "leaderboard": settings.leaderboard,
    }


def shared_text_keys(scenario: Scenario, team: Team) -> list[str]:
    """Return the keys of a team's shared text fields: deliverable texts, received injects."""
    keys = dict.fromkeys(
        item.id for r in scenario.rounds for item in r.deliverable if item.kind == "text"
    )
    keys.update(dict.fromkeys(f"inject:{fired.inject}" for fired in team.injects))
    return list(keys)


def text_sync(
    scenario: Scenario, state: SessionState, team_id: str, wanted: Mapping[str, str]
) -> dict[str, Any]:
    """Answer a team member's sync request: per field, what they lack and the server's vector.

    ``wanted`` maps field keys to the base64 state vector the client holds ('' for none); an
    empty mapping asks for every shared field of the team. Unknown fields are listed apart.
    Raise shared_text.BadUpdate for an unreadable state vector.
    """
    team = state.teams[team_id]
    known = shared_text_keys(scenario, team)
    asked = list(wanted) or known
    docs: dict[str, Any] = {}
    for key in asked:
        if key not in known:
            continue
        vector = wanted.get(key) or ""
        client_vector = shared_text.decode_b64(vector) if vector else None
        update, server_vector = field_text(team.docs, key).sync(client_vector)
        docs[key] = {"update": update, "stateVector": server_vector}
    return {"docs": docs, "unknown": [key for key in asked if key not in known]}
