"""The scenario catalogue a server offers: every valid file in the scenario directory."""

from __future__ import annotations

from pathlib import Path

from practicum.scenario.errors import ScenarioError
from practicum.scenario.loader import load_scenario
from practicum.scenario.model import Scenario


def load_catalog(directory: str | Path) -> tuple[dict[str, Scenario], list[str]]:
    """Load every *.json scenario; return them by id and the problems of files that failed."""
    catalog: dict[str, Scenario] = {}
    problems: list[str] = []
    for path in sorted(Path(directory).glob("*.json")):
        try:
            scenario = load_scenario(path)
        except ScenarioError as exc:
            problems.append(str(exc))
            continue
        if scenario.id in catalog:
            problems.append(f"{path.name}: id '{scenario.id}' is already used by another file")
            continue
        catalog[scenario.id] = scenario
    return catalog, problems
