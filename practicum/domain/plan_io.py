"""Convert a `Plan` to and from its JSON form (camelCase keys, arrays for tuples).

The scenario loader validates an expert plan inside a scenario file with marshmallow; this small
pair of functions serves everything else that stores or prints plans (engine snapshots, the CLI
`play` command, tests) without a schema.
"""

from __future__ import annotations

from typing import Any

from practicum.scenario.model import (
    EvidenceMark,
    Plan,
    PlannedCause,
    PlannedIntervention,
    PlannedMetric,
)

_PLAN_KEYS = frozenset(
    {
        "diagnostics",
        "evidence",
        "causes",
        "ruledOut",
        "interventions",
        "metrics",
        "isolation",
        "texts",
        "stances",
        "injects",
    }
)


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """Return the plan as JSON-able data in the shared camelCase format."""
    return {
        "diagnostics": list(plan.diagnostics),
        "evidence": [
            {"diagnostic": m.diagnostic, "cause": m.cause, "stance": m.stance}
            for m in plan.evidence
        ],
        "causes": [
            {"cause": c.cause, "cell": c.cell, "confidence": c.confidence} for c in plan.causes
        ],
        "ruledOut": list(plan.ruled_out),
        "interventions": [{"id": i.id, "startWeek": i.start_week} for i in plan.interventions],
        "metrics": [{"id": m.id, "target": m.target} for m in plan.metrics],
        "isolation": plan.isolation,
        "texts": dict(plan.texts),
        "stances": dict(plan.stances),
        "injects": list(plan.injects),
    }


def plan_from_dict(data: dict[str, Any]) -> Plan:
    """Build a plan from its JSON form: missing keys default, unknown keys raise ValueError."""
    _check_keys("plan", data, _PLAN_KEYS)
    return Plan(
        diagnostics=tuple(data.get("diagnostics", ())),
        evidence=tuple(
            EvidenceMark(**_fields("evidence", m, {"diagnostic", "cause", "stance"}))
            for m in data.get("evidence", ())
        ),
        causes=tuple(
            PlannedCause(**_fields("cause", c, {"cause", "cell", "confidence"}))
            for c in data.get("causes", ())
        ),
        ruled_out=tuple(data.get("ruledOut", ())),
        interventions=tuple(
            PlannedIntervention(**_fields("intervention", i, {"id", "startWeek"}))
            for i in data.get("interventions", ())
        ),
        metrics=tuple(
            PlannedMetric(**_fields("metric", m, {"id", "target"})) for m in data.get("metrics", ())
        ),
        isolation=data.get("isolation"),
        texts=dict(data.get("texts", {})),
        stances=dict(data.get("stances", {})),
        injects=tuple(data.get("injects", ())),
    )


def _check_keys(what: str, data: dict[str, Any], allowed: frozenset[str] | set[str]) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValueError(f"unknown key(s) in {what}: {', '.join(unknown)}")


def _fields(what: str, data: dict[str, Any], allowed: set[str]) -> dict[str, Any]:
    """Check an object's keys and return them as snake_case keyword arguments."""
    _check_keys(what, data, allowed)
    return {_snake(key): value for key, value in data.items()}


def _snake(key: str) -> str:
    return "".join(f"_{ch.lower()}" if ch.isupper() else ch for ch in key)
