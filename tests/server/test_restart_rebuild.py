"""A restart: every live session is back in memory before serving, and its timers run."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from practicum import engine
from practicum.server.app import create_app, sweep
from practicum.server.service import Practicum, _to_events
from practicum.server.store import EventStore


def _config(tmp_path: Path, scenario_dir: Path, clock) -> dict:
    return {
        "TESTING": True,
        "ASYNC_MODE": "threading",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'restart.db'}",
        "INSTANCE_DIR": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret",
        "FACILITATOR_PASSWORD": "letmein",
        "SCENARIO_DIR": str(scenario_dir),
        "RUN_TIMERS": False,
        "CLOCK": clock,
    }


def _learner(actor_id: str, command: str, **data) -> engine.Command:
    return engine.Command(command, engine.Actor(engine.LEARNER, actor_id), data)


def _played(service: Practicum, learners: int) -> str:
    """Create a session, seat a team, start round 1, chat a little; return the session id."""
    session_id, _code = service.create_session("harbor")
    for index in range(learners):
        learner = f"l_{index}"
        join = _learner(learner, "join_session", learner_id=learner, name=f"L{index}")
        assert service.apply(session_id, join, f"act-join-{index}").ack["ok"]
        if index == 0:
            team = _learner(learner, "create_team", team_id="t_a", name="A")
            assert service.apply(session_id, team, "act-team").ack["ok"]
        else:
            team = _learner(learner, "join_team", team="t_a")
            assert service.apply(session_id, team, f"act-seat-{index}").ack["ok"]
    start = engine.Command("start_session", engine.Actor(engine.FACILITATOR), {})
    assert service.apply(session_id, start, "act-start").ack["ok"]
    for index in range(learners):
        chat = _learner(f"l_{index}", "chat", text=f"hello {index}")
        assert service.apply(session_id, chat, f"act-chat-{index}").ack["ok"]
    return session_id


def test_a_deadline_nobody_touched_fires_after_a_restart(tmp_path, scenario_dir, clock):
    first = create_app(_config(tmp_path, scenario_dir, clock))
    service = first.extensions["practicum"]
    quiet = _played(service, 3)
    other = _played(service, 2)
    _scenario, state = service.cached(quiet)
    first.extensions["practicum.store"].dispose()  # the process dies

    clock.advance(state.deadline - clock() + 1)  # the round's time ran out while it was down
    again = create_app(_config(tmp_path, scenario_dir, clock))
    try:
        restarted = again.extensions["practicum"]
        # Rebuilt before serving, not on first use: the sweep sees sessions nobody asked for.
        assert sorted(restarted.live_session_ids()) == sorted([quiet, other])
        rebuilt = restarted.cached(quiet)[1]
        assert rebuilt == state
        assert [m.text for m in rebuilt.teams["t_a"].chat] == ["hello 0", "hello 1", "hello 2"]
        assert sweep(again) == 2
        types = [e.type for e in restarted.store.load(quiet)]
        assert "round_timed_out" in types
        assert restarted.cached(quiet)[1].deadline != state.deadline
    finally:
        again.extensions["practicum.store"].dispose()


def test_a_test_app_does_not_freeze_the_heap(tmp_path, scenario_dir, clock):
    frozen = gc.get_freeze_count()
    app = create_app(_config(tmp_path, scenario_dir, clock))
    app.extensions["practicum.store"].dispose()
    assert gc.get_freeze_count() == frozen
    assert gc.isenabled()


@pytest.fixture
def unfrozen():
    """Undo a rebuild's freeze, so the rest of the test process collects as usual."""
    yield
    gc.unfreeze()


def test_a_serving_rebuild_freezes_what_it_built_and_collects_again(
    tmp_path, scenario_dir, clock, unfrozen
):
    url = f"sqlite:///{tmp_path / 'restart.db'}"
    config = _config(tmp_path, scenario_dir, clock)
    app = create_app(config)
    catalog = app.extensions["practicum"].catalog
    session_id = _played(app.extensions["practicum"], 2)
    app.extensions["practicum.store"].dispose()

    service = Practicum(EventStore(url), catalog, clock)
    try:
        before = gc.get_freeze_count()
        assert service.rebuild(freeze=True) == 1
        assert gc.get_freeze_count() > before
        assert gc.isenabled()  # off only while replaying
        state = service.cached(session_id)[1]
        # The frozen state is the one a plain replay of the log gives.
        facts = service.store.load_facts(session_id)
        assert state == engine.replay(catalog["harbor"], _to_events(facts))
    finally:
        service.store.dispose()


def test_rows_become_the_events_the_engine_folds():
    facts = [(1, "chat_posted", "t_a", {"text": "hi"}), (2, "session_started", None, {})]
    assert _to_events(facts) == [
        engine.Event("chat_posted", {"text": "hi"}, "t_a"),
        engine.Event("session_started", {}, None),
    ]
    event = _to_events(facts)[0]
    assert (event.type, event.team, event.data) == ("chat_posted", "t_a", {"text": "hi"})
    with pytest.raises(AttributeError):  # still frozen
        event.type = "other"
