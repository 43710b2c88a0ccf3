"""state = fold(evolve, events): replay equals the state built step by step, also from JSON."""

from __future__ import annotations

import json
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from practicum.engine import (
    EVENT_TYPES,
    Accepted,
    Actor,
    Command,
    Event,
    Rejected,
    decide,
    evolve,
    facilitator_view,
    learner_view,
    replay,
    tick,
)
from practicum.engine.allowed import allowed_commands
from practicum.engine.commands import ALL_COMMANDS

from .bot import Bot, play_session
from .fixtures import FAC, SCENARIO, T0, Game

S = SCENARIO


def from_json(events: list[Event]) -> list[Event]:
    """Return the events as the server reads them back from its JSON column."""
    return [Event.from_dict(json.loads(json.dumps(e.to_dict()))) for e in events]


def test_unknown_event_types_only_count():
    game = Game()
    game.two_teams()
    after = evolve(S, game.state, Event("comet_sighted", {"x": 1}, "t_a"))
    assert after.seq == game.state.seq + 1
    assert after.teams == game.state.teams and after.learners == game.state.learners


def test_events_for_a_vanished_team_change_nothing_but_the_count():
    game = Game()
    game.two_teams()
    after = evolve(S, game.state, Event("chat_posted", {"learner_id": "a1", "name": "a1",
                                                         "text": "x", "at": T0}, "t_gone"))
    assert after.teams == game.state.teams


def test_seq_counts_every_event():
    game = Game()
    game.started()
    assert game.state.seq == len(game.events)


# --- random sessions ---------------------------------------------------------------------

ACTORS = [Actor("learner", n) for n in ("a1", "a2", "b1", "c1", "zz")] + [FAC, Actor("system")]
TEXT_FIELDS = ["gap", "cause_note", "pitch", "causes", "nope"]
VALUES = {
    "learner_id": st.sampled_from(["a1", "a2", "b1", "c1"]),
    "learner": st.sampled_from(["a1", "b1", "c1", "zz"]),
    "name": st.sampled_from(["Alpha", "alpha ", "Bravo", "", "x" * 41, "Delta"]),
    "team_id": st.sampled_from(["t_a", "t_b", "t_c", None]),
    "team": st.sampled_from(["t_a", "t_b", "t_c", "t_x", None]),
    "diagnostic": st.sampled_from([d.id for d in S.diagnostics] + ["d_x"]),
    "cause": st.sampled_from([c.id for c in S.causes] + ["rc_x"]),
    "cell": st.sampled_from(["cell_tools", "cell_incentives", "cell_knowledge", "cell_x"]),
    "confidence": st.sampled_from([0, 0.5, 1, 1.5, "high"]),
    "stance": st.sampled_from([-1, 0, 1, 2]),
    "ruled_out": st.booleans(),
    "locked": st.booleans(),
    "intervention": st.sampled_from([i.id for i in S.interventions] + ["i_x"]),
    "start_week": st.sampled_from([0, 13, 51, 52, -1]),
    "metric": st.sampled_from([m.id for m in S.metrics] + ["m_x"]),
    "target": st.sampled_from([None, 93, 5.5]),
    "isolation": st.sampled_from([None, "iso_pilot", "iso_x"]),
    "field": st.sampled_from(TEXT_FIELDS),
    "text": st.sampled_from(["", "88% to 93%", "x" * 450, "  hi  "]),
    "inject": st.sampled_from([i.id for i in S.injects] + ["inj_x"]),
    "teams": st.sampled_from([None, ["t_a"], ["t_a", "t_b"], ["t_x"], []]),
    "minutes": st.sampled_from([1, 5, 0, -3]),
    "round": st.sampled_from([r.id for r in S.rounds] + ["r_x"]),
    "levels": st.sampled_from([{}, {"c_contract": 3}, {"c_push": 4}, {"c_gap": 1}]),
    "overrides": st.sampled_from([{}, {"c_gap": {"points": 5, "reason": "ok"}}]),
    "comment": st.sampled_from(["", "fine"]),
    "ready": st.booleans(),
    "allowed": st.booleans(),
}
COMMAND_KEYS = {
    "join_session": ["learner_id", "name"],
    "create_team": ["team_id", "name"],
    "join_team": ["team"],
    "auto_assign": ["team_id"],
    "run_diagnostic": ["diagnostic"],
    "mark_evidence": ["diagnostic", "cause", "stance"],
    "declare_cause": ["cause", "cell", "confidence"],
    "withdraw_cause": ["cause"],
    "rule_out_cause": ["cause", "ruled_out"],
    "select_intervention": ["intervention", "start_week"],
    "deselect_intervention": ["intervention"],
    "select_metric": ["metric", "target"],
    "deselect_metric": ["metric"],
    "set_isolation": ["isolation"],
    "write_text": ["field", "text"],
    "respond_inject": ["inject", "text"],
    "chat": ["text"],
    "submit_round": [],
    "mark_ready": ["ready"],
    "allow_team_changes": ["allowed"],
    "extend": ["minutes"],
    "reopen_round": ["team", "round"],
    "move_learner": ["learner", "team"],
    "lock_team": ["team", "locked"],
    "fire_inject": ["inject", "teams"],
    "score_round": ["team", "round", "levels", "comment", "overrides"],
    "publish_scores": ["round"],
}
# Lifecycle commands are rarer, so sessions get some way before they end.
WEIGHTED_TYPES = sorted(ALL_COMMANDS - {"end_session", "advance", "start_session"}) * 3 + [
    "advance",
    "start_session",
    "start_session",
    "end_session",
    "bogus",
]


