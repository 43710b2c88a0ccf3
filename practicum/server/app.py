"""The Flask app factory: configuration, event store, session service, sockets and pages."""

from __future__ import annotations

import importlib.util
import logging
import time
from typing import Any

from flask import Flask, jsonify

from practicum.server.api import api
from practicum.server.auth import init_auth, off_loop
from practicum.server.catalog import load_catalog
from practicum.server.config import cors_origins, load_config
from practicum.server.extensions import socketio
from practicum.server.hardening import Hardened
from practicum.server.identity import Tokens
from practicum.server.limits import JoinGuard, SharedWindows, WindowLimiter
from practicum.server.ownership import Leases
from practicum.server.packets import install_packet_guard
from practicum.server.presence import Presence
from practicum.server.service import Practicum
from practicum.server.sockets import Broadcaster, bind_routes
from practicum.server.store import EventStore
from practicum.xapi.wiring import init_xapi, run_sender

log = logging.getLogger(__name__)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create and configure an app; `test_config` overrides configuration for tests."""
    config = load_config(test_config)
    app = Flask(__name__, template_folder="../../templates", static_folder="../../static")
    app.config.update(config)
    app.config["MAX_CONTENT_LENGTH"] = 256 * 1024
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SECURE"] = bool(config["SECURE_COOKIES"])

    clock = config.get("CLOCK") or time.time
    # A serving process (timers on) checkpoints SQLite's WAL from an OS thread (run_checkpoints).
    store = EventStore(
        config["DATABASE_URL"],
        config["SQLITE_SYNCHRONOUS"],
        checkpoint_in_background=bool(config["RUN_TIMERS"]),
    )
    catalog, problems = load_catalog(config["SCENARIO_DIR"])
    for problem in problems:
        # A broken scenario file must not stop the others from being served.
        log.warning("scenario skipped: %s", problem)
    service = Practicum(store, catalog, clock)
    service.idle_seconds = float(config["SESSION_IDLE_MINUTES"]) * 60
    app.extensions["practicum"] = service
    app.extensions["practicum.store"] = store
    app.extensions["practicum.scenario_problems"] = problems
    app.extensions["practicum.presence"] = Presence()
    app.extensions["practicum.tokens"] = Tokens(config["SECRET_KEY"])
    # Join and sign-in windows are shared through Redis in a cluster; token buckets per
    # connection stay in each process (they are checked on every message).
    shared = SharedWindows.from_url(config["REDIS_URL"]) if config["REDIS_URL"] else None
    app.extensions["practicum.shared_limits"] = shared
    app.extensions["practicum.join_limiter"] = WindowLimiter(
        config["SIGNIN_ATTEMPTS_PER_MINUTE"], shared=shared, name="signin"
    )
    app.extensions["practicum.join_guard"] = JoinGuard(
        config["JOIN_ATTEMPTS_PER_MINUTE"],
        config["JOIN_FAILURES_PER_MINUTE"],
        config["JOIN_FAILURES_GLOBAL_PER_MINUTE"],
        shared=shared,
    )
    broadcaster = Broadcaster(socketio)
    app.extensions["practicum.broadcaster"] = broadcaster
    if clustered(config):
        service.leases = Leases(store, float(config["LEASE_SECONDS"]))
        # Versions and boards kept for a session this process no longer (or newly) owns would
        # answer clients from a stale copy: start afresh.
        service.on_owner_change = broadcaster.forget_session
    # xAPI statements to an LRS when PRACTICUM_LRS_URL is set (docs/xapi.md).
    init_xapi(app, service, store)
    if config["REDIS_URL"]:
        from practicum.server.relay import BoardRelay

        broadcaster.relay = BoardRelay.from_url(config["REDIS_URL"])

    socketio.init_app(
        app,
        async_mode=config["ASYNC_MODE"],
        # Same-origin by default: python-engineio compares Origin with the Host header.
        cors_allowed_origins=cors_origins(config) or None,
        max_http_buffer_size=config["MAX_PACKET_BYTES"],
        ping_interval=10,
        ping_timeout=10,
        manage_session=False,
        # A socket's messages are handled in order, in its own reader, instead of a green
        # thread spawned per message: the spawn was 2.5% of the process at 2,000 learners, and
        # a client's edits sent back to back are then merged in the order it sent them.
        async_handlers=False,
        # With several processes, an emit to a room reaches its sockets on every process.
        message_queue=config["REDIS_URL"] or None,
    )
    bind_routes(socketio.server)
    app.extensions["practicum.packet_guard"] = install_packet_guard(socketio.server, config)
    # Outermost, after Flask-SocketIO wrapped the app: socket.io answers get the headers too.
    app.wsgi_app = Hardened(  # type: ignore[method-assign]
        app.wsgi_app, int(config["MAX_PACKET_BYTES"]), int(config["TRUSTED_PROXIES"])
    )

    app.register_blueprint(api)
    _register_pages(app)
    init_auth(app)
    from practicum.server.studio import studio  # the authoring workbench (/studio)

    app.register_blueprint(studio)
    _register_lti(app)

    @app.get("/healthz")
    def healthz() -> Any:
        # warm: every session live at start-up is in memory (until then, each loads on its
        # first use); the restart bench waits for it.
        # owner: this process's lease id in a cluster (which process owns a session is in
        # the session_owners table), null in a single process.
        # loaded: how many sessions this process holds in memory (ended and idle ones stay out).
        owner = service.leases.owner if service.leases is not None else None
        return jsonify(
            {
                "ok": True,
                "scenarios": sorted(catalog),
                "warm": service.warm,
                "owner": owner,
                "loaded": len(service.live_session_ids()),
            }
        )

    if config["RUN_TIMERS"]:
        # A serving process listens at once and rebuilds the live sessions from the log just
        # after: a restart's wait no longer grows with the log (25 sessions, 100,000 events:
        # 1.1 s of rebuild). The timer sweep covers each session as soon as it is loaded.
        socketio.start_background_task(warm_up, app)
        socketio.start_background_task(run_timers, app)
        socketio.start_background_task(run_checkpoints, app)
        if broadcaster.relay is not None:
            socketio.start_background_task(broadcaster.relay.listen, app)
        if float(config["RETENTION_DAYS"]) > 0:
            socketio.start_background_task(run_retention, app)
        if "practicum.xapi_sender" in app.extensions:
            socketio.start_background_task(run_sender, app, socketio.sleep)
    else:
        service.rebuild()
    return app


def clustered(config: dict[str, Any]) -> bool:
    """Say whether several processes share the database (one owner per session)."""
    return bool(config["CLUSTER"]) or bool(config["REDIS_URL"])


def renew_leases(app: Flask) -> list[str]:
    """Renew this process's leases; close the sockets of sessions it no longer owns."""
    service: Practicum = app.extensions["practicum"]
    presence = app.extensions["practicum.presence"]
    broadcaster = app.extensions["practicum.broadcaster"]
    gone = service.renew_leases()
    for session_id in gone:
        broadcaster.forget_session(session_id)
        for connection in presence.in_session(session_id):
            # They reconnect through the proxy, which routes the session to its new owner.
            socketio.server.disconnect(connection.sid, namespace=connection.namespace)
    if broadcaster.relay is not None:
        # Facilitators here watching sessions owned elsewhere: keep their boards coming.
        watched = {c.session_id for c in presence.facilitators() if c.session_id}
        for session_id in sorted(watched):
            if not service.leases.holds(session_id, service.clock()):
                broadcaster.relay.request(session_id)
    return gone


