"""How long `practicum lint` takes on each shipped scenario, plan search included.

Loads each scenario once, then times every lint rule over several runs (the median is kept)
and the plan search alone, and prints one JSON object per scenario. Lint of a shipped scenario
should take well under a few seconds; a slower result means a rule (most likely the plan search)
has grown too costly for an author's edit-lint loop.

    .venv/bin/python -m bench.lint_speed                      # scenarios/*.json, 5 runs each
    .venv/bin/python -m bench.lint_speed scenarios/harbor.json --runs 20
    .venv/bin/python -m bench.lint_speed --budget 3           # exit 1 if any median is over 3 s
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def _median_seconds(work: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(path: Path, runs: int) -> dict[str, Any]:
    """Return the median seconds of lint, of the plan search, and per rule, for one file."""
    from practicum.scenario.lint import RULES, lint
    from practicum.scenario.loader import load_scenario
    from practicum.scenario.plan_search import search

    scenario = load_scenario(path)
    result = search(scenario)
    per_rule = {
        name: round(_median_seconds(lambda check=check: list(check(scenario)), runs), 4)
        for name, check in RULES.items()
    }
    return {
        "scenario": scenario.id,
        "file": str(path),
        "runs": runs,
        "lintSeconds": round(_median_seconds(lambda: lint(scenario), runs), 4),
        "searchSeconds": round(_median_seconds(lambda: search(scenario), runs), 4),
        "plansVisited": result.visited,
        "plansAffordable": result.affordable,
        "slowestRules": dict(sorted(per_rule.items(), key=lambda kv: -kv[1])[:3]),
        "findings": len(lint(scenario)),
    }


def main(argv: list[str] | None = None) -> int:
    """Measure every file given (default: the shipped scenarios); print JSON lines."""
    parser = argparse.ArgumentParser(prog="python -m bench.lint_speed")
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--budget",
        type=float,
        default=None,
        help="exit 1 when a median lint time exceeds this many seconds",
    )
    args = parser.parse_args(argv)
    files = args.files or sorted((REPO / "scenarios").glob("*.json"))
    over = False
    for file in files:
        report = measure(file, max(1, args.runs))
        print(json.dumps(report))
        over = over or (args.budget is not None and report["lintSeconds"] > args.budget)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
