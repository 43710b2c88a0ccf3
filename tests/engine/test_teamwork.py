"""Team commands: each accepted form and each rejection code."""

from __future__ import annotations

import pytest

from practicum.engine import Actor

from .fixtures import FAC, Game


@pytest.fixture
def game() -> Game:
    """A session in round one with teams t_a (a1, a2) and t_b (b1, b2)."""
    g = Game()
    g.started()
    return g


A1, A2, B1 = Actor("learner", "a1"), Actor("learner", "a2"), Actor("learner", "b1")


def to_round_two(game: Game) -> None:
    game.ok("advance", FAC)
    assert game.scenario.rounds[game.state.round_index].id == "r_two"


def to_round_three(game: Game) -> None:
    game.ok("advance", FAC)
    game.ok("advance", FAC)
    assert game.scenario.rounds[game.state.round_index].id == "r_three"


# --- phase and allowed actions ------------------------------------------------------------


def test_team_actions_wait_for_the_session_to_start():
    game = Game()
    a1, *_ = game.two_teams()
    game.no("phase/lobby", "run_diagnostic", a1, diagnostic="d_logs")
    game.no("phase/lobby", "submit_round", a1)
    game.ok("chat", a1, text="hello")  # chat works in every phase but closed


def test_actions_outside_the_round_list_are_not_allowed(game):
    game.no("action/not_allowed", "declare_cause", A1, cause="rc_routing", cell="cell_tools",
            confidence=0.5)
    game.no("action/not_allowed", "select_intervention", A1, intervention="i_bonus", start_week=0)


def test_team_action_needs_a_team(game):
    game.join("solo")
    game.no("team/none", "run_diagnostic", Actor("learner", "solo"), diagnostic="d_logs")
    game.no("team/none", "chat", Actor("learner", "solo"), text="anyone?")


def test_unknown_command_comes_first():
    game = Game()
    game.ok("end_session", FAC)
    game.no("action/unknown", "dance", A1)
    game.no("session/closed", "chat", A1, text="x")
    game.no("session/closed", "start_session", FAC)


# --- diagnostics ---------------------------------------------------------------------------


def test_run_diagnostic_gives_the_finding_attributed_and_charges_the_budget(game):
    answer = game.ok("run_diagnostic", A1, diagnostic="d_logs")
    assert answer.result["finding"].startswith("Late stops began")
    team = game.team("t_a")
    run = team.diagnostics[0]
    assert (run.learner_id, run.learner_name, run.round) == ("a1", "a1", "r_one")
    assert (team.spent.points, team.spent.days) == (1, 1)
    assert "d_planner" in team.unlocked
    assert game.team("t_b").diagnostics == ()


def test_run_diagnostic_rejections(game):
    game.no("ref/unknown_diagnostic", "run_diagnostic", A1, diagnostic="d_nope")
    game.no("diagnostic/not_open", "run_diagnostic", A1, diagnostic="d_test")
    game.no("diagnostic/locked", "run_diagnostic", A1, diagnostic="d_planner")
    game.ok("run_diagnostic", A1, diagnostic="d_logs")
    game.no("diagnostic/already_run", "run_diagnostic", A2, diagnostic="d_logs")
    game.ok("run_diagnostic", A1, diagnostic="d_planner")  # unlocked by the logs
    game.ok("run_diagnostic", A1, diagnostic="d_interview")  # 4 points spent of 4
    rejected = game.no("budget/insufficient", "run_diagnostic", A1, diagnostic="d_survey")
    assert "analysis points" in rejected.message
    assert "EUR" not in rejected.message  # cash is not short: only name what is


def test_budget_message_names_cash_and_days():
    game = Game()
    game.started()
    for _ in range(1):
        game.ok("advance", FAC)  # round two: 7 points, 11 days
    game.ok("run_diagnostic", A1, diagnostic="d_logs")  # 1 day
    game.ok("run_diagnostic", A1, diagnostic="d_interview")  # 1 day
    game.ok("run_diagnostic", A1, diagnostic="d_survey")  # 2 days
    game.ok("run_diagnostic", A1, diagnostic="d_test")  # 2 days, inject +1 point
    game.ok("run_diagnostic", A1, diagnostic="d_planner")  # 1 day -> 7 of 11 days
    assert game.team("t_a").spent.days == 7
    assert game.team("t_a").spent.cash == 4_500.0


