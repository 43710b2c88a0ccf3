"""Scoring a team's round and publishing scores; the breakdown is stored, never recomputed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from practicum.engine.context import Ctx, handles
from practicum.engine.errors import RuleViolation
from practicum.engine.limits import COMMENT_MAX, LEVEL_MAX, LEVEL_MIN, REASON_MAX
from practicum.engine.plan import plan_for, plan_from_dict, with_live_injects
from practicum.engine.state import LOBBY, SessionState, Team
from practicum.scenario.model import Component, Plan, Round, Scenario

LEVELS = tuple(range(LEVEL_MIN, LEVEL_MAX + 1))


def plan_for_round(team: Team, round_id: str) -> Plan:
    """Return the plan a round is scored on: as submitted (with late inject answers), else live."""
    live = plan_for(team)
    submission = team.submissions.get(round_id)
    if submission is None:
        return live
    return with_live_injects(plan_from_dict(submission.plan), live)


def _round_ref(ctx: Ctx) -> Round:
    if ctx.state.phase == LOBBY:
        raise RuleViolation("phase/lobby")
    round_id = ctx.str_field("round")
    try:
        round_ = ctx.scenario.round(round_id or "")
    except KeyError:
        raise RuleViolation("ref/unknown_round", round=round_id) from None
    if ctx.scenario.round_index(round_.id) > ctx.state.round_index:
        raise RuleViolation("round/not_opened", round=round_.name)
    return round_


def _component(scenario: Scenario, round_: Round, component_id: Any) -> Component:
    found = next(
        (c for c in scenario.rubric if c.id == component_id and c.round == round_.id), None
    )
    if found is None:
        raise RuleViolation("ref/unknown_component", component=component_id, round=round_.name)
    return found


def _mapping(ctx: Ctx, key: str) -> Mapping[str, Any]:
    value = ctx.data.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise RuleViolation("input/invalid", field=key, reason="an object is required")
    return value


def _levels(ctx: Ctx, round_: Round) -> dict[str, int]:
    levels = {}
    for component_id, level in _mapping(ctx, "levels").items():
        component = _component(ctx.scenario, round_, component_id)
        if component.kind != "facilitator":
            raise RuleViolation("score/not_facilitator", component=component.name)
        if isinstance(level, bool) or level not in LEVELS:
            raise RuleViolation("score/level_range", component=component.name)
        levels[component.id] = int(level)
    return levels


def _overrides(ctx: Ctx, round_: Round) -> dict[str, dict[str, Any]]:
    overrides = {}
    for component_id, raw in _mapping(ctx, "overrides").items():
        component = _component(ctx.scenario, round_, component_id)
        points = raw.get("points") if isinstance(raw, Mapping) else None
        if (
            isinstance(points, bool)
            or not isinstance(points, int | float)
            or not 0 <= points <= component.weight
        ):
            raise RuleViolation(
                "score/override_range", component=component.name, max=f"{component.weight:g}"
            )
        reason = raw.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise RuleViolation("score/reason_required", component=component.name)
        if len(reason.strip()) > REASON_MAX:
            raise RuleViolation("text/too_long", field="The reason", max=REASON_MAX)
        overrides[component.id] = {"points": points, "reason": reason.strip()}
    return overrides


def _notes(ctx: Ctx, round_: Round) -> dict[str, str]:
    """Return the facilitator's Q&A notes per component (format v2 pitch rounds)."""
    notes = {}
    for component_id, text in _mapping(ctx, "notes").items():
        component = _component(ctx.scenario, round_, component_id)
        if component.kind != "facilitator":
            raise RuleViolation("score/not_facilitator", component=component.name)
        if not isinstance(text, str):
            raise RuleViolation("input/invalid", field="notes", reason="text is required")
        if len(text.strip()) > COMMENT_MAX:
            raise RuleViolation("text/too_long", field="The Q&A notes", max=COMMENT_MAX)
        if text.strip():
            notes[component.id] = text.strip()
    return notes


def breakdown(
    scenario: Scenario,
    team: Team,
    round_: Round,
    levels: Mapping[str, int],
    overrides: Mapping[str, Mapping[str, Any]],
    notes: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Return the round's score per component: automatic rules, levels, then overrides."""
    from practicum.domain.scoring import auto_score  # domain layer: imported where it is used

    results = auto_score(scenario, plan_for_round(team, round_.id), round_.id)
    components: dict[str, Any] = {}
    for component in scenario.rubric:
        if component.round != round_.id:
            continue
        entry: dict[str, Any] = {"name": component.name, "kind": component.kind}
        if component.kind == "auto":
            result = results.get(component.id)
            entry["points"] = float(result.points) if result else 0.0
            entry["explanation"] = result.explanation if result else "No rule result."
        else:
            level = levels.get(component.id)
            entry["level"] = level
            entry["points"] = component.weight * level / 4 if level else 0.0
            descriptor = next((lv.descriptor for lv in component.levels if lv.level == level), "")
            entry["explanation"] = descriptor if level else "Not scored yet."
            if notes and component.id in notes:
                entry["notes"] = notes[component.id]  # v2: what the Q&A showed
        entry["max"] = float(component.weight)
        override = overrides.get(component.id)
        if override is not None:
            entry["computed"] = entry["points"]
            entry["points"] = float(override["points"])
            entry["override"] = dict(override)
        components[component.id] = entry
    return {
        "components": components,
        "total": sum(c["points"] for c in components.values()),
        "max": sum(c["max"] for c in components.values()),
    }


@handles("score_round")
def score_round(ctx: Ctx) -> None:
    """Score one team's round (rescoring replaces the previous score)."""
    round_ = _round_ref(ctx)
    team_id = ctx.str_field("team")
    team = ctx.state.teams.get(team_id or "")
    if team is None:
        raise RuleViolation("ref/unknown_team", team=team_id)
    levels = _levels(ctx, round_)
    overrides = _overrides(ctx, round_)
    notes = _notes(ctx, round_)
    comment = ctx.text("comment", "The comment", COMMENT_MAX) if ctx.data.get("comment") else ""
    scored = breakdown(ctx.scenario, team, round_, levels, overrides, notes)
    data = {
        "round": round_.id,
        **scored,
        "levels": levels,
        "overrides": overrides,
        "comment": comment,
        "at": ctx.now,
    }
    ctx.emit("round_scored", data, team.id)
    ctx.result.update({"total": scored["total"], "max": scored["max"]})


@handles("publish_scores")
def publish_scores(ctx: Ctx) -> None:
    """Show a round's scores to the teams (each its own) and the leaderboard to everyone."""
    round_ = _round_ref(ctx)
    ctx.emit("scores_published", {"round": round_.id})


def published_total(state: SessionState, team: Team) -> float:
    """Return a team's total over the published rounds."""
    return sum(
        float(score["total"]) for rid, score in team.scores.items() if rid in state.published
    )
