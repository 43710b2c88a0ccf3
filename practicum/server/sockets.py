"""Socket.IO handlers: validate, call the service, answer with an ack, broadcast views."""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import current_app, request
from flask_socketio import SocketIO, join_room, leave_room
from marshmallow import ValidationError
from socketio import packet as socketio_packet

from practicum import engine
from practicum.engine import shared_text
from practicum.scenario.translate import localise
from practicum.server import fastjson, messages
from practicum.server.auth import socket_login, socket_refusal
from practicum.server.extensions import socketio as socketio_extension
from practicum.server.i18n import request_locale, supported
from practicum.server.identity import STAGE_LINK_SECONDS
from practicum.server.limits import TokenBucket
from practicum.server.messages import FACILITATOR_ROUTES, LEARNER_ROUTES, STAGE_ROUTES, Route
from practicum.server.notices import notices_for
from practicum.server.presence import Connection
from practicum.server.service import NotOwner, UnknownSession
from practicum.server.viewsync import BoardSync, TeamSync, Versions

PLAY = "/play"
FACILITATE = "/facilitate"
STAGE = "/stage"  # the room's projector: public data only, opened by a signed stage link
# Seconds between two facilitator boards of one session when background tasks run. A board
# holds every team in full (about 4 ms to build and encode for ten teams early in a session,
# more as chats grow); at 0.25 s, 25 watched sessions spent 40% of a core on boards alone
# (bench/README.md). Once a second is still live for a person watching a dashboard.
DEFAULT_BOARD_INTERVAL = 1.0
log = logging.getLogger(__name__)


def error(code: str, message: str) -> dict[str, Any]:
    """Return a rejection ack."""
    return {"ok": False, "code": code, "message": message}


# Seconds a client waits before reconnecting after `session/moved`: about the time the proxy
# and the leases need to settle on the session's new owner.
MOVED_RETRY_SECONDS = 1.0


def moved(session_id: str | None = None) -> dict[str, Any]:
    """Return the answer of a process that does not own the session (cluster mode).

    The client reconnects with `?session=<sessionId>` in its Socket.IO URL, which the proxy
    hashes on to reach the owner.
    """
    return {
        **error(
            "session/moved",
            "This session is served by another server now; reconnect to reach it.",
        ),
        "reconnect": True,
        "retryAfter": MOVED_RETRY_SECONDS,
        "sessionId": session_id,
    }


def session_room(session_id: str) -> str:
    """Return the room of every learner in a session."""
    return f"s:{session_id}"


def team_room(session_id: str, team_id: str) -> str:
    """Return the room of one team's learners."""
    return f"t:{session_id}:{team_id}"


def board_room(session_id: str) -> str:
    """Return the room of a session's facilitators."""
    return f"f:{session_id}"


def stage_room(session_id: str) -> str:
    """Return the room of a session's stage screens."""
    return f"st:{session_id}"


def _ext(name: str) -> Any:
    return current_app.extensions[name]


def _require_owner(connection: Connection, session_id: str) -> None:
    """Raise NotOwner unless this process owns the session.

    Only a socket the proxy routed here by this session (`?session=<id>`) asks the owner to
    hand it over: a join page, or a console watching another session, must not pull a session
    away from where the proxy sends its clients.
    """
    if not _ext("practicum").owns(session_id, ask=connection.routed_for == session_id):
        raise NotOwner(session_id)


def _team_id(state: Any, learner_id: str) -> str | None:
    learner = state.learners.get(learner_id)
    return None if learner is None else learner.team


def scoped_action_id(actor: str, action_id: str) -> str:
    """Return an action id scoped to who sent it: one actor can never replay another's."""
    digest = hashlib.blake2b(f"{actor}\0{action_id}".encode(), digest_size=16).hexdigest()
    return f"a{digest}"


def _new_id(prefix: str) -> str:
    return prefix + secrets.token_hex(6)



def emit_local(
    event: str,
    data: Any,
    to: str,
    namespace: str,
    skip_sid: str | None = None,
    socketio: Any = None,
) -> None:
    """Emit to sockets of this process only, never through the message queue.

    Learners, stage screens and their rooms reach a session on the process that owns it (the
    proxy routes them by session), so a session's owner holds every socket those events go
    to: sending them through Redis would only add a round trip and a second encoding per emit.
    Boards (facilitators may watch from another process) and replies to other processes still
    go through the queue.
    """
    (socketio or socketio_extension).emit(
        event, data, to=to, namespace=namespace, skip_sid=skip_sid, ignore_queue=True
    )


