"""The session service: catch-up from the log, races between processes, rebuild after restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from practicum import engine
from practicum.scenario.loader import load_scenario
from practicum.server.service import Practicum, UnknownScenario, normalise_join_code
from practicum.server.store import EventStore

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def catalog():
    scenario = load_scenario(ROOT / "scenarios" / "harbor.json")
    return {scenario.id: scenario}


def _service(url: str, catalog, clock) -> Practicum:
    return Practicum(EventStore(url), catalog, clock)


def _learner(actor_id: str, command: str, **data):
    return engine.Command(command, engine.Actor(engine.LEARNER, actor_id), data)


def test_two_processes_share_one_session_through_the_log(tmp_path, catalog, clock, db_url):
    url = db_url("shared")
    first, second = _service(url, catalog, clock), _service(url, catalog, clock)
    session_id, _code = first.create_session("harbor")
    joined = first.apply(
        session_id,
        _learner("l_ana", "join_session", learner_id="l_ana", name="Ana"),
        "act-join-0001",
    )
    assert joined.ack["ok"]
    # The second process never saw the join; it must catch up before deciding.
    team = second.apply(
        session_id, _learner("l_ana", "create_team", team_id="t_a", name="A"), "act-team-0001"
    )
    assert team.ack["ok"], team.ack
    chat = first.apply(session_id, _learner("l_ana", "chat", text="hi"), "act-chat-0001")
    assert chat.ack["ok"], chat.ack
    _, state_one = first.snapshot(session_id)
    _, state_two = second.snapshot(session_id)
    assert state_one.seq == state_two.seq
    assert [m.text for m in state_two.teams["t_a"].chat] == ["hi"]


def test_an_action_handled_by_one_process_is_answered_again_by_the_other(
    tmp_path, catalog, clock, db_url
):
    url = db_url("shared")
    first, second = _service(url, catalog, clock), _service(url, catalog, clock)
    session_id, _ = first.create_session("harbor")
    command = _learner("l_ana", "join_session", learner_id="l_ana", name="Ana")
    ack = first.apply(session_id, command, "act-join-0002").ack
    retried = second.apply(session_id, command, "act-join-0002")
    assert retried.duplicate and retried.ack == ack
    _, state = second.snapshot(session_id)
    assert list(state.learners) == ["l_ana"]


def test_a_stale_writer_loses_the_seq_race_and_decides_again(tmp_path, catalog, clock, db_url):
    url = db_url("shared")
    first, second = _service(url, catalog, clock), _service(url, catalog, clock)
    session_id, _ = first.create_session("harbor")
    second.live(session_id)  # cached at the creation seq
    first.apply(
        session_id,
        _learner("l_ana", "join_session", learner_id="l_ana", name="Ana"),
        "act-join-0003",
    )
    live = second.live(session_id)
    stale_seq = live.seq
    event = engine.Event("chat_posted", {"learner_id": "x"}, None)
    # Appending at the stale seq must fail instead of overwriting the first process's event.
    assert second._persist(session_id, live, [event], clock(), None, None) is False
    assert live.seq == stale_seq


def test_restart_rebuilds_live_sessions_from_the_log(tmp_path, catalog, clock, db_url):
    url = db_url("events")
    before = _service(url, catalog, clock)
    session_id, code = before.create_session("harbor")
    before.apply(
        session_id,
        _learner("l_ana", "join_session", learner_id="l_ana", name="Ana"),
        "act-join-0004",
    )
    after = _service(url, catalog, clock)
    assert after.rebuild() == 1
    _, state = after.snapshot(session_id)
    assert list(state.learners) == ["l_ana"] and state.join_code == code
    assert after.session_by_code(code.lower()) == session_id


def test_unknown_scenario_and_join_code_forms(tmp_path, catalog, clock, db_url):
    service = _service(db_url("e"), catalog, clock)
    with pytest.raises(UnknownScenario):
        service.create_session("nope")
    assert normalise_join_code(" ab-c 23x ") == "ABC23X"
