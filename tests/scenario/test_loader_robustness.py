"""Property: whatever an author puts anywhere in a scenario, loading reports, never crashes."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from practicum.scenario.errors import ScenarioError
from practicum.scenario.loader import load_scenario_text

from .helpers import minimal_data

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)


def locations(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Return the path of every node below the top level."""
    found = [path] if path else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += locations(item, (*path, key))
    elif isinstance(value, list):
        for position, item in enumerate(value):
            found += locations(item, (*path, position))
    return found


BASE = minimal_data()
LOCATIONS = locations(BASE)


@settings(max_examples=300, deadline=None)
@given(where=st.sampled_from(LOCATIONS), replacement=json_values)
def test_any_replacement_loads_or_reports_problems(where: tuple[Any, ...], replacement) -> None:
    data = minimal_data()
    target = data
    for step in where[:-1]:
        target = target[step]
    target[where[-1]] = replacement
    try:
        load_scenario_text(json.dumps(data), "fuzz.json")
    except ScenarioError as error:
        assert error.problems
        for problem in error.problems:
            assert "internal error" not in problem.message, problem
            assert problem.file == "fuzz.json"
