"""Typed parameters of the automatic scoring rules: declared once, checked when a scenario loads.

Each rule in `practicum.domain.scoring` reads its `params` through these declarations (name,
type, range, default, doc). The loader checks a component's params against them, and the JSON
Schema and the guide's parameter tables are generated from them, so the four cannot disagree.
This module is pure data: the scenario loader imports it, and so does the domain layer above.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

# Parameter types: "number", "integer", "text", "choice" (one of `choices`), "id" (one id of
# the collection `ref` names), "ids" (a list of such ids).
PARAM_TYPES = ("number", "integer", "text", "choice", "id", "ids")


@dataclass(frozen=True)
class Param:
    """One rule parameter: its JSON type, allowed range, default and meaning."""

    name: str
    type: str
    doc: str
    default: Any = None  # None: the rule works it out from the scenario (the doc says how)
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    ref: str | None = None  # for id/ids: "kpi", "intervention", "inject", "text_field"

    def type_label(self) -> str:
        """Describe the type for people: "number 0..1", "list of intervention ids"."""
        if self.type == "choice":
            return "one of " + ", ".join(f'"{c}"' for c in self.choices)
        if self.type == "id":
            return f"{_REF_NOUNS[self.ref or '']} id"
        if self.type == "ids":
            return f"list of {_REF_NOUNS[self.ref or '']} ids"
        label = {"number": "number", "integer": "whole number", "text": "text"}[self.type]
        return label + _range_text(self.minimum, self.maximum)

    def default_label(self) -> str:
        """Return the default as JSON in backticks, or "-" when the rule works it out."""
        return "-" if self.default is None else f"`{json.dumps(self.default)}`"


_REF_NOUNS = {
    "kpi": "KPI",
    "intervention": "intervention",
    "inject": "inject",
    "text_field": "text field",
    "": "item",
}


def _range_text(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f" {low:g}..{high:g}"
    if low is not None:
        return f" >= {low:g}"
    if high is not None:
        return f" <= {high:g}"
    return ""


def _fraction(name: str, doc: str, default: float) -> Param:
    return Param(name, "number", doc, default, 0.0, 1.0)


_DECLARED: dict[str, tuple[Param, ...]] = {
    "gap_statement": (
        Param("field", "id", "Text field id holding the gap statement.", "gap", ref="text_field"),
        Param(
            "kpis",
            "ids",
            "KPI ids whose current and target values the statement must give (default: all KPIs).",
            ref="kpi",
        ),
    ),
    "diagnosis_accuracy": (
        Param("primaryWeight", "number", "Weight of finding a primary cause.", 2.0, 0.0, 100.0),
        Param(
            "contributingWeight",
            "number",
            "Weight of finding a contributing cause.",
            1.0,
            0.0,
            100.0,
        ),
        _fraction(
            "wrongCellCredit", "Share of a cause's credit kept when placed in the wrong cell.", 0.5
        ),
        _fraction("confidentAt", "Confidence giving full credit on a real cause.", 0.7),
        _fraction(
            "confidenceShare", "Share of a real cause's credit lost at zero confidence.", 0.25
        ),
        _fraction(
            "falseCausePenalty",
            "Fraction of the weight taken per false cause declared, "
            "scaled from half at confidence 0 to full at 1.",
            0.2,
        ),
        _fraction(
            "ruledOutBonus",
            "Fraction of the weight added per false cause ruled out (the "
            "total is capped at the weight).",
            0.05,
        ),
        _fraction(
            "ruledOutRealPenalty", "Fraction of the weight taken per real cause ruled out.", 0.1
        ),
    ),
    "evidence_triangulation": (
        Param(
            "minMethods",
            "integer",
            "Distinct method types of supporting findings a declared "
            "main cause needs for full credit (lowered when the scenario offers fewer).",
            2,
            1,
            8,
        ),
    ),
    "diagnostic_efficiency": (
        Param(
            "usefulWeight",
            "number",
            "Absolute evidence weight on a primary, contributing or "
            "false cause that makes a diagnostic useful; red herrings never are.",
            2.0,
            1.0,
            3.0,
        ),
        _fraction(
            "budgetShareTarget",
            "Share of analysis points spent on useful diagnostics "
            "for full efficiency credit (capped at the expert plan's).",
            0.7,
        ),
        _fraction(
            "coverageTarget",
            "Share of the useful diagnostics to run for full coverage "
            "credit (capped at the expert plan's).",
            1.0,
        ),
        _fraction(
            "coverageShare", "Part of the score given to coverage; the rest is efficiency.", 0.5
        ),
    ),
    "solution_fit": (
        _fraction(
            "trainingMisfitPenalty",
            "Fraction of the weight taken per training "
            "intervention that targets no real cause in a trainable cell.",
            0.25,
        ),
    ),
    "cost_effectiveness": (
        Param(
            "measure",
            "choice",
            '"roi": true programme ROI against the expert plan\'s; '
            '"closure": gap closed per unit of cost against the expert plan\'s.',
            "roi",
            choices=("roi", "closure"),
        ),
    ),
    "metric_quality": (
        Param(
            "maxMetrics",
            "integer",
            "Most metrics allowed (default: the round's limits.maxMetrics).",
            None,
            1,
            100,
        ),
        _fraction("overLimitPenalty", "Fraction of the weight taken when over the limit.", 0.25),
    ),
    "inject_response": (
        Param(
            "inject",
            "id",
            "Inject id (default: the inject whose component is this one).",
            ref="inject",
        ),
        Param(
            "avoid",
            "ids",
            "Intervention ids that mean giving in to the inject's demand.",
            [],
            ref="intervention",
        ),
        Param(
            "expect",
            "ids",
            "Intervention ids a good response keeps or adds.",
            [],
            ref="intervention",
        ),
    ),
}

RULE_PARAM_SPECS: Mapping[str, Mapping[str, Param]] = MappingProxyType(
    {rule: MappingProxyType({p.name: p for p in params}) for rule, params in _DECLARED.items()}
)
del _DECLARED  # only the read-only view stays reachable


def param_default(rule: str, name: str) -> Any:
    """Return a parameter's declared default (a fresh copy of a list)."""
    default = RULE_PARAM_SPECS[rule][name].default
    return list(default) if isinstance(default, list) else default


