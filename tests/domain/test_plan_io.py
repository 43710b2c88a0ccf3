"""Plans in the shared JSON format."""

from __future__ import annotations

import json

import pytest

from practicum.domain.plan_io import plan_from_dict, plan_to_dict
from practicum.scenario.model import EvidenceMark, PlannedCause, PlannedIntervention, PlannedMetric

from .fixtures import EXPERT_PLAN

EXAMPLE = """
{"diagnostics": ["d_a"], "evidence": [{"diagnostic": "d_a", "cause": "rc_x", "stance": 1}],
 "causes": [{"cause": "rc_x", "cell": "cell_tools", "confidence": 0.8}], "ruledOut": ["rc_y"],
 "interventions": [{"id": "i_fix", "startWeek": 0}], "metrics": [{"id": "m_fcr", "target": 78}],
 "isolation": "iso_pilot", "texts": {"gap": "..."}, "stances": {}, "injects": []}
"""


def test_reads_the_documented_example():
    plan = plan_from_dict(json.loads(EXAMPLE))
    assert plan.evidence == (EvidenceMark("d_a", "rc_x", 1),)
    assert plan.causes == (PlannedCause("rc_x", "cell_tools", 0.8),)
    assert plan.ruled_out == ("rc_y",)
    assert plan.interventions == (PlannedIntervention("i_fix", 0),)
    assert plan.metrics == (PlannedMetric("m_fcr", 78),)
    assert plan.isolation == "iso_pilot"


def test_round_trips_through_json_text():
    assert plan_from_dict(json.loads(json.dumps(plan_to_dict(EXPERT_PLAN)))) == EXPERT_PLAN


def test_missing_keys_take_defaults():
    plan = plan_from_dict({"interventions": [{"id": "i_fix"}]})
    assert plan.interventions == (PlannedIntervention("i_fix", 0),)
    assert plan.isolation is None and plan.texts == {}


@pytest.mark.parametrize(
    "data",
    [
        {"diagnostic": ["d_a"]},
        {"interventions": [{"id": "i_fix", "start_week": 3}]},
        {"metrics": [{"id": "m_fcr", "goal": 3}]},
    ],
)
def test_unknown_keys_are_errors(data):
    with pytest.raises(ValueError, match="unknown key"):
        plan_from_dict(data)
