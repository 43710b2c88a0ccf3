"""Pilots (format v2): run one intervention on one site and read what it did, before rolling out.

The measured result comes from the outcome model, not from authored text: the intervention
alone, started now with the stances the team has reached, against doing nothing, read after
the pilot's quarters, plus one draw of site noise (a single site is a small sample). So a slow
fix shows little in a short pilot, and one that needs a sceptical stakeholder shows less until
they are won over - as a real pilot would. Pure and deterministic.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Mapping

from practicum.domain.outcome import expected
from practicum.scenario.model import Intervention, Plan, PlannedIntervention, Scenario


def pilot_measures(
    scenario: Scenario, intervention: Intervention, stances: Mapping[str, int]
) -> dict[str, float]:
    """Return KPI id -> measured change on the pilot site against sites without it."""
    pilot = intervention.pilot
    if pilot is None:
        raise ValueError(f"{intervention.id} has no pilot")
    quarter = min(pilot.quarters, scenario.simulation.quarters)
    alone = Plan(interventions=(PlannedIntervention(intervention.id, 0),), stances=dict(stances))
    with_it, nothing = expected(scenario, alone), expected(scenario, Plan())
    measures = {}
    for kpi in scenario.kpis:
        # crc32 as in outcome.noise_series: the same draw in every process and every replay.
        key = f"pilot:{intervention.id}:{kpi.id}".encode()
        noise = random.Random(scenario.simulation.seed + zlib.crc32(key)).gauss(0.0, kpi.noise)
        effect = with_it.kpis[kpi.id][quarter] - nothing.kpis[kpi.id][quarter]
        measures[kpi.id] = round(effect + (noise if kpi.noise > 0 else 0.0), 2)
    return measures


def pilot_report(scenario: Scenario, intervention: Intervention, measures: dict[str, float]) -> str:
    """Return the result as the team reads it: one phrase per KPI, then the author's note."""
    pilot = intervention.pilot
    assert pilot is not None
    quarters = f"{pilot.quarters} quarter" + ("" if pilot.quarters == 1 else "s")
    changes = "; ".join(
        f"{kpi.name} {measures[kpi.id]:+.1f} {kpi.unit}".rstrip() for kpi in scenario.kpis
    )
    text = (
        f"Pilot of {intervention.name} at {pilot.site}, read after {quarters}, against the "
        f"sites without it: {changes}."
    )
    return f"{text} {pilot.note}".strip()