def warm_up(app: Flask) -> None:
    """Rebuild every live session in the background, letting requests in between sessions."""
    service: Practicum = app.extensions["practicum"]
    try:
        service.rebuild(pause=lambda: socketio.sleep(0), freeze=True)
    except Exception:  # noqa: BLE001 - the sessions still load one by one on first use
        log.exception("rebuilding the live sessions failed")


def _register_pages(app: Flask) -> None:
    try:
        from practicum.server.pages import init_pages
    except ImportError:  # the pages module is optional for API-only deployments
        return
    from practicum.server.i18n import init_i18n

    init_i18n(app)  # the learner's language for the pages and their scripts
    init_pages(app)


def _register_lti(app: Flask) -> None:
    if importlib.util.find_spec("pylti1p3") is None:  # the `lti` extra is not installed
        return
    from practicum.server.lti_launch import init_lti

    init_lti(app)


def sweep(app: Flask) -> int:
    """Tick every live session whose deadline has passed; return how many produced events."""
    service: Practicum = app.extensions["practicum"]
    broadcaster: Broadcaster = app.extensions["practicum.broadcaster"]
    now = service.clock()
    changed = 0
    for session_id in service.live_session_ids():
        _scenario, state = service.cached(session_id)
        deadline = state.deadline
        if deadline is None or deadline > now:
            continue
        events = service.tick(session_id)
        if events:
            broadcaster.after(app.extensions, session_id, events)
            changed += 1
    return changed


