"""Format v2 in the scores CSV: each component's learning objectives and its Q&A notes."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

from practicum.scenario.model import Objective, Presentation
from practicum.server.exports import scores_csv
from tests.engine.fixtures import FAC, SCENARIO, Game


def test_scores_csv_names_objectives_and_carries_q_and_a_notes() -> None:
    rounds = tuple(
        replace(r, presentation=Presentation(5, 3)) if r.id == "r_one" else r
        for r in SCENARIO.rounds
    )
    rubric = tuple(
        replace(c, qa=True, objectives=("obj_contract",)) if c.id == "c_contract" else c
        for c in SCENARIO.rubric
    )
    scenario = replace(
        SCENARIO,
        schema_version=2,
        rounds=rounds,
        rubric=rubric,
        objectives=(Objective("obj_contract", "Re-contract around the gap."),),
    )
    g = Game(scenario)
    g.started()
    g.ok(
        "score_round",
        FAC,
        team="t_a",
        round="r_one",
        levels={"c_contract": 4},
        notes={"c_contract": "Pushed back on the course with the FCR data."},
    )
    rows = list(
        csv.DictReader(
            io.StringIO(scores_csv(scenario, [e.to_dict() for e in g.events]).lstrip("\ufeff"))
        )
    )
    alpha = {r["component_id"]: r for r in rows if r["team_id"] == "t_a"}
    assert alpha["c_contract"]["objectives"] == "Re-contract around the gap."
    assert alpha["c_contract"]["qa_notes"] == "Pushed back on the course with the FCR data."
    assert alpha["c_gap"]["objectives"] == "" and alpha["c_gap"]["qa_notes"] == ""
    bravo = {r["component_id"]: r for r in rows if r["team_id"] == "t_b"}
    assert bravo["c_contract"]["qa_notes"] == ""
