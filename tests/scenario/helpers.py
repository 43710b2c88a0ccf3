"""Helpers for scenario tests: the minimal fixture's JSON and variants made from it in code."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from practicum.scenario.errors import ScenarioError
from practicum.scenario.loader import load_scenario_text
from practicum.scenario.model import Scenario

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "scenarios"
MINIMAL = FIXTURES / "minimal.json"


def minimal_data() -> dict[str, Any]:
    """Return a fresh, mutable copy of the minimal scenario's JSON."""
    return json.loads(MINIMAL.read_text(encoding="utf-8"))


def variant(mutate: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
    """Return the minimal scenario's JSON after ``mutate`` changed it in place."""
    data = minimal_data()
    mutate(data)
    return data


def load_data(data: dict[str, Any], name: str = "variant.json") -> Scenario:
    """Load a scenario from JSON data (as an author's file would be)."""
    return load_scenario_text(json.dumps(data, indent=2), name)


def problems_of(data: dict[str, Any] | str | bytes, name: str = "variant.json") -> list[str]:
    """Return the rendered problems loading ``data`` raises (fails the test if it loads)."""
    text = data if isinstance(data, str | bytes) else json.dumps(copy.deepcopy(data), indent=2)
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, name)
    assert caught.value.problems, "a ScenarioError must carry at least one problem"
    return [str(problem) for problem in caught.value.problems]
