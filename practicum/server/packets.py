"""The Socket.IO packet layer's guard: what a client sends is checked before any handler runs.

python-socketio dispatches an event packet named ``connect`` or ``disconnect`` to the
application's connect and disconnect handlers, as if the transport had said so: a client could
re-run its connect handler (a fresh rate-limit bucket) or drop its own presence while staying
connected. A malformed or absurdly nested packet raises inside python-socketio and is logged
with a traceback each time, before any rate limit. This guard wraps the server's packet entry
points: a coarse per-socket budget of packets is spent before parsing, reserved event names are
answered with a coded refusal and never dispatched, and a packet that does not parse is dropped
with one log line per socket (a socket that keeps sending them is disconnected).

It hooks private python-socketio methods (``_handle_eio_message``, ``_handle_event``,
``_send_packet``), which is why python-socketio is pinned; tests/security covers each path.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from socketio import packet as socketio_packet

from practicum.server.limits import TokenBucket

log = logging.getLogger(__name__)

# Socket.IO's own event names: never an application event, whatever a client sends.
RESERVED_EVENTS = frozenset(
    {"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"}
)
# The packet budget is this many times the per-connection message limit, so the finer limit in
# sockets.guarded answers ordinary bursts with rate/limited, and only floods are dropped here.
PACKET_BUDGET_FACTOR = 4
# Socket.IO packet types BINARY_EVENT and BINARY_ACK, as the first character of a text packet.
BINARY_TYPES = frozenset({str(socketio_packet.BINARY_EVENT), str(socketio_packet.BINARY_ACK)})
# Malformed packets a socket may send before it is disconnected.
MAX_STRIKES = 20


def refusal(code: str, message: str) -> dict[str, Any]:
    """Return a rejection ack."""
    return {"ok": False, "code": code, "message": message}


class PacketGuard:
    """Per-socket packet budget, reserved names and malformed packets for one Socket.IO server."""

    def __init__(self, server: Any, rate: float, burst: int) -> None:
        self.server = server
        self.rate = rate * PACKET_BUDGET_FACTOR
        self.burst = burst * PACKET_BUDGET_FACTOR
        self.buckets: dict[str, TokenBucket] = {}
        self.strikes: dict[str, int] = {}
        self.dropped = 0  # packets over budget or malformed, for tests and diagnostics
        self._message = server._handle_eio_message
        self._event = server._handle_event
        self._disconnect = server._handle_eio_disconnect

    def install(self) -> None:
        """Put the guard in front of the server's packet handling."""
        # engine.io keeps the handler objects it was given at start, so it is told anew;
        # _handle_event is looked up on the instance at each packet.
        self.server.eio.on("message", self.on_message)
        self.server.eio.on("disconnect", self.on_disconnect)
        # The instance attributes too: Flask-SocketIO's test client calls them directly.
        self.server._handle_eio_message = self.on_message
        self.server._handle_eio_disconnect = self.on_disconnect
        self.server._handle_event = self.on_event

    def on_message(self, eio_sid: str, data: Any) -> None:
        """Spend the socket's packet budget, then parse and dispatch without tracebacks."""
        now = time.monotonic()
        bucket = self.buckets.get(eio_sid)
        if bucket is None:
            bucket = self.buckets[eio_sid] = TokenBucket(self.rate, self.burst, now)
        if not bucket.allow(now):
            self.dropped += 1
            return
        if not isinstance(data, str) or data[:1] in BINARY_TYPES:
            # Practicum speaks JSON only: a binary packet would make the server wait for
            # attachments and swallow the socket's next packets as them.
            self._strike(eio_sid, ValueError("binary packets are not accepted"))
            return
        try:
            self._message(eio_sid, data)
        except (ValueError, TypeError, KeyError, IndexError, RecursionError, UnicodeError) as exc:
            self._strike(eio_sid, exc)

    def on_event(self, eio_sid: str, namespace: str | None, id: int | None, data: Any) -> None:
        """Dispatch an event packet unless its name is missing, not text, or reserved."""
        name = data[0] if isinstance(data, list) and data else None
        if isinstance(name, str) and name not in RESERVED_EVENTS:
            self._event(eio_sid, namespace, id, data)
            return
        self.dropped += 1
        if id is not None:
            shown = name if isinstance(name, str) else "(no name)"
            answer = refusal("action/reserved", f"'{shown[:40]}' is not an event a client sends.")
            self.server._send_packet(
                eio_sid,
                self.server.packet_class(
                    socketio_packet.ACK, namespace=namespace or "/", data=[answer], id=id
                ),
            )

    def on_disconnect(self, eio_sid: str, *args: Any) -> None:
        """Forget the socket's budget and strikes."""
        self.buckets.pop(eio_sid, None)
        self.strikes.pop(eio_sid, None)
        self._disconnect(eio_sid, *args)

    def _strike(self, eio_sid: str, exc: Exception) -> None:
        self.dropped += 1
        strikes = self.strikes[eio_sid] = self.strikes.get(eio_sid, 0) + 1
        if strikes == 1:
            # One line, no traceback: a client's garbage is not a server bug.
            log.warning("dropped a malformed packet from %s: %s", eio_sid, str(exc)[:120])
        if strikes >= MAX_STRIKES:
            log.warning("disconnecting %s after %d malformed packets", eio_sid, strikes)
            self.server.eio.disconnect(eio_sid)


def install_packet_guard(server: Any, config: Any) -> PacketGuard:
    """Guard a Socket.IO server's packet handling with the app's rate settings."""
    guard = PacketGuard(server, float(config["RATE_PER_SECOND"]), int(config["RATE_BURST"]))
    guard.install()
    return guard
