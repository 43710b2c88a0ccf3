"""The outbox on SQLite and PostgreSQL: written with the events, claimed once, sent, retried."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from practicum import engine
from practicum.server.catalog import load_catalog
from practicum.server.privacy import erase_learner
from practicum.server.service import Practicum
from practicum.server.store import EventStore, SeqConflict, actions_table, xapi_outbox_table
from practicum.xapi.outbox import Outbox
from practicum.xapi.sender import LrsClient, LrsConfig, LrsError, Sender, backoff
from practicum.xapi.statements import Site, pseudonym

ROOT = Path(__file__).resolve().parents[2]
SITE = Site("https://practicum.example.org", b"secret")
LMS = {"issuer": "https://lms.example.edu", "subject": "sub-9", "name": "Lms Person"}


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(db_url: Callable[[str], str], clock: Clock) -> Any:
    store = EventStore(db_url("xapi"))
    catalog, _ = load_catalog(str(ROOT / "scenarios"))
    service = Practicum(store, catalog, clock)
    service.outbox = Outbox(store, SITE)
    yield service
    store.dispose()


def rows(service: Any) -> list[dict[str, Any]]:
    with service.store.engine.connect() as conn:
        found = conn.execute(select(xapi_outbox_table).order_by(xapi_outbox_table.c.id)).all()
    return [dict(row._mapping) for row in found]


def count(service: Any) -> int:
    with service.store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(xapi_outbox_table)).scalar()


def join(service: Any, session_id: str, learner_id: str, action: str = "") -> dict[str, Any]:
    command = engine.Command(
        "join_session",
        engine.Actor(engine.LEARNER, learner_id),
        {"learner_id": learner_id, "name": f"Name of {learner_id}"},
    )
    return service.apply(session_id, command, action or f"join-{learner_id}").ack


def session_with_learners(service: Any, *learners: str) -> str:
    session_id, _code = service.create_session("harbor")
    for learner_id in learners:
        assert join(service, session_id, learner_id)["ok"]
    return session_id


class FakeLrs:
    """An LRS double: stores by id like a real one, can be down or refuse batches."""

    def __init__(self) -> None:
        self.down = False
        self.refuse_batches = False
        self.stored: dict[str, dict[str, Any]] = {}
        self.posts = 0
        self.config = LrsConfig(url="http://lrs.invalid/xAPI", batch_size=3, poll_seconds=0.5)

    def post(self, statements: list[dict[str, Any]]) -> int:
        self.posts += 1
        if self.down:
            raise LrsError("LRS unreachable: connection refused")
        if self.refuse_batches and len(statements) > 1:
            raise LrsError("LRS answered 500: boom", 500)
        if any(s["id"] in self.stored and self.stored[s["id"]] != s for s in statements):
            return 409
        for statement in statements:
            self.stored.setdefault(statement["id"], statement)
        return 200

    def put(self, statement: dict[str, Any]) -> int:
        if self.down:
            raise LrsError("LRS unreachable")
        if statement["id"] in self.stored:
            return 409
        self.stored[statement["id"]] = statement
        return 204


def test_an_acknowledged_act_has_its_statements_in_the_same_transaction(service: Any) -> None:
    session_id = session_with_learners(service, "l1", "l2")
    written = rows(service)
    assert sorted(r["learner_id"] for r in written) == ["l1", "l2"]
    assert all(json.loads(r["statement"])["id"] == r["id"] for r in written)
    # A refused command writes nothing.
    assert not join(service, session_id, "l1", "join-again")["ok"]
    assert count(service) == 2
    # An append that loses the seq race rolls its statements back with its events.
    stale = [{**written[0], "id": "00000000-0000-4000-8000-000000000001"}]
    with pytest.raises(SeqConflict):
        service.store.append(session_id, 1, [("chat_posted", None, {})], 0.0, outbox=stale)
    assert count(service) == 2


def test_no_lrs_configured_means_no_rows(service: Any) -> None:
    service.outbox = None
    session_with_learners(service, "l1")
    assert count(service) == 0


def test_two_senders_never_hold_the_same_row(service: Any, clock: Clock) -> None:
    session_with_learners(service, *(f"l{i}" for i in range(7)))
    outbox = service.outbox
    first = outbox.claim("p1-a", clock.now, 4, hold=30)
    second = outbox.claim("p2-a", clock.now, 4, hold=30)
    third = outbox.claim("p3-a", clock.now, 4, hold=30)
    assert (len(first), len(second), len(third)) == (4, 3, 0)
    assert not {c.id for c in first} & {c.id for c in second}
    # Only the holder may clear its rows.
    assert outbox.sent("p2-a", [c.id for c in first]) == 0
    assert outbox.sent("p1-a", [c.id for c in first]) == 4
    # A sender that died holding rows lets them go when its claim runs out.
    clock.now += 31
    taken_over = outbox.claim("p3-b", clock.now, 10, hold=30)
    assert {c.id for c in taken_over} == {c.id for c in second}


def test_statements_made_while_the_lrs_is_down_arrive_once_it_is_up(
    service: Any, clock: Clock
) -> None:
    session_with_learners(service, "l1", "l2", "l3", "l4")
    made = {r["id"] for r in rows(service)}
    lrs = FakeLrs()
    lrs.down = True
    sender = Sender(service.outbox, lrs, clock=clock, rand=lambda: 1.0)  # type: ignore[arg-type]
    wait = sender.step()
    assert wait > 0 and sender.last_error and "unreachable" in sender.last_error
    kept = rows(service)
    assert {r["id"] for r in kept} == made  # nothing lost
    assert {r["attempts"] for r in kept if r["attempts"]} == {1}
    retry_at = min(r["next_try_at"] for r in kept if r["attempts"])
    assert retry_at > clock.now
    # Before the backoff is over the failed rows are not tried again.
    posts = lrs.posts
    lrs.down = False
    clock.now = retry_at - 0.01
    while sender.step() == 0.0:
        pass
    assert {s["id"] for s in lrs.stored.values()} <= made
    assert all(r["attempts"] for r in rows(service))  # only the untried ones went
    clock.now = retry_at + 0.01
    for _ in range(5):
        sender.step()
    assert count(service) == 0
    assert set(lrs.stored) == made
    assert lrs.posts > posts
    status = sender.status()
    assert status["pending"] == 0 and status["sentByThisProcess"] == len(made)


def test_a_refused_batch_goes_one_by_one_and_a_known_id_counts_as_sent(
    service: Any, clock: Clock
) -> None:
    session_with_learners(service, "l1", "l2", "l3")
    lrs = FakeLrs()
    first = rows(service)[0]
    # The LRS already holds one of them with other content (sent before an erasure).
    lrs.stored[first["id"]] = {"id": first["id"], "older": True}
    sender = Sender(service.outbox, lrs, clock=clock)  # type: ignore[arg-type]
    assert sender.step() == 0.0
    assert count(service) == 0
    assert len(lrs.stored) == 3
    lrs.refuse_batches = True
    session_with_learners(service, "m1", "m2")
    assert sender.step() == 0.0
    assert count(service) == 0 and len(lrs.stored) == 5


def test_backoff_doubles_up_to_the_cap_with_jitter() -> None:
    assert backoff(0, 1.0, 300.0, lambda: 0.0) == 0.5
    assert backoff(0, 1.0, 300.0, lambda: 1.0) == 1.0
    assert backoff(3, 1.0, 300.0, lambda: 1.0) == 8.0
    assert backoff(40, 1.0, 300.0, lambda: 1.0) == 300.0
    assert 150.0 <= backoff(40, 1.0, 300.0, lambda: 0.3) <= 300.0


def test_an_erased_learner_leaves_with_a_pseudonym_only(service: Any, clock: Clock) -> None:
    session_id, _code = service.create_session("harbor")
    seq = service.store.last_seq(session_id)
    joined = engine.Event(
        "learner_joined", {"learner_id": "l1", "name": "Lms Person", "at": clock.now, "lms": LMS}
    )
    scenario, state = service.snapshot(session_id)
    made = service.outbox.rows_for(session_id, scenario, [(state, joined)], seq, clock.now)
    service.store.append(
        session_id, seq, [(joined.type, None, joined.data)], clock.now, outbox=made
    )
    (row,) = rows(service)
    assert json.loads(row["statement"])["actor"]["name"] == "Lms Person"

    erase_learner({"practicum": service}, session_id, "l1")
    (row,) = rows(service)
    body = json.loads(row["statement"])
    assert body["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": SITE.base_url, "name": pseudonym(SITE, "l1")},
    }
    assert "lms" not in service.store.load(session_id)[seq].data
    # A row another process wrote from a stale copy still leaves without the LMS identity.
    service.store.append(
        session_id,
        service.store.last_seq(session_id),
        [],
        clock.now,
        outbox=[{**made[0], "id": "00000000-0000-4000-8000-0000000000aa"}],
    )
    batch = service.outbox.claim("p1", clock.now, 10, 30)
    sent = json.dumps(service.outbox.outgoing(batch))
    assert "Lms Person" not in sent and LMS["subject"] not in sent


def test_client_speaks_xapi_1_0_3_with_basic_auth() -> None:
    client = LrsClient(LrsConfig(url="http://lrs.example/xAPI/", username="u", password="p"))
    assert client.endpoint == "http://lrs.example/xAPI/statements"
    assert client.headers["X-Experience-API-Version"] == "1.0.3"
    assert client.headers["Authorization"] == "Basic dTpw"


def test_single_sends_stop_before_the_claim_runs_out(service: Any, clock: Clock) -> None:
    session_with_learners(service, "l1", "l2", "l3")
    lrs = FakeLrs()
    lrs.refuse_batches = True
    lrs.config = LrsConfig(url="http://lrs.invalid/xAPI", batch_size=3, timeout_seconds=10)
    stored_put = lrs.put

    def slow_put(statement: dict[str, Any]) -> int:
        clock.now += 20  # each single send takes 20 s; the claim holds 45 s
        return stored_put(statement)

    lrs.put = slow_put  # type: ignore[method-assign]
    sender = Sender(service.outbox, lrs, clock=clock, rand=lambda: 1.0)  # type: ignore[arg-type]
    assert sender.step() > 0
    assert len(lrs.stored) == 2 and count(service) == 1
    assert "claim ran out" in (sender.last_error or "")


def test_an_lti_join_names_its_lms_account_until_the_learner_is_erased(
    service: Any, clock: Clock
) -> None:
    """An LTI launch keeps the identity on the join's answer (docs/lti.md), not in the event."""
    session_id, _code = service.create_session("harbor")
    learner = engine.Actor(engine.LEARNER, "l_lti")
    join_command = engine.Command("join_session", learner, {"learner_id": "l_lti", "name": "X"})
    extra = {"sessionId": session_id, "learnerId": "l_lti", "lms": LMS}
    assert service.apply(session_id, join_command, "lti:join", extra=extra).ack["ok"]
    assert all("lms" not in e.data for e in service.store.load(session_id))

    def actors() -> list[dict[str, Any]]:
        return [json.loads(r["statement"])["actor"] for r in rows(service)]

    lms_actor = {
        "objectType": "Agent",
        "account": {"homePage": LMS["issuer"], "name": LMS["subject"]},
        "name": LMS["name"],
    }
    assert actors() == [lms_actor]
    # Another process (an empty cache) reads the identity back from the stored answer.
    service.outbox = Outbox(service.store, SITE)
    team = engine.Command("create_team", learner, {"team_id": "t_1", "name": "Alpha"})
    assert service.apply(session_id, team, "team-1").ack["ok"]
    assert actors() == [lms_actor] * 3

    erase_learner({"practicum": service}, session_id, "l_lti")
    pseudonymous = {
        "objectType": "Agent",
        "account": {"homePage": SITE.base_url, "name": pseudonym(SITE, "l_lti")},
    }
    assert actors() == [pseudonymous] * 3
    assert service.store.action_result(session_id, "lti:join") == {
        "ok": True,
        "learnerId": "l_lti",
        "sessionId": session_id,
    }
    # Acts after the erasure name the pseudonym from the start.
    created = engine.Command("create_team", learner, {"team_id": "t_2", "name": "Beta"})
    assert service.apply(session_id, created, "team-2").ack["ok"]
    assert actors() == [pseudonymous] * 5


