"""The shipped scenarios and their plan fixtures, loaded once per test session."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from practicum.domain.outcome import Outcome, evaluate
from practicum.domain.scoring import auto_score
from practicum.scenario.loader import load_plan, load_scenario
from practicum.scenario.model import Plan, Scenario

REPO = Path(__file__).resolve().parents[2]
SCENARIO_DIR = REPO / "scenarios"
PLAN_DIR = Path(__file__).resolve().parent / "plans"
SHIPPED = ("harbor", "foundry", "heatwise", "alder", "pennant")
# Scenarios where the sponsor's "train everyone" request is a trap (a non-skill problem).
TRAINING_IS_A_TRAP = ("harbor", "foundry", "alder", "pennant")


@cache
def scenario(scenario_id: str) -> Scenario:
    """Return a shipped scenario by id (its file is scenarios/<id>.json)."""
    return load_scenario(SCENARIO_DIR / f"{scenario_id}.json")


def plan_names(scenario_id: str) -> list[str]:
    """Return the names of the plan fixtures written for a scenario (without the prefix)."""
    prefix = f"{scenario_id}-"
    return sorted(p.stem.removeprefix(prefix) for p in PLAN_DIR.glob(f"{prefix}*.json"))


@cache
def plan(scenario_id: str, name: str) -> Plan:
    """Return a plan: "expert", "sponsor" or a fixture tests/scenarios/plans/<id>-<name>.json."""
    found = scenario(scenario_id)
    if name == "expert":
        return found.expert_plan
    if name == "sponsor":
        assert found.sponsor_plan is not None, f"{scenario_id} has no sponsor plan"
        return found.sponsor_plan
    return load_plan(PLAN_DIR / f"{scenario_id}-{name}.json", found)


@cache
def outcome(scenario_id: str, name: str) -> Outcome:
    """Return what a plan does to the business (beside doing nothing and the expert plan)."""
    return evaluate(scenario(scenario_id), plan(scenario_id, name))


@cache
def auto_total(scenario_id: str, name: str) -> float:
    """Return a plan's total automatic rubric points."""
    scores = auto_score(scenario(scenario_id), plan(scenario_id, name))
    return sum(result.points for result in scores.values())
