"""Messages that misled authors (issue 13): each fixed, each with a test that would catch it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from practicum.domain.scoring import diagnosis_accuracy
from practicum.scenario.jsonschema import scenario_json_schema
from practicum.scenario.lint import short_of
from practicum.scenario.loader import load_plan_text, load_scenario_text
from practicum.scenario.model import Plan, RootCause
from practicum.scenario.rule_params import RULE_PARAM_SPECS

from .helpers import MINIMAL, minimal_data, problems_of, variant
from .test_cli import run, write

# --- typed rule parameters -----------------------------------------------------------------


def test_a_rule_param_of_the_wrong_type_is_a_load_error_with_path_and_fix() -> None:
    problems = problems_of(
        variant(lambda d: d["rubric"][1].update(params={"primaryWeight": "two"}))
    )
    assert problems == [
        'variant.json: rubric[1].params.primaryWeight: expected a number, got text "two"; '
        "diagnosis_accuracy expects number 0..100 here (Weight of finding a primary cause.)"
    ]


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"confidentAt": 1.5}, "1.5 is out of range; diagnosis_accuracy expects number 0..1"),
        ({"measure": "profit"}, 'text "profit" is not allowed; cost_effectiveness expects one of'),
        ({"minMethods": 1.5}, "expected a whole number, got 1.5"),
        ({"expect": "i_search_fix"}, 'expected a list of ids, got text "i_search_fix"'),
    ],
)
def test_each_param_type_is_checked(params: dict[str, Any], fragment: str) -> None:
    rules = {"confidentAt": 1, "measure": None, "minMethods": 2, "expect": None}
    name = next(iter(params))

    def mutate(d: dict[str, Any]) -> None:
        position = rules[name]
        if position is None:  # add a component for the rule the param belongs to
            rule = "cost_effectiveness" if name == "measure" else "inject_response"
            d["rubric"].append(
                {
                    "id": "c_extra",
                    "name": "Extra",
                    "round": "r_plan",
                    "weight": 1,
                    "kind": "auto",
                    "rule": rule,
                    "params": params,
                }
            )
            d["injects"][0]["component"] = "c_extra"
            d["rubric"][-2]["weight"] -= 1
        else:
            d["rubric"][position]["params"] = params

    [problem] = problems_of(variant(mutate))
    assert fragment in problem


def test_ids_in_rule_params_must_name_something_the_scenario_defines() -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["rubric"][0]["params"] = {"kpis": ["k_fcr", "k_csat"]}

    assert problems_of(variant(mutate)) == [
        "variant.json: rubric[0].params.kpis[1]: unknown KPI 'k_csat' (known: k_fcr)"
    ]


def test_the_json_schema_types_params_by_rule_from_the_declarations() -> None:
    component = scenario_json_schema()["$defs"]["Component"]
    by_rule = {
        entry["if"]["properties"]["rule"]["const"]: entry["then"]["properties"]["params"]
        for entry in component["allOf"]
        if "rule" in entry["if"]["properties"]
    }
    assert set(by_rule) == set(RULE_PARAM_SPECS)
    weight = by_rule["diagnosis_accuracy"]["properties"]["primaryWeight"]
    assert weight == {
        "description": "Weight of finding a primary cause.",
        "type": "number",
        "minimum": 0.0,
        "maximum": 100.0,
        "default": 2.0,
    }
    assert by_rule["cost_effectiveness"]["properties"]["measure"]["enum"] == ["roi", "closure"]


def test_the_committed_json_schema_is_the_generated_one() -> None:
    from practicum.scenario.jsonschema import SCHEMA_FILE, render_json

    assert SCHEMA_FILE.read_text(encoding="utf-8") == render_json(scenario_json_schema()), (
        "docs/scenario.schema.json is stale: run python -m practicum.scenario.jsonschema --write"
    )


# --- messages --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "target", "shown"),
    [(77.996, 78.0, "77.996"), (77.5, 78.0, "77.50"), (2.70001, 2.7, "2.70001")],
)
def test_a_missed_target_is_never_shown_equal_to_the_target(value, target, shown) -> None:
    assert short_of(value, target) == shown
    assert float(short_of(value, target)) != target


def _cause(cause_id: str, truth: str, cell: str) -> RootCause:
    return RootCause(cause_id, cause_id, "", cell, "process", truth, 0.4, 0.0, {}, "")


def test_two_missed_primary_causes_are_told_apart_without_naming_them(minimal) -> None:
    causes = (
        _cause("rc_a", "primary", "cell_tools"),
        _cause("rc_b", "primary", "cell_tools"),
        _cause("rc_c", "primary", "cell_incentives"),
        *minimal.causes[1:],
    )
    scenario = replace(minimal, causes=causes)
    component = scenario.component("c_diagnosis")
    text = diagnosis_accuracy(scenario, Plan(), component).explanation
    assert (
        "You missed three primary causes: two in the Tools, process & time cell and one in "
        "the Incentives & consequences cell."
    ) in text
    assert "rc_a" not in text and "rc_b" not in text
    two = replace(minimal, causes=causes[:2] + minimal.causes[1:])
    text = diagnosis_accuracy(two, Plan(), component).explanation
    assert "two primary causes, both in the Tools, process & time cell" in text


def test_a_missing_closing_brace_is_reported_where_the_object_opened() -> None:
    text = MINIMAL.read_text(encoding="utf-8")
    start = text.index('"company"')
    broken = text[: text.index("}", start)] + text[text.index("}", start) + 1 :]
    line = text[:start].count("\n") + 1
    [problem] = problems_of(broken)
    assert problem.startswith(
        f"variant.json: line {line}, column 14: invalid JSON: the object "
        "opened here with { is never closed"
    )


def test_a_missing_bracket_in_one_line_json_names_the_innermost_opener() -> None:
    [problem] = problems_of('{"id": "x", "kpis": [{"id": "k_a"}')
    assert problem.startswith("variant.json: line 1, column 21: invalid JSON: the array opened")


def test_an_error_in_the_middle_keeps_jsons_own_message() -> None:
    [problem] = problems_of('{"id": "x",, "kpis": []}')
    assert "never closed" not in problem


def test_validate_reports_reference_errors_beside_schema_errors() -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["kpis"][0]["baseline"] = "80"
        d["diagnostics"][0]["evidence"][0]["cause"] = "rc_serch"

    assert problems_of(variant(mutate)) == [
        'variant.json: kpis[0].baseline: expected a number, got text "80"',
        "variant.json: diagnostics[0].evidence[0].cause: unknown root cause 'rc_serch'; did you "
        "mean 'rc_search'? (known: rc_search, rc_skills)",
    ]


def test_references_into_a_collection_the_schema_refused_are_not_echoed() -> None:
    problems = problems_of(variant(lambda d: d.update(kpis={})))
    assert not any("unknown KPI" in p for p in problems)


# --- BOM, duplicate ids, control characters ------------------------------------------------------


def test_a_bom_is_accepted_with_a_note_by_validate_lint_and_play(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + MINIMAL.read_bytes()
    scenario = write(tmp_path, "bom.json", data)
    note = f"{scenario}: note: the file starts with a UTF-8 byte-order mark (BOM)"
    for command in (["validate", scenario], ["lint", scenario]):
        code, out = run(*command)
        assert code == 0 and out.startswith(note), out
    plan = write(tmp_path, "plan.json", b"\xef\xbb\xbf" + b'{"interventions": []}')
    code, out = run("play", str(MINIMAL), "--plan", plan)
    assert code == 0 and f"{plan}: note: the file starts with a UTF-8 byte-order mark" in out
    # The loaders themselves accept it the same way.
    loaded = load_scenario_text(data, "bom.json")
    assert load_plan_text(b"\xef\xbb\xbf{}", loaded) == Plan()


def test_two_files_with_one_scenario_id_are_an_error_naming_both(tmp_path: Path) -> None:
    first = write(tmp_path, "a.json", minimal_data())
    second = write(tmp_path, "b.json", minimal_data())
    code, out = run("validate", first, second)
    assert code == 1
    assert f"{second}: id: scenario id 'minimal' is also used by {first}" in out
    code, out = run("lint", first, second)
    assert code == 1 and f"is also used by {first}" in out


def test_control_characters_in_titles_are_escaped_on_the_terminal(tmp_path: Path) -> None:
    data = minimal_data()
    data["title"] = "Evil \x1b[2J\x1b[31mtitle\x07"
    scenario = write(tmp_path, "evil.json", json.dumps(data))
    code, out = run("play", scenario, "--plan", "expert")
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out
    assert "Evil \\x1b[2J\\x1b[31mtitle\\x07 - plan: expert" in out
