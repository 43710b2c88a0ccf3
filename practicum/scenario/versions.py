"""Format versions: which keys need format v2, and the check that a v1 file uses none of them.

A v1 file is read by the same schemas as a v2 file; every key only v2 may set carries
``since: 2`` in its schema field's metadata (and in the model field's), and keeps its default in
a v1 file. So a v1 scenario is exactly the v2 scenario with those defaults, and the outcome
model, given the defaults, computes what it computed for v1.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from marshmallow import Schema, fields

from practicum.scenario.model import Scenario
from practicum.scenario.schema import ScenarioSchema, json_key, model_default, path_join

Located = tuple[str, str]
V2_ACTIONS = ("run_pilot",)  # round actions only format v2 may list


def since(schema_field: fields.Field) -> int:
    """Return the first format version in which a schema field may be set."""
    return int(schema_field.metadata.get("since", 1))


def version_problems(scenario: Scenario) -> list[Located]:
    """Return (path, message) for every v2-only key a scenario of an older version sets."""
    if scenario.schema_version >= 2:
        return []
    found = [
        (
            path,
            f'this key needs "schemaVersion": 2 (the file says '
            f"{scenario.schema_version}); run `practicum migrate FILE` to convert it",
        )
        for path in v2_paths(ScenarioSchema, scenario, "")
    ]
    return found + _action_problems(scenario)


def share_problems(scenario: Scenario) -> list[Located]:
    """Return KPIs whose v2 ``kpiShares`` explain more than the whole gap.

    For a KPI that some cause gives a ``kpiShares`` entry, the positive shares of all causes
    (``kpiShares``, else ``gapShare x loading``) plus ``residual`` may not exceed 1: causes
    cannot explain more of a KPI than its gap. v1 files, which have no ``kpiShares``, are left
    to lint's ``gap-shares`` rule as before.
    """
    from practicum.domain.outcome import kpi_share  # the domain layer sits above this package

    found = []
    for index, kpi in enumerate(scenario.kpis):
        if not any(kpi.id in cause.kpi_shares for cause in scenario.causes):
            continue
        total = scenario.residual + sum(
            max(0.0, kpi_share(cause, kpi.id)) for cause in scenario.causes
        )
        if total > 1.0 + 1e-9:
            found.append(
                (
                    f"kpis[{index}]",
                    f"the causes' shares of '{kpi.id}' plus the residual add up to {total:.2f}; "
                    "together they may explain at most the whole gap (1.00): lower a kpiShares "
                    "entry, a gapShare or loading, or the residual",
                )
            )
    return found


def pitch_problems(scenario: Scenario) -> list[Located]:
    """Return problems of v2 Q&A components: each must score a pitch (presentation) round."""
    found = []
    for index, component in enumerate(scenario.rubric):
        rounds = {r.id: r for r in scenario.rounds}  # an unknown round is reported elsewhere
        round_ = rounds.get(component.round)
        if component.qa and round_ is not None and round_.presentation is None:
            found.append(
                (
                    f"rubric[{index}].qa",
                    f"round '{component.round}' has no presentation, so there is no Q&A to judge; "
                    "give the round a `presentation` or score the component elsewhere",
                )
            )
    return found


def _action_problems(scenario: Scenario) -> list[Located]:
    found = []
    for index, round_ in enumerate(scenario.rounds):
        for position, action in enumerate(round_.actions):
            if action in V2_ACTIONS:
                found.append(
                    (
                        f"rounds[{index}].actions[{position}]",
                        f"the action '{action}' needs \"schemaVersion\": 2 (the file says "
                        f"{scenario.schema_version})",
                    )
                )
    return found


def v2_paths(schema_class: type[Schema], obj: Any, path: str) -> list[str]:
    """Return the JSON paths of v2-only keys set to something other than their default."""
    found: list[str] = []
    for name, schema_field in schema_class._declared_fields.items():
        if not hasattr(obj, name):
            continue
        value = getattr(obj, name)
        where = path_join(path, json_key(schema_field, name))
        if since(schema_field) >= 2:
            if value != model_default(schema_class, name):  # type: ignore[arg-type]
                found.append(where)
            continue
        found += _nested_paths(schema_field, value, where)
    return found


def _nested_paths(schema_field: fields.Field, value: Any, path: str) -> list[str]:
    if value is None:
        return []
    if isinstance(schema_field, fields.Nested) and dataclasses.is_dataclass(value):
        return v2_paths(schema_field.nested, value, path)  # type: ignore[arg-type]
    if isinstance(schema_field, fields.List) and isinstance(schema_field.inner, fields.Nested):
        found: list[str] = []
        for position, item in enumerate(value):
            found += _nested_paths(schema_field.inner, item, path_join(path, position))
        return found
    return []
