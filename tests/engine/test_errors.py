"""The error list and the fixed order of checks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from practicum.engine import ERRORS, Actor, Command, Rejected, decide
from practicum.engine.errors import RuleViolation

from .fixtures import FAC, Game

ENGINE_DIR = Path(__file__).resolve().parents[2] / "practicum" / "engine"
A1, A2, B1 = Actor("learner", "a1"), Actor("learner", "a2"), Actor("learner", "b1")


def test_every_registered_code_is_used_and_every_used_code_is_registered():
    source = "\n".join(
        p.read_text() for p in ENGINE_DIR.glob("*.py") if p.name != "errors.py"
    )
    used = set(re.findall(r'"([a-z]+/[a-z_]+)"', source))
    # Codes built at run time: the freeze reason and the limit name.
    used |= {"round/submitted", "round/locked"}
    used |= {f"limit/{name}" for name in ("max_causes", "max_interventions", "max_metrics")}
    assert used == set(ERRORS)


def test_codes_are_namespaced_and_messages_are_sentences():
    for code, template in ERRORS.items():
        assert re.fullmatch(r"[a-z]+/[a-z_]+", code), code
        # Templates start with a capital, a quoted name or a label given capitalised.
        assert template[0] in "'{" or template[0].isupper(), code
        assert template.endswith("."), code


def test_an_unregistered_code_fails_loudly():
    with pytest.raises(KeyError):
        RuleViolation("made/up")


def test_messages_name_the_thing():
    game = Game()
    game.started()
    rejected = game.no("diagnostic/not_open", "run_diagnostic", A1, diagnostic="d_test")
    assert rejected.message == "'Navigation test' can only be run from round 'Causes'."
    rejected = game.no("ref/unknown_diagnostic", "run_diagnostic", A1, diagnostic="d_zz")
    assert "d_zz" in rejected.message


def test_order_unknown_command_before_closed_before_role():
    game = Game()
    game.join("a1")
    game.ok("end_session", FAC)
    game.no("action/unknown", "teleport", FAC)
    game.no("session/closed", "start_session", A1)  # closed is checked before the role


def test_order_role_before_phase():
    game = Game()
    game.no("auth/unknown_learner", "run_diagnostic", A1, diagnostic="d_logs")
    game.join("a1")
    game.no("auth/forbidden", "advance", A1)  # a learner, in the lobby, sending a facilitator move
    game.no("auth/forbidden", "chat", Actor("visitor"), text="hi")


def test_order_phase_before_allowed_action_before_team():
    game = Game()
    game.join("solo")
    solo = Actor("learner", "solo")
    game.no("phase/lobby", "declare_cause", solo, cause="rc_x", cell="cell_x", confidence=9)
    game.ok("start_session", FAC)
    game.no("action/not_allowed", "declare_cause", solo, cause="rc_x", cell="cell_x",
            confidence=9)
    game.no("team/none", "run_diagnostic", solo, diagnostic="d_x")


def test_order_frozen_before_references_before_limits_before_budget():
    game = Game()
    game.started()
    game.ok("write_text", A1, field="gap", text="88% to 93%")
    game.ok("submit_round", A1)
    game.no("round/submitted", "run_diagnostic", A1, diagnostic="d_zz")
    game.ok("advance", FAC)
    game.ok("advance", FAC)
    game.ok("select_intervention", A1, intervention="i_route_fix", start_week=0)
    game.ok("select_intervention", A1, intervention="i_bonus", start_week=0)
    game.ok("select_intervention", A1, intervention="i_job_aid", start_week=0)
    # Full (3 of 3) and the course would not fit the cash either: the limit is named.
    game.no("limit/max_interventions", "select_intervention", A1, intervention="i_course",
            start_week=0)
    game.no("ref/unknown_intervention", "select_intervention", A1, intervention="i_zz",
            start_week=99)
    game.no("input/out_of_range", "select_intervention", A1, intervention="i_course",
            start_week=99)
    game.ok("deselect_intervention", A1, intervention="i_job_aid")
    game.no("budget/insufficient", "select_intervention", A1, intervention="i_course",
            start_week=0)


def test_malformed_data_is_rejected_not_raised():
    game = Game()
    game.started()
    cases = [
        ("run_diagnostic", A1, {}),
        ("run_diagnostic", A1, {"diagnostic": ["d_logs"]}),
        ("declare_cause", A1, {"cause": None}),
        ("extend", FAC, {"minutes": None}),
        ("lock_team", FAC, {"team": "t_a", "locked": "yes"}),
        ("score_round", FAC, {"team": "t_a", "round": "r_one", "levels": [1]}),
        ("score_round", FAC, {"team": "t_a", "round": "r_one", "overrides": {"c_gap": 3}}),
        ("fire_inject", FAC, {"inject": "inj_push", "teams": "t_a"}),
        ("join_team", A1, {"team": 5}),
        ("chat", A1, {"text": 5}),
        ("write_text", A1, {"field": "gap", "text": None}),
    ]
    for type_, actor, data in cases:
        answer = decide(game.scenario, game.state, Command(type_, actor, data), game.now)
        assert isinstance(answer, Rejected), (type_, data, answer)
    answer = decide(game.scenario, game.state, Command("chat", A1, ["x"]), game.now)
    assert isinstance(answer, Rejected) and answer.code == "input/invalid"


def test_not_allowed_names_the_action_and_the_round():
    game = Game()
    game.started()
    rejected = game.no("action/not_allowed", "withdraw_cause", A1, cause="rc_routing")
    assert rejected.message == "Declare cause is not part of round 'Contract and diagnose'."
