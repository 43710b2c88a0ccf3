"""A team's state as a ``model.Plan`` (what scoring and the outcome model read), and its JSON."""

from __future__ import annotations

# The JSON form of a plan is the domain's; the engine re-exports it for its callers.
from practicum.domain.plan_io import plan_from_dict, plan_to_dict
from practicum.engine.state import Team
from practicum.scenario.model import (
    EvidenceMark,
    Plan,
)

__all__ = ["inject_text_key", "plan_for", "plan_from_dict", "plan_to_dict", "with_live_injects"]


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
