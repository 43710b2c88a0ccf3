"""The practicum command: exit codes, messages, and never a traceback."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from practicum import cli
from practicum.scenario.jsonschema import scenario_json_schema

from .helpers import MINIMAL, REPO, minimal_data, variant


def run(*argv: str) -> tuple[int, str]:
    """Run main() in-process; return the exit code and everything it printed."""
    out = io.StringIO()
    code = cli.main(list(argv), out=out)
    return code, out.getvalue()


def write(tmp_path: Path, name: str, content: str | bytes | dict[str, Any]) -> str:
    path = tmp_path / name
    if isinstance(content, dict):
        content = json.dumps(content, indent=2)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return str(path)


# --- validate ------------------------------------------------------------------------------------


def test_validate_a_good_file_exits_zero() -> None:
    code, out = run("validate", str(MINIMAL))
    assert code == 0
    assert out == (f"{MINIMAL}: ok (scenario 'minimal': 2 rounds, 2 causes, 3 diagnostics, "
                   "2 interventions)\n")


MALFORMED: list[tuple[str, str | bytes | dict[str, Any], str]] = [
    ("bad-json.json", '{\n  "id": "x",\n}\n', "line 3, column 1: invalid JSON: Expecting "
     "property name enclosed in double quotes (remove the trailing comma before })"),
    ("wrong-type.json", variant(lambda d: d["kpis"][0].update(current="70")),
     'kpis[0].current: expected a number, got text "70"'),
    ("missing.json", variant(lambda d: d["company"].pop("headcount")),
     "company.headcount: required key is missing"),
    ("dangling.json", variant(lambda d: d["rubric"][1].update(round="r_causes")),
     "rubric[1].round: unknown round 'r_causes'; did you mean 'r_cause'?"),
    ("unknown-key.json", variant(lambda d: d["metrics"][0].update(kirkpatrick=4)),
     "metrics[0].kirkpatrick: unknown key"),
    ("empty.json", b"", "the file is empty"),
    ("array.json", "[]", "the top level is an array"),
    ("binary.json", bytes(range(256)), "this looks like a binary file"),
    ("latin1.json", '{"title": "\u00e9t\u00e9"}'.encode("latin-1"),
     "line 1, column 12: the file is not UTF-8 text (byte 0xe9 cannot be decoded)"),
    ("huge.json", b'{"x": "' + b"y" * (1024 * 1024) + b'"}', "the file is 1,048,585 bytes; a "
     "scenario file may be at most 1 MiB"),
]


@pytest.mark.parametrize(("name", "content", "expected"), MALFORMED,
                         ids=[name for name, _, _ in MALFORMED])
def test_validate_reports_each_malformed_file_with_its_location(
    tmp_path: Path, name: str, content: Any, expected: str
) -> None:
    path = write(tmp_path, name, content)
    for command in ("validate", "lint"):
        code, out = run(command, path)
        assert code == 1
        assert out.startswith(f"{path}: {expected}")
        assert "Traceback" not in out


def test_validate_checks_every_file_and_fails_if_any_fails(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.json", "[]")
    code, out = run("validate", str(MINIMAL), bad)
    assert code == 1
    assert out.splitlines()[0].endswith("ok (scenario 'minimal': 2 rounds, 2 causes, "
                                        "3 diagnostics, 2 interventions)")
    assert out.splitlines()[1].startswith(f"{bad}: the top level is an array")


def test_the_installed_command_reports_without_traceback(tmp_path: Path) -> None:
    bad = write(tmp_path, "dangling.json",
                variant(lambda d: d["diagnostics"][2]["evidence"][0].update(cause="rc_kb")))
    result = subprocess.run(
        [sys.executable, "-m", "practicum.cli", "validate", bad],
        capture_output=True, text=True, cwd=REPO, timeout=60,
    )
    assert result.returncode == 1
    assert result.stdout == (f"{bad}: diagnostics[2].evidence[0].cause: unknown root cause "
                             "'rc_kb' (known: rc_search, rc_skills)\n")
    assert result.stderr == ""


# --- lint ----------------------------------------------------------------------------------------


def test_lint_clean_file_exits_zero() -> None:
    assert run("lint", str(MINIMAL)) == (0, f"{MINIMAL}: 0 errors, 0 warnings\n")


def test_lint_errors_exit_one(tmp_path: Path) -> None:
    weights = write(tmp_path, "weights.json", variant(lambda d: d["rubric"][5].update(weight=20)))
    code, out = run("lint", weights)
    assert code == 1
    assert out == (
        f"{weights}: error [rubric-weights] rubric: component weights sum to 90, not 100 "
        "(c_gap 10, c_diagnosis 25, c_evidence 10, c_fit 15, c_metrics 10, c_pitch 20)\n"
        f"{weights}: 1 error, 0 warnings\n"
    )


def test_lint_gap_shares_not_summing_exit_one(tmp_path: Path) -> None:
    shares = write(tmp_path, "shares.json", variant(lambda d: d.update(residual=0.3)))
    code, out = run("lint", shares)
    assert code == 1
    assert (f"{shares}: error [gap-shares] causes: gap shares plus residual sum to 1.1, not 1 "
            "(rc_search 0.8 + rc_skills 0 + residual 0.3)\n") in out


def test_warnings_fail_only_with_strict(tmp_path: Path) -> None:
    path = write(tmp_path, "warn.json", variant(
        lambda d: d["rubric"][0].update(params={"colour": "blue"})))
    code, out = run("lint", path)
    assert code == 0
    assert out.endswith(f"{path}: 0 errors, 1 warning\n")
    assert "warning [rule-params] rubric[0].params.colour" in out
    assert run("lint", "--strict", path)[0] == 1


# --- schema, usage -------------------------------------------------------------------------------


def test_schema_prints_the_generated_json_schema() -> None:
    code, out = run("schema")
    assert code == 0
    assert json.loads(out) == scenario_json_schema()


@pytest.mark.parametrize("argv", [
    [], ["frobnicate"], ["validate"], ["lint", "--loud", str(MINIMAL)], ["play", str(MINIMAL)],
])
def test_usage_errors_exit_two(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run(*argv)[0] == 2
    assert "usage: practicum" in capsys.readouterr().err


def test_an_internal_error_is_a_message_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    import practicum.scenario.lint as lint_module

    def explode(scenario: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(lint_module, "lint", explode)
    code, out = run("lint", str(MINIMAL))
    assert code == 1
    assert out == ("practicum lint: internal error (RuntimeError: boom); please report it with "
                   "the file you used\n")


# --- play ----------------------------------------------------------------------------------------


def test_play_expert_shows_scores_trajectories_and_roi() -> None:
    code, out = run("play", str(MINIMAL), "--plan", "expert")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Brightdesk: the unfound answers - plan: expert"
    assert any(line.startswith("  c_gap") and "10.0 / 10" in line for line in lines)
    assert any(line.startswith("  c_pitch") and "scored by the facilitator" in line
               for line in lines)
    assert "  automatic total           70.0 / 70" in lines
    assert ("First-contact resolution (%, higher is better; target 76, met)") in lines
    for label in ("this plan", "do nothing", "expert"):
        row = next(line for line in lines if line.startswith(f"  {label}") and "." in line)
        assert row.split()[-5] == "70.00"  # now, then four quarters
    assert any(line.startswith("  reported") and "'control_group'" in line for line in lines)


def test_play_sponsor_plan_as_json_matches_the_domain_functions(minimal) -> None:
    from practicum.domain.outcome import evaluate
    from practicum.domain.scoring import auto_score

    code, out = run("play", str(MINIMAL), "--plan", "sponsor", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["scenario"] == "minimal"
    assert report["outcome"] == json.loads(json.dumps(
        evaluate(minimal, minimal.sponsor_plan).to_dict()))
    assert report["scores"] == {
        cid: r.to_dict() for cid, r in auto_score(minimal, minimal.sponsor_plan).items()
    }
    assert report["outcome"]["targetsMet"] == {"k_fcr": False}


def test_play_a_plan_file(tmp_path: Path) -> None:
    plan = write(tmp_path, "plan.json", {"interventions": [{"id": "i_search_fix"}],
                                         "isolation": "iso_estimate"})
    code, out = run("play", str(MINIMAL), "--plan", plan, "--json")
    assert code == 0
    report = json.loads(out)
    assert report["plan"] == plan
    assert report["outcome"]["isolationKind"] == "manager_estimate"
    # A manager's estimate with a bias of 1.5 overstates the benefit the programme produced.
    assert report["outcome"]["reportedBenefit"] > report["outcome"]["benefit"]


def test_play_with_a_broken_plan_or_no_sponsor_plan_exits_one(tmp_path: Path) -> None:
    plan = write(tmp_path, "plan.json", {"interventions": [{"id": "i_magic"}]})
    code, out = run("play", str(MINIMAL), "--plan", plan)
    assert code == 1
    assert out == (f"{plan}: interventions[0].id: unknown intervention 'i_magic' (known: "
                   "i_search_fix, i_refresher)\n")
    no_sponsor = write(tmp_path, "s.json", variant(lambda d: d.pop("sponsorPlan")))
    assert run("play", no_sponsor, "--plan", "sponsor") == (
        1, f"{no_sponsor}: the scenario has no sponsorPlan\n")
    bad_scenario = write(tmp_path, "bad.json", "{")
    code, out = run("play", bad_scenario, "--plan", "expert")
    assert code == 1
    assert out.startswith(f"{bad_scenario}: line 1, column 1: invalid JSON: the object opened "
                          "here with { is never closed")


def test_minimal_data_helper_is_the_fixture() -> None:
    assert minimal_data()["id"] == "minimal"