def test_stance_effects_apply_to_the_team_only(game):
    game.ok("run_diagnostic", A1, diagnostic="d_interview")
    assert game.team("t_a").stances["st_it"] == 0
    assert game.team("t_b").stances["st_it"] == -1


# --- evidence and causes -----------------------------------------------------------------


def test_mark_evidence_for_held_findings_only(game):
    game.no("evidence/unknown_finding", "mark_evidence", A1, diagnostic="d_logs",
            cause="rc_routing", stance=1)
    game.ok("run_diagnostic", A1, diagnostic="d_logs")
    game.ok("mark_evidence", A1, diagnostic="d_logs", cause="rc_routing", stance=1)
    game.ok("mark_evidence", A2, diagnostic="d_logs", cause="rc_skills", stance=-1)
    assert dict(game.team("t_a").evidence) == {
        ("d_logs", "rc_routing"): 1,
        ("d_logs", "rc_skills"): -1,
    }
    game.ok("mark_evidence", A2, diagnostic="d_logs", cause="rc_skills", stance=0)
    assert ("d_logs", "rc_skills") not in game.team("t_a").evidence
    game.no("ref/unknown_cause", "mark_evidence", A1, diagnostic="d_logs", cause="rc_x", stance=1)
    game.no("ref/unknown_diagnostic", "mark_evidence", A1, diagnostic="d_x", cause="rc_bonus",
            stance=1)
    game.no("input/out_of_range", "mark_evidence", A1, diagnostic="d_logs", cause="rc_bonus",
            stance=2)


def test_declare_withdraw_and_rule_out_causes(game):
    to_round_two(game)
    game.ok("declare_cause", A1, cause="rc_routing", cell="cell_tools", confidence=0.9)
    game.ok("declare_cause", A1, cause="rc_routing", cell="cell_tools", confidence=0.6)  # revise
    assert game.team("t_a").causes["rc_routing"].confidence == 0.6
    game.ok("declare_cause", A2, cause="rc_bonus", cell="cell_incentives", confidence=0.5)
    game.no("limit/max_causes", "declare_cause", A1, cause="rc_skills", cell="cell_knowledge",
            confidence=0.5)
    game.no("ref/unknown_cause", "declare_cause", A1, cause="rc_x", cell="cell_tools",
            confidence=0.5)
    game.no("ref/unknown_cell", "declare_cause", A1, cause="rc_bonus", cell="cell_x",
            confidence=0.5)
    game.no("input/out_of_range", "declare_cause", A1, cause="rc_bonus", cell="cell_tools",
            confidence=1.5)
    game.no("cause/declared", "rule_out_cause", A1, cause="rc_bonus", ruled_out=True)
    game.ok("withdraw_cause", A1, cause="rc_bonus")
    game.no("cause/not_declared", "withdraw_cause", A1, cause="rc_bonus")
    game.ok("rule_out_cause", A1, cause="rc_skills", ruled_out=True)
    game.no("cause/ruled_out", "declare_cause", A1, cause="rc_skills", cell="cell_knowledge",
            confidence=0.5)
    game.ok("rule_out_cause", A1, cause="rc_skills", ruled_out=False)
    assert game.team("t_a").ruled_out == ()
    assert list(game.team("t_a").causes) == ["rc_routing"]


# --- interventions, metrics, isolation ---------------------------------------------------


def test_select_intervention_counts_running_cost_over_remaining_quarters(game):
    to_round_three(game)  # 110,000 granted, the budget cut inject takes 10,000
    team = game.team("t_a")
    assert team.granted.cash == 100_000.0
    game.ok("select_intervention", A1, intervention="i_route_fix", start_week=0)  # 40k + 4 x 2k
    game.ok("select_intervention", A1, intervention="i_route_fix", start_week=13)  # 40k + 3 x 2k
    game.ok("select_intervention", A1, intervention="i_bonus", start_week=0)  # 20k -> 66k
    answer = game.no("budget/insufficient", "select_intervention", A1, intervention="i_course",
                     start_week=0)
    assert "EUR 60,000 needed" in answer.message and "EUR 34,000 left" in answer.message
    game.no("input/out_of_range", "select_intervention", A1, intervention="i_job_aid",
            start_week=52)
    game.no("ref/unknown_intervention", "select_intervention", A1, intervention="i_x",
            start_week=0)
    game.ok("select_intervention", A1, intervention="i_job_aid", start_week=51)  # 5k + 0.5k
    game.no("limit/max_interventions", "select_intervention", A1, intervention="i_course",
            start_week=0)
    game.ok("deselect_intervention", A2, intervention="i_job_aid")
    game.no("intervention/not_selected", "deselect_intervention", A2, intervention="i_job_aid")
    assert [i.id for i in game.team("t_a").interventions.values()] == ["i_route_fix", "i_bonus"]


