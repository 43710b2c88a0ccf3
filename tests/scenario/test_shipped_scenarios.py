"""Every scenario shipped in scenarios/ validates, lints clean (strictly) and can be played."""

from __future__ import annotations

import io
import json

import pytest

from practicum import cli
from practicum.scenario.loader import load_directory, load_scenario

from .helpers import REPO

SHIPPED = sorted((REPO / "scenarios").glob("*.json"))


def test_scenarios_are_shipped_with_unique_ids() -> None:
    assert SHIPPED, "scenarios/ holds no scenario"
    scenarios = load_directory(REPO / "scenarios")
    assert [s.id for s in scenarios] == sorted(s.id for s in scenarios)
    assert len({s.id for s in scenarios}) == len(SHIPPED)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_scenario_validates_and_lints_clean_with_strict(path) -> None:
    out = io.StringIO()
    assert cli.main(["lint", "--strict", str(path)], out=out) == 0, out.getvalue()
    assert out.getvalue() == f"{path}: 0 errors, 0 warnings\n"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_scenario_plays_its_expert_and_sponsor_plans(path) -> None:
    scenario = load_scenario(path)
    for plan in ("expert", "sponsor") if scenario.sponsor_plan else ("expert",):
        out = io.StringIO()
        assert cli.main(["play", str(path), "--plan", plan, "--json"], out=out) == 0
        report = json.loads(out.getvalue())
        assert report["scenario"] == scenario.id
        if plan == "expert":
            assert all(report["outcome"]["targetsMet"].values())
            assert all(r["points"] == r["maxPoints"] for r in report["scores"].values())
