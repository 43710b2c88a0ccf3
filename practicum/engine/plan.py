"""A team's state as a ``model.Plan`` (what scoring and the outcome model read), and its JSON."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from practicum.engine.state import Team
from practicum.scenario.model import (
    EvidenceMark,
    Plan,
    PlannedCause,
    PlannedIntervention,
    PlannedMetric,
)


def inject_text_key(inject_id: str) -> str:
    """Return the ``Plan.texts`` key holding a team's response to an inject."""
    return f"inject:{inject_id}"


def plan_for(team: Team) -> Plan:
    """Build the Plan a team's current state amounts to."""
    return Plan(
        diagnostics=tuple(run.diagnostic for run in team.diagnostics),
        evidence=tuple(
            EvidenceMark(diagnostic, cause, stance)
            for (diagnostic, cause), stance in team.evidence.items()
        ),
        causes=tuple(team.causes.values()),
        ruled_out=team.ruled_out,
        interventions=tuple(team.interventions.values()),
        metrics=tuple(team.metrics.values()),
        isolation=team.isolation,
        texts=dict(team.texts),
        stances=dict(team.stances),
        injects=tuple(fired.inject for fired in team.injects),
    )


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """Return a Plan as JSON in the shared camelCase convention."""
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


def plan_from_dict(raw: Mapping[str, Any]) -> Plan:
    """Build a Plan from ``plan_to_dict`` output."""
    return Plan(
        diagnostics=tuple(raw.get("diagnostics", ())),
        evidence=tuple(
            EvidenceMark(m["diagnostic"], m["cause"], m["stance"])
            for m in raw.get("evidence", ())
        ),
        causes=tuple(
            PlannedCause(c["cause"], c["cell"], c.get("confidence", 0.8))
            for c in raw.get("causes", ())
        ),
        ruled_out=tuple(raw.get("ruledOut", ())),
        interventions=tuple(
            PlannedIntervention(i["id"], i.get("startWeek", 0))
            for i in raw.get("interventions", ())
        ),
        metrics=tuple(PlannedMetric(m["id"], m.get("target")) for m in raw.get("metrics", ())),
        isolation=raw.get("isolation"),
        texts=dict(raw.get("texts", {})),
        stances=dict(raw.get("stances", {})),
        injects=tuple(raw.get("injects", ())),
    )


def with_live_injects(frozen: Plan, live: Plan) -> Plan:
    """Return a submitted plan with the inject responses and fired injects of the live plan.

    An inject can arrive after a team submitted (a ``submitted_round`` trigger); its answer
    is scored with the round, so it must not be cut off by the freeze.
    """
    texts = {k: v for k, v in frozen.texts.items() if not k.startswith("inject:")}
    texts.update({k: v for k, v in live.texts.items() if k.startswith("inject:")})
    return Plan(
        diagnostics=frozen.diagnostics,
        evidence=frozen.evidence,
        causes=frozen.causes,
        ruled_out=frozen.ruled_out,
        interventions=frozen.interventions,
        metrics=frozen.metrics,
        isolation=frozen.isolation,
        texts=texts,
        stances=frozen.stances,
        injects=live.injects,
    )
