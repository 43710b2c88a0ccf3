"""What the authoring workbench computes: located findings, a round's learner view, a play.

Pure functions over scenario text: they call the loader, lint, the engine, the outcome model and
scoring, and never change them. The HTTP layer (practicum/server/studio.py) only validates
requests and answers what these return.
"""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

from practicum.domain.outcome import cash_available, cash_spent, evaluate
from practicum.domain.plan_io import plan_to_dict
from practicum.domain.scoring import auto_score
from practicum.engine import (
    FACILITATOR,
    LEARNER,
    Accepted,
    Actor,
    Command,
    decide,
    learner_view,
    new_session,
    replay,
    scenario_public,
)
from practicum.engine.evolve import evolve
from practicum.scenario.errors import Problem, ScenarioError
from practicum.scenario.lint import lint, total_budget
from practicum.scenario.loader import load_plan_text, load_scenario_text
from practicum.scenario.model import Plan, Scenario
from practicum.studio.positions import LineIndex, json_spans, locate

NAME = "scenario.json"
PREVIEW_TEAM = "t_preview"
PREVIEW_NOW = 0.0  # the engine takes time as an argument; a preview needs no real clock


class Located:
    """Turns JSON paths and line/column pairs of one text into editor places."""

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def lines(self) -> LineIndex:
        """The line starts, computed on the first finding (a clean file needs none)."""
        return LineIndex(self.text)

    @cached_property
    def spans(self) -> dict:
        """The span of every JSON path, computed on the first finding."""
        return json_spans(self.text)

    def place(self, path: str, line: int | None = None, column: int | None = None) -> dict:
        """Return line, column, the selection [start, end) in UTF-16 units, and the path found."""
        if line is not None:
            # A syntax error: the loader's own line and column (json counts characters).
            start = self.lines.offset(line, column or 1)
            end = min(start + 1, len(self.lines.text))
            found = ""
        else:
            key, span = locate(self.spans, path)
            found = _path_text(key)
            if span is None:
                start = end = 0
            else:
                start = span.key if span.key is not None else span.start
                end = span.end
        first_line, first_column = self.lines.position(start)
        last_line, last_column = self.lines.position(end)
        return {
            "line": first_line,
            "column": first_column,
            "endLine": last_line,
            "endColumn": last_column,
            "start": self.lines.utf16(start),
            "end": self.lines.utf16(end),
            "located": found,
        }


def _path_text(key: tuple[str | int, ...]) -> str:
    from practicum.scenario.schema import path_join

    text = ""
    for segment in key:
        text = path_join(text, segment)
    return text


def _problem_finding(problem: Problem, where: Located) -> dict[str, Any]:
    syntax = problem.line is not None
    return {
        "source": "validate",
        "severity": "error",
        "rule": "json-syntax" if syntax else "validate",
        "path": problem.path,
        "message": problem.message,
        **where.place(problem.path, problem.line, problem.column),
    }


def check(text: str, with_lint: bool = True) -> tuple[Scenario | None, list[dict[str, Any]]]:
    """Validate and (if it loads) lint scenario text; return the scenario and located findings."""
    where = Located(text)
    try:
        scenario = load_scenario_text(text, NAME)
    except ScenarioError as error:
        return None, [_problem_finding(p, where) for p in error.problems]
    if not with_lint:
        return scenario, []
    findings = [
        {
            "source": "lint",
            "severity": f.severity,
            "rule": f.rule,
            "path": f.path,
            "message": f.message,
            **where.place(f.path),
        }
        for f in lint(scenario)
    ]
    return scenario, findings


def summary(scenario: Scenario) -> dict[str, Any]:
    """Return what the workbench shows about a scenario that loads: its id, rounds and plans."""
    return {
        "id": scenario.id,
        "title": scenario.title,
        "rounds": [{"id": r.id, "name": r.name} for r in scenario.rounds],
        "hasSponsorPlan": scenario.sponsor_plan is not None,
        "expertPlan": plan_to_dict(scenario.expert_plan),
        # What a plan picked by hand chooses from.
        "catalogue": {
            "currency": scenario.economics.currency,
            "diagnostics": [
                {
                    "id": d.id,
                    "name": d.name,
                    "cost": {"points": d.cost.points, "cash": d.cost.cash, "days": d.cost.days},
                }
                for d in scenario.diagnostics
            ],
            "interventions": [
                {
                    "id": i.id,
                    "name": i.name,
                    "oneOff": i.cost.one_off,
                    "perQuarter": i.cost.per_quarter,
                }
                for i in scenario.interventions
            ],
        },
    }


# --- preview: what learners see in round N -------------------------------------------------------


def _send(scenario: Scenario, state: Any, command: Command) -> Any:
    answer = decide(scenario, state, command, PREVIEW_NOW)
    if not isinstance(answer, Accepted):
        raise ValueError(f"the engine refused {command.type}: {answer.code} ({answer.message})")
    for event in answer.events:
        state = evolve(scenario, state, event)
    return state


