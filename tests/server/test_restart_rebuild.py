"""A restart: every live session is back in memory before serving, and its timers run."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from practicum import engine
from practicum.server.app import create_app, sweep
from practicum.server.service import Practicum, _to_events
from practicum.server.store import EventStore


def _config(tmp_path: Path, scenario_dir: Path, clock, url: str) -> dict:
    return {
        "TESTING": True,
        "ASYNC_MODE": "threading",
        "DATABASE_URL": url,
        "INSTANCE_DIR": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret",
        "PASSWORD_HASH_COST": 10,  # cheap hashes: tests make many
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


def test_a_deadline_nobody_touched_fires_after_a_restart(tmp_path, scenario_dir, clock, db_url):
    first = create_app(_config(tmp_path, scenario_dir, clock, db_url("restart")))
    service = first.extensions["practicum"]
    quiet = _played(service, 3)
    other = _played(service, 2)
    _scenario, state = service.cached(quiet)
    first.extensions["practicum.store"].dispose()  # the process dies

    clock.advance(state.deadline - clock() + 1)  # the round's time ran out while it was down
    again = create_app(_config(tmp_path, scenario_dir, clock, db_url("restart")))
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


def _logged(
    tmp_path: Path, scenario_dir: Path, clock, sessions: int, url: str
) -> tuple[Practicum, list]:
    """Play `sessions` sessions through a first app, stop it; return a fresh service on the log."""
    first = create_app(_config(tmp_path, scenario_dir, clock, url))
    played = []
    for _ in range(sessions):
        played.append(_played(first.extensions["practicum"], 3))
        clock.advance(1)  # the rebuild takes the newest session first
    catalog = first.extensions["practicum"].catalog
    first.extensions["practicum.store"].dispose()
    return Practicum(EventStore(url), catalog, clock), played


def test_the_background_rebuild_pauses_and_keeps_sessions_loaded_meanwhile(
    tmp_path, scenario_dir, clock, monkeypatch, db_url
):
    """Serving starts before the rebuild: requests come in during its pauses."""
    monkeypatch.setattr("practicum.server.service.REBUILD_SLICE", 4)
    service, (asked, untouched, late) = _logged(
        tmp_path, scenario_dir, clock, 3, db_url("restart")
    )
    try:
        assert service.warm is False
        early = service.live(asked)  # a learner's hello before the rebuild began
        slices = sum(-(-len(service.store.load_facts(s)) // 4) for s in (late, untouched))
        pauses: list[str] = []

        def pause() -> None:
            pauses.append("pause")
            if len(pauses) == 1:
                # Mid-way through the newest session: a request loads it on first use and
                # acts on it; the rebuild must keep that session as the request left it.
                chat = _learner("l_0", "chat", text="while rebuilding")
                assert service.apply(late, chat, "act-during").ack["ok"]

        assert service.rebuild(pause=pause) == 3
        assert service.warm is True
        assert len(pauses) == slices > 2  # a pause after every slice of the sessions it loaded
        assert service.live(asked) is early
        texts = [m.text for m in service.cached(late)[1].teams["t_a"].chat]
        assert texts[-1] == "while rebuilding"
        assert service.live(late).seq == service.store.last_seq(late)
        # Loaded without anyone asking: the sweep now sees its deadline.
        assert untouched in service.live_session_ids()
        facts = service.store.load_facts(untouched)
        scenario = service.catalog["harbor"]
        assert service.cached(untouched)[1] == engine.replay(scenario, _to_events(facts))
    finally:
        service.store.dispose()


def test_a_test_app_rebuilds_at_once_and_does_not_freeze_the_heap(
    tmp_path, scenario_dir, clock, db_url
):
    frozen = gc.get_freeze_count()
    app = create_app(_config(tmp_path, scenario_dir, clock, db_url("restart")))
    try:
        assert app.extensions["practicum"].warm is True
        health = app.test_client().get("/healthz").get_json()
        assert health["ok"] is True and health["warm"] is True
    finally:
        app.extensions["practicum.store"].dispose()
    assert gc.get_freeze_count() == frozen
    assert gc.isenabled()


@pytest.fixture
def unfrozen():
    """Undo a rebuild's freeze, so the rest of the test process collects as usual."""
    yield
    gc.unfreeze()


def test_a_serving_rebuild_freezes_what_it_built(
    tmp_path, scenario_dir, clock, unfrozen, db_url
):
    service, (session_id,) = _logged(tmp_path, scenario_dir, clock, 1, db_url("restart"))
    try:
        before = gc.get_freeze_count()
        assert service.rebuild(freeze=True) == 1
        assert gc.get_freeze_count() > before
        assert gc.isenabled()  # off only while rebuilding
        state = service.cached(session_id)[1]
        facts = service.store.load_facts(session_id)
        assert state == engine.replay(service.catalog["harbor"], _to_events(facts))
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
