"""A paused round freezes the teams' work (chat and ready marks stay open) until it resumes."""

from __future__ import annotations

from practicum.engine.allowed import allowed_commands

from .fixtures import FAC, Game


def test_pause_freezes_editing_with_a_reason_and_resume_thaws_it():
    g = Game()
    a1, *_ = g.started()
    g.ok("write_text", a1, field="gap", text="From 88% to 93%.")
    g.ok("pause", FAC)
    answer = g.no("clock/paused_editing", "write_text", a1, field="gap", text="More")
    assert "paused" in answer.message and "resumes" in answer.message
    g.no("clock/paused_editing", "submit_round", a1)
    g.no("clock/paused_editing", "run_diagnostic", a1, diagnostic="d_logs")
    allowed = allowed_commands(g.scenario, g.state, "a1")
    assert "write_text" not in allowed and "edit_text" not in allowed
    assert "submit_round" not in allowed and "run_diagnostic" not in allowed
    assert "chat" in allowed and "mark_ready" in allowed
    g.ok("chat", a1, text="coffee?")
    g.ok("mark_ready", a1, ready=True)
    g.ok("resume", FAC)
    assert "write_text" in allowed_commands(g.scenario, g.state, "a1")
    g.ok("write_text", a1, field="gap", text="From 88% to 93% on time.")
    g.ok("submit_round", a1)


def test_injects_wait_for_the_clock_too():
    g = Game()
    a1, *_ = g.started()
    g.ok("advance", FAC)
    g.ok("advance", FAC)
    g.ok("fire_inject", FAC, inject="inj_push", teams=["t_a"])
    g.ok("pause", FAC)
    g.no("clock/paused_editing", "respond_inject", a1, inject="inj_push", text="Later")
