"""Fuzzing every inbound event and the raw packet layer: coded answers, never a traceback."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import fields as mm_fields

from practicum.server.messages import FACILITATOR_ROUTES, LEARNER_ROUTES, _schema

# Text as a hostile client sends it: lone surrogates and control characters included.
TEXT = st.one_of(
    st.text(max_size=30),
    st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=3),
    st.text(st.characters(max_codepoint=0x1F), min_size=1, max_size=5),
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False) | TEXT,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


VALID_ID = st.from_regex(r"\A[A-Za-z0-9_-]{8,20}\Z")
ACTION_ID = st.one_of(VALID_ID, VALID_ID, VALID_ID, JSON)
PLAUSIBLE = {
    "text": TEXT,
    "name": TEXT,
    "code": st.sampled_from(["<CODE>", "<CODE>", "ZZZZZZ", "\ud800"]),
    "field": st.sampled_from(["gap", "contract", "inject:inj_x", "nope"]),
    "diagnostic": st.sampled_from(["d_fcr_trend", "d_kb_owner_interview", "d_x"]),
    "cause": st.sampled_from(["rc_kb_search", "rc_x"]),
    "stance": st.sampled_from([-1, 0, 1, 2]),
    "minutes": st.integers(-300, 300),
    "update": st.sampled_from(["AAA=", "AQGowavwh7uZCwAEAQF0AXgA", "!!!!"]),
}


def _keys(route) -> list[str]:
    schema = _schema(route.schema)
    return [f.data_key or name for name, f in schema.fields.items()
            if isinstance(f, mm_fields.Field)]


def _payloads(routes) -> st.SearchStrategy[tuple[str, Any]]:
    """A route and a payload: its own keys with any values, stray keys, or no object at all."""
    def for_route(route):
        keys = _keys(route)
        # Mostly well-formed around the field under attack, so payloads get past the schema
        # and reach the engine and the store (random action ids would stop nearly all).
        plausible = {
            key: st.one_of(PLAUSIBLE.get(key, JSON), JSON) if key != "actionId" else ACTION_ID
            for key in keys
        }
        whole = st.fixed_dictionaries(plausible) if keys else st.just({})
        known = st.builds(
            lambda d, drop: {k: v for k, v in d.items() if k not in drop},
            whole,
            st.sets(st.sampled_from(keys), max_size=1) if keys else st.just(set()),
        )
        stray = st.dictionaries(st.text(max_size=12), JSON, max_size=3)
        payload = st.one_of(
            known, st.builds(lambda a, b: {**a, **b}, known, stray), JSON, st.text(max_size=40)
        )
        return st.tuples(st.just(route.event), payload)

    return st.sampled_from(routes).flatmap(for_route)


@pytest.fixture
def fuzz_app(make_app):
    return make_app(RATE_PER_SECOND=100000.0, RATE_BURST=100000, JOIN_FAILURES_PER_MINUTE=100000,
                    JOIN_FAILURES_GLOBAL_PER_MINUTE=100000)


@pytest.fixture
def players(fuzz_app, facilitator_token_for):
    from practicum.server.extensions import socketio
    from tests.server.conftest import Player

    session_id, code = fuzz_app.extensions["practicum"].create_session("harbor")
    learner = Player(socketio.test_client(fuzz_app, namespace="/play"), "/play")
    assert learner.send("join_session", code=code, name="Fuzz")["ok"]
    assert learner.send("create_team", name="Fuzzers")["ok"]
    facilitator = Player(
        socketio.test_client(fuzz_app, namespace="/facilitate",
                             auth={"token": facilitator_token_for(fuzz_app)}),
        "/facilitate",
    )
    facilitator.session_id = session_id
    assert facilitator.send("watch", sessionId=session_id)["ok"]
    assert facilitator.send("start_session")["ok"]
    learner.code = code
    return learner, facilitator


@pytest.fixture
def facilitator_token_for():
    def token(app):
        from .conftest import PASSWORD

        with app.test_client() as client:
            return client.post("/api/login", json={"password": PASSWORD}).get_json()["token"]

    return token


def _no_tracebacks(caplog) -> None:
    bad = [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    assert not bad, [r.getMessage() for r in bad][:3]


def _check_ack(ack: Any) -> None:
    assert isinstance(ack, dict) and "ok" in ack, ack
    if not ack["ok"]:
        assert ack["code"] != "server/error", ack
        assert isinstance(ack["message"], str) and ack["message"]


FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


FACILITATOR_FUZZED = [r for r in FACILITATOR_ROUTES if r.event != "end_session"]
ROUTES = [("/play", r) for r in LEARNER_ROUTES] + [("/facilitate", r) for r in FACILITATOR_FUZZED]


@pytest.mark.parametrize(("namespace", "route"), ROUTES, ids=lambda r: getattr(r, "event", r))
def test_any_payload_of_any_event_gets_a_coded_answer(players, caplog, namespace, route):
    learner, facilitator = players
    sender = learner if namespace == "/play" else facilitator

    @FUZZ
    @given(sent=_payloads([route]))
    def attempt(sent):
        caplog.clear()
        caplog.set_level(logging.ERROR)
        event, payload = sent
        if isinstance(payload, dict) and payload.get("code") == "<CODE>":
            payload = {**payload, "code": learner.code}
        _check_ack(sender.client.emit(event, payload, namespace=namespace, callback=True))
        _no_tracebacks(caplog)

    attempt()


PACKET = st.one_of(
    st.text(max_size=60),
    st.builds(lambda kind, body: f"{kind}/play,{body}",
              st.sampled_from(["0", "1", "2", "3", "4", "5", "6", "42", "43", "451-"]),
              st.text(max_size=60)),
    st.builds(lambda body: "42/play," + body,
              st.sampled_from(['["chat"', '["chat",{', "[[[[[", '[null]', '["connect"]',
                               '["disconnect",1]', '"x"', "{}", "[1,2,3]"])),
    st.binary(max_size=30),
)


@settings(max_examples=250, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(raw=PACKET)
def test_any_raw_packet_is_dropped_or_answered_without_a_traceback(players, fuzz_app, caplog, raw):
    learner, _ = players
    caplog.set_level(logging.ERROR)
    guard = fuzz_app.extensions["practicum.packet_guard"]
    guard.strikes.clear()  # the test is about tracebacks, not the disconnect after 20 strikes
    guard.server._handle_eio_message(learner.client.eio_sid, raw)
    _no_tracebacks(caplog)
