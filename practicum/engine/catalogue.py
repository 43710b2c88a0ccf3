"""``scenario_public``: the static part of a scenario learners may see, without the answers."""

from __future__ import annotations

from typing import Any

from practicum.scenario.model import Scenario


def scenario_public(scenario: Scenario) -> dict[str, Any]:
    """Return the scenario's catalogue for learners (camelCase JSON).

    Left out: cause cells, truth, gap shares, drift, loadings and debrief texts; diagnostic
    findings, evidence and reliability; intervention effects, side effects, trap flags and
    training reaction/learning; KPI noise; isolation credibility and estimate bias; rubric
    rule parameters; injects; the expert and sponsor plans; the simulation seed.
    """
    s = scenario
    return {
        "id": s.id,
        "title": s.title,
        "summary": s.summary,
        "difficulty": s.difficulty,
        "company": {
            "name": s.company.name,
            "industry": s.company.industry,
            "description": s.company.description,
            "headcount": s.company.headcount,
            "population": s.company.population,
        },
        "brief": {
            "sponsor": s.brief.sponsor,
            "request": s.brief.request,
            "context": s.brief.context,
            "timeline": [{"when": t.when, "event": t.event} for t in s.brief.timeline],
        },
        "economics": {
            "currency": s.economics.currency,
            "valuePerPoint": dict(s.economics.value_per_point),
        },
        "kpis": [
            {
                "id": k.id,
                "name": k.name,
                "unit": k.unit,
                "direction": k.direction,
                "baseline": k.baseline,
                "current": k.current,
                "target": k.target,
                "owner": k.owner,
            }
            for k in s.kpis
        ],
        "stakeholders": [
            {
                "id": p.id,
                "name": p.name,
                "role": p.role,
                "bio": p.bio,
                "influence": p.influence,
                "stance": p.stance,
                # What the stakeholder says the cause is: an opinion, not the truth.
                "believes": p.believes,
                "wonOverBy": p.won_over_by,
            }
            for p in s.stakeholders
        ],
        "taxonomy": [
            {
                "id": c.id,
                "label": c.label,
                "row": c.row,
                "column": c.column,
                "trainable": c.trainable,
            }
            for c in s.taxonomy
        ],
        "causes": [{"id": c.id, "label": c.label, "description": c.description} for c in s.causes],
        "diagnostics": [
            {
                "id": d.id,
                "name": d.name,
                "method": d.method,
                "description": d.description,
                "cost": {"points": d.cost.points, "cash": d.cost.cash, "days": d.cost.days},
                "opensIn": d.opens_in,
                "locked": d.locked,
                # v2: a question put to a stakeholder (the room lists it under the person).
                **({"stakeholder": d.stakeholder, "question": d.question} if d.stakeholder else {}),
            }
            for d in s.diagnostics
        ],
        "interventions": [
            {
                "id": i.id,
                "name": i.name,
                "family": i.family,
                "category": i.category,
                "description": i.description,
                "cells": list(i.cells),
                "cost": {"oneOff": i.cost.one_off, "perQuarter": i.cost.per_quarter},
                "leadWeeks": i.lead_weeks,
                "rampWeeks": i.ramp_weeks,
                "sustains": list(i.sustains),
                "requires": [
                    {"stakeholder": r.stakeholder, "minStance": r.min_stance, "reason": r.reason}
                    for r in i.requires
                ],
                # v2: where and for how long it can be piloted (the result stays hidden).
                **(
                    {
                        "pilot": {
                            "site": i.pilot.site,
                            "quarters": i.pilot.quarters,
                            "cost": {
                                "points": i.pilot.cost.points,
                                "cash": i.pilot.cost.cash,
                                "days": i.pilot.cost.days,
                            },
                        }
                    }
                    if i.pilot
                    else {}
                ),
            }
            for i in s.interventions
        ],
        "metrics": [
            {
                "id": m.id,
                "name": m.name,
                "level": m.level,
                "timing": m.timing,
                "guardrail": m.guardrail,
                "source": m.source,
                "latencyWeeks": m.latency_weeks,
                "collectionCost": m.collection_cost,
                "validates": list(m.validates),
                "kpi": m.kpi,
                "description": m.description,
            }
            for m in s.metrics
        ],
        "isolationMethods": [
            {
                "id": m.id,
                "name": m.name,
                "kind": m.kind,
                "cost": m.cost,
                "description": m.description,
            }
            for m in s.isolation_methods
        ],
        "rounds": [
            {
                "id": r.id,
                "name": r.name,
                "phase": r.phase,
                "minutes": r.minutes,
                "brief": r.brief,
                "actions": list(r.actions),
                "deliverable": [
                    {
                        "id": f.id,
                        "label": f.label,
                        "kind": f.kind,
                        "required": f.required,
                        "maxLength": f.max_length,
                        "prompt": f.prompt,
                    }
                    for f in r.deliverable
                ],
                "budget": {
                    "points": r.budget.points,
                    "cash": r.budget.cash,
                    "days": r.budget.days,
                    **({"analysisCash": r.budget.analysis_cash} if r.budget.analysis_cash else {}),
                },
                "limits": {
                    "maxCauses": r.limits.max_causes,
                    "maxInterventions": r.limits.max_interventions,
                    "maxMetrics": r.limits.max_metrics,
                },
                "onTimeout": r.on_timeout,
                **(
                    {
                        "presentation": {
                            "pitchMinutes": r.presentation.pitch_minutes,
                            "qaMinutes": r.presentation.qa_minutes,
                            "brief": r.presentation.brief,
                        }
                    }
                    if r.presentation
                    else {}
                ),
            }
            for r in s.rounds
        ],
        "rubric": [
            {
                "id": c.id,
                "name": c.name,
                "round": c.round,
                "weight": c.weight,
                "kind": c.kind,
                "description": c.description,
                "standards": list(c.standards),
                "levels": [{"level": lv.level, "descriptor": lv.descriptor} for lv in c.levels],
                **({"objectives": list(c.objectives)} if c.objectives else {}),
                **({"qa": True} if c.qa else {}),
            }
            for c in s.rubric
        ],
        **(
            {"objectives": [{"id": o.id, "text": o.text} for o in s.objectives]}
            if s.objectives
            else {}
        ),
        "budget": {
            "points": s.budget.points,
            "cash": s.budget.cash,
            "days": s.budget.days,
            # v2 separate budgets: diagnostics' cash comes from here, not from `cash`.
            **(
                {"analysisCash": s.budget.analysis_cash}
                if s.budget.analysis_cash is not None
                else {}
            ),
        },
        "teamSize": {"min": s.team_size.min, "max": s.team_size.max},
        "simulation": {
            "quarters": s.simulation.quarters,
            "weeksPerQuarter": s.simulation.weeks_per_quarter,
        },
    }
