"""The event store: ordered appends, optimistic concurrency, idempotent actions."""

from __future__ import annotations

import threading

import pytest

from practicum.server.store import (
    DuplicateAction,
    DuplicateJoinCode,
    EventStore,
    SeqConflict,
    SessionRow,
)


@pytest.fixture
def store(tmp_path, db_url) -> EventStore:
    return EventStore(db_url("events"))


def _session(store: EventStore, session_id: str = "s_1", code: str = "ABC234") -> None:
    store.create_session(
        SessionRow(session_id, "harbor", code, 100.0, "live"),
        [("session_created", None, {"code": code})],
    )


def test_append_and_load_in_order(store):
    _session(store)
    seq = store.append(
        "s_1", 1, [("a", "t_1", {"n": 1}), ("b", None, {"n": 2})], 101.0, "act-0001", {"ok": True}
    )
    assert seq == 3
    events = store.load("s_1")
    assert [(e.seq, e.type, e.team, e.data) for e in events] == [
        (1, "session_created", None, {"code": "ABC234"}),
        (2, "a", "t_1", {"n": 1}),
        (3, "b", None, {"n": 2}),
    ]
    assert [e.seq for e in store.load("s_1", after_seq=2)] == [3]
    assert store.last_seq("s_1") == 3


def test_second_writer_at_same_seq_loses(store):
    _session(store)
    store.append("s_1", 1, [("first", None, {})], 101.0)
    with pytest.raises(SeqConflict):
        store.append("s_1", 1, [("second", None, {})], 101.0)
    assert [e.type for e in store.load("s_1")] == ["session_created", "first"]


def test_losing_writer_writes_nothing_at_all(store):
    """A conflict rolls back the whole batch, including its action row."""
    _session(store)
    store.append("s_1", 1, [("first", None, {})], 101.0)
    with pytest.raises(SeqConflict):
        store.append("s_1", 0, [("x", None, {}), ("y", None, {})], 101.0, "act-lost1", {"ok": True})
    assert store.action_result("s_1", "act-lost1") is None
    assert store.last_seq("s_1") == 2


def test_duplicate_action_answers_first_result(store):
    _session(store)
    store.append("s_1", 1, [("a", None, {})], 101.0, "act-dup01", {"ok": True, "n": 7})
    with pytest.raises(DuplicateAction) as caught:
        store.append("s_1", 2, [("a", None, {})], 102.0, "act-dup01", {"ok": True, "n": 8})
    assert caught.value.result == {"ok": True, "n": 7}
    assert store.last_seq("s_1") == 2


def test_join_codes_are_unique(store):
    _session(store, "s_1", "ABC234")
    with pytest.raises(DuplicateJoinCode):
        _session(store, "s_2", "ABC234")
    assert store.session_by_code("ABC234").id == "s_1"


def test_status_follows_close(store):
    _session(store)
    store.append("s_1", 1, [("session_closed", None, {})], 101.0, status="closed")
    assert store.session("s_1").status == "closed"
    assert store.sessions(status="live") == []


def test_two_connections_racing_one_wins_per_seq(tmp_path, db_url):
    """Two stores on one file stand for two server processes writing one session."""
    url = db_url("shared")
    first, second = EventStore(url), EventStore(url)
    _session(first)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def write(store: EventStore, name: str) -> None:
        barrier.wait()
        try:
            store.append("s_1", 1, [(name, None, {})], 101.0)
            outcomes.append("won")
        except SeqConflict:
            outcomes.append("lost")

    threads = [
        threading.Thread(target=write, args=(s, n)) for s, n in ((first, "p1"), (second, "p2"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["lost", "won"]
    assert len(second.load("s_1")) == 2


def test_background_checkpoints_leave_commits_alone_and_empty_the_wal(tmp_path):
    """A serving process checkpoints from a thread; its commits do not (until far behind)."""
    store = EventStore(f"sqlite:///{tmp_path / 'wal.db'}", checkpoint_in_background=True)
    _session(store)
    for number in range(300):  # each append rewrites a few pages: past 1,000 WAL pages
        store.append("s_1", number + 1, [("a", "t_1", {"n": number, "text": "x" * 3000})], 1.0)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 10_000
    box: list = []
    # The server calls it from an OS thread (auth.off_loop).
    worker = threading.Thread(target=lambda: box.append(store.checkpoint()))
    worker.start()
    worker.join()
    log, done = box[0]
    assert log > 1000 and done == log  # nothing had been checkpointed; now all of it is
    assert len(store.load("s_1")) == 301
    store.dispose()
    plain = EventStore(f"sqlite:///{tmp_path / 'plain.db'}")
    with plain.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000
    plain.dispose()
