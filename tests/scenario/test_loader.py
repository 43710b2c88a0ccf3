"""Loading scenarios: the minimal file loads; every kind of mistake gets one precise message."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from practicum.scenario import loader, schema
from practicum.scenario.errors import Problem, ScenarioError
from practicum.scenario.loader import (
    MAX_BYTES,
    load_directory,
    load_plan,
    load_plan_text,
    load_scenario,
    load_scenario_text,
)
from practicum.scenario.model import (
    DEFAULT_TAXONOMY,
    Cell,
    Kpi,
    Plan,
    PlannedIntervention,
    RoundBudget,
    Simulation,
)

from .helpers import MINIMAL, load_data, minimal_data, problems_of, variant

# --- the happy path ------------------------------------------------------------------------------


def test_minimal_scenario_loads_into_the_model() -> None:
    scenario = load_scenario(MINIMAL)
    assert scenario.id == "minimal"
    assert scenario.source_file == str(MINIMAL)
    assert scenario.kpis == (
        Kpi("k_fcr", "First-contact resolution", "%", "higher", 80.0, 70.0, 76.0, 0.3,
            "st_sponsor"),
    )
    assert scenario.diagnostic("d_side_by_side").opens_in == "r_cause"
    assert scenario.causes[0].loadings == {"k_fcr": 1.0}
    assert scenario.expert_plan.interventions == (PlannedIntervention("i_search_fix", 0),)
    assert scenario.sponsor_plan is not None
    assert scenario.sponsor_plan.metrics[0].target is None


def test_arrays_become_tuples_and_omitted_keys_take_model_defaults(minimal) -> None:
    assert isinstance(minimal.rounds, tuple)
    assert isinstance(minimal.intervention("i_search_fix").cells, tuple)
    assert minimal.taxonomy == tuple(Cell(**cell) for cell in DEFAULT_TAXONOMY)
    assert minimal.simulation == Simulation()
    assert minimal.rounds[0].budget == RoundBudget()
    assert minimal.diagnostic("d_kpi_trend").locked is False
    assert minimal.debrief_notes == ""


def test_a_custom_taxonomy_replaces_the_default() -> None:
    cells = [
        {"id": "cell_tools", "label": "Tools", "row": "environment", "column": "instrumentation",
         "trainable": False},
        {"id": "cell_knowledge", "label": "Skills", "row": "individual", "column": "information",
         "trainable": True},
    ]
    scenario = load_data(variant(lambda d: d.update(taxonomy=cells)))
    assert [cell.id for cell in scenario.taxonomy] == ["cell_tools", "cell_knowledge"]


def test_text_and_bytes_with_a_byte_order_mark_load() -> None:
    text = MINIMAL.read_text(encoding="utf-8")
    assert load_scenario_text(text, "a.json").id == "minimal"
    assert load_scenario_text(b"\xef\xbb\xbf" + text.encode(), "b.json").id == "minimal"


# --- malformed JSON and files ------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ('{\n  "id": "x",\n}', "a.json: line 3, column 1: invalid JSON: Expecting property name "
     "enclosed in double quotes (remove the trailing comma before })"),
    ('{\n  "id": "x"\n  "title": "y"\n}', "a.json: line 3, column 3: invalid JSON: Expecting ',' "
     "delimiter (a comma is missing between two items)"),
    ("{\n  // note\n}", "a.json: line 2, column 3: invalid JSON: Expecting property name enclosed "
     "in double quotes (JSON does not allow comments)"),
    ("{'id': 'x'}", "a.json: line 1, column 2: invalid JSON: Expecting property name enclosed in "
     "double quotes (JSON strings and keys need double quotes)"),
    ('{"locked": True}', "a.json: line 1, column 12: invalid JSON: Expecting value (JSON writes "
     "true, false and null in lower case)"),
    ('{"a": 1} {"b": 2}', "a.json: line 1, column 10: invalid JSON: Extra data (there is text "
     "after the end of the top-level object)"),
])
def test_json_syntax_errors_name_line_column_and_a_hint(text: str, expected: str) -> None:
    assert problems_of(text, "a.json") == [expected]


@pytest.mark.parametrize(("content", "expected"), [
    (b"", "the file is empty; a scenario file is a JSON object, starting with {"),
    (b"  \n\t\n", "the file is empty; a scenario file is a JSON object, starting with {"),
    (b"[1, 2]", "the top level is an array; a scenario file must be a JSON object ({ ... }) at "
     "the top level"),
    (b'"hello"', 'the top level is text "hello"; a scenario file must be a JSON object ({ ... }) '
     "at the top level"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "this looks like a binary file, not JSON text; a "
     "scenario file is UTF-8 JSON"),
])
def test_whole_file_problems_get_a_clear_message(content: bytes, expected: str) -> None:
    assert problems_of(content, "a.json") == [f"a.json: {expected}"]


def test_non_utf8_text_names_the_byte_and_where_it_is() -> None:
    content = '{\n  "title": "Caf\u00e9"\n}'.encode("latin-1")
    assert problems_of(content, "a.json") == [
        "a.json: line 2, column 16: the file is not UTF-8 text (byte 0xe9 cannot be decoded); "
        "save it as UTF-8"
    ]


def test_a_file_over_one_mebibyte_is_refused_before_parsing(tmp_path: Path) -> None:
    huge = tmp_path / "huge.json"
    huge.write_bytes(b'{"padding": "' + b"x" * MAX_BYTES + b'"}')
    with pytest.raises(ScenarioError) as caught:
        load_scenario(huge)
    [problem] = caught.value.problems
    assert problem.file == str(huge)
    assert problem.message == (
        f"the file is {MAX_BYTES + 15:,} bytes; a scenario file may be at most 1 MiB "
        f"({MAX_BYTES:,} bytes) - is this the right file?"
    )


def test_missing_file_and_directory_are_problems_not_exceptions(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario(tmp_path / "nope.json")
    with pytest.raises(ScenarioError, match="is a directory"):
        load_scenario(tmp_path)


def test_duplicate_keys_and_non_finite_numbers_are_reported_with_paths() -> None:
    text = MINIMAL.read_text().replace('"residual": 0.2,', '"residual": 0.2, "residual": NaN,')
    assert problems_of(text, "a.json") == [
        "a.json: residual: key written twice in the same object; the last one wins",
        "a.json: residual: NaN and Infinity are not valid JSON numbers",
    ]


def test_deeply_nested_json_is_a_problem_not_a_crash() -> None:
    text = '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}"
    [message] = problems_of(text, "a.json")
    assert message.startswith("a.json: ")


# --- schema errors, each naming its JSON path ---------------------------------------------------

Mutation = Callable[[dict[str, Any]], Any]

SCHEMA_CASES: list[tuple[str, Mutation, str]] = [
    ("wrong type: text for a number", lambda d: d["kpis"][0].update(baseline="80"),
     'kpis[0].baseline: expected a number, got text "80"'),
    ("wrong type: boolean for a number", lambda d: d["causes"][1].update(gapShare=True),
     "causes[1].gapShare: expected a number, got true"),
    ("wrong type: fraction for a whole number",
     lambda d: d["diagnostics"][0]["cost"].update(points=1.5),
     "diagnostics[0].cost.points: expected a whole number, got 1.5"),
    ("wrong type: text for a boolean", lambda d: d["interventions"][1].update(trap="yes"),
     'interventions[1].trap: expected true or false, got text "yes"'),
    ("wrong type: object for an array", lambda d: d.update(kpis={}),
     "kpis: expected an array, got an object"),
    ("wrong type: array for an object", lambda d: d.update(company=[]),
     "company: expected an object, got an array"),
    ("null where not allowed", lambda d: d["kpis"][0].update(name=None),
     "kpis[0].name: may not be null"),
    ("missing required key", lambda d: d["rounds"][1]["deliverable"][0].pop("label"),
     "rounds[1].deliverable[0].label: required key is missing"),
    ("missing required object", lambda d: d.pop("expertPlan"),
     "expertPlan: required key is missing"),
    ("unknown key with a suggestion", lambda d: d["causes"][0].update(gapshare=0.8),
     "causes[0].gapshare: unknown key; did you mean 'gapShare'? (allowed here: id, label, "
     "description, cell, level, truth, gapShare, drift, loadings, debrief, kpiShares)"),
    ("snake_case key", lambda d: d["diagnostics"][0].update(opens_in="r_cause"),
     "diagnostics[0].opens_in: unknown key; did you mean 'opensIn'? (allowed here: id, name, "
     "method, description, cost, reliability, opensIn, finding, evidence, locked, unlocks, "
     "redHerring, stanceEffects, stakeholder, question)"),
    ("sourceFile is the loader's", lambda d: d.update(sourceFile="x.json"),
     "sourceFile: unknown key: sourceFile is set by the loader, remove it"),
    ("enumeration", lambda d: d["rounds"][1]["deliverable"][0].update(kind="intervention"),
     "rounds[1].deliverable[0].kind: 'intervention' is not allowed here; use one of: text, "
     "causes, ruled_out, interventions, metrics, isolation, evidence"),
    ("enumeration inside an array", lambda d: d["rounds"][0]["actions"].append("buy"),
     "rounds[0].actions[5]: 'buy' is not allowed here; use one of: run_diagnostic, "
     "mark_evidence, declare_cause, rule_out_cause, select_intervention, select_metric, "
     "set_isolation, write_rationale, chat, run_pilot"),
    ("share above 1", lambda d: d["causes"][0].update(gapShare=1.2),
     "causes[0].gapShare: must be between 0 and 1, got 1.2"),
    ("stance out of range", lambda d: d["stakeholders"][0].update(stance=3),
     "stakeholders[0].stance: must be between -2 and 2, got 3"),
    ("Kirkpatrick level out of range", lambda d: d["metrics"][0].update(level=6),
     "metrics[0].level: must be between 1 and 5, got 6"),
    ("descriptor level out of range", lambda d: d["rubric"][5]["levels"][3].update(level=5),
     "rubric[5].levels[3].level: must be between 1 and 4, got 5"),
    ("weight must be positive", lambda d: d["rubric"][0].update(weight=0),
     "rubric[0].weight: must be greater than 0, got 0"),
    ("blank text", lambda d: d.update(title="   "), "title: must not be blank"),
    ("empty collection", lambda d: d.update(rounds=[]), "rounds: must list at least one item"),
    ("schema version", lambda d: d.update(schemaVersion=3),
     'schemaVersion: this Practicum reads scenario format versions 1 and 2; got 3. Set '
     '"schemaVersion": 2 and check the file against docs/authoring.md'),
    ("id prefix", lambda d: d["kpis"][0].update(id="kpi_fcr"),
     "kpis[0].id: 'kpi_fcr' is not a valid KPI id: it must start with 'k_' followed by "
     "letters, digits or underscores"),
    ("dictionary value type", lambda d: d["economics"]["valuePerPoint"].update(k_fcr="lots"),
     'economics.valuePerPoint.k_fcr: expected a number, got text "lots"'),
    ("auto component without a rule", lambda d: d["rubric"][0].pop("rule"),
     "rubric[0].rule: required when kind is 'auto'; use one of: gap_statement, "
     "diagnosis_accuracy, evidence_triangulation, diagnostic_efficiency, solution_fit, "
     "cost_effectiveness, metric_quality, inject_response"),
    ("facilitator component with three levels", lambda d: d["rubric"][5]["levels"].pop(),
     "rubric[5].levels: facilitator components need exactly four descriptors, one each for "
     "levels 1, 2, 3 and 4 (found levels [1, 2, 3])"),
    ("facilitator component with a rule", lambda d: d["rubric"][5].update(rule="gap_statement"),
     "rubric[5].rule: facilitator components are scored by hand; remove the rule or set kind to "
     "'auto'"),
    ("auto inject without a condition", lambda d: d["injects"][0].update(trigger="auto"),
     "injects[0].when: required when trigger is 'auto'"),
    ("condition without what it names",
     lambda d: d["injects"][0].update(trigger="auto", when={"type": "ran_diagnostic"}),
     "injects[0].when.id: required when type is 'ran_diagnostic'"),
    ("budget condition without a fraction",
     lambda d: d["injects"][0].update(trigger="auto", when={"type": "budget_spent_at_least"}),
     "injects[0].when.fraction: required when type is 'budget_spent_at_least'"),
    ("slip without a target",
     lambda d: d["injects"][0].update(effects=[{"type": "lead_time_slip", "weeks": 4}]),
     "injects[0].effects[0].target: required when type is 'lead_time_slip'"),
    ("team size upside down", lambda d: d.update(teamSize={"min": 4, "max": 3}),
     "teamSize.min: must not exceed max (3), got 4"),
    ("duplicate deliverable field", lambda d: d["rounds"][0]["deliverable"].append(
        {"id": "gap", "label": "Again", "kind": "text"}),
     "rounds[0].deliverable[3].id: duplicate field id 'gap'"),
    ("plan stance out of range", lambda d: d["expertPlan"].update(stances={"st_sponsor": 5}),
     "expertPlan.stances.st_sponsor: must be between -2 and 2, got 5"),
]


@pytest.mark.parametrize(("mutate", "expected"), [(m, e) for _, m, e in SCHEMA_CASES],
                         ids=[case for case, _, _ in SCHEMA_CASES])
def test_schema_errors_name_the_json_path(mutate: Mutation, expected: str) -> None:
    assert problems_of(variant(mutate)) == [f"variant.json: {expected}"]


def test_all_schema_problems_are_reported_at_once() -> None:
    def break_three(d: dict[str, Any]) -> None:
        d["kpis"][0]["noise"] = -1
        d["stakeholders"][0].pop("role")
        d["metrics"][2]["timing"] = "later"

    assert problems_of(variant(break_three)) == [
        "variant.json: kpis[0].noise: must be at least 0, got -1",
        "variant.json: stakeholders[0].role: required key is missing",
        "variant.json: metrics[2].timing: 'later' is not allowed here; use one of: leading, "
        "lagging",
    ]


# --- references and ids --------------------------------------------------------------------------

REFERENCE_CASES: list[tuple[str, Mutation, str]] = [
    ("evidence cause", lambda d: d["diagnostics"][2]["evidence"][0].update(cause="rc_skill"),
     "diagnostics[2].evidence[0].cause: unknown root cause 'rc_skill'; did you mean "
     "'rc_skills'? (known: rc_search, rc_skills)"),
    ("loadings key", lambda d: d["causes"][0]["loadings"].update(k_aht=0.5),
     "causes[0].loadings.k_aht: unknown KPI 'k_aht' (known: k_fcr)"),
    ("valuePerPoint key", lambda d: d["economics"]["valuePerPoint"].update(k_nps=1),
     "economics.valuePerPoint.k_nps: unknown KPI 'k_nps' (known: k_fcr)"),
    ("side effect KPI", lambda d: d["interventions"][0].update(
        sideEffects=[{"kpi": "k_aht", "delta": 0.2}]),
     "interventions[0].sideEffects[0].kpi: unknown KPI 'k_aht' (known: k_fcr)"),
    ("metric KPI", lambda d: d["metrics"][1].update(kpi="k_search"),
     "metrics[1].kpi: unknown KPI 'k_search' (known: k_fcr)"),
    ("KPI owner", lambda d: d["kpis"][0].update(owner="st_ceo"),
     "kpis[0].owner: unknown stakeholder 'st_ceo' (known: st_sponsor)"),
    ("brief sponsor", lambda d: d["brief"].update(sponsor="st_boss"),
     "brief.sponsor: unknown stakeholder 'st_boss' (known: st_sponsor)"),
    ("stakeholder belief", lambda d: d["stakeholders"][0].update(believes="rc_morale"),
     "stakeholders[0].believes: unknown root cause 'rc_morale' (known: rc_search, rc_skills)"),
    ("cause cell", lambda d: d["causes"][0].update(cell="cell_tool"),
     "causes[0].cell: unknown taxonomy cell 'cell_tool'; did you mean 'cell_tools'? (known: "
     "cell_expectations, cell_tools, cell_incentives, cell_knowledge, cell_capacity, "
     "cell_motives, cell_external)"),
    ("intervention cells", lambda d: d["interventions"][0]["cells"].append("cell_process"),
     "interventions[0].cells[1]: unknown taxonomy cell 'cell_process' (known: "
     "cell_expectations, cell_tools, cell_incentives, cell_knowledge, cell_capacity, "
     "cell_motives, cell_external)"),
    ("unlocks", lambda d: d["diagnostics"][0].update(unlocks=["d_focus"]),
     "diagnostics[0].unlocks[0]: unknown diagnostic 'd_focus' (known: d_kpi_trend, "
     "d_side_by_side, d_quiz)"),
    ("opensIn", lambda d: d["diagnostics"][1].update(opensIn="r_causes"),
     "diagnostics[1].opensIn: unknown round 'r_causes'; did you mean 'r_cause'? (known: "
     "r_cause, r_plan)"),
    ("validates", lambda d: d["metrics"][2]["validates"].append("i_coaching"),
     "metrics[2].validates[1]: unknown intervention 'i_coaching' (known: i_search_fix, "
     "i_refresher)"),
    ("sustains", lambda d: d["interventions"][0].update(sustains=["i_governance"]),
     "interventions[0].sustains[0]: unknown intervention 'i_governance' (known: i_search_fix, "
     "i_refresher)"),
    ("inject round", lambda d: d["injects"][0].update(round="r_pitch"),
     "injects[0].round: unknown round 'r_pitch' (known: r_cause, r_plan)"),
    ("inject component", lambda d: d["injects"][0].update(component="c_inject"),
     "injects[0].component: unknown rubric component 'c_inject' (known: c_gap, c_diagnosis, "
     "c_evidence, c_fit, c_metrics, c_pitch)"),
    ("inject sender with a stakeholder prefix", lambda d: d["injects"][0].update(sender="st_cfo"),
     "injects[0].sender: unknown stakeholder 'st_cfo' (known: st_sponsor)"),
    ("condition id by type", lambda d: d["injects"][0].update(
        trigger="auto", when={"type": "selected_intervention", "id": "i_course"}),
     "injects[0].when.id: unknown intervention 'i_course' (known: i_search_fix, i_refresher)"),
    ("effect target by type", lambda d: d["injects"][0].update(
        effects=[{"type": "stance_change", "target": "i_search_fix", "delta": -1}]),
     "injects[0].effects[0].target: unknown stakeholder 'i_search_fix' (known: st_sponsor)"),
    ("component round", lambda d: d["rubric"][0].update(round="r_gap"),
     "rubric[0].round: unknown round 'r_gap' (known: r_cause, r_plan)"),
    ("expert plan diagnostic", lambda d: d["expertPlan"]["diagnostics"].append("d_survey"),
     "expertPlan.diagnostics[2]: unknown diagnostic 'd_survey' (known: d_kpi_trend, "
     "d_side_by_side, d_quiz)"),
    ("expert plan cell", lambda d: d["expertPlan"]["causes"][0].update(cell="cell_tech"),
     "expertPlan.causes[0].cell: unknown taxonomy cell 'cell_tech' (known: cell_expectations, "
     "cell_tools, cell_incentives, cell_knowledge, cell_capacity, cell_motives, cell_external)"),
    ("expert plan isolation", lambda d: d["expertPlan"].update(isolation="iso_control"),
     "expertPlan.isolation: unknown isolation method 'iso_control' (known: iso_pilot, "
     "iso_estimate)"),
    ("expert plan text field", lambda d: d["expertPlan"]["texts"].update(gap_statement="..."),
     "expertPlan.texts.gap_statement: unknown text deliverable field 'gap_statement'; did you "
     "mean 'gap'? (known: gap, pitch)"),
    ("expert plan inject answer", lambda d: d["expertPlan"]["texts"].update(
        {"inject:inj_cut": "..."}),
     'expertPlan.texts["inject:inj_cut"]: unknown inject \'inj_cut\' (known: inj_course_now)'),
    ("sponsor plan metric", lambda d: d["sponsorPlan"]["metrics"][0].update(id="m_quiz"),
     "sponsorPlan.metrics[0].id: unknown metric 'm_quiz'; did you mean 'm_quiz_score'? (known: "
     "m_fcr, m_search_success, m_quiz_score)"),
    ("listed twice", lambda d: d["expertPlan"]["diagnostics"].append("d_kpi_trend"),
     "expertPlan.diagnostics[2]: 'd_kpi_trend' is listed twice"),
    ("duplicate id in a collection", lambda d: d["kpis"].append(dict(d["kpis"][0])),
     "kpis[1].id: duplicate id 'k_fcr': also used at kpis[0].id"),
]


@pytest.mark.parametrize(("mutate", "expected"), [(m, e) for _, m, e in REFERENCE_CASES],
                         ids=[case for case, _, _ in REFERENCE_CASES])
def test_dangling_references_name_the_json_path_and_known_ids(mutate: Mutation,
                                                              expected: str) -> None:
    assert problems_of(variant(mutate)) == [f"variant.json: {expected}"]


def test_a_free_sender_name_is_not_a_reference() -> None:
    scenario = load_data(variant(lambda d: d["injects"][0].update(sender="IT service desk")))
    assert scenario.injects[0].sender == "IT service desk"


def test_ids_are_unique_across_collections() -> None:
    # Prefixes keep collections apart, so a clash needs a custom taxonomy cell named like a KPI
    # would be refused by the prefix check first; the check itself is exercised on built objects.
    from dataclasses import replace

    scenario = load_scenario(MINIMAL)
    clash = replace(scenario, rounds=(replace(scenario.rounds[0], id="k_fcr"), scenario.rounds[1]))
    located = loader.scenario_problems(clash)
    assert ("rounds[0].id", "duplicate id 'k_fcr': also used at kpis[0].id") in located


# --- guarantees ----------------------------------------------------------------------------------


def test_an_unexpected_exception_becomes_a_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(schema.ScenarioSchema, "load", explode)
    assert problems_of(minimal_data(), "a.json") == [
        "a.json: internal error while loading (RuntimeError: boom); please report this with the "
        "file"
    ]


def test_problem_renders_file_location_path_and_message() -> None:
    assert str(Problem("h.json", "a[1].b", "bad")) == "h.json: a[1].b: bad"
    assert str(Problem("h.json", "", "bad", line=3, column=9)) == "h.json: line 3, column 9: bad"
    error = ScenarioError("h.json", [Problem("h.json", "x", "one"), Problem("h.json", "y", "two")])
    assert str(error) == "h.json: x: one\nh.json: y: two"


# --- directories and plans -----------------------------------------------------------------------


def test_load_directory_returns_scenarios_sorted_by_id(tmp_path: Path) -> None:
    for file_name, scenario_id in (("a.json", "zeta"), ("b.json", "alpha")):
        data = minimal_data()
        data["id"] = scenario_id
        (tmp_path / file_name).write_text(json.dumps(data))
    (tmp_path / "notes.txt").write_text("not a scenario")
    assert [s.id for s in load_directory(tmp_path)] == ["alpha", "zeta"]


def test_load_directory_reports_every_bad_file_and_duplicate_ids(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps(minimal_data()))
    (tmp_path / "b.json").write_text(json.dumps(minimal_data()))
    (tmp_path / "c.json").write_text("[]")
    with pytest.raises(ScenarioError) as caught:
        load_directory(tmp_path)
    rendered = [str(p) for p in caught.value.problems]
    assert rendered == [
        f"{tmp_path / 'c.json'}: the top level is an array; a scenario file must be a JSON object "
        "({ ... }) at the top level",
        f"{tmp_path / 'b.json'}: id: scenario id 'minimal' is also used by {tmp_path / 'a.json'}; "
        "scenario ids must be unique",
    ]


def test_plans_load_and_their_references_are_checked(minimal, tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps({"interventions": [{"id": "i_refresher"}]}))
    expected = Plan(interventions=(PlannedIntervention("i_refresher"),))
    assert load_plan(plan_file, minimal) == expected
    with pytest.raises(ScenarioError) as caught:
        load_plan_text('{"diagnostics": ["d_nope"], "colour": 1}', minimal, "p.json")
    assert [str(p) for p in caught.value.problems] == [
        "p.json: colour: unknown key (allowed here: diagnostics, evidence, causes, ruledOut, "
        "interventions, metrics, isolation, texts, stances, injects)"
    ]
    with pytest.raises(ScenarioError) as caught:
        load_plan_text('{"diagnostics": ["d_nope"]}', minimal, "p.json")
    assert [str(p) for p in caught.value.problems] == [
        "p.json: diagnostics[0]: unknown diagnostic 'd_nope' (known: d_kpi_trend, "
        "d_side_by_side, d_quiz)"
    ]