def test_metrics_and_isolation(game):
    to_round_three(game)
    game.ok("select_metric", A1, metric="m_ontime", target=93)
    game.ok("select_metric", A1, metric="m_sequence", target=None)
    game.ok("select_metric", A1, metric="m_overtime")
    game.no("limit/max_metrics", "select_metric", A1, metric="m_reaction", target=None)
    game.no("ref/unknown_metric", "select_metric", A1, metric="m_x", target=None)
    game.ok("deselect_metric", A1, metric="m_sequence")
    game.no("metric/not_selected", "deselect_metric", A1, metric="m_sequence")
    assert game.team("t_a").metrics["m_ontime"].target == 93
    game.ok("set_isolation", A1, isolation="iso_pilot")
    assert game.team("t_a").isolation == "iso_pilot"
    game.no("ref/unknown_isolation", "set_isolation", A1, isolation="iso_x")
    game.ok("set_isolation", A1, isolation=None)
    assert game.team("t_a").isolation is None


# --- texts, injects, chat ----------------------------------------------------------------


def test_write_text_any_round_field_within_its_length(game):
    game.ok("write_text", A1, field="gap", text="On-time is 88%, target 93%.")
    game.ok("write_text", A1, field="pitch", text="drafting ahead")  # a later round's field
    assert dict(game.team("t_a").texts) == {
        "gap": "On-time is 88%, target 93%.",
        "pitch": "drafting ahead",
    }
    game.no("ref/unknown_field", "write_text", A1, field="nope", text="x")
    game.no("ref/unknown_field", "write_text", A1, field="causes", text="x")  # not a text field
    game.no("text/too_long", "write_text", A1, field="gap", text="x" * 401)
    game.ok("write_text", A1, field="gap", text="")
    assert "gap" not in game.team("t_a").texts


def test_write_text_in_a_round_without_write_rationale_only_for_its_own_fields(game):
    to_round_two(game)  # r_two lists no write_rationale but has the cause_note field
    game.ok("write_text", A1, field="cause_note", text="Sequencing.")
    game.no("action/not_allowed", "write_text", A1, field="pitch", text="x")


def test_respond_inject_only_when_received(game):
    game.no("ref/unknown_inject", "respond_inject", A1, inject="inj_x", text="x")
    game.no("inject/not_received", "respond_inject", A1, inject="inj_push", text="No.")
    to_round_three(game)
    game.ok("fire_inject", FAC, inject="inj_push", teams=["t_a"])
    game.ok("respond_inject", A1, inject="inj_push", text="The test says they can navigate.")
    assert game.team("t_a").texts["inject:inj_push"].startswith("The test")
    game.no("text/too_long", "respond_inject", A1, inject="inj_push", text="x" * 2001)
    game.no("inject/not_received", "respond_inject", B1, inject="inj_push", text="x")


def test_chat_goes_to_the_team_only_and_is_bounded(game):
    game.ok("chat", A1, text="  first  ")
    game.ok("chat", A2, text="second")
    assert [(m.learner_id, m.text) for m in game.team("t_a").chat] == [
        ("a1", "first"),
        ("a2", "second"),
    ]
    assert len(game.team("t_b").chat) == 0
    game.no("text/empty", "chat", A1, text="   ")
    game.no("text/too_long", "chat", A1, text="x" * 501)
    game.ok("chat", A1, text="x" * 500)
    assert game.events[-1].team == "t_a"


# --- submission ---------------------------------------------------------------------------


