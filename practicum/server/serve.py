"""Run the app on the configured async server, with a tuned listening socket."""

from __future__ import annotations

import gc
import resource
import socket
import sys
from typing import Any

from flask import Flask

from practicum.server.extensions import socketio


def _tune(listener: Any) -> None:
    # Without TCP_NODELAY an emit followed by an ack waits ~40 ms for Nagle's algorithm and
    # delayed ACKs; Linux hands the option down to every accepted socket.
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


# Bytes of eventlet's read and write buffers per connection (its defaults: 8 and 16 KB).
CONNECTION_BUFFER = 4096


def _lean_protocol(base: type) -> type:
    """Return eventlet's HTTP protocol with small per-connection buffers.

    Every connection keeps a buffered reader and writer for its whole life, but a websocket
    only uses them for its upgrade request: after that it reads and writes the raw socket.
    eventlet's 24 KB of buffers were a quarter of each learner's memory (bench/README.md);
    4 KB each still takes a request's headers in one read and a response's head in one write.
    """
    return type(
        "LeanHttpProtocol", (base,), {"rbufsize": CONNECTION_BUFFER, "wbufsize": CONNECTION_BUFFER}
    )


def _lean_gevent_handler(base: type) -> type:
    """Return gevent's WSGI handler with a small read buffer per connection (see above)."""

    def __init__(self: Any, sock: Any, address: Any, server: Any) -> None:
        base.__init__(self, sock, address, server)
        # gevent has no setting for it: its 8 KB reader is swapped for a smaller one before
        # anything was read through it.
        self.rfile = sock.makefile("rb", CONNECTION_BUFFER)

    return type("LeanWSGIHandler", (base,), {"__init__": __init__})


def _raise_file_limit(wanted: int) -> int:
    """Raise the open-files soft limit towards `wanted` (each connection holds one)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(max(soft, wanted + 256), hard)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return target


def _tune_gc() -> None:
    """Keep full garbage collections from stalling the event loop under load."""
    # Everything built at start-up (scenarios, modules, the app) lives for the whole process:
    # freeze it out of the collector's scans, and collect young objects less often. The
    # sessions rebuilt in the background are frozen when that rebuild ends (Practicum.rebuild).
    # The bench measured full collections stopping the loop for up to 280 ms at 1,000 learners;
    # with this, back-to-back runs went from ack p99 755/724 ms to 271/128 ms.
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 100)


def banner(app: Flask, host: str, port: int) -> str:
    """Return the start-up message with the URLs a facilitator and learners open."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    base = f"http://{shown}:{port}"
    scenarios = ", ".join(sorted(app.extensions["practicum"].catalog)) or "none"
    lines = [
        "Practicum is running.",
        f"  Facilitator console: {base}/facilitator",
        f"  Learners join at:    {base}/",
        f"  Scenarios loaded:    {scenarios}",
        f"  Event store:         {app.config['DATABASE_URL']}",
        f"  Async mode:          {app.config['ASYNC_MODE']}",
    ]
    if app.config.get("FACILITATOR_PASSWORD_GENERATED"):
        # The first admin was created from this password (single-password mode); a later
        # `practicum user passwd admin` changes the account, not this file.
        lines.append("  Facilitator user:     admin")
        lines.append(
            f"  Facilitator password: {app.config['FACILITATOR_PASSWORD']}"
            "  (kept in instance/; set PRACTICUM_FACILITATOR_PASSWORD to choose one)"
        )
    elif app.config.get("BOOTSTRAP_ADMIN_CREATED"):
        lines.append("  Facilitator user:     admin (password: PRACTICUM_FACILITATOR_PASSWORD)")
    for problem in app.extensions["practicum.scenario_problems"]:
        lines.append(f"  Skipped a scenario file: {problem}")
    lines.append("Press Ctrl+C to stop.")
    return "\n".join(lines)


def serve(app: Flask) -> None:
    """Serve forever on HOST:PORT with the configured async mode."""
    host, port = app.config["HOST"], int(app.config["PORT"])
    mode = app.config["ASYNC_MODE"]
    max_connections = int(app.config["MAX_CONNECTIONS"])
    _raise_file_limit(max_connections)
    _tune_gc()
    # Each branch binds first and then prints the banner: "running" must mean reachable.
    if mode == "eventlet":
        import eventlet
        import eventlet.wsgi

        listener = eventlet.listen((host, port), backlog=4096)
        _tune(listener)
        print(banner(app, host, port), flush=True)
        # eventlet's default max_size is 1024 concurrent connections: far too few here.
        eventlet.wsgi.server(
            listener,
            app,
            max_size=max_connections,
            log_output=False,
            protocol=_lean_protocol(eventlet.wsgi.HttpProtocol),
        )
    elif mode == "gevent":
        from gevent.pool import Pool
        from gevent.pywsgi import WSGIHandler, WSGIServer
        from gevent.socket import socket as gsocket

        listener = gsocket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        _tune(listener)
        listener.bind((host, port))
        listener.listen(4096)
        print(banner(app, host, port), flush=True)
        WSGIServer(
            listener,
            app,
            spawn=Pool(max_connections),
            log=None,
            handler_class=_lean_gevent_handler(WSGIHandler),
        ).serve_forever()
    else:
        # Threading mode is for development and tests; it is not built for many connections.
        # Werkzeug binds inside run(), so the banner comes just before.
        print(banner(app, host, port), flush=True)
        socketio.run(
            app,
            host=host,
            port=port,
            allow_unsafe_werkzeug=True,
            log_output=False,
            use_reloader=False,
        )
    sys.exit(0)