@st.composite
def steps(draw):
    """Return one step: (seconds to wait, command or None for a tick)."""
    wait = draw(st.sampled_from([0, 30, 900, 2000]))
    if draw(st.integers(0, 9)) == 0:
        return wait, None
    type_ = draw(st.sampled_from(WEIGHTED_TYPES))
    data = {key: draw(VALUES[key]) for key in COMMAND_KEYS.get(type_, [])}
    return wait, Command(type_, draw(st.sampled_from(ACTORS)), data)


def check_invariants(state) -> None:
    for learner in state.learners.values():
        if learner.team is not None:
            assert learner.id in state.teams[learner.team].members
    for team in state.teams.values():
        assert len(team.members) <= S.team_size.max
        assert len(set(team.members)) == len(team.members)
        for member in team.members:
            assert state.learners[member].team == team.id
    names = [t.name.casefold() for t in state.teams.values()]
    assert len(names) == len(set(names))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(steps(), min_size=5, max_size=45))
def test_random_sessions_replay_to_the_same_state(script):
    game = Game()
    # Seed a populated session so that random commands find something to act on.
    for name in ("a1", "a2", "b1"):
        game.join(name)
    for wait, command in script:
        game.now += wait
        if command is None:
            game.tick()
            continue
        before = game.state
        answer = decide(S, game.state, command, game.now)
        assert isinstance(answer, Accepted | Rejected)
        learner_id = command.actor.learner_id
        # The view's `allowed` list and decide agree: a command not listed is refused whatever
        # its data (so the guards are never stricter than decide). join_session is never
        # listed: the server sends it for a new id only.
        joining = command.type == "join_session"
        if isinstance(answer, Accepted) and learner_id in before.learners and not joining:
            assert command.type in allowed_commands(S, before, learner_id), command
        assert game.state is before
        if isinstance(answer, Accepted):
            json.dumps([e.to_dict() for e in answer.events])  # events must be JSON-able
            assert all(e.type in EVENT_TYPES for e in answer.events)
            json.dumps(answer.result)
            game.apply(answer.events)
        check_invariants(game.state)
    assert replay(S, game.events) == game.state
    assert replay(S, from_json(game.events)) == game.state
    json.dumps(facilitator_view(S, game.state, now=game.now))
    for learner_id in game.state.learners:
        json.dumps(learner_view(S, game.state, learner_id, now=game.now))
    assert tick(S, game.state, game.now) == [] or game.state.deadline <= game.now


# --- speed: a restart replays 100,000 events across 25 sessions ----------------------------


def busy_session() -> list[Event]:
    """Return a played session of about 4,000 events: mostly chat and autosaved texts.

    Teams t_e and t_s play the expert and sponsor plans; t_a and t_b talk and type a lot.
    """
    game = Game()
    talkers = game.two_teams()
    players = [game.join(n) for n in ("e1", "e2", "s1", "s2")]
    game.ok("create_team", players[0], team_id="t_e", name="Experts")
    game.ok("join_team", players[1], team="t_e")
    game.ok("create_team", players[2], team_id="t_s", name="Sponsor")
    game.ok("join_team", players[3], team="t_s")

    def chatter(g: Game) -> None:
        round_ = S.rounds[g.state.round_index]
        field = next(f.id for f in round_.deliverable if f.kind == "text")
        for i in range(660):
            g.ok("chat", talkers[i % 4], text=f"message {i}")
            g.ok("write_text", talkers[i % 4], field=field, text=f"draft {i}: 88% to 93%")

    bots = [
        Bot(game, "t_e", players[:2], S.expert_plan),
        Bot(game, "t_s", players[2:], S.sponsor_plan),
    ]
    play_session(game, bots, during_round=chatter)
    return game.events


def test_replaying_100000_events_across_25_sessions(capsys):
    events = from_json(busy_session())
    sessions = [events] * 25
    per_session = len(events)
    expected = replay(S, events)
    started = time.perf_counter()
    states = [replay(S, session) for session in sessions]
    elapsed = time.perf_counter() - started
    assert all(state == expected for state in states)
    assert per_session * 25 >= 100_000
    assert expected.phase == "debrief" and len(expected.teams["t_a"].chat) == 3 * 660 / 2
    with capsys.disabled():
        print(f"\nreplay: {per_session * 25} events in 25 sessions took {elapsed:.2f} s")