def text_update(event: Any) -> dict[str, Any]:
    """Return a merged text edit as its team's browsers merge it into their copies."""
    d = event.data
    return {
        "field": d["field"],
        "update": d["update"],
        "by": {"learnerId": d.get("by"), "name": d.get("name"), "at": d.get("at")},
    }

class Broadcaster:
    """Sends each client the view its role and team may see after events change a session.

    Team views and boards go out as patches against the last one sent (practicum/server/
    viewsync.py); full views only answer a client's hello, watch or a change of team.
    """

    def __init__(self, socketio: SocketIO) -> None:
        self.socketio = socketio
        versions = Versions()
        self.teams = TeamSync(versions)
        self.boards = BoardSync(versions)
        # Board coalescing: the sessions with a board flush scheduled, and when each session's
        # next board may go out (monotonic seconds).
        self._board_pending: set[str] = set()
        self._board_due: dict[str, float] = {}
        self._board_lock = threading.Lock()
        # Per session, the team bodies the last board was built from (engine.facilitator_view).
        self._board_memo: dict[str, dict[str, Any]] = {}
        # The learners mapping of each session's state when sockets last followed it.
        self._learners_seen: dict[str, Any] = {}
        # The stage view each session's screens hold: sent again only when it changed.
        self._stage_sent: dict[str, dict[str, Any]] = {}
        # Boards for facilitators on other processes (practicum/server/relay.py), with Redis.
        self.relay: Any = None

    def publish(self, app_ext: dict[str, Any], session_id: str, applied: Any) -> None:
        """Send every client what an applied command changed (its clock events included)."""
        self.after(app_ext, session_id, applied.events)

    def after(self, app_ext: dict[str, Any], session_id: str, events: list[Any]) -> None:
        """Emit updated views, notices and the board to the rooms the events touch.

        The one way out for events: commands (through ``publish``), joins and the timers.
        """
        if not events:
            return
        service = app_ext["practicum"]
        presence = app_ext["practicum.presence"]
        scenario, state = service.cached(session_id)
        now = service.clock()
        session_wide = any(e.team is None for e in events)
        teams = {e.team for e in events if e.team is not None}
        self._follow_membership(scenario, state, session_id, presence, now)
        if session_wide:
            teams |= set(state.teams)
            self._local(
                "public",
                engine.public_view(scenario, state, now),
                to=session_room(session_id),
                namespace=PLAY,
            )
        # Merged text edits ride in their team's patch: one frame per member, not two.
        edits: dict[str, list[dict[str, Any]]] = {}
        for event in events:
            if event.type == "text_edited":
                edits.setdefault(event.team, []).append(text_update(event))
        for team_id in sorted(teams):
            if team_id in state.teams:
                self.teams.update(
                    scenario,
                    state,
                    session_id,
                    team_id,
                    self._team_emitter(session_id, team_id),
                    edits.get(team_id),
                )
            else:
                self.teams.forget(session_id, team_id)
        for (kind, target), notice in notices_for(scenario, state, events):
            if kind == "learner":
                # After _follow_membership: a moved learner reads the notice in the new room.
                for connection in presence.in_session(session_id):
                    if connection.learner_id == target:
                        self._local("notice", notice, to=connection.sid, namespace=PLAY)
                continue
            room = team_room(session_id, target) if kind == "team" else session_room(session_id)
            self._local("notice", notice, to=room, namespace=PLAY)
        self.stage(presence, session_id, scenario, state)
        self.board(app_ext, session_id)

    def forget_session(self, session_id: str) -> None:
        """Drop what this broadcaster keeps for a session that left memory."""
        self.teams.forget_session(session_id)
        self.boards.forget_session(session_id)
        with self._board_lock:
            self._board_due.pop(session_id, None)
        self._board_memo.pop(session_id, None)
        self._learners_seen.pop(session_id, None)
        self._stage_sent.pop(session_id, None)

    def stage_joined(self, session_id: str, scenario: Any, state: Any) -> dict[str, Any]:
        """Return the stage view for a screen that just connected.

        Every change went out to the session's screens as it happened, so they all hold the
        view of the current state too: it becomes the one later changes are compared with.
        """
        view = engine.stage_view(scenario, state)
        self._stage_sent[session_id] = view
        return view

    def stage(self, presence: Any, session_id: str, scenario: Any, state: Any) -> None:
        """Send the session's stage screens their view when it changed (a chat changes nothing)."""
        if not presence.watching(session_id, STAGE):
            self._stage_sent.pop(session_id, None)
            return
        view = engine.stage_view(scenario, state)
        if self._stage_sent.get(session_id) == view:
            return
        self._stage_sent[session_id] = view
        self._local("stage", view, to=stage_room(session_id), namespace=STAGE)

    def _local(self, event: str, data: Any, to: str, namespace: str) -> None:
        """Emit to this process's sockets only (see `emit_local`)."""
        emit_local(event, data, to=to, namespace=namespace, socketio=self.socketio)

    def _team_emitter(self, session_id: str, team_id: str) -> Callable[[dict[str, Any]], None]:
        def emit(patch: dict[str, Any]) -> None:
            self._local(
                "team_patch", patch, to=team_room(session_id, team_id), namespace=PLAY
            )

        return emit

    def _board_emitter(self, session_id: str) -> Callable[[dict[str, Any]], None]:
        def emit(patch: dict[str, Any]) -> None:
            self.socketio.emit(
                "board_patch", patch, to=board_room(session_id), namespace=FACILITATE
            )

        return emit

    def learner_view(
        self, scenario: Any, state: Any, session_id: str, learner_id: str, now: float
    ) -> dict[str, Any]:
        """Return a learner's full view; its team part carries the version later patches follow."""
        view = engine.learner_view(scenario, state, learner_id, now)
        team_id = _team_id(state, learner_id)
        if team_id is not None and team_id in state.teams:
            view["team"] = self.teams.snapshot(
                scenario, state, session_id, team_id, self._team_emitter(session_id, team_id)
            )
        return view

    def full_board(self, app_ext: dict[str, Any], session_id: str) -> dict[str, Any]:
        """Return the session's full board with the version later board patches follow."""
        # Caught up with the log first: a watch may be the first look at a session in a while.
        scenario, state = app_ext["practicum"].snapshot(session_id)
        board = self._build_board(app_ext, session_id, scenario, state)
        return self.boards.snapshot(session_id, board, self._board_emitter(session_id))

    def _build_board(
        self, app_ext: dict[str, Any], session_id: str, scenario: Any, state: Any
    ) -> dict[str, Any]:
        online = app_ext["practicum.presence"].online_learners(session_id)
        memo = self._board_memo.setdefault(session_id, {})
        return facilitator_board(scenario, state, online, app_ext["practicum"].clock(), memo)

    def board(self, app_ext: dict[str, Any], session_id: str) -> None:
        """Send the live board to the session's facilitators, if any watch it.

        The board holds every team in full, so building and encoding it costs more than the
        action that changed it. With a board interval (the default when background tasks run)
        a session's boards are coalesced: the first change after a quiet spell goes out at
        once, later ones at most once per interval, and the last change is always sent.
        """
        if not self._watched(app_ext, session_id):
            return
        interval = board_interval(current_app.config)
        if interval <= 0:
            self._send_board(app_ext, session_id)
            return
        with self._board_lock:
            if session_id in self._board_pending:
                return  # the flush already scheduled will build the newest state
            self._board_pending.add(session_id)
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        self.socketio.start_background_task(self._flush_board, app, session_id, interval)

    def _flush_board(self, app: Any, session_id: str, interval: float) -> None:
        """Wait until the session's next board is due, then send the state as it is then."""
        wait = self._board_due.get(session_id, 0.0) - time.monotonic()
        if wait > 0:
            self.socketio.sleep(wait)
        with self._board_lock:
            # Cleared before building, so a change made while the board is built schedules
            # another flush instead of being lost.
            self._board_pending.discard(session_id)
            self._board_due[session_id] = time.monotonic() + interval
        try:
            with app.app_context():
                self._send_board(app.extensions, session_id)
        except Exception:  # noqa: BLE001 - a failed board must not kill later ones
            log.exception("board flush for %s failed", session_id)

    def _watched(self, app_ext: dict[str, Any], session_id: str) -> bool:
        """Say whether this process sends the board: it owns it, and somebody watches it."""
        service = app_ext["practicum"]
        if service.leases is not None and not service.leases.holds(session_id, service.clock()):
            return False  # the owner sends boards, through Redis, to watchers here too
        # Every /facilitate socket is a facilitator's (on_facilitate_connect).
        if app_ext["practicum.presence"].watching(session_id, FACILITATE):
            return True
        return self.relay is not None and self.relay.watched(session_id)

    def _send_board(self, app_ext: dict[str, Any], session_id: str) -> None:
        if not self._watched(app_ext, session_id):
            return
        scenario, state = app_ext["practicum"].cached(session_id)
        board = self._build_board(app_ext, session_id, scenario, state)
        self.boards.update(session_id, board, self._board_emitter(session_id))

    def _follow_membership(
        self, scenario: Any, state: Any, session_id: str, presence: Any, now: float
    ) -> None:
        """Move learners' sockets between team rooms when their team changed."""
        # Engine states are immutable: while a session's learners mapping is the very object
        # seen last time, nobody changed team, and walking every socket of the session on
        # every action (as a chat message would otherwise cost) can be skipped.
        if self._learners_seen.get(session_id) is state.learners:
            return
        self._learners_seen[session_id] = state.learners
        moved_between: set[str] = set()
        for connection in presence.in_session(session_id):
            if connection.learner_id is None:
                continue
            team_id = _team_id(state, connection.learner_id)
            if team_id == connection.team_id:
                continue
            # The full view first: bringing the new team's room up to date may patch it, and
            # this socket must not get that patch, whose base it never held.
            view = self.learner_view(scenario, state, session_id, connection.learner_id, now)
            if connection.team_id is not None:
                leave_room(team_room(session_id, connection.team_id), connection.sid, PLAY)
            if team_id is not None:
                join_room(team_room(session_id, team_id), connection.sid, PLAY)
            moved_between |= {t for t in (connection.team_id, team_id) if t is not None}
            connection.team_id = team_id
            self._local("view", view, to=connection.sid, namespace=PLAY)
        if moved_between:
            # Both the team left and the team joined show a changed "who is online" list.
            online = sorted(presence.online_learners(session_id))
            for team_id in sorted(moved_between):
                self._local(
                    "presence",
                    {"teamId": team_id, "online": online},
                    to=team_room(session_id, team_id),
                    namespace=PLAY,
                )

    def presence_changed(
        self, app_ext: dict[str, Any], session_id: str, team_id: str | None
    ) -> None:
        """Tell a team and the facilitators who is online now."""
        presence = app_ext["practicum.presence"]
        online = sorted(presence.online_learners(session_id))
        if team_id is not None:
            self._local(
                "presence",
                {"teamId": team_id, "online": online},
                to=team_room(session_id, team_id),
                namespace=PLAY,
            )
        self.board(app_ext, session_id)


