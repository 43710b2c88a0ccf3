"""Sessions that come and go: summaries without replay, idle eviction, no rebuild of history."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from practicum import engine
from practicum.scenario.loader import load_scenario
from practicum.server.service import Practicum
from practicum.server.store import EventStore, SessionRow

ROOT = Path(__file__).resolve().parents[2]
DAY = 86_400.0


@pytest.fixture
def catalog():
    scenario = load_scenario(ROOT / "scenarios" / "harbor.json")
    return {scenario.id: scenario}


def _learner(actor_id: str, command: str, **data):
    return engine.Command(command, engine.Actor(engine.LEARNER, actor_id), data)


FAC = engine.Actor(engine.FACILITATOR)


def _history(store: EventStore, catalog, now: float, ended: int, idle: int) -> None:
    """Write past sessions straight into the log: `ended` closed ones, `idle` live ones."""
    scenario = catalog["harbor"]
    for number in range(ended + idle):
        session_id = f"s_old{number:05d}"
        code = f"Q{number:05d}"
        events = engine.new_session(scenario, session_id, code, now - 30 * DAY)
        rows = [(e.type, e.team, e.data) for e in events]
        status = "closed" if number < ended else "live"
        row = SessionRow(session_id, "harbor", code, now - 30 * DAY, status,
                         phase="closed" if number < ended else "lobby",
                         updated_at=now - 20 * DAY)
        store.create_session(row, rows)


def test_a_long_history_is_neither_rebuilt_nor_replayed_to_list_it(db_url, catalog, clock):
    store = EventStore(db_url("history"))
    _history(store, catalog, clock(), ended=1000, idle=1000)
    first = Practicum(store, catalog, clock)
    recent, _code = first.create_session("harbor")
    first.apply(recent, _learner("l_a", "join_session", learner_id="l_a", name="Ana"), "act-a-0001")

    service = Practicum(EventStore(db_url("history")), catalog, clock)
    assert service.rebuild() == 1  # only the session used lately
    assert service.live_session_ids() == [recent]
    listed = service.list_sessions()
    assert len(listed) == 2001
    assert service.live_session_ids() == [recent]  # listing loaded nothing
    summary = next(s for s in listed if s["id"] == recent)
    assert (summary["phase"], summary["learners"], summary["teams"]) == ("lobby", 1, 0)
    # An idle session still comes back, as it was, on its first use.
    _, state = service.snapshot("s_old01500")
    assert state.phase == "lobby" and state.join_code == "Q01500"


def test_summaries_follow_phase_and_membership(db_url, catalog, clock):
    store = EventStore(db_url())
    service = Practicum(store, catalog, clock)
    session_id, _ = service.create_session("harbor")
    service.apply(session_id, _learner("l_a", "join_session", learner_id="l_a", name="Ana"),
                  "act-a-0001")
    service.apply(session_id, _learner("l_a", "create_team", team_id="t_1", name="Alpha"),
                  "act-a-0002")
    service.apply(session_id, engine.Command("start_session", FAC, {}), "act-f-0001")
    row = store.session(session_id)
    assert (row.phase, row.teams, row.learners, row.updated_at) == ("round", 1, 1, clock())


def test_idle_sessions_leave_memory_unless_someone_is_there_or_the_clock_runs(
    db_url, catalog, clock
):
    service = Practicum(EventStore(db_url()), catalog, clock)
    quiet, _ = service.create_session("harbor")
    watched, _ = service.create_session("harbor")
    running, _ = service.create_session("harbor")
    service.apply(running, engine.Command("start_session", FAC, {}), "act-f-0002")
    service.apply(quiet, _learner("l_q", "join_session", learner_id="l_q", name="Quinn"),
                  "act-q-0001")
    _, before = service.snapshot(quiet)
    assert service.evict_idle(600, busy=lambda s: False) == []  # nobody idle yet
    clock.advance(601)
    gone = service.evict_idle(600, busy=lambda s: s == watched)
    assert gone == [quiet]
    assert set(service.live_session_ids()) == {watched, running}
    _, after = service.snapshot(quiet)  # back from the log, the same
    assert after.learners == before.learners and after.seq == before.seq


def test_an_old_database_gets_the_summary_columns(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE sessions (id VARCHAR(40) PRIMARY KEY, scenario_id VARCHAR(80) NOT NULL,"
            " join_code VARCHAR(16) NOT NULL UNIQUE, created_at FLOAT NOT NULL,"
            " status VARCHAR(16) NOT NULL)"
        )
        conn.execute("INSERT INTO sessions VALUES ('s_1', 'harbor', 'ABC234', 1.0, 'live')")
    store = EventStore(f"sqlite:///{path}")
    (row,) = store.sessions()
    assert (row.phase, row.teams, row.learners, row.updated_at) == ("lobby", 0, 0, None)


def _signed_in(app):
    import re

    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"',
                      client.get("/facilitator").get_data(as_text=True)).group(1)
    reply = client.post("/facilitator", data={"username": "", "password": "letmein",
                                              "csrf_token": token})
    assert reply.status_code == 302
    return client, token


def test_a_facilitator_archives_an_ended_session_out_of_the_list(app, new_session):
    client, token = _signed_in(app)
    ended, _ = new_session("harbor")
    live, _ = new_session("harbor")
    app.extensions["practicum"].apply(ended, engine.Command("end_session", FAC, {}), None)
    page = client.get("/facilitator/sessions").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    refused = client.post(f"/facilitator/sessions/{live}/archive", data={"csrf_token": token})
    assert refused.status_code == 400
    done = client.post(f"/facilitator/sessions/{ended}/archive", data={"csrf_token": token})
    assert done.status_code == 302
    listing = client.get("/facilitator/sessions").get_data(as_text=True)
    assert ended not in listing and live in listing and "Show 1 archived session" in listing
    assert ended in client.get("/facilitator/sessions?archived=1").get_data(as_text=True)
    client.post(f"/facilitator/sessions/{ended}/archive",
                data={"csrf_token": token, "restore": "1"})
    assert ended in client.get("/facilitator/sessions").get_data(as_text=True)


def test_start_up_loads_a_session_only_while_its_clock_must_fire(db_url, catalog, clock):
    store = EventStore(db_url())
    first = Practicum(store, catalog, clock)
    running, _ = first.create_session("harbor")
    paused, _ = first.create_session("harbor")
    for session_id, action in ((running, "act-f-0101"), (paused, "act-f-0102")):
        first.apply(session_id, engine.Command("start_session", FAC, {}), action)
    first.apply(paused, engine.Command("pause", FAC, {}), "act-f-0103")
    rows = {row.id: row for row in store.sessions()}
    assert rows[running].deadline == clock() + 40 * 60  # harbor's first round: 40 minutes
    assert rows[paused].deadline is None and rows[paused].phase == "round"

    clock.advance(2 * DAY)  # both idle for long: only the one whose deadline is due loads
    service = Practicum(EventStore(db_url()), catalog, clock)
    assert service.rebuild() == 1
    assert service.live_session_ids() == [running]
    # The paused one is still there, as it was, on its first use.
    _, state = service.snapshot(paused)
    assert state.phase == "round" and state.paused
