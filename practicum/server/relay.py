"""Boards of sessions owned by another process, for facilitators connected to this one (Redis).

A facilitator socket may reach a process that does not own the session it watches (a console
of another session, an admin view). That process joins the socket to the session's board room
and asks, on a Redis channel, for the board: the owner answers the socket with a full board
(`board_full`), and its later `board_patch` emits reach the room through Flask-SocketIO's
message queue. Nothing is folded outside the owner. Watchers renew their interest every few
seconds; the owner stops building boards for a session nobody watches any more.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from flask import Flask

from practicum.server.extensions import socketio

log = logging.getLogger(__name__)
CHANNEL = "practicum:boards"
# How long an owner keeps building boards for watchers elsewhere without hearing from them
# (they renew with every lease renewal, a third of the lease).
REMOTE_WATCH_SECONDS = 20.0
BOARD_FULL = "board_full"


class BoardRelay:
    """Ask for boards of sessions owned elsewhere, and answer such requests as an owner."""

    def __init__(self, client: Any, channel: str = CHANNEL) -> None:
        self.client = client
        self.channel = channel
        # Session id -> until when (monotonic) a watcher elsewhere wants its boards.
        self._watched: dict[str, float] = {}

    @classmethod
    def from_url(cls, url: str) -> BoardRelay:
        """Connect to Redis."""
        import redis

        return cls(redis.Redis.from_url(url, socket_connect_timeout=1.0))

    def request(self, session_id: str, sid: str | None = None) -> None:
        """Ask the owner for boards of a session: a full one to `sid`, patches to the room."""
        self.client.publish(self.channel, json.dumps({"session": session_id, "sid": sid}))

    def watched(self, session_id: str) -> bool:
        """Say whether a facilitator elsewhere watches this session (owner side)."""
        until = self._watched.get(session_id)
        if until is None:
            return False
        if until < time.monotonic():
            self._watched.pop(session_id, None)
            return False
        return True

    def handle(self, app: Flask, message: dict[str, Any]) -> bool:
        """Answer one request if this process owns the session; return whether it did."""
        session_id, sid = message.get("session"), message.get("sid")
        service = app.extensions["practicum"]
        if not isinstance(session_id, str) or service.leases is None:
            return False
        if not service.leases.holds(session_id, service.clock()):
            return False
        self._watched[session_id] = time.monotonic() + REMOTE_WATCH_SECONDS
        if isinstance(sid, str):
            from practicum.server.sockets import FACILITATE

            board = app.extensions["practicum.broadcaster"].full_board(app.extensions, session_id)
            socketio.emit(
                BOARD_FULL, {"sessionId": session_id, "board": board}, to=sid, namespace=FACILITATE
            )
        return True

    def listen(self, app: Flask) -> None:
        """Answer requests forever (a background task of every process of a cluster)."""
        while True:
            pubsub = None
            try:
                pubsub = self.client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(self.channel)
                while True:
                    message = pubsub.get_message(timeout=1.0)
                    if message is None:
                        socketio.sleep(0)
                        continue
                    with app.app_context():
                        self.handle(app, json.loads(message["data"]))
            except Exception:  # noqa: BLE001 - Redis away or a bad message: start again
                log.exception("board relay failed; listening again in a second")
                if pubsub is not None:
                    pubsub.close()
                socketio.sleep(1.0)