def test_submit_round_requires_the_fields_and_freezes_the_draft(game):
    rejected = game.no("deliverable/incomplete", "submit_round", A1)
    assert "Gap statement" in rejected.message and "Early evidence" not in rejected.message
    game.ok("write_text", A1, field="gap", text="On-time 88%, target 93%.")
    game.ok("run_diagnostic", A1, diagnostic="d_logs")
    game.ok("mark_evidence", A1, diagnostic="d_logs", cause="rc_routing", stance=1)
    answer = game.ok("submit_round", A2)
    assert answer.result == {"round": "r_one"}
    submission = game.team("t_a").submissions["r_one"]
    assert submission.snapshot == {
        "gap": "On-time 88%, target 93%.",
        "early_evidence": [{"diagnostic": "d_logs", "cause": "rc_routing", "stance": 1}],
    }
    assert (submission.auto, submission.by) == (False, "a2")
    assert submission.plan["diagnostics"] == ["d_logs"]
    game.no("round/submitted", "run_diagnostic", A1, diagnostic="d_interview")
    game.no("round/submitted", "write_text", A1, field="gap", text="changed")
    game.no("round/submitted", "submit_round", A1)
    game.ok("write_text", A1, field="pitch", text="still open: a later round's field")
    game.ok("chat", A1, text="chat still works")
    game.ok("run_diagnostic", B1, diagnostic="d_interview")  # the other team is not frozen


def test_reopen_lets_the_team_edit_and_resubmit(game):
    game.ok("write_text", A1, field="gap", text="88% now, 93% target.")
    game.ok("submit_round", A1)
    game.no("round/not_submitted", "reopen_round", FAC, team="t_b", round="r_one")
    game.no("ref/unknown_team", "reopen_round", FAC, team="t_x", round="r_one")
    game.no("ref/unknown_round", "reopen_round", FAC, team="t_a", round="r_x")
    game.no("round/not_opened", "reopen_round", FAC, team="t_a", round="r_two")
    game.ok("reopen_round", FAC, team="t_a", round="r_one")
    game.ok("write_text", A1, field="gap", text="88% now; 93% by Q4.")
    game.ok("submit_round", A1)
    assert game.team("t_a").submissions["r_one"].snapshot["gap"] == "88% now; 93% by Q4."


def test_reopened_past_round_can_be_resubmitted_or_is_auto_submitted(game):
    game.ok("write_text", A1, field="gap", text="88% now, 93% target.")
    game.ok("advance", FAC)  # r_one auto-submitted for t_b, t_a's draft too
    assert game.team("t_a").submissions["r_one"].auto is True
    game.ok("reopen_round", FAC, team="t_a", round="r_one")
    game.ok("write_text", A1, field="gap", text="Revised: 88% to 93%.")
    game.no("round/closed", "submit_round", A1, round="r_three")
    game.ok("submit_round", A1, round="r_one")
    assert game.team("t_a").submissions["r_one"].auto is False
    game.ok("reopen_round", FAC, team="t_a", round="r_one")
    game.ok("advance", FAC)
    assert game.team("t_a").submissions["r_one"].auto is True
    assert game.team("t_a").submissions["r_one"].snapshot["gap"] == "Revised: 88% to 93%."


def test_a_reopened_past_round_allows_its_actions_again(game):
    to_round_two(game)
    game.ok("declare_cause", A1, cause="rc_routing", cell="cell_tools", confidence=0.9)
    game.ok("advance", FAC)  # r_two auto-submitted; r_three has no declare_cause
    game.no("action/not_allowed", "declare_cause", A1, cause="rc_bonus", cell="cell_incentives",
            confidence=0.5)
    game.ok("reopen_round", FAC, team="t_a", round="r_two")
    game.ok("declare_cause", A1, cause="rc_bonus", cell="cell_incentives", confidence=0.5)
    game.no("action/not_allowed", "declare_cause", B1, cause="rc_bonus", cell="cell_incentives",
            confidence=0.5)  # only the reopened team
    game.no("limit/max_causes", "declare_cause", A1, cause="rc_skills", cell="cell_knowledge",
            confidence=0.5)  # the reopened round's limits apply
    game.ok("write_text", A1, field="cause_note", text="Both causes.")
    game.ok("submit_round", A1, round="r_two")
    game.no("action/not_allowed", "declare_cause", A1, cause="rc_bonus", cell="cell_incentives",
            confidence=0.6)
    assert game.team("t_a").submissions["r_two"].snapshot["causes"][1]["cause"] == "rc_bonus"
