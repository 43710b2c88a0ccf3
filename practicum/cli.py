"""The ``practicum`` command: validate, lint, print the JSON Schema, play a plan, manage users.

Exit codes: 0 clean, 1 problems found, 2 wrong usage. Nothing here prints a traceback: every
failure an author can cause is reported as a message.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from practicum.scenario.errors import ScenarioError
from practicum.scenario.model import Plan, Scenario

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

Command = Callable[[argparse.Namespace, TextIO], int]


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with one subparser per command."""
    parser = argparse.ArgumentParser(
        prog="practicum",
        description="Practicum: live team practicums for learning and development.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _add_validate(subparsers)
    _add_lint(subparsers)
    _add_schema(subparsers)
    _add_play(subparsers)
    _add_migrate(subparsers)
    _add_user(subparsers)
    _add_studio(subparsers)
    _add_lti(subparsers)
    # `practicum serve` belongs to the server layer: add `_add_serve(subparsers)` here, defined
    # like the others (set `func=` to a `Command` that starts the app).
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; return the exit code."""
    out = TerminalSafe(out or sys.stdout)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse exits 2 on usage errors and 0 after --help
        return int(exit_.code or 0)
    try:
        return args.func(args, out)
    except KeyboardInterrupt:
        return EXIT_PROBLEMS
    except Exception as error:  # noqa: BLE001 - an author gets a message, never a traceback
        out.write(f"practicum {args.command}: internal error ({type(error).__name__}: {error}); "
                  "please report it with the file you used\n")
        return EXIT_PROBLEMS


def _add_migrate(subparsers: Any) -> None:
    from practicum.scenario.migrate import add_migrate_command

    add_migrate_command(subparsers)


# C0 and C1 control characters except line break and tab (column separators in listings): a
# title or id in a scenario file must not move the cursor, recolour or clear the terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def escape_controls(text: str) -> str:
    """Show control characters as escapes (``\\x1b``), keeping line breaks and tabs."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class TerminalSafe:
    """A text stream that escapes control characters in everything written to it."""

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def write(self, text: str) -> int:
        """Write the text with control characters escaped."""
        return self._out.write(escape_controls(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._out, name)


def _add_user(subparsers: Any) -> None:
    # The server layer (SQLAlchemy) is only imported when `practicum user` runs.
    from practicum.server.user_cli import add_user_command

    add_user_command(subparsers)


def _add_studio(subparsers: Any) -> None:
    # Flask and the server are only imported when `practicum studio` runs.
    from practicum.server.studio_local import add_studio_command

    add_studio_command(subparsers)


def _add_lti(subparsers: Any) -> None:
    from practicum.server.lti_cli import add_lti_command

    add_lti_command(subparsers)


# --- validate ------------------------------------------------------------------------------------


def _add_validate(subparsers: Any) -> None:
    command = subparsers.add_parser(
        "validate", help="check scenario files load: JSON, schema and references",
        description="Load each scenario file and report every problem with its JSON path.",
    )
    command.add_argument("files", nargs="+", metavar="FILE")
    command.set_defaults(func=run_validate)


def run_validate(args: argparse.Namespace, out: TextIO) -> int:
    """Load each file; print problems or a one-line summary."""
    failed = 0
    ids: dict[str, str] = {}
    for file in args.files:
        scenario = _load_or_report(file, out)
        if scenario is None or _same_id(scenario, file, ids, out):
            failed += 1
        else:
            out.write(f"{file}: ok (scenario '{scenario.id}': {len(scenario.rounds)} rounds, "
                      f"{len(scenario.causes)} causes, {len(scenario.diagnostics)} diagnostics, "
                      f"{len(scenario.interventions)} interventions)\n")
    return EXIT_PROBLEMS if failed else EXIT_OK


def _same_id(scenario: Scenario, file: str, ids: dict[str, str], out: TextIO) -> bool:
    """Report a scenario id an earlier file of the same run already uses; remember it if not."""
    first = ids.setdefault(scenario.id, file)
    if first == file:
        return False
    out.write(f"{file}: id: scenario id '{scenario.id}' is also used by {first}; a server "
              "loading both would serve only one of them: give each scenario its own id\n")
    return True


def _load_or_report(file: str, out: TextIO) -> Scenario | None:
    from practicum.scenario.loader import file_notes, load_scenario

    try:
        scenario = load_scenario(file)
    except ScenarioError as error:
        out.write(error.render() + "\n")
        return None
    for note in file_notes(file):
        out.write(f"{file}: note: {note}\n")
    return scenario


# --- lint ----------------------------------------------------------------------------------------


def _add_lint(subparsers: Any) -> None:
    command = subparsers.add_parser(
        "lint", help="check scenario design: weights, solvability, expert plan",
        description="Validate, then run the design checks explained in docs/authoring.md. "
        "Exits 1 on any error (and on warnings with --strict).",
    )
    command.add_argument("files", nargs="+", metavar="FILE")
    command.add_argument("--strict", action="store_true", help="treat warnings as failures")
    command.set_defaults(func=run_lint)


def run_lint(args: argparse.Namespace, out: TextIO) -> int:
    """Load and lint each file; print findings and a count per file."""
    from practicum.scenario.lint import lint

    failed = False
    ids: dict[str, str] = {}
    for file in args.files:
        scenario = _load_or_report(file, out)
        if scenario is None:
            failed = True
            continue
        failed = _same_id(scenario, file, ids, out) or failed
        findings = lint(scenario)
        for finding in findings:
            out.write(f"{file}: {finding}\n")
        errors = sum(f.severity == "error" for f in findings)
        warnings = len(findings) - errors
        out.write(f"{file}: {_count(errors, 'error')}, {_count(warnings, 'warning')}\n")
        failed = failed or errors > 0 or (args.strict and warnings > 0)
    return EXIT_PROBLEMS if failed else EXIT_OK


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


# --- schema --------------------------------------------------------------------------------------


def _add_schema(subparsers: Any) -> None:
    command = subparsers.add_parser(
        "schema", help="print the JSON Schema of scenario files",
        description="Print the JSON Schema (draft 2020-12) generated from the scenario schemas.",
    )
    command.set_defaults(func=run_schema)


def run_schema(args: argparse.Namespace, out: TextIO) -> int:
    """Print the JSON Schema."""
    from practicum.scenario.jsonschema import render_json, scenario_json_schema

    out.write(render_json(scenario_json_schema()))
    return EXIT_OK


# --- play ----------------------------------------------------------------------------------------


def _add_play(subparsers: Any) -> None:
    command = subparsers.add_parser(
        "play", help="simulate a plan: scores, KPI trajectory, ROI",
        description="Score a plan with the automatic rubric and simulate what it does to the "
        "KPIs, beside doing nothing and the expert plan.",
    )
    command.add_argument("file", metavar="FILE", help="scenario file")
    command.add_argument("--plan", required=True, metavar="PLAN",
                         help="plan JSON file, or 'expert' / 'sponsor' for the scenario's own")
    command.add_argument("--json", action="store_true", help="print JSON instead of tables")
    command.set_defaults(func=run_play)


def run_play(args: argparse.Namespace, out: TextIO) -> int:
    """Simulate and score one plan."""
    from practicum.domain.outcome import evaluate
    from practicum.domain.scoring import auto_score

    scenario = _load_or_report(args.file, out)
    if scenario is None:
        return EXIT_PROBLEMS
    plan = _plan_or_report(scenario, args.plan, out)
    if plan is None:
        return EXIT_PROBLEMS
    outcome = evaluate(scenario, plan)
    scores = auto_score(scenario, plan)
    if args.json:
        report = {
            "scenario": scenario.id,
            "plan": args.plan,
            "scores": {cid: result.to_dict() for cid, result in scores.items()},
            "outcome": outcome.to_dict(),
        }
        out.write(json.dumps(report, indent=2) + "\n")
    else:
        _write_play_report(scenario, args.plan, scores, outcome, out)
    return EXIT_OK


def _plan_or_report(scenario: Scenario, source: str, out: TextIO) -> Plan | None:
    from practicum.scenario.loader import file_notes, load_plan

    if source == "expert":
        return scenario.expert_plan
    if source == "sponsor":
        if scenario.sponsor_plan is None:
            out.write(f"{scenario.source_file}: the scenario has no sponsorPlan\n")
        return scenario.sponsor_plan
    try:
        plan = load_plan(source, scenario)
    except ScenarioError as error:
        out.write(error.render() + "\n")
        return None
    for note in file_notes(source):
        out.write(f"{source}: note: {note}\n")
    return plan


def _write_play_report(scenario: Scenario, plan_name: str, scores: dict[str, Any],
                       outcome: Any, out: TextIO) -> None:
    money = scenario.economics.currency
    out.write(f"{scenario.title} - plan: {plan_name}\n\nScores\n")
    earned = possible = 0.0
    for component in scenario.rubric:
        if component.id in scores:
            result = scores[component.id]
            earned += result.points
            possible += result.max_points
            out.write(f"  {component.id:<24} {result.points:5.1f} / {result.max_points:<5g} "
                      f"{result.explanation}\n")
        else:
            out.write(f"  {component.id:<24} {'-':>5} / {component.weight:<5g} "
                      "scored by the facilitator\n")
    out.write(f"  {'automatic total':<24} {earned:5.1f} / {possible:g}\n")

    last = scenario.simulation.quarters
    header = "".join(f"{label:>9}" for label in ["now", *(f"Q{q}" for q in range(1, last + 1))])
    for kpi in scenario.kpis:
        met = "met" if outcome.targets_met.get(kpi.id) else "not met"
        out.write(f"\n{kpi.name} ({kpi.unit}, {kpi.direction} is better; target {kpi.target:g}, "
                  f"{met})\n  {'':<12}{header}\n")
        for label, trajectory in (("this plan", outcome.plan), ("do nothing", outcome.nothing),
                                  ("expert", outcome.expert)):
            values = "".join(f"{v:9.2f}" for v in trajectory.kpis[kpi.id])
            out.write(f"  {label:<12}{values}\n")

    out.write(f"\nMoney ({money}, over {last} quarters)\n")
    out.write(f"  this plan   cost {outcome.cost:>12,.0f}  benefit {outcome.benefit:>12,.0f}  "
              f"true ROI {_percent(outcome.roi)}\n")
    out.write(f"  reported    benefit {outcome.reported_benefit:>12,.0f} with isolation "
              f"'{outcome.isolation_kind}'  reported ROI {_percent(outcome.reported_roi)}\n")
    out.write(f"  expert      cost {outcome.expert_cost:>12,.0f}  benefit "
              f"{outcome.expert_benefit:>12,.0f}  true ROI {_percent(outcome.expert_roi)}\n")


def _percent(value: float | None) -> str:
    return "n/a (nothing spent)" if value is None else f"{value * 100:.0f}%"


if __name__ == "__main__":
    raise SystemExit(main())