def board_interval(config: Any) -> float:
    """Return the seconds between two boards of one session (0: send every change at once).

    `BOARD_INTERVAL` in the config wins; by default boards are coalesced once a second when the
    app runs background tasks, and sent at once when it does not (the socket tests).
    """
    configured = config.get("BOARD_INTERVAL")
    if configured is not None:
        return float(configured)
    return DEFAULT_BOARD_INTERVAL if config.get("RUN_TIMERS", True) else 0.0


def facilitator_board(
    scenario: Any,
    state: Any,
    online: set[str],
    now: float,
    memo: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Return the facilitator view with who is online (``memo``: see engine.facilitator_view)."""
    board = engine.facilitator_view(scenario, state, now, memo=memo)
    board["online"] = sorted(online)
    return board


# --- the guard every handler runs through -----------------------------------------------------


def guarded(namespace: str, route: Route, handler: Callable[..., dict[str, Any]]) -> Callable:
    """Wrap a handler: rate limit, size cap, schema validation, and no exception escapes."""

    def wrapper(sid: str, payload: Any = None) -> dict[str, Any]:
        presence = _ext("practicum.presence")
        connection = presence.get(sid)
        if connection is None:
            return error("auth/not_connected", "This socket is not registered; reconnect.")
        config = current_app.config
        now = _ext("practicum").clock()
        if not connection.bucket.allow(now):
            return error("rate/limited", "Too many messages: slow down and retry in a moment.")
        try:
            size = len(fastjson.dumps_bytes(payload))
        except (TypeError, ValueError, RecursionError):
            return error("payload/invalid", "The payload must be JSON of reasonable depth.")
        if size > config["MAX_PAYLOAD_BYTES"]:
            return error(
                "payload/too_large",
                f"The payload is {size} bytes; the limit is {config['MAX_PAYLOAD_BYTES']}.",
            )
        try:
            data = messages.load(route, payload)
        except ValidationError as exc:
            return error("payload/invalid", messages.describe_errors(exc.messages))
        try:
            return handler(connection, data)
        except UnknownSession:
            return error("session/unknown", "That session does not exist.")
        except NotOwner as exc:
            return moved(exc.args[0] if exc.args else None)
        except Exception:  # noqa: BLE001 - a bug must never take the connection down
            log.exception("handler %s%s failed", namespace, route.event)
            return error("server/error", "Something went wrong on the server; try again.")

    wrapper.__name__ = f"on_{route.event}"
    return wrapper


def in_app_context(server: Any, namespace: str, handler: Callable[..., dict[str, Any]]) -> Callable:
    """Run a message handler in its app's context, without Flask-SocketIO's request context.

    Flask-SocketIO pushes a whole request context for every message (URL matching, the request
    and session objects): 7% of the server's time under load (bench/README.md), for handlers
    that need only the app and the socket id. Connect handlers, which read the cookie session
    and the remote address, still go through Flask-SocketIO.
    """

    def run(sid: str, *args: Any) -> dict[str, Any]:
        environ = server.get_environ(sid, namespace=namespace)
        if not environ:
            return error("auth/not_connected", "This socket is not registered; reconnect.")
        if len(args) > 1:
            return error("payload/invalid", "Send one JSON object per message.")
        with environ["flask.app"].app_context():
            return handler(sid, *args)

    run.__name__ = handler.__name__
    return run


def _special_only(route: Route) -> Callable[..., dict[str, Any]]:
    raise LookupError(f"{route.event} needs a handler of its own")  # a route added by mistake


def bind_routes(server: Any) -> None:
    """Register every message route on an app's Socket.IO server (after init_app)."""
    special = {
        "hello": on_hello,
        "join_session": on_join_session,
        "watch": on_watch,
        "text_sync": on_text_sync,
        "text_cursor": on_text_cursor,
        "stage_renew": on_stage_renew,
    }
    for namespace, routes, command in (
        (PLAY, LEARNER_ROUTES, learner_command),
        (FACILITATE, FACILITATOR_ROUTES, facilitator_command),
        (STAGE, STAGE_ROUTES, _special_only),
    ):
        for route in routes:
            handler = special.get(route.event) or command(route)
            server.on(
                route.event,
                in_app_context(server, namespace, guarded(namespace, route, handler)),
                namespace=namespace,
            )


def _apply(
    connection: Connection, command: Any, action_id: str | None, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    service = _ext("practicum")
    _require_owner(connection, connection.session_id)
    # A facilitator's events name the account that acted (None for learners).
    applied = service.apply(
        connection.session_id, command, action_id, extra=extra, by_account=connection.account
    )
    current_app.extensions["practicum.broadcaster"].publish(
        current_app.extensions, connection.session_id, applied
    )
    return applied.ack


# --- learners ----------------------------------------------------------------------------------


def _attach_learner(
    connection: Connection, session_id: str, learner_id: str, lang: str | None = None
) -> dict[str, Any]:
    """Bind a socket to a learner: rooms, presence; return the learner's full view.

    ``lang`` is the language the learner's page shows (sent with hello); without it, the
    handshake's cookie or Accept-Language decides.
    """
    service = _ext("practicum")
    presence = _ext("practicum.presence")
    _require_owner(connection, session_id)
    scenario, state = service.snapshot(session_id)
    if learner_id not in state.learners:
        raise LookupError(learner_id)
    # The full view first, before joining the team room (see _follow_membership).
    view = _ext("practicum.broadcaster").learner_view(
        scenario, state, session_id, learner_id, service.clock()
    )
    presence.bind(connection.sid, session_id)
    connection.learner_id = learner_id
    team_id = _team_id(state, learner_id)
    join_room(session_room(session_id), connection.sid, PLAY)
    if connection.team_id and connection.team_id != team_id:
        leave_room(team_room(session_id, connection.team_id), connection.sid, PLAY)
    if team_id is not None:
        join_room(team_room(session_id, team_id), connection.sid, PLAY)
    connection.team_id = team_id
    _ext("practicum.broadcaster").presence_changed(current_app.extensions, session_id, team_id)
    return {
        "view": view,
        # The scenario's own text in the learner's language, where its author translated it.
        "scenario": localise(
            engine.scenario_public(scenario), scenario, supported(lang) or request_locale()
        ),
        "serverTime": service.clock(),
    }


def on_hello(connection: Connection, data: dict[str, Any]) -> dict[str, Any]:
    """Resume as the learner a token names."""
    identity = _ext("practicum.tokens").learner(data["token"])
    if identity is None:
        return error("auth/bad_token", "This sign-in token is not valid; join again.")
    try:
        resumed = _attach_learner(
            connection, identity.session_id, identity.learner_id, data.get("lang")
        )
    except (LookupError, UnknownSession):
        return error("auth/unknown_learner", "That seat is no longer in the session; join again.")
    return {
        "ok": True,
        "sessionId": identity.session_id,
        "learnerId": identity.learner_id,
        **resumed,
    }


def on_join_session(connection: Connection, data: dict[str, Any]) -> dict[str, Any]:
    """Join a session by code as a new learner; answer a token for later reconnects."""
    service = _ext("practicum")
    guard = _ext("practicum.join_guard")
    if not guard.allow(connection.address, service.clock()):
        return error("join/rate_limited", "Too many join attempts from here; wait a minute.")
    session_id = service.session_by_code(data["code"])
    if session_id is None:
        guard.failed(connection.address, service.clock())
        return error("join/bad_code", "No session has that join code. Check the code on screen.")
    _require_owner(connection, session_id)
    learner_id = _new_id("l_")
    command = engine.Command(
        "join_session",
        engine.Actor(engine.LEARNER, learner_id),
        {"learner_id": learner_id, "name": data["name"]},
    )
    applied = service.apply(
        session_id,
        command,
        # A retried join answers the first seat: only to whoever knows both the action id
        # and the name it was sent with, never to another learner reusing an id.
        scoped_action_id(f"join:{data['name']}", data["action_id"]),
        extra={"sessionId": session_id, "learnerId": learner_id},
    )
    # Published before this socket joins any room: a join that came just after a deadline
    # closed the round, and everyone else must hear of it; the joiner gets a full view below.
    _ext("practicum.broadcaster").publish(current_app.extensions, session_id, applied)
    ack = applied.ack
    if not ack.get("ok"):
        return ack
    learner_id = ack["learnerId"]  # a retried join answers the first seat, not a new one
    resumed = _attach_learner(connection, session_id, learner_id)
    token = _ext("practicum.tokens").learner_token(session_id, learner_id)
    return {**ack, "token": token, **resumed}


def _no_identity(connection: Connection) -> dict[str, Any]:
    """Refuse a message from a socket bound to no learner (yet)."""
    routed_for = connection.routed_for
    if routed_for and not _ext("practicum").owns(routed_for, ask=True):
        # Its resume was refused because another process owns the session (an owner died and
        # its lease has not run out yet): say so, so the client reconnects and sends it again.
        return moved(routed_for)
    return error("auth/no_identity", "Join a session (or say hello with your token) first.")


def _own_team(connection: Connection, team_id: str) -> dict[str, Any] | None:
    """Refuse a shared-text message about a team the learner is not in (None: it is theirs)."""
    if connection.learner_id is None or connection.session_id is None:
        return _no_identity(connection)
    _require_owner(connection, connection.session_id)
    _, state = _ext("practicum").cached(connection.session_id)
    if _team_id(state, connection.learner_id) != team_id:
        return error("team/changed", engine.ERRORS["team/changed"])
    return None


def on_text_sync(connection: Connection, data: dict[str, Any]) -> dict[str, Any]:
    """Answer what the team's shared texts hold that the client lacks (Yjs sync step 1)."""
    refused = _own_team(connection, data["team"])
    if refused is not None:
        return refused
    try:
        answer = _ext("practicum").text_sync(connection.session_id, data["team"], data["wanted"])
    except shared_text.BadUpdate as exc:
        return error("text/bad_update", f"A state vector could not be read ({exc}).")
    return {"ok": True, **answer}


def on_text_cursor(connection: Connection, data: dict[str, Any]) -> dict[str, Any]:
    """Show the learner's caret to teammates (presence: relayed, never stored)."""
    refused = _own_team(connection, data["team"])
    if refused is not None:
        return refused
    _, state = _ext("practicum").cached(connection.session_id)
    learner = state.learners[connection.learner_id]
    emit_local(
        "text_cursor",
        {
            "teamId": data["team"],
            "learnerId": learner.id,
            "name": learner.name,
            "field": data["field"],
            "anchor": data["anchor"],
            "head": data["head"],
        },
        to=team_room(connection.session_id, data["team"]),
        namespace=PLAY,
        skip_sid=connection.sid,
    )
    return {"ok": True}


def learner_command(route: Route) -> Callable[[Connection, dict[str, Any]], dict[str, Any]]:
    """Return the handler that turns a learner message into an engine command."""

    def handle(connection: Connection, data: dict[str, Any]) -> dict[str, Any]:
        if connection.learner_id is None or connection.session_id is None:
            return _no_identity(connection)
        action_id = scoped_action_id(connection.learner_id, data.pop("action_id"))
        if route.command in ("create_team", "auto_assign"):
            data["team_id"] = _new_id("t_")
        command = engine.Command(
            route.command, engine.Actor(engine.LEARNER, connection.learner_id), data
        )
        return _apply(connection, command, action_id)

    return handle


def on_play_connect(auth: Any = None) -> bool:
    """Register a learner socket; resume at once if it carries a valid token."""
    _register(PLAY)
    token = auth.get("token") if isinstance(auth, dict) else None
    identity = _ext("practicum.tokens").learner(token) if token else None
    if identity is not None:
        connection = _ext("practicum.presence").get(request.sid)
        try:
            resumed = _attach_learner(connection, identity.session_id, identity.learner_id)
        except (LookupError, UnknownSession, NotOwner):
            # The client will see auth/unknown_learner (rejoin) or session/moved on hello.
            return True
        emit_local("view", resumed["view"], to=request.sid, namespace=PLAY)
    return True


def _register(namespace: str) -> Connection:
    config = current_app.config
    address = request.environ.get("REMOTE_ADDR", "?")
    presence = _ext("practicum.presence")
    if presence.count_from(address) >= int(config["MAX_CONNECTIONS_PER_ADDRESS"]):
        from flask_socketio import ConnectionRefusedError

        raise ConnectionRefusedError("connections/too_many")
    bucket = TokenBucket(config["RATE_PER_SECOND"], config["RATE_BURST"], _ext("practicum").clock())
    connection = Connection(request.sid, namespace, address, bucket)
    connection.routed_for = request.args.get("session")
    _ext("practicum.presence").add(connection)
    return connection


def on_disconnect(*_args: Any) -> None:
    """Forget a socket and tell its team it went offline."""
    connection = _ext("practicum.presence").remove(request.sid)
    if connection is not None and connection.session_id is not None:
        _ext("practicum.broadcaster").presence_changed(
            current_app.extensions, connection.session_id, connection.team_id
        )


# --- facilitators ------------------------------------------------------------------------------


def on_facilitate_connect(auth: Any = None) -> bool:
    """Admit only a valid facilitator login (browser cookie or API token); remember it."""
    login = socket_login(auth)
    if login is None:
        from flask_socketio import ConnectionRefusedError

        raise ConnectionRefusedError("auth/forbidden")
    connection = _register(FACILITATE)
    connection.facilitator = True
    # Revoking this login disconnects the socket (auth.disconnect_logins).
    connection.login_id = login.id
    connection.account = login.account.name
    return True


def on_watch(connection: Connection, data: dict[str, Any]) -> dict[str, Any]:
    """Join a session's board room and answer the full board."""
    service = _ext("practicum")
    session_id = data["session_id"]
    refused = socket_refusal(connection, session_id, None)
    if refused is not None:
        return refused
    # The proxy routed this socket by this session: it must be the owner (or become it).
    # Routed by another session (or none), a board can come from the owner through Redis.
    relay = _ext("practicum.broadcaster").relay
    if not service.owns(session_id, ask=connection.routed_for == session_id):
        if connection.routed_for == session_id or relay is None:
            raise NotOwner(session_id)
        return _watch_elsewhere(connection, session_id, relay)
    scenario, _state = service.snapshot(session_id)
    presence = _ext("practicum.presence")
    if connection.session_id and connection.session_id != session_id:
        leave_room(board_room(connection.session_id), connection.sid, FACILITATE)
    # The full board first, before joining the room (see Broadcaster._follow_membership).
    board = _ext("practicum.broadcaster").full_board(current_app.extensions, session_id)
    presence.bind(connection.sid, session_id)
    join_room(board_room(session_id), connection.sid, FACILITATE)
    return {
        "ok": True,
        "board": board,
        "scenario": engine.scenario_public(scenario),
        "serverTime": service.clock(),
    }


def _watch_elsewhere(connection: Connection, session_id: str, relay: Any) -> dict[str, Any]:
    """Watch a session another process owns: its owner sends the board through Redis."""
    service = _ext("practicum")
    scenario = service.scenario_of(session_id)
    if connection.session_id and connection.session_id != session_id:
        leave_room(board_room(connection.session_id), connection.sid, FACILITATE)
    _ext("practicum.presence").bind(connection.sid, session_id)
    join_room(board_room(session_id), connection.sid, FACILITATE)
    # Joined first, so no patch after the full board is missed; patches before it are
    # ignored by the client, which holds no board yet.
    relay.request(session_id, connection.sid)
    return {
        "ok": True,
        "board": None,
        "remote": True,
        "scenario": engine.scenario_public(scenario),
        "serverTime": service.clock(),
    }


def facilitator_command(route: Route) -> Callable[[Connection, dict[str, Any]], dict[str, Any]]:
    """Return the handler that turns a facilitator message into an engine command."""

    def handle(connection: Connection, data: dict[str, Any]) -> dict[str, Any]:
        action_id = scoped_action_id("facilitator", data.pop("action_id"))
        session_id = data.pop("session_id")
        refused = socket_refusal(connection, session_id, route.command)
        if refused is not None:
            return refused
        if connection.session_id != session_id:
            _require_owner(connection, session_id)
            _ext("practicum").live(session_id)  # raises UnknownSession for a bad id
            _ext("practicum.presence").bind(connection.sid, session_id)
            join_room(board_room(session_id), connection.sid, FACILITATE)
        if route.command == "create_team":
            data["team_id"] = _new_id("t_")
        command = engine.Command(route.command, engine.Actor(engine.FACILITATOR), data)
        return _apply(connection, command, action_id)

    return handle


# --- the stage ---------------------------------------------------------------------------------


def on_stage_connect(auth: Any = None) -> bool:
    """Admit a screen holding a valid stage link; send it the stage view at once.

    No facilitator sign-in: the stage shows only what the whole room may read, so a projector
    browser need not be signed in (and a link left on it expires).
    """
    token = auth.get("token") if isinstance(auth, dict) else None
    session_id = _ext("practicum.tokens").stage(token)
    from flask_socketio import ConnectionRefusedError

    if session_id is None:
        raise ConnectionRefusedError("auth/bad_stage_link")
    try:
        scenario, state = _ext("practicum").snapshot(session_id)
    except UnknownSession:
        raise ConnectionRefusedError("session/unknown") from None
    connection = _register(STAGE)
    _ext("practicum.presence").bind(connection.sid, session_id)
    join_room(stage_room(session_id), connection.sid, STAGE)
    view = _ext("practicum.broadcaster").stage_joined(session_id, scenario, state)
    emit_local("stage", view, to=connection.sid, namespace=STAGE)
    return True


def on_stage_renew(connection: Connection, _data: dict[str, Any]) -> dict[str, Any]:
    """Answer a fresh stage token for the screen's session (to reconnect after a drop)."""
    if connection.session_id is None:
        return error("auth/not_connected", "This socket is not registered; reconnect.")
    token = _ext("practicum.tokens").stage_token(connection.session_id)
    return {"ok": True, "token": token, "expiresIn": STAGE_LINK_SECONDS}


def unknown_event(namespace: str) -> Callable[..., dict[str, Any]]:
    """Return the catch-all handler: events nobody handles get a coded answer, not silence."""
    facilitator_only = {r.event for r in FACILITATOR_ROUTES} - {r.event for r in LEARNER_ROUTES}

    def handler(event: str, *_args: Any) -> dict[str, Any]:
        if namespace in (PLAY, STAGE) and event in facilitator_only:
            return error("auth/forbidden", f"Only the facilitator can {event}.")
        return error("action/unknown", f"There is no event '{str(event)[:60]}' on {namespace}.")

    return handler


class TreeJson:
    """The json module for packets: orjson for what the server sends, json for what it reads.

    Every payload sent is a view built afresh from immutable state, a tree (`fastjson`).
    Incoming packets keep the standard decoder, whose errors python-socketio expects.
    """

    @staticmethod
    def dumps(obj: Any, **_kwargs: Any) -> str:
        """Encode a JSON tree compactly (Socket.IO passes the separators it wants: these)."""
        return fastjson.dumps(obj)

    loads = staticmethod(json.loads)


class JsonPacket(socketio_packet.Packet):
    """A Socket.IO packet that never looks for binary attachments.

    Practicum sends only JSON, but the default packet walks every emitted payload in Python
    looking for bytes before encoding it; for a team view or a board that walk cost about as
    much as the JSON encoding itself.
    """

    uses_binary_events = False
    json = TreeJson


def register_handlers(socketio: SocketIO) -> None:
    """Register every handler on the unbound SocketIO object."""
    # Passed on to the socketio.Server that init_app creates (Flask-SocketIO's `serializer`).
    socketio.server_options.setdefault("serializer", JsonPacket)
    socketio.on_event("connect", on_play_connect, namespace=PLAY)
    socketio.on_event("disconnect", on_disconnect, namespace=PLAY)
    socketio.on_event("connect", on_facilitate_connect, namespace=FACILITATE)
    socketio.on_event("disconnect", on_disconnect, namespace=FACILITATE)
    # The message routes are bound to each app's Socket.IO server by bind_routes.
    socketio.on_event("*", unknown_event(PLAY), namespace=PLAY)
    socketio.on_event("*", unknown_event(FACILITATE), namespace=FACILITATE)
    socketio.on_event("connect", on_stage_connect, namespace=STAGE)
    socketio.on_event("disconnect", on_disconnect, namespace=STAGE)
    socketio.on_event("*", unknown_event(STAGE), namespace=STAGE)

    @socketio.on_error_default
    def _on_error(exc: Exception) -> dict[str, Any]:
        # Reached only by a failure outside `guarded` (e.g. in connect); keep the socket alive.
        log.exception("socket error: %s", exc)
        return error("server/error", "Something went wrong on the server; try again.")


# Handlers are registered once, at import, on the unbound object (the Flask-SocketIO pattern);
# each create_app() then binds the same handlers to its app.
register_handlers(socketio_extension)