EVICT_EVERY_SECONDS = 60.0


def evict_idle(app: Flask) -> list[str]:
    """Let idle sessions leave memory (and the broadcaster's caches); return their ids."""
    service: Practicum = app.extensions["practicum"]
    presence = app.extensions["practicum.presence"]
    gone = service.evict_idle(
        service.idle_seconds, busy=lambda session_id: bool(presence.in_session(session_id))
    )
    for session_id in gone:
        app.extensions["practicum.broadcaster"].forget_session(session_id)
    return gone


def run_timers(app: Flask) -> None:
    """Sweep deadlines forever: rounds time out even when nobody is connected."""
    interval = app.config["TICK_SECONDS"]
    next_eviction = time.monotonic() + EVICT_EVERY_SECONDS
    renew_every = float(app.config["LEASE_SECONDS"]) / 3
    next_renewal = time.monotonic() + renew_every
    while True:
        socketio.sleep(interval)
        try:
            with app.app_context():
                if clustered(app.config) and time.monotonic() >= next_renewal:
                    next_renewal = time.monotonic() + renew_every
                    renew_leases(app)
                sweep(app)
                if time.monotonic() >= next_eviction:
                    next_eviction = time.monotonic() + EVICT_EVERY_SECONDS
                    evict_idle(app)
        except Exception:  # noqa: BLE001 - the timer must outlive any one bad session
            log.exception("timer sweep failed")


CHECKPOINT_SECONDS = 1.0


def run_checkpoints(app: Flask) -> None:
    """Checkpoint the SQLite WAL once a second from an OS thread, off the event loop.

    The checkpoint's fsyncs used to run inside whichever commit filled the WAL, stopping every
    socket of the process for their duration (bench/README.md); a passive checkpoint in a
    thread costs the loop nothing and keeps the WAL small.
    """
    store = app.extensions["practicum"].store
    while True:
        socketio.sleep(CHECKPOINT_SECONDS)
        try:
            with app.app_context():
                off_loop(store.checkpoint)
        except Exception:  # noqa: BLE001 - a busy or failing disk must not end the loop
            log.exception("WAL checkpoint failed")


RETENTION_SWEEP_SECONDS = 3600.0


def run_retention(app: Flask) -> None:
    """Purge ended sessions past the retention period: at start-up, then hourly."""
    from practicum.server.privacy import purge_expired

    while True:
        try:
            with app.app_context():
                service: Practicum = app.extensions["practicum"]
                purged = purge_expired(
                    app.extensions, float(app.config["RETENTION_DAYS"]), service.clock()
                )
                if purged:
                    log.info("retention: purged %d ended sessions", len(purged))
        except Exception:  # noqa: BLE001 - the sweep must outlive any one bad session
            log.exception("retention sweep failed")
        socketio.sleep(RETENTION_SWEEP_SECONDS)
