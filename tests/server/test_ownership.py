"""One owner per session: leases, takeover after expiry, handover on request, coded refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from practicum import engine
from practicum.scenario.loader import load_scenario
from practicum.server.app import create_app, renew_leases
from practicum.server.extensions import socketio
from practicum.server.ownership import Leases
from practicum.server.service import NotOwner, Practicum
from practicum.server.store import EventStore

ROOT = Path(__file__).resolve().parents[2]
LEASE = 6.0


@pytest.fixture
def catalog():
    scenario = load_scenario(ROOT / "scenarios" / "harbor.json")
    return {scenario.id: scenario}


def _process(url: str, catalog, clock) -> Practicum:
    service = Practicum(EventStore(url), catalog, clock)
    service.leases = Leases(service.store, LEASE)
    return service


def _learner(actor_id: str, command: str, **data):
    return engine.Command(command, engine.Actor(engine.LEARNER, actor_id), data)


def _join(service: Practicum, session_id: str, learner: str, action: str):
    return service.apply(
        session_id, _learner(learner, "join_session", learner_id=learner, name=learner), action
    )


def test_a_lease_is_held_by_one_process_until_it_expires(db_url, clock):
    store = EventStore(db_url("leases"))
    first, second = Leases(store, LEASE), Leases(store, LEASE)
    assert first.acquire("s_1", clock()) is True
    assert first.acquire("s_1", clock()) is False  # held already: nothing new
    assert second.acquire("s_1", clock(), ask=False) is None
    assert first.holds("s_1", clock()) and not second.holds("s_1", clock())
    clock.advance(LEASE / 3)
    assert first.renew(clock()).lost == []
    clock.advance(LEASE - 0.5)
    assert second.acquire("s_1", clock(), ask=False) is None  # renewed: still first's
    clock.advance(1.0)  # first died: no renewal, the lease ran out
    assert second.acquire("s_1", clock()) is True
    assert second.owner_of("s_1")[0] == second.owner
    renewal = first.renew(clock())
    assert renewal.lost == ["s_1"] and not first.holds("s_1", clock())


def test_a_process_the_proxy_routes_to_asks_and_the_owner_hands_over(db_url, clock):
    store = EventStore(db_url("leases"))
    owner, newcomer = Leases(store, LEASE), Leases(store, LEASE)
    owner.acquire("s_1", clock())
    owner.acquire("s_2", clock())
    assert newcomer.acquire("s_1", clock()) is None  # asks
    renewal = owner.renew(clock())
    assert renewal.lost == [] and renewal.wanted == ["s_1"]
    owner.release(renewal.wanted)
    assert newcomer.acquire("s_1", clock()) is True
    assert owner.held() == ["s_2"]
    assert owner.renew(clock()).wanted == []  # the request was answered, s_2 nobody asked


def test_only_the_owner_applies_and_ticks_and_a_takeover_loses_nothing(db_url, catalog, clock):
    url = db_url("shared")
    first, second = _process(url, catalog, clock), _process(url, catalog, clock)
    session_id, _ = first.create_session("harbor")
    assert _join(first, session_id, "l_ana", "act-0001").ack["ok"]
    with pytest.raises(NotOwner):
        _join(second, session_id, "l_bo", "act-0002")
    assert second.tick(session_id) == []
    # The owner is killed: no renewal. Once its lease ran out, the other process takes over
    # and decides on the log, with the acknowledged join in it.
    clock.advance(LEASE + 1)
    assert second.owns(session_id)
    assert _join(second, session_id, "l_bo", "act-0002").ack["ok"]
    _, state = second.snapshot(session_id)
    assert set(state.learners) == {"l_ana", "l_bo"}
    # The old owner, should it come back, is refused and drops its stale copy.
    with pytest.raises(NotOwner):
        _join(first, session_id, "l_cy", "act-0003")
    assert session_id not in first.live_session_ids()


def test_a_renewal_reports_a_lease_another_process_took(db_url, catalog, clock):
    url = db_url("shared")
    first, second = _process(url, catalog, clock), _process(url, catalog, clock)
    session_id, _ = first.create_session("harbor")
    assert _join(first, session_id, "l_ana", "act-0001").ack["ok"]
    clock.advance(LEASE + 1)  # first stalled past its lease; second took the session
    assert second.owns(session_id)
    assert first.renew_leases() == [session_id]
    assert session_id not in first.live_session_ids()


def test_without_leases_a_process_owns_every_session(db_url, catalog, clock):
    service = Practicum(EventStore(db_url("single")), catalog, clock)
    session_id, _ = service.create_session("harbor")
    assert service.owns(session_id)
    assert _join(service, session_id, "l_ana", "act-0001").ack["ok"]
    assert service.renew_leases() == []


def _cluster_app(tmp_path: Path, url: str, clock, name: str):
    return create_app(
        {
            "TESTING": True,
            "ASYNC_MODE": "threading",
            "DATABASE_URL": url,
            "INSTANCE_DIR": str(tmp_path / name),
            "SECRET_KEY": "test-secret",
            "PASSWORD_HASH_COST": 10,
            "FACILITATOR_PASSWORD": "letmein",
            "SCENARIO_DIR": str(ROOT / "scenarios"),
            "RUN_TIMERS": False,
            "CLOCK": clock,
            "CLUSTER": True,
            "LEASE_SECONDS": LEASE,
        }
    )


def test_a_socket_on_a_process_that_does_not_own_the_session_is_told_to_reconnect(
    tmp_path, db_url, clock
):
    url = db_url("cluster")
    owner_app = _cluster_app(tmp_path, url, clock, "a")
    session_id, code = owner_app.extensions["practicum"].create_session("harbor")
    owner = socketio.test_client(owner_app, namespace="/play")
    joined = owner.emit(
        "join_session", {"code": code, "name": "Ana", "actionId": "join-ana-0001"},
        namespace="/play", callback=True,
    )
    assert joined["ok"], joined
    # The second app is built last, so Flask-SocketIO's server is now bound to it.
    other_app = _cluster_app(tmp_path, url, clock, "b")
    # A join page (no session in its URL) that lands on the other process learns the session
    # and reconnects; it does not pull the session away from its owner.
    join_page = socketio.test_client(other_app, namespace="/play")
    ack = join_page.emit(
        "join_session", {"code": code, "name": "Bo", "actionId": "join-bo-0001"},
        namespace="/play", callback=True,
    )
    assert ack["code"] == "session/moved" and ack["reconnect"] is True
    assert ack["sessionId"] == session_id and ack["retryAfter"] > 0
    with owner_app.app_context():
        assert renew_leases(owner_app) == []
    # A socket the proxy routed here by this session asks for it (the proxy's routing
    # changed): the owner hands it over at its next renewal.
    other = socketio.test_client(
        other_app, namespace="/play", query_string=f"session={session_id}"
    )
    hello = other.emit("hello", {"token": joined["token"]}, namespace="/play", callback=True)
    assert hello["code"] == "session/moved"
    # A message sent before the resume succeeded is moved too (not "say hello first"): the
    # client sends it again once it reached the owner.
    chat = other.emit("chat", {"text": "hi", "actionId": "chat-0001"}, namespace="/play",
                      callback=True)
    assert chat["code"] == "session/moved" and chat["sessionId"] == session_id
    with owner_app.app_context():
        assert renew_leases(owner_app) == [session_id]
    ack = other.emit(
        "join_session", {"code": code, "name": "Bo", "actionId": "join-bo-0001"},
        namespace="/play", callback=True,
    )
    assert ack["ok"], ack
    _, state = other_app.extensions["practicum"].snapshot(session_id)
    assert sorted(learner.name for learner in state.learners.values()) == ["Ana", "Bo"]
    for app in (owner_app, other_app):
        app.extensions["practicum.store"].dispose()