def param_problems(rule: str, params: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """Yield (param name, message) for each declared param whose value has the wrong type.

    Names the rule does not read are left to lint's `rule-params` warning; references inside
    id params are checked by lint too, since they need the whole scenario.
    """
    specs = RULE_PARAM_SPECS.get(rule, {})
    for name, value in params.items():
        spec = specs.get(name)
        if spec is None or value is None:
            continue
        message = _type_problem(spec, value)
        if message:
            yield name, f"{message}; {rule} expects {spec.type_label()} here ({spec.doc})"


def _type_problem(spec: Param, value: Any) -> str | None:
    got = _describe(value)
    if spec.type in ("number", "integer"):
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        if not numeric or (isinstance(value, float) and not math.isfinite(value)):
            return f"expected a number, got {got}"
        if spec.type == "integer" and float(value) != int(value):
            return f"expected a whole number, got {got}"
        if (spec.minimum is not None and value < spec.minimum) or (
            spec.maximum is not None and value > spec.maximum
        ):
            return f"{got} is out of range"
        return None
    if spec.type == "choice":
        if value not in spec.choices:
            return f"{got} is not allowed"
        return None
    if spec.type in ("text", "id"):
        return None if isinstance(value, str) and value.strip() else f"expected text, got {got}"
    if spec.type == "ids" and not (
        isinstance(value, list) and all(isinstance(v, str) for v in value)
    ):
        return f"expected a list of ids, got {got}"
    return None


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return f"text {json.dumps(value[:40])}"
    if isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return json.dumps(value)


def params_json_schema(rule: str) -> dict[str, Any]:
    """Return the JSON Schema of one rule's `params` object."""
    properties: dict[str, Any] = {}
    for spec in RULE_PARAM_SPECS[rule].values():
        prop: dict[str, Any] = {"description": spec.doc}
        if spec.type in ("number", "integer"):
            prop["type"] = spec.type
            if spec.minimum is not None:
                prop["minimum"] = spec.minimum
            if spec.maximum is not None:
                prop["maximum"] = spec.maximum
        elif spec.type == "choice":
            prop["enum"] = list(spec.choices)
        elif spec.type in ("text", "id"):
            prop["type"] = "string"
        else:
            prop["type"] = "array"
            prop["items"] = {"type": "string"}
        if spec.default is not None:
            prop["default"] = spec.default
        properties[spec.name] = prop
    return {"type": "object", "properties": properties}