def round_state(scenario: Scenario, round_index: int) -> tuple[Any, str]:
    """Return a fresh session's state with one full team in round ``round_index`` (from 0)."""
    if not 0 <= round_index < len(scenario.rounds):
        raise IndexError(round_index)
    state = replay(scenario, new_session(scenario, "preview", "PREVIEW", PREVIEW_NOW))
    members = [f"learner_{n + 1}" for n in range(max(scenario.team_size.min, 1))]
    for learner_id in members:
        state = _send(
            scenario,
            state,
            Command(
                "join_session",
                Actor(LEARNER, learner_id),
                {"learner_id": learner_id, "name": learner_id.replace("_", " ").title()},
            ),
        )
    state = _send(
        scenario,
        state,
        Command(
            "create_team",
            Actor(LEARNER, members[0]),
            {"team_id": PREVIEW_TEAM, "name": "Preview"},
        ),
    )
    for learner_id in members[1:]:
        state = _send(
            scenario,
            state,
            Command(
                "join_team",
                Actor(LEARNER, learner_id),
                {"team": PREVIEW_TEAM},
            ),
        )
    state = _send(scenario, state, Command("start_session", Actor(FACILITATOR)))
    for _ in range(round_index):
        state = _send(scenario, state, Command("advance", Actor(FACILITATOR)))
    return state, members[0]


def preview(scenario: Scenario, round_index: int) -> dict[str, Any]:
    """Return the engine's learner view of a fresh team in a round, with the public catalogue."""
    state, learner_id = round_state(scenario, round_index)
    round_ = scenario.rounds[round_index]
    return {
        "round": {
            "index": round_index,
            "id": round_.id,
            "name": round_.name,
            "phase": round_.phase,
            "minutes": round_.minutes,
            "brief": round_.brief,
        },
        "view": learner_view(scenario, state, learner_id, PREVIEW_NOW),
        "catalogue": scenario_public(scenario),
    }


# --- play: a plan's outcome and automatic scores -------------------------------------------------


def plan_of(scenario: Scenario, spec: Any) -> tuple[Plan | None, list[dict[str, Any]]]:
    """Return the plan a request names ("expert", "sponsor" or a plan object) or its problems."""
    if spec == "expert":
        return scenario.expert_plan, []
    if spec == "sponsor":
        if scenario.sponsor_plan is None:
            return None, [_plain("plan/no_sponsor", "", "the scenario has no sponsorPlan")]
        return scenario.sponsor_plan, []
    text = json.dumps(spec)
    try:
        return load_plan_text(text, scenario, "plan"), []
    except ScenarioError as error:
        return None, [_plain("plan/invalid", p.path, p.message) for p in error.problems]


def _plain(rule: str, path: str, message: str) -> dict[str, Any]:
    return {"source": "plan", "severity": "error", "rule": rule, "path": path, "message": message}


def budget_use(scenario: Scenario, plan: Plan) -> dict[str, Any]:
    """Return what a plan spends of the team's budget: points, days and cash, and if it fits."""
    ran = list(dict.fromkeys(plan.diagnostics))
    budget = total_budget(scenario)
    used = {
        "points": {
            "spent": sum(scenario.diagnostic(d).cost.points for d in ran),
            "available": budget.points,
        },
        "days": {
            "spent": sum(scenario.diagnostic(d).cost.days for d in ran),
            "available": budget.days,
        },
        "cash": {"spent": cash_spent(scenario, plan), "available": cash_available(scenario, plan)},
    }
    fits = all(entry["spent"] <= entry["available"] + 1e-6 for entry in used.values())
    return {**used, "fits": fits}


def play(scenario: Scenario, plan: Plan) -> dict[str, Any]:
    """Return a plan's outcome (beside doing nothing and the expert), scores and budget use."""
    outcome = evaluate(scenario, plan)
    scores = auto_score(scenario, plan)
    rubric = [
        {
            "id": c.id,
            "name": c.name,
            "round": c.round,
            "kind": c.kind,
            "weight": c.weight,
            "score": scores[c.id].to_dict() if c.id in scores else None,
        }
        for c in scenario.rubric
    ]
    sponsor = evaluate(scenario, scenario.sponsor_plan) if scenario.sponsor_plan else None
    return {
        "plan": plan_to_dict(plan),
        "outcome": outcome.to_dict(),
        "sponsor": None if sponsor is None else sponsor.plan.to_dict(),
        "rubric": rubric,
        "autoTotal": sum(r.points for r in scores.values()),
        "autoMax": sum(r.max_points for r in scores.values()),
        "budget": budget_use(scenario, plan),
        "kpis": [
            {"id": k.id, "name": k.name, "unit": k.unit, "target": k.target} for k in scenario.kpis
        ],
        "currency": scenario.economics.currency,
    }
