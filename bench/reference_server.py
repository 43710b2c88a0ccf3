"""The transport's own ceiling: a bare python-socketio server that only acks and relays.

It speaks just enough of Practicum's protocol for the same swarm to drive it: ``POST
/api/login``, ``POST /api/sessions``, ``/healthz``; on ``/play`` ``join_session``,
``create_team`` and ``join_team`` put the socket in rooms, and every other event is acked with
``{ok: true}`` and relayed to the sender's team room (``team``) and to the session's facilitators
(``board``) as ``{relay, team, data}``. No validation, no game rules, no storage: what is left is
engine.io, Socket.IO packet encoding, rooms and the async server, in the same async mode and
with the same socket settings as Practicum.

Run: ``python -m bench.reference_server --port 5101 [--async-mode eventlet]``.
"""

from __future__ import annotations

import argparse
import os
import sys

_MODE = "eventlet"
if "--async-mode" in sys.argv:
    _MODE = sys.argv[sys.argv.index("--async-mode") + 1]
if __name__ == "__main__" and _MODE == "eventlet":
    import eventlet

    eventlet.monkey_patch()
elif __name__ == "__main__" and _MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()

import itertools  # noqa: E402
import json  # noqa: E402
import secrets  # noqa: E402
import socket  # noqa: E402
from collections.abc import Callable, Iterable  # noqa: E402
from typing import Any  # noqa: E402

import socketio  # noqa: E402

PLAY = "/play"
FACILITATE = "/facilitate"
SETUP_EVENTS = ("join_session", "create_team", "join_team")


class Relay:
    """Rooms and ids: the only state the reference keeps."""

    def __init__(self, sio: socketio.Server) -> None:
        self.sio = sio
        self.codes: dict[str, str] = {}
        self.seats: dict[str, tuple[str, str | None]] = {}  # sid -> (session id, team id)
        self.ids = itertools.count(1)

    def new_session(self) -> dict[str, str]:
        """Create a session id and join code."""
        session_id = f"s_ref{next(self.ids)}"
        code = secrets.token_hex(3).upper()
        self.codes[code] = session_id
        return {"sessionId": session_id, "joinCode": code}

    def join_session(self, sid: str, data: dict[str, Any]) -> dict[str, Any]:
        """Seat a learner in the session its code names."""
        session_id = self.codes.get(str(data.get("code", "")).upper())
        if session_id is None:
            return {"ok": False, "code": "join/bad_code", "message": "bad code"}
        self.seats[sid] = (session_id, None)
        self.sio.enter_room(sid, f"s:{session_id}", namespace=PLAY)
        return {"ok": True, "sessionId": session_id, "learnerId": f"l_{next(self.ids)}"}

    def seat_in_team(self, sid: str, team_id: str) -> dict[str, Any]:
        """Put a learner's socket in its team room."""
        session_id, _ = self.seats[sid]
        self.seats[sid] = (session_id, team_id)
        self.sio.enter_room(sid, f"t:{session_id}:{team_id}", namespace=PLAY)
        return {"ok": True, "teamId": team_id}

    def relay(self, event: str, sid: str, data: Any) -> dict[str, Any]:
        """Ack an action and relay it to the sender's team and the session's facilitators."""
        if event == "join_session":
            return self.join_session(sid, data)
        if event == "create_team":
            return self.seat_in_team(sid, f"t_{next(self.ids)}")
        if event == "join_team":
            return self.seat_in_team(sid, str(data.get("team")))
        seat = self.seats.get(sid)
        if seat is None or seat[1] is None:
            return {"ok": False, "code": "team/none", "message": "join a team first"}
        session_id, team_id = seat
        message = {"relay": event, "team": team_id, "data": data}
        self.sio.emit("team", message, to=f"t:{session_id}:{team_id}", namespace=PLAY)
        self.sio.emit("board", message, to=f"f:{session_id}", namespace=FACILITATE)
        return {"ok": True}

    def watch(self, sid: str, event: str, data: Any) -> dict[str, Any]:
        """Facilitator events: watch joins the board room; anything else is acked."""
        if event == "watch":
            self.sio.enter_room(sid, f"f:{data.get('sessionId')}", namespace=FACILITATE)
            return {"ok": True, "board": {"teams": []}}
        return {"ok": True}


def make_server(async_mode: str) -> tuple[socketio.Server, Relay]:
    """Return the Socket.IO server with the relay's handlers, configured like Practicum's."""
    sio = socketio.Server(
        async_mode=async_mode,
        cors_allowed_origins=None,
        max_http_buffer_size=64 * 1024,
        ping_interval=10,
        ping_timeout=10,
    )
    relay = Relay(sio)

    @sio.on("*", namespace=PLAY)
    def _play(event: str, sid: str, data: Any = None) -> dict[str, Any]:
        return relay.relay(event, sid, data if isinstance(data, dict) else {})

    @sio.on("*", namespace=FACILITATE)
    def _facilitate(event: str, sid: str, data: Any = None) -> dict[str, Any]:
        return relay.watch(sid, event, data if isinstance(data, dict) else {})

    @sio.on("connect", namespace=PLAY)
    def _connect(sid: str, environ: dict, auth: Any = None) -> bool:
        return True

    @sio.on("connect", namespace=FACILITATE)
    def _connect_facilitator(sid: str, environ: dict, auth: Any = None) -> bool:
        return True

    @sio.on("disconnect", namespace=PLAY)
    def _disconnect(sid: str, *_: Any) -> None:
        relay.seats.pop(sid, None)

    return sio, relay


def http_app(relay: Relay) -> Callable[[dict, Callable], Iterable[bytes]]:
    """Return the tiny WSGI app for /healthz and the two API calls the swarm makes."""

    def app(environ: dict, start_response: Callable) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        status, body = "404 Not Found", {"ok": False}
        if path == "/healthz":
            status, body = "200 OK", {"ok": True}
        elif path == "/api/login" and method == "POST":
            status, body = "200 OK", {"ok": True, "token": "reference"}
        elif path == "/api/sessions" and method == "POST":
            status, body = "201 Created", {"ok": True, **relay.new_session()}
        payload = json.dumps(body).encode()
        start_response(
            status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
        )
        return [payload]

    return app


def serve(port: int, async_mode: str, host: str = "127.0.0.1") -> None:
    """Serve on loopback until killed, with Practicum's listener settings."""
    sio, relay = make_server(async_mode)
    app = socketio.WSGIApp(sio, http_app(relay))
    if async_mode == "eventlet":
        import eventlet
        import eventlet.wsgi

        listener = eventlet.listen((host, port), backlog=4096)
        listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        eventlet.wsgi.server(listener, app, max_size=20000, log_output=False)
    elif async_mode == "gevent":
        from gevent.pool import Pool
        from gevent.pywsgi import WSGIServer

        server = WSGIServer((host, port), app, spawn=Pool(20000), log=None)
        server.init_socket()
        server.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        server.serve_forever()
    else:
        raise SystemExit(f"the reference supports eventlet and gevent, not {async_mode}")


def main() -> None:
    """Parse arguments and serve."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--async-mode", default=_MODE, choices=("eventlet", "gevent"))
    args = parser.parse_args()
    print(f"reference server on 127.0.0.1:{args.port} ({args.async_mode}) pid {os.getpid()}")
    sys.stdout.flush()
    serve(args.port, args.async_mode)


if __name__ == "__main__":
    main()
