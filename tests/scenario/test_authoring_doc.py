"""docs/authoring.md cannot drift: its example loads, its reference is generated and current."""

from __future__ import annotations

import re

import pytest

from practicum.scenario import schema as s
from practicum.scenario.jsonschema import (
    AUTHORING_FILE,
    REFERENCE_END,
    REFERENCE_START,
    generated_reference,
    replace_reference,
)
from practicum.scenario.lint import RULES, lint
from practicum.scenario.loader import load_plan_text, load_scenario_text

from .helpers import MINIMAL

DOC = AUTHORING_FILE.read_text(encoding="utf-8")


def section(heading: str) -> str:
    """Return the text of a level-2 section of the guide."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", DOC, re.S | re.M)
    assert match, f"docs/authoring.md has no section '## {heading}'"
    return match.group(1)


def json_blocks(text: str) -> list[str]:
    return re.findall(r"```json\n(.*?)```", text, re.S)


def test_the_documented_minimal_example_is_the_fixture_and_loads_and_lints_clean() -> None:
    [example] = json_blocks(section("A complete minimal scenario"))
    assert example == MINIMAL.read_text(encoding="utf-8")
    scenario = load_scenario_text(example, "authoring.md example")
    assert lint(scenario) == []


def test_the_documented_plan_file_example_loads() -> None:
    [example] = json_blocks(section("Commands"))
    scenario = load_scenario_text(MINIMAL.read_text(encoding="utf-8"), "minimal.json")
    plan = load_plan_text(example, scenario, "authoring.md plan")
    assert plan.interventions[0].id == "i_refresher"


def test_the_generated_reference_in_the_guide_is_current() -> None:
    assert replace_reference(DOC, generated_reference()) == DOC, (
        "docs/authoring.md is stale: run python -m practicum.scenario.jsonschema --write"
    )
    assert DOC.index(REFERENCE_START) < DOC.index(REFERENCE_END)


@pytest.mark.parametrize("schema_class", s.schema_classes(), ids=lambda c: c.__name__)
def test_every_schema_field_is_documented(schema_class) -> None:
    reference = section("Reference")
    for name, schema_field in schema_class._declared_fields.items():
        key = s.json_key(schema_field, name)
        assert f"| `{key}` |" in reference, f"{schema_class.__name__}.{key} is not documented"


@pytest.mark.parametrize("rule", list(RULES))
def test_every_lint_rule_is_explained_with_a_fix(rule: str) -> None:
    rules = section("Lint rules")
    match = re.search(rf"^### `{re.escape(rule)}`\n(.*?)(?=^### |\Z)", rules, re.S | re.M)
    assert match, f"lint rule {rule} has no section in docs/authoring.md"
    assert "**Fix:**" in match.group(1)


def test_every_scoring_rule_and_param_is_documented() -> None:
    from practicum.domain.scoring import RULE_PARAMS

    reference = section("Reference")
    for rule, params in RULE_PARAMS.items():
        assert f"#### `{rule}`" in reference
        for param in params:
            assert f"| `{param}` |" in reference


def test_every_id_prefix_is_listed_in_the_conventions() -> None:
    conventions = section("Conventions")
    for prefix in s.ID_PREFIXES.values():
        assert f"`{prefix}`" in conventions
