"""The event store's append and read paths: the SQLite fast path and the Core path agree."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite

from practicum.server.store import (
    SELECT_FACTS,
    DuplicateAction,
    EventStore,
    SeqConflict,
    SessionRow,
    _Prepared,
    events_table,
)


@pytest.fixture(params=["sqlite-fast", "core"])
def store(request, tmp_path) -> EventStore:
    """A store on a fresh file, on the SQLite fast path or forced onto the Core path.

    The Core path is what every other database uses; forcing it here lets one SQLite file
    prove both paths write and refuse the same things.
    """
    made = EventStore(f"sqlite:///{tmp_path / 'events.db'}")
    if request.param == "core":
        made._sqlite = False
    made.create_session(
        SessionRow("s_1", "harbor", "ABC234", 100.0, "live"),
        [("session_created", None, {"code": "ABC234"})],
    )
    yield made
    made.dispose()


def _file(store: EventStore) -> str:
    return store.url.removeprefix("sqlite:///")


def test_one_action_with_many_events_gets_consecutive_seqs_and_one_ack(store):
    data = {"text": "Kündigungsquote — 7 %", "nested": {"list": [1, 2.5, None, True]}}
    seq = store.append(
        "s_1",
        1,
        [("a", "t_1", data), ("b", None, {}), ("c", "t_2", {"n": 3})],
        101,  # an int clock reading is stored as the float the column holds
        "act-many01",
        {"ok": True, "ids": ["x"]},
    )
    assert seq == 4
    stored = store.load("s_1")
    assert [(e.seq, e.type, e.team, e.data, e.action_id) for e in stored[1:]] == [
        (2, "a", "t_1", data, "act-many01"),
        (3, "b", None, {}, "act-many01"),
        (4, "c", "t_2", {"n": 3}, "act-many01"),
    ]
    assert all(isinstance(e.at, float) and e.at == 101.0 for e in stored[1:])
    assert store.action_result("s_1", "act-many01") == {"ok": True, "ids": ["x"]}
    assert store.load_facts("s_1", after_seq=2) == [(3, "b", None, {}), (4, "c", "t_2", {"n": 3})]


def test_load_facts_matches_load_and_is_empty_past_the_end(store):
    for seq in range(1, 6):
        store.append("s_1", seq, [("chat_posted", "t_1", {"i": seq, "s": '"quoted",'})], 101.0)
    facts = store.load_facts("s_1")
    assert facts == [(e.seq, e.type, e.team, e.data) for e in store.load("s_1")]
    assert [seq for seq, *_ in facts] == [1, 2, 3, 4, 5, 6]
    assert store.load_facts("s_1", after_seq=6) == []
    assert store.load_facts("s_unknown") == []


def test_a_collision_on_a_later_row_rolls_back_the_whole_action(store):
    """The events and the action row commit together or not at all."""
    with store.engine.begin() as conn:  # a row another writer put at seq 3
        conn.execute(
            insert(events_table),
            {"session_id": "s_1", "seq": 3, "type": "other", "team": None, "data": "{}",
             "at": 1.0, "action_id": None},
        )
    with pytest.raises(SeqConflict):
        store.append("s_1", 1, [("x", None, {}), ("y", None, {})], 101.0, "act-late01", {"ok": 1})
    assert [seq for seq, *_ in store.load_facts("s_1")] == [1, 3]
    assert store.action_result("s_1", "act-late01") is None


def test_a_failed_append_leaves_no_transaction_open(store, tmp_path):
    """After a conflict the write lock is free at once for another process."""
    store.append("s_1", 1, [("first", None, {})], 101.0, "act-keep01", {"ok": True})
    with pytest.raises(DuplicateAction):
        store.append("s_1", 2, [("again", None, {})], 102.0, "act-keep01", {"ok": True})
    with pytest.raises(SeqConflict):
        store.append("s_1", 1, [("stale", None, {})], 102.0)
    other = sqlite3.connect(_file(store), timeout=0.5)
    try:
        other.execute("BEGIN IMMEDIATE")  # "database is locked" if a transaction lingered
        other.execute(
            "INSERT INTO events (session_id, seq, type, team, data, at, action_id)"
            " VALUES ('s_1', 3, 'from_other', NULL, '{}', 1.0, NULL)"
        )
        other.commit()
    finally:
        other.close()
    assert store.append("s_1", 3, [("next", None, {})], 103.0) == 4
    assert [t for _, t, _, _ in store.load_facts("s_1")][-2:] == ["from_other", "next"]


def test_an_append_is_committed_before_it_returns(store):
    store.append("s_1", 1, [("a", None, {"n": 1})], 101.0, "act-dura01", {"ok": True})
    other = sqlite3.connect(_file(store))
    try:
        rows = other.execute("SELECT seq, type FROM events WHERE session_id = 's_1'").fetchall()
        acts = other.execute("SELECT action_id, seq FROM actions").fetchall()
    finally:
        other.close()
    assert rows == [(1, "session_created"), (2, "a")]
    assert acts == [("act-dura01", 2)]


def test_appends_resume_after_dispose(store):
    store.append("s_1", 1, [("before", None, {})], 101.0)
    store.dispose()
    assert store.append("s_1", 2, [("after", None, {})], 102.0) == 3
    assert [t for _, t, _, _ in store.load_facts("s_1")] == ["session_created", "before", "after"]


@pytest.mark.parametrize("synchronous, level", [("NORMAL", 1), ("FULL", 2)])
def test_the_writer_connection_keeps_wal_and_the_configured_sync(tmp_path, synchronous, level):
    store = EventStore(f"sqlite:///{tmp_path / 'events.db'}", synchronous)
    try:
        store.create_session(SessionRow("s_1", "harbor", "ABC234", 100.0, "live"), [])
        store.append("s_1", 0, [("a", None, {})], 101.0)
        assert store._writer is not None
        with store._write_transaction() as conn:
            mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
            sync = conn.exec_driver_sql("PRAGMA synchronous").scalar()
    finally:
        store.dispose()
    assert (mode, sync) == ("wal", level)


def test_prepared_statements_bind_in_each_drivers_style():
    positional = _Prepared(SELECT_FACTS, sqlite.dialect(), ("session_id", "after_seq"))
    assert positional.params(("s_1", 7)) == ("s_1", 7)
    # Values given in another order than the SQL binds them are put in the SQL's order.
    swapped = _Prepared(SELECT_FACTS, sqlite.dialect(), ("after_seq", "session_id"))
    assert swapped.params((7, "s_1")) == ("s_1", 7)
    named = _Prepared(SELECT_FACTS, postgresql.dialect(), ("session_id", "after_seq"))
    assert named.params(("s_1", 7)) == {"session_id": "s_1", "after_seq": 7}
    assert "%(session_id)s" in named.sql
    with pytest.raises(ValueError):
        _Prepared(SELECT_FACTS, sqlite.dialect(), ("session_id",))
