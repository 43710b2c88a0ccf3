"""A team's path from the event log reproduces, at every point, the state the engine held then."""

from __future__ import annotations

from practicum.engine import replay
from practicum.engine.plan import plan_for, plan_to_dict
from practicum.engine.timeline import outlook, team_timeline

from .fixtures import FAC, SCENARIO, Game


def played() -> Game:
    """Two teams through two rounds and the debrief, with a move and a reopen."""
    g = Game()
    a1, a2, b1, _b2 = g.started()
    g.ok("run_diagnostic", a1, diagnostic="d_logs")
    g.ok("chat", a2, text="nice")
    g.ok("write_text", a1, field="gap", text="From 88% to 93%.")
    g.ok("submit_round", a1)
    g.ok("reopen_round", FAC, team="t_a", round="r_one")
    g.ok("write_text", a2, field="gap", text="From 88% to 93% by Q4.")
    g.ok("submit_round", a2)
    g.ok("advance", FAC)
    cause = next(c for c in SCENARIO.causes if c.truth == "primary")
    g.ok("declare_cause", a1, cause=cause.id, cell=cause.cell, confidence=0.7)
    g.ok("run_diagnostic", b1, diagnostic="d_survey")
    g.ok("withdraw_cause", a2, cause=cause.id)
    g.ok("advance", FAC)
    g.ok("select_intervention", a1, intervention="i_route_fix", start_week=0)
    while g.state.phase == "round":
        g.ok("advance", FAC)
    return g


def test_every_point_matches_a_replay_of_the_log_up_to_it():
    g = played()
    for team_id in ("t_a", "t_b"):
        entries = team_timeline(SCENARIO, g.events, team_id)
        assert entries, team_id
        for entry in entries:
            then = replay(SCENARIO, g.events[: entry["index"]])
            assert entry["plan"] == plan_to_dict(plan_for(then.teams[team_id]))
            assert entry["round"] == then.round_index
        # The last point is the team as it ended.
        assert entries[-1]["plan"] == plan_to_dict(plan_for(g.team(team_id)))


def test_the_path_says_who_did_what_and_leaves_chat_out():
    g = played()
    entries = team_timeline(SCENARIO, g.events, "t_a")
    kinds = [e["type"] for e in entries]
    assert "chat_posted" not in kinds
    assert {"diagnostic_run", "cause_declared", "cause_withdrawn", "round_submitted",
            "round_reopened", "intervention_selected"} <= set(kinds)
    declared = next(e for e in entries if e["type"] == "cause_declared")
    assert declared["by"] == "a1" and declared["text"]
    withdrawn = next(e for e in entries if e["type"] == "cause_withdrawn")
    assert withdrawn["by"] == "a2"
    assert all(e["index"] < f["index"] for e, f in zip(entries, entries[1:], strict=False))
    assert not any(e["type"] == "run_diagnostic" for e in team_timeline(SCENARIO, g.events, "t_b")
                   if e["by"] == "a1")


def test_the_outlook_of_a_point_is_what_that_plan_would_do():
    g = played()
    entries = team_timeline(SCENARIO, g.events, "t_a")
    early = outlook(SCENARIO, entries[0]["plan"])
    late = outlook(SCENARIO, entries[-1]["plan"])
    kpi = SCENARIO.kpis[0].id
    assert early["nothing"][kpi] == late["nothing"][kpi]
    assert early["plan"][kpi] != late["plan"][kpi]  # the route fix changed the outlook
    assert late["plan"][kpi] == g.team("t_a").outcome["plan"]["kpis"][kpi]
