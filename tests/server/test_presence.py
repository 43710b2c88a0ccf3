"""The presence table: which sockets follow which session, by namespace."""

from __future__ import annotations

from practicum.server.limits import TokenBucket
from practicum.server.presence import Connection, Presence


def _socket(presence: Presence, sid: str, namespace: str) -> Connection:
    connection = Connection(sid, namespace, "127.0.0.1", TokenBucket(10, 40, 0.0))
    presence.add(connection)
    return connection


def test_watching_follows_binds_moves_and_disconnects():
    presence = Presence()
    _socket(presence, "screen1", "/stage")
    _socket(presence, "screen2", "/stage")
    _socket(presence, "ana", "/play")
    assert not presence.watching("s1", "/stage")
    presence.bind("screen1", "s1")
    presence.bind("screen1", "s1")  # bound twice: still one screen
    presence.bind("ana", "s1")
    assert presence.watching("s1", "/stage") and presence.watching("s1", "/play")
    presence.bind("screen2", "s1")
    presence.remove("screen1")
    assert presence.watching("s1", "/stage")  # screen2 still follows s1
    presence.bind("screen2", "s2")  # moved to another session
    assert not presence.watching("s1", "/stage")
    assert presence.watching("s2", "/stage")
    presence.remove("screen2")
    presence.remove("screen2")  # removed twice: nothing left to count
    assert not presence.watching("s2", "/stage")
    assert presence.watching("s1", "/play")
    assert [c.sid for c in presence.in_session("s1")] == ["ana"]
