"""The JSON Schema mirrors the marshmallow schemas, and the committed copy is current."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import jsonschema
import pytest

from practicum.scenario import model
from practicum.scenario import schema as s
from practicum.scenario.jsonschema import (
    SCHEMA_FILE,
    definition_name,
    render_json,
    scenario_json_schema,
)

from .helpers import minimal_data, variant

GENERATED = scenario_json_schema()
VALIDATOR = jsonschema.Draft202012Validator(GENERATED)


def object_json_schema(schema_class: type[s.ModelSchema]) -> dict[str, Any]:
    if schema_class is s.ScenarioSchema:
        return GENERATED
    return GENERATED["$defs"][definition_name(schema_class)]


def test_committed_schema_file_is_the_generated_one() -> None:
    committed = SCHEMA_FILE.read_text(encoding="utf-8")
    assert committed == render_json(GENERATED), (
        "docs/scenario.schema.json is stale: run python -m practicum.scenario.jsonschema --write"
    )


def test_generated_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(GENERATED)
    assert GENERATED["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("schema_class", s.schema_classes(), ids=lambda c: c.__name__)
def test_every_schema_field_appears_with_required_and_closed_objects(schema_class) -> None:
    node = object_json_schema(schema_class)
    declared = {s.json_key(f, name): f for name, f in schema_class._declared_fields.items()}
    assert list(node["properties"]) == list(declared)
    assert node["required"] == [key for key, f in declared.items() if f.required]
    assert node["additionalProperties"] is False
    for key, schema_field in declared.items():
        prop = node["properties"][key]
        if schema_field.metadata.get("description"):
            assert prop["description"] == schema_field.metadata["description"]


@pytest.mark.parametrize("schema_class", s.schema_classes(), ids=lambda c: c.__name__)
def test_schema_keys_mirror_the_dataclass_fields(schema_class) -> None:
    model_fields = [f.name for f in dataclasses.fields(schema_class.model)
                    if f.name != "source_file"]
    keys = [s.json_key(f, n) for n, f in schema_class._declared_fields.items()
            if n != "json_schema"]
    assert keys == [s.camel_case(name) for name in model_fields]


def test_binding_a_schema_that_drifts_from_its_model_fails_at_import() -> None:
    with pytest.raises(TypeError,
                       match="missing \\['delta', 'weeks'\\], surplus \\['amount'\\]"):
        @s.binds(model.SideEffect)
        class Drifted(s.ModelSchema):
            kpi = s.ref("kpi", "KPI id.")
            amount = s.number("Renamed.")


@pytest.mark.parametrize(("definition", "key", "vocabulary"), [
    ("Kpi", "direction", model.DIRECTIONS),
    ("RootCause", "truth", model.TRUTHS),
    ("RootCause", "level", model.LEVELS),
    ("Diagnostic", "method", model.METHODS),
    ("Intervention", "family", model.FAMILIES),
    ("Intervention", "category", model.CATEGORIES),
    ("Round", "phase", model.PHASES),
    ("Round", "onTimeout", model.TIMEOUT_POLICIES),
    ("Metric", "timing", model.TIMINGS),
    ("IsolationMethod", "kind", model.ISOLATION_KINDS),
    ("Inject", "channel", model.CHANNELS),
    ("Condition", "type", model.CONDITIONS),
    ("InjectEffect", "type", model.INJECT_EFFECTS),
    ("DeliverableField", "kind", model.FIELD_KINDS),
])
def test_enumerations_come_from_the_model_vocabularies(definition, key, vocabulary) -> None:
    assert GENERATED["$defs"][definition]["properties"][key]["enum"] == list(vocabulary)


def test_arrays_of_enumerations_and_nullable_choices() -> None:
    defs = GENERATED["$defs"]
    assert defs["Round"]["properties"]["actions"]["items"]["enum"] == list(model.ACTIONS)
    assert defs["Component"]["properties"]["standards"]["items"]["enum"] == list(model.STANDARDS)
    assert defs["Component"]["properties"]["rule"]["enum"] == [*model.RULES, None]
    assert GENERATED["properties"]["difficulty"]["enum"] == list(model.DIFFICULTIES)


def test_ranges_ids_and_defaults_are_carried_over() -> None:
    defs = GENERATED["$defs"]
    assert defs["RootCause"]["properties"]["gapShare"] == {
        "description": "Share of the KPI gap this cause explains, 0..1 (0 for false causes).",
        "type": "number", "minimum": 0, "maximum": 1,
    }
    assert defs["Component"]["properties"]["weight"]["exclusiveMinimum"] == 0
    assert defs["Kpi"]["properties"]["id"]["pattern"] == "^k_[A-Za-z0-9_]+$"
    assert defs["Kpi"]["properties"]["owner"]["type"] == ["string", "null"]
    assert defs["Round"]["properties"]["budget"]["default"] == {"points": 0, "cash": 0.0,
                                                                "days": 0, "analysisCash": 0.0}
    assert GENERATED["properties"]["schemaVersion"]["enum"] == list(model.SCHEMA_VERSIONS)
    assert GENERATED["properties"]["sponsorPlan"]["anyOf"] == [
        {"$ref": "#/$defs/Plan"}, {"type": "null"}]


def test_the_minimal_scenario_is_valid_against_the_json_schema() -> None:
    assert list(VALIDATOR.iter_errors(minimal_data())) == []


@pytest.mark.parametrize("mutate", [
    lambda d: d["causes"][0].update(gapshare=0.8),
    lambda d: d["kpis"][0].update(baseline="80"),
    lambda d: d["kpis"][0].pop("name"),
    lambda d: d["causes"][0].update(gapShare=1.5),
    lambda d: d["rounds"][0]["deliverable"][0].update(kind="essay"),
    lambda d: d["kpis"][0].update(id="kpi_fcr"),
    lambda d: d.update(schemaVersion=3),
    lambda d: d["rubric"][0].pop("rule"),
    lambda d: d["rubric"][5]["levels"].pop(),
    lambda d: d["injects"][0].update(trigger="auto"),
    lambda d: d["economics"]["valuePerPoint"].update(fcr=1),
    lambda d: d.update(title=" "),
])
def test_the_json_schema_rejects_what_the_loader_rejects(mutate) -> None:
    from .helpers import problems_of

    data = variant(mutate)
    assert problems_of(data)  # the loader refuses it ...
    assert list(VALIDATOR.iter_errors(data))  # ... and so does an editor using the JSON Schema


def test_every_field_type_maps_to_a_json_type() -> None:
    for schema_class in s.schema_classes():
        for name, schema_field in schema_class._declared_fields.items():
            prop = object_json_schema(schema_class)["properties"][s.json_key(schema_field, name)]
            typed = "type" in prop or "$ref" in prop or "anyOf" in prop
            # Only rule parameters' values are free-form JSON.
            assert typed or isinstance(schema_field, s.Anything), (schema_class, name)


def test_rendered_json_is_stable_text() -> None:
    text = render_json(GENERATED)
    assert text.endswith("}\n")
    assert json.loads(text) == GENERATED