def test_senders_claiming_at_once_split_the_rows_without_overlap(
    service: Any, clock: Clock
) -> None:
    """Four senders (as in four processes: own connections, no shared lock) race for rows."""
    import threading

    session_id, _code = service.create_session("harbor")
    scenario, state = service.snapshot(session_id)
    events = [
        engine.Event("learner_joined", {"learner_id": f"l{i}", "name": "N", "at": clock.now})
        for i in range(120)
    ]
    steps, folded = [], state
    for event in events:
        steps.append((folded, event))
        folded = engine.evolve(scenario, folded, event)
    seq = service.store.last_seq(session_id)
    made = service.outbox.rows_for(session_id, scenario, steps, seq, clock.now)
    service.store.append(
        session_id, seq, [(e.type, None, e.data) for e in events], clock.now, outbox=made
    )
    claimed: dict[str, list[str]] = {}
    start = threading.Barrier(4)

    def sender(name: str) -> None:
        start.wait()
        mine = claimed.setdefault(name, [])
        for round_ in range(100):
            batch = service.outbox.claim(f"{name}-{round_}", clock.now, 7, hold=60)
            if not batch and round_ > 3:
                break
            mine += [c.id for c in batch]

    threads = [threading.Thread(target=sender, args=(f"p{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    every = [row_id for ids in claimed.values() for row_id in ids]
    assert len(every) == len(set(every)) == 120
    assert sum(1 for ids in claimed.values() if ids) >= 2  # they really raced


def test_a_purged_session_sends_only_pseudonyms(service: Any, clock: Clock) -> None:
    from practicum.server.privacy import purge_expired

    session_id, _code = service.create_session("harbor")
    for learner_id in ("l_a", "l_b"):
        actor = engine.Actor(engine.LEARNER, learner_id)
        command = engine.Command("join_session", actor, {"learner_id": learner_id, "name": "N"})
        extra = {"learnerId": learner_id, "lms": {**LMS, "subject": f"sub-{learner_id}"}}
        assert service.apply(session_id, command, f"lti:{learner_id}", extra=extra).ack["ok"]
    end = engine.Command("end_session", engine.Actor(engine.FACILITATOR), {})
    assert service.apply(session_id, end, "end").ack["ok"]
    assert any("sub-l_a" in r["statement"] for r in rows(service))

    clock.now += 10
    assert purge_expired({"practicum": service}, 0.0, clock.now) == [session_id]
    text = json.dumps(rows(service))
    assert "sub-l_a" not in text and "sub-l_b" not in text and LMS["name"] not in text
    assert len(rows(service)) == 4  # joined twice, completed twice: nothing lost
    with service.store.engine.connect() as conn:
        answers = conn.execute(select(actions_table.c.result)).scalars().all()
    assert all("lms" not in json.loads(a) for a in answers)
