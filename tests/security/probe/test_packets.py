"""The packet layer: reserved event names, malformed and deep packets, floods before parsing."""

from __future__ import annotations

import logging

from practicum.server.packets import MAX_STRIKES


def _joined(connect, session, name="Ana"):
    player = connect("/play")
    ack = player.send("join_session", code=session[1], name=name)
    assert ack["ok"], ack
    return player


def test_a_client_cannot_rerun_connect_to_refill_its_rate_limit(connect, session):
    ana = _joined(connect, session)
    codes = [ana.send("chat", text=f"message {i}")["code"] if i else "" for i in range(60)]
    assert "rate/limited" in codes  # the documented 10/s with bursts of 40
    # Before the fix, a `connect` event re-ran the connect handler: a fresh bucket.
    refused = ana.client.emit("connect", {}, namespace="/play", callback=True)
    assert refused["code"] == "action/reserved"
    assert ana.send("chat", text="one more")["code"] == "rate/limited"


def test_a_disconnect_event_does_not_drop_presence(connect, session, app):
    ana = _joined(connect, session)
    presence = app.extensions["practicum.presence"]
    before = presence.online_learners(session[0])
    assert before
    refused = ana.client.emit("disconnect", namespace="/play", callback=True)
    assert refused["code"] == "action/reserved"
    assert presence.online_learners(session[0]) == before
    assert ana.client.is_connected("/play")


def test_malformed_and_deep_packets_are_dropped_without_tracebacks(connect, session, app, caplog):
    ana = _joined(connect, session)
    server = app.extensions["practicum.packet_guard"].server
    eio_sid = ana.client.eio_sid
    caplog.set_level(logging.DEBUG)
    bad_packets = [
        '42/play,["chat",',  # truncated JSON
        "42/play," + "[" * 1000 + "]" * 1000,  # nested 1,000 deep
        '42/play,{"not":"a list"}',
        "42/play,[]",  # no event name
        '42/play,[42, {"text": "x"}]',  # a number as the name
        "9",  # unknown packet type
        "5/play,",  # a binary event that never says how many attachments
        '51-/play,["chat",{"_placeholder":true,"num":0}]',  # a binary event with one
        b"\x00\x01raw bytes",  # a binary frame
    ]
    for raw in bad_packets:
        server._handle_eio_message(eio_sid, raw)
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert not tracebacks, [r.getMessage() for r in tracebacks]
    malformed_logs = [r for r in caplog.records if "malformed packet" in r.getMessage()]
    assert len(malformed_logs) <= 1  # one line per socket, not one per packet
    # The socket still works.
    assert ana.send("chat", text="still here")["code"] == "team/none"


def test_a_too_deep_event_payload_is_answered_with_a_code(connect, session):
    ana = _joined(connect, session)
    deep: dict = {"text": "x"}
    for _ in range(50):
        deep = {"a": deep}
    ack = ana.send("chat", **deep)
    assert ack["code"] == "payload/invalid"


def test_a_socket_that_keeps_sending_garbage_is_disconnected(connect, session, app):
    ana = _joined(connect, session)
    guard = app.extensions["practicum.packet_guard"]
    eio_sid = ana.client.eio_sid
    disconnected = []
    guard.server.eio.disconnect = lambda sid: disconnected.append(sid)
    for _ in range(MAX_STRIKES):
        guard.server._handle_eio_message(eio_sid, '42/play,["chat",')
    assert disconnected == [eio_sid]


def test_a_flood_is_dropped_before_parsing(connect, session, app):
    ana = _joined(connect, session)
    guard = app.extensions["practicum.packet_guard"]
    before = guard.dropped
    for _ in range(400):
        guard.server._handle_eio_message(ana.client.eio_sid, '42/play,["chat",{}]')
    assert guard.dropped - before >= 400 - guard.burst
