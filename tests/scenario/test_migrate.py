"""`practicum migrate`: v1 files become v2 with the same content, outcomes and scores."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import pytest

from practicum.cli import main
from practicum.domain.outcome import evaluate
from practicum.domain.scoring import auto_score
from practicum.scenario.loader import load_plan, load_scenario, load_scenario_text
from practicum.scenario.migrate import migrate_text
from practicum.scenario.model import SCHEMA_VERSION

from .helpers import minimal_data, problems_of, variant

REPO = Path(__file__).resolve().parents[2]
SHIPPED = sorted((REPO / "scenarios").glob("*.json"))
PLANS = REPO / "tests" / "scenarios" / "plans"


def _without_keys_order(value):
    return json.loads(json.dumps(value, sort_keys=True))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_migration_keeps_every_outcome_and_score(path: Path, tmp_path: Path) -> None:
    before = load_scenario(path)
    out = tmp_path / path.name
    assert main(["migrate", str(path), "-o", str(out)], io.StringIO()) == 0
    after = load_scenario(out)
    assert before.schema_version == 1 and after.schema_version == SCHEMA_VERSION == 2
    # The model is the same object but for the version number and where it came from.
    assert replace(after, schema_version=1, source_file="") == replace(before, source_file="")
    plans = [before.expert_plan, before.sponsor_plan]
    plans += [load_plan(p, before) for p in sorted(PLANS.glob(f"{path.stem}-*.json"))]
    assert len(plans) >= 3
    for plan in plans:
        assert evaluate(after, plan).to_dict() == evaluate(before, plan).to_dict()
        scored_before = {k: (r.points, r.explanation) for k, r in auto_score(before, plan).items()}
        scored_after = {k: (r.points, r.explanation) for k, r in auto_score(after, plan).items()}
        assert scored_after == scored_before


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_migration_keeps_content_and_is_idempotent(path: Path) -> None:
    original = json.loads(path.read_text(encoding="utf-8"))
    once = migrate_text(path.read_bytes(), str(path))
    twice = migrate_text(once, str(path))
    assert once == twice
    migrated = json.loads(once)
    assert next(iter(migrated)) == "$schema"  # schema order: "$schema", then schemaVersion
    assert list(migrated)[1] == "schemaVersion"
    assert migrated.pop("schemaVersion") == 2 and original.pop("schemaVersion") == 1
    assert _without_keys_order(migrated) == _without_keys_order(original)


def test_migrating_a_broken_file_reports_and_writes_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(variant(lambda d: d["kpis"][0].pop("name"))), encoding="utf-8")
    out = io.StringIO()
    assert main(["migrate", str(broken), "-o", str(tmp_path / "out.json")], out) == 1
    assert "kpis[0].name: required key is missing" in out.getvalue()
    assert not (tmp_path / "out.json").exists()


def test_migrate_rewrites_in_place_without_an_output(tmp_path: Path) -> None:
    target = tmp_path / "minimal.json"
    target.write_text(json.dumps(minimal_data()), encoding="utf-8")
    assert main(["migrate", str(target)], io.StringIO()) == 0
    assert json.loads(target.read_text(encoding="utf-8"))["schemaVersion"] == 2


def test_a_v1_file_may_not_use_v2_keys() -> None:
    data = variant(lambda d: d["causes"][0].update(kpiShares={"k_fcr": 0.75}))
    assert problems_of(data) == [
        'variant.json: causes[0].kpiShares: this key needs "schemaVersion": 2 (the file says 1);'
        " run `practicum migrate FILE` to convert it"
    ]
    data["schemaVersion"] = 2
    assert load_scenario_text(json.dumps(data)).causes[0].kpi_shares == {"k_fcr": 0.75}


def test_v2_references_are_checked() -> None:
    def objectives(d):
        d.update(schemaVersion=2, objectives=[{"id": "obj_cause", "text": "Find the cause."}])
        d["rubric"][0]["objectives"] = ["obj_casue"]

    assert problems_of(variant(objectives)) == [
        "variant.json: rubric[0].objectives[0]: unknown learning objective 'obj_casue'; "
        "did you mean 'obj_cause'? (known: obj_cause)"
    ]


def test_a_v1_round_may_not_list_the_v2_pilot_action() -> None:
    data = variant(lambda d: d["rounds"][0]["actions"].append("run_pilot"))
    assert problems_of(data) == [
        "variant.json: rounds[0].actions[5]: the action 'run_pilot' needs \"schemaVersion\": 2 "
        "(the file says 1)"
    ]
    data["schemaVersion"] = 2
    assert "run_pilot" in load_scenario_text(json.dumps(data)).rounds[0].actions


def _pitch(d, qa_round: int = 0, kind: str = "facilitator"):
    d["schemaVersion"] = 2
    d["rounds"][0]["presentation"] = {"pitchMinutes": 5, "qaMinutes": 3}
    component = next(c for c in d["rubric"] if c["kind"] == kind)
    component["qa"] = True
    component["round"] = d["rounds"][qa_round]["id"]
    return component


def test_a_q_and_a_component_must_be_a_facilitator_one_in_a_pitch_round() -> None:
    assert load_scenario_text(json.dumps(variant(_pitch))).rounds[0].presentation is not None
    problems = problems_of(variant(lambda d: _pitch(d, qa_round=1)))
    assert len(problems) == 1 and "has no presentation, so there is no Q&A to judge" in problems[0]
    problems = problems_of(variant(lambda d: _pitch(d, kind="auto")))
    assert problems == [
        "variant.json: rubric[0].qa: only facilitator components judge a Q&A; set kind to "
        "'facilitator'"
    ]


def test_kpi_shares_may_not_explain_more_than_the_gap() -> None:
    def shares(d, share):
        d["schemaVersion"] = 2
        d["causes"][0]["kpiShares"] = {d["kpis"][0]["id"]: share}

    fine = load_scenario_text(json.dumps(variant(lambda d: shares(d, 0.5))))
    assert fine.causes[0].kpi_shares
    problems = problems_of(variant(lambda d: shares(d, 0.99)))
    assert len(problems) == 1
    assert "may explain at most the whole gap (1.00)" in problems[0]
    assert problems[0].startswith("variant.json: kpis[0]: the causes' shares of")
