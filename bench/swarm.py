"""The load generator: one process driving bench learners and facilitators over real websockets.

``bench.run`` starts it as ``python -m bench.swarm PLAN.json OUT.json``. It connects one
facilitator per session (``watch``), connects and joins every learner, forms teams of four,
then prints ``READY {...}`` and waits for ``GO`` on stdin. On ``GO`` its facilitators start
their sessions and every learner acts until the window closes; the process then waits (bounded)
for the last updates to arrive, writes OUT.json and exits. Every wait is bounded, every loop
ends by itself.

Two modes: ``paced`` (open loop: each learner acts every ``interval`` seconds on average,
whether or not its last ack came back, so a slow server cannot slow the offered load) and
``saturate`` (closed loop: each learner sends its next action as soon as the last is acked,
which finds the server's throughput ceiling).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import resource
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import socketio

from bench.markers import action_key, is_exact, view_keys
from bench.mix import (
    BURST_UPDATES,
    CHAT_LINES,
    FLUSH_SECONDS,
    TYPED_WORDS,
    Playbook,
    TeamLedger,
    build_action,
    choose,
)
from bench.texts import FieldDoc, markers_in, text_of_update

PLAY = "/play"
FACILITATE = "/facilitate"
# With a backlog (a session under way), each text field is drafted to this share of its
# limit before the window; the mix trims a text that would pass 60% (bench/texts.py).
DRAFT_FILL = 0.55
# Rejections caused by the transport, identity or the server itself; any other code comes from
# the game rules (the engine) and is counted apart, since a well-planned mix should cause none.
TRANSPORT_CODES = frozenset(
    {
        "payload/invalid",
        "payload/too_large",
        "rate/limited",
        "join/bad_code",
        "join/rate_limited",
        "auth/not_connected",
        "auth/no_identity",
        "auth/bad_token",
        "session/unknown",
        "server/error",
    }
)


def now() -> float:
    """Return the monotonic clock (every latency is measured within this one process)."""
    return time.monotonic()


@dataclass
class Pending:
    """An action whose effect some teammates (or the facilitator) have not seen yet."""

    sender: int
    sent: float
    counted: bool
    waiting: set[int]
    board: bool
    acked: bool = False
    last_seen: float = 0.0
    kind: str = ""


@dataclass
class Recorder:
    """Everything the swarm measures (latencies in milliseconds)."""

    ack_ms: list[float] = field(default_factory=list)
    team_ms: list[float] = field(default_factory=list)
    board_ms: list[float] = field(default_factory=list)
    join_ms: list[float] = field(default_factory=list)
    # (seconds since the window opened, ack latency ms) of every counted action: the timeline.
    ack_times: list[tuple[float, float]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    rejections: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    # Ack and teammate latencies of counted actions again, by action kind.
    ack_by_kind: dict[str, list[float]] = field(default_factory=dict)
    team_by_kind: dict[str, list[float]] = field(default_factory=dict)

    def error(self, kind: str) -> None:
        """Count a transport-level failure."""
        self.errors[kind] += 1

    def rejected(self, code: str) -> None:
        """Count a rejection ack by its code, split into transport errors and engine rules."""
        if code in TRANSPORT_CODES:
            self.errors[code] += 1
        else:
            self.rejections[code] += 1


@dataclass
class Learner:
    """One bench learner: a socket, a seat, a team."""

    index: int
    name: str
    sio: socketio.AsyncClient
    team: Team | None = None
    learner_id: str | None = None
    chat_seen: int = 0
    version: str | None = None  # the team view version this learner holds (Practicum)
    docs: dict[str, FieldDoc] = field(default_factory=dict)  # shared text field -> my copy
    view_texts: dict[str, str] = field(default_factory=dict)  # `texts` of my latest team view

    def doc(self, field_id: str) -> FieldDoc:
        """Return my copy of a shared text field (an empty document until someone types)."""
        found = self.docs.get(field_id)
        if found is None:
            found = self.docs[field_id] = FieldDoc()
        return found


@dataclass
class Team:
    """One team of the swarm and the updates its members still wait for."""

    session: Session
    number: int
    ledger: TeamLedger
    members: list[Learner] = field(default_factory=list)
    team_id: str | None = None
    pending: dict[str, Pending] = field(default_factory=dict)
    board_chat_seen: int = 0
    # Shared texts: markers typed into each field (sent), markers some member deleted on
    # purpose (trimming a long draft), markers of edits the server refused.
    typed: dict[str, list[str]] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)
    refused: set[str] = field(default_factory=set)


@dataclass
class Session:
    """One practicum session: its facilitator socket and teams."""

    session_id: str
    code: str
    learners: int
    teams: list[Team] = field(default_factory=list)
    by_id: dict[str, Team] = field(default_factory=dict)
    facilitator: socketio.AsyncClient | None = None


class Swarm:
    """Drive the learners and facilitators of some sessions and record what happens."""

    def __init__(self, plan: dict[str, Any]) -> None:
        self.plan = plan
        self.rng = random.Random(plan.get("seed", 1))
        self.playbook = Playbook.from_dict(plan["playbook"])
        self.weights: dict[str, float] = plan["weights"]
        self.rec = Recorder()
        self.sessions = [
            Session(s["sessionId"], s["joinCode"], s["learners"]) for s in plan["sessions"]
        ]
        self.learners: list[Learner] = []
        self.http: aiohttp.ClientSession | None = None
        self.window: tuple[float, float] = (0.0, 0.0)
        self.counter = 0
        self.prefix = plan.get("prefix", "g")
        self.connect_seconds = 0.0
        self.closing = False
        self.started = False  # the sessions were started (start_sessions runs once)

    # --- sockets --------------------------------------------------------------------------

    def _client(self) -> socketio.AsyncClient:
        return socketio.AsyncClient(
            reconnection=False, http_session=self.http, handle_sigint=False, request_timeout=30
        )

    def _url(self, session: Session) -> str:
        """Return the URL a session's sockets open: behind a proxy, routed by its session."""
        if self.plan.get("route_by_session"):
            return f"{self.plan['url']}?session={session.session_id}"
        return self.plan["url"]

    async def _call(self, sio: socketio.AsyncClient, event: str, payload: dict, ns: str) -> dict:
        timeout = float(self.plan.get("ack_timeout", 20))
        return await sio.call(event, payload, namespace=ns, timeout=timeout)

    def _action_id(self) -> str:
        self.counter += 1
        return f"{self.prefix}-{self.counter:x}-{self.rng.getrandbits(24):06x}"

    async def connect_facilitator(self, session: Session) -> None:
        """Connect the session's facilitator and watch its board."""
        sio = self._client()
        sio.on("board", lambda board: self.on_board(session, board), namespace=FACILITATE)
        sio.on(
            "board_patch",
            lambda patch: self.on_board_patch(session, patch),
            namespace=FACILITATE,
        )
        sio.on("disconnect", lambda *reason: self.on_disconnect(reason), namespace=FACILITATE)
        await sio.connect(
            self._url(session),
            namespaces=[FACILITATE],
            auth={"token": self.plan["token"]},
            transports=["websocket"],
            wait_timeout=30,
        )
        ack = await self._call(sio, "watch", {"sessionId": session.session_id}, FACILITATE)
        if not ack.get("ok"):
            raise RuntimeError(f"watch failed: {ack}")
        session.facilitator = sio

    async def connect_learner(self, learner: Learner, session: Session, gate: asyncio.Semaphore):
        """Connect a learner and join the session by its code; record the time it took."""
        async with gate:
            started = now()
            sio = learner.sio
            sio.on("team", lambda view: self.on_team(learner, view), namespace=PLAY)
            sio.on("team_patch", lambda p: self.on_team_patch(learner, p), namespace=PLAY)
            sio.on("view", lambda view: self.on_view(learner, view), namespace=PLAY)
            sio.on("disconnect", lambda *reason: self.on_disconnect(reason), namespace=PLAY)
            try:
                await sio.connect(
                    self._url(session), namespaces=[PLAY], transports=["websocket"], wait_timeout=30
                )
                ack = await self._call(
                    sio,
                    "join_session",
                    {"actionId": self._action_id(), "code": session.code, "name": learner.name},
                    PLAY,
                )
            except (TimeoutError, socketio.exceptions.SocketIOError, OSError) as exc:
                self.rec.error(f"connect/{type(exc).__name__}")
                return
            if not ack.get("ok"):
                self.rec.rejected(ack.get("code", "?"))
                return
            learner.learner_id = ack.get("learnerId")
            self.rec.join_ms.append((now() - started) * 1000)

    async def form_team(self, team: Team) -> None:
        """The first member creates the team; the others join it."""
        joined = [m for m in team.members if m.learner_id]
        if not joined:
            return
        first = joined[0]
        ack = await self._setup_call(
            first, "create_team", {"actionId": self._action_id(), "name": f"Team {team.number}"}
        )
        if ack is None:
            for member in joined:
                member.learner_id = None
            return
        team.team_id = ack["teamId"]
        team.session.by_id[team.team_id] = team
        for member in joined[1:]:
            payload = {"actionId": self._action_id(), "team": team.team_id}
            if await self._setup_call(member, "join_team", payload) is None:
                member.learner_id = None

    async def _setup_call(self, learner: Learner, event: str, payload: dict) -> dict | None:
        """Send a set-up action; return its ack, or None (counted) if it failed."""
        try:
            ack = await self._call(learner.sio, event, payload, PLAY)
        except (TimeoutError, socketio.exceptions.SocketIOError) as exc:
            self.rec.error(f"setup/{type(exc).__name__}")
            return None
        if not ack.get("ok"):
            self.rec.rejected(ack.get("code", "?"))
            return None
        return ack

    async def connect_all(self) -> None:
        """Connect facilitators and learners, form the teams."""
        team_size = int(self.plan.get("team_size", 4))
        index = 0
        for session in self.sessions:
            for number in range((session.learners + team_size - 1) // team_size):
                ledger = TeamLedger(list(self.playbook.diagnostics), self.playbook.causes)
                team = Team(session, number + 1, ledger)
                session.teams.append(team)
            for seat in range(session.learners):
                learner = Learner(index, f"Learner {index}", self._client())
                index += 1
                team = session.teams[seat // team_size]
                learner.team = team
                team.members.append(learner)
                self.learners.append(learner)
        started = now()
        await asyncio.gather(*(self.connect_facilitator(s) for s in self.sessions))
        gate = asyncio.Semaphore(int(self.plan.get("connect_concurrency", 32)))
        await asyncio.gather(
            *(
                self.connect_learner(learner, learner.team.session, gate)
                for learner in self.learners
                if learner.team is not None
            )
        )
        await asyncio.gather(*(self.form_team(t) for s in self.sessions for t in s.teams))
        self.connect_seconds = now() - started
        backlog = int(self.plan.get("chat_backlog", 0))
        if backlog > 0:
            # Drafts need the round open: a session under way has started before the window.
            await self.start_sessions()
            gate = asyncio.Semaphore(int(self.plan.get("connect_concurrency", 32)))
            await asyncio.gather(
                *(self.post_backlog(t, backlog, gate) for s in self.sessions for t in s.teams)
            )

    async def post_backlog(self, team: Team, count: int, gate: asyncio.Semaphore) -> None:
        """Fill a team's chat and drafts before the window, as in a session under way.

        A team view carries the newest 200 messages; real teams reach that within minutes,
        so without a backlog the bench would only measure a session's first moments. Each
        text field the mix types into is also drafted to ``DRAFT_FILL`` of its limit (long
        texts in every view, patch and merge), in edits without markers.
        """
        members = [m for m in team.members if m.learner_id]
        if team.team_id is None or not members:
            return
        async with gate:
            for number in range(count):
                member = members[number % len(members)]
                text = f"{CHAT_LINES[number % len(CHAT_LINES)]} (earlier message {number})"
                payload = {"actionId": self._action_id(), "text": text}
                if await self._setup_call(member, "chat", payload) is None:
                    return
                # Keep each member under the production rate limit (10 a second).
                await asyncio.sleep(0.04)
            writer = members[0]
            for field_id, limit in self.playbook.text_fields:
                doc = writer.doc(field_id)
                number = 0
                while len(str(doc.text)) < DRAFT_FILL * limit:
                    line = CHAT_LINES[number % len(CHAT_LINES)][:60]
                    update, _ = doc.type_fragment(f" Draft {number}: {line}.", limit, self.rng)
                    number += 1
                    payload = {
                        "actionId": self._action_id(),
                        "team": team.team_id,
                        "field": field_id,
                        "update": update,
                    }
                    if await self._setup_call(writer, "edit_text", payload) is None:
                        return
                    self.rec.counts["backlog_edits"] += 1
                    await asyncio.sleep(0.04)

    def on_disconnect(self, reason: tuple) -> None:
        """Count a socket the server (or the network) dropped; closing sockets is not counted."""
        if not self.closing:
            self.rec.error(f"disconnected/{reason[0] if reason else '?'}")

    # --- updates arriving -----------------------------------------------------------------

    def _settle(self, team: Team, key: str, pending: Pending) -> None:
        if pending.waiting or pending.board or not pending.acked:
            return
        team.pending.pop(key, None)

    def _seen(self, learner: Learner, team: Team, key: str, arrived: float) -> None:
        """A learner has the effect of the action `key`: resolve it for them."""
        pending = team.pending.get(key)
        if pending is None or learner.index not in pending.waiting:
            return
        pending.waiting.discard(learner.index)
        pending.last_seen = arrived
        if not pending.waiting and pending.counted:
            self.rec.team_ms.append((arrived - pending.sent) * 1000)
            self.rec.team_by_kind.setdefault(pending.kind, []).append(
                (arrived - pending.sent) * 1000
            )
        self._settle(team, key, pending)

    def on_team(self, learner: Learner, view: dict[str, Any]) -> None:
        """A team update reached a learner: resolve the markers it shows."""
        arrived = now()
        team = learner.team
        if team is None or not isinstance(view, dict):
            return
        if view.get("relay") == "edit_text":  # the reference relays text edits as they came
            self._merge_text(learner, view.get("data") or {})
        elif isinstance(view.get("texts"), dict):
            learner.view_texts = view["texts"]
        keys, learner.chat_seen = view_keys(view, learner.chat_seen)
        for key in keys:
            self._seen(learner, team, key, arrived)

    def on_text_update(self, learner: Learner, update: dict[str, Any]) -> None:
        """A teammate's (or my own) edit of a shared text, merged and stored by the server.

        Practicum sends them in the team patch (``textUpdates``), one frame with the view's
        change; the teammate latency of an edit is until that patch arrived.
        """
        arrived = now()
        team = learner.team
        if team is None or not isinstance(update, dict):
            return
        if update.get("teamId") != team.team_id:
            self.rec.error("text/other_team")
            return
        by = update.get("by") if isinstance(update.get("by"), dict) else {}
        if by.get("learnerId") == learner.learner_id and learner.learner_id is not None:
            # My own edit echoed (the room includes me): my copy has it; a browser skips it too.
            self.rec.counts["text_updates_received"] += 1
            return
        key = self._merge_text(learner, update)
        if key is not None:
            self._seen(learner, team, key, arrived)

    def _merge_text(self, learner: Learner, data: dict[str, Any]) -> str | None:
        """Merge a relayed text edit into my copy of its field; return the edit's key."""
        key = action_key("edit_text", data)
        field_id = data.get("field")
        if key is None or not isinstance(field_id, str):
            self.rec.error("text/malformed_update")
            return None
        try:
            learner.doc(field_id).receive(data["update"])
        except Exception:  # noqa: BLE001 - pycrdt raises several kinds on bad input
            self.rec.error("text/unreadable_update")
            return None
        self.rec.counts["text_updates_received"] += 1
        return key

    def on_view(self, learner: Learner, view: dict[str, Any]) -> None:
        """A full learner view (after a team change): hold its team version."""
        team = view.get("team") if isinstance(view, dict) else None
        learner.version = team.get("version") if isinstance(team, dict) else None
        if isinstance(team, dict) and isinstance(team.get("texts"), dict):
            learner.view_texts = team["texts"]

    def on_team_patch(self, learner: Learner, patch: dict[str, Any]) -> None:
        """A team patch: count a gap in the version chain as lost, then read it as a view."""
        if not isinstance(patch, dict):
            return
        for update in patch.get("textUpdates") or ():  # merged text edits ride in the patch
            self.on_text_update(learner, {**update, "teamId": patch.get("teamId")})
        if patch.get("base") is not None and patch.get("base") != learner.version:
            self.rec.error("patch/gap")
        learner.version = patch.get("version")
        shown = {**patch.get("set", {}), "chat": patch.get("chat") or []}
        texts = (patch.get("fields") or {}).get("texts")
        if isinstance(texts, dict):  # only the texts that changed (viewsync.FIELD_KEYS)
            shown["texts"] = {**learner.view_texts, **texts}
        shown["chatCount"] = patch.get("chatCount", 0)
        self.on_team(learner, shown)

    def on_board_patch(self, session: Session, patch: dict[str, Any]) -> None:
        """A board patch: read each changed team's parts as a board of those teams."""
        if not isinstance(patch, dict):
            return
        if patch.get("board") is not None:
            self.on_board(session, patch["board"])
            return
        parts = [{**part, "id": team_id} for team_id, part in (patch.get("teams") or {}).items()]
        self.on_board(session, {"teams": parts})

    def on_board(self, session: Session, board: dict[str, Any]) -> None:
        """A board reached the facilitator: resolve the markers it shows for each team."""
        arrived = now()
        if not isinstance(board, dict):
            return
        self.rec.counts["boards"] += 1
        if "relay" in board:
            bodies = [(board.get("team"), board)]
        else:
            bodies = [(body.get("id"), body) for body in board.get("teams") or ()]
        for team_id, body in bodies:
            team = session.by_id.get(team_id)
            if team is None:
                continue
            keys, team.board_chat_seen = view_keys(body, team.board_chat_seen)
            for key in keys:
                pending = team.pending.get(key)
                if pending is None or not pending.board:
                    continue
                pending.board = False
                if pending.counted:
                    self.rec.board_ms.append((arrived - pending.sent) * 1000)
                self._settle(team, key, pending)

    # --- acting ---------------------------------------------------------------------------

    def _in_window(self, moment: float) -> bool:
        return self.window[0] <= moment < self.window[1]

    async def act(self, learner: Learner) -> None:
        """Do one thing from the mix: one action, or a typing burst of shared-text edits."""
        team = learner.team
        if team is None or team.team_id is None or learner.learner_id is None:
            return
        kind = choose(self.rng, self.weights, team.ledger)
        if kind == "edit_text":
            await self.type_burst(learner, team)
            return
        self.counter += 1
        marker = f"{'c' if kind == 'chat' else 'w'}-{self.prefix}{self.counter:x}"
        payload = build_action(kind, self.rng, team.ledger, self.playbook, marker)
        key = action_key(kind, payload)
        watched = key is not None and is_exact(key)
        await self.send(learner, team, kind, payload, key, watched)

    async def type_burst(self, learner: Learner, team: Team) -> None:
        """Type into one shared field for a moment: an `edit_text` per browser flush.

        A browser sends what was typed since its last flush every ~250 ms while someone types,
        so a burst is a few small updates in a row. Paced, they go out on that clock without
        waiting for acks (as a browser does); saturating, each waits for the last ack.
        """
        field_id, limit = self.rng.choice(self.playbook.text_fields)
        count = self.rng.randint(*BURST_UPDATES)
        saturate = self.plan["mode"] == "saturate"
        sends: list[asyncio.Task] = []
        for number in range(count):
            if number and not saturate:
                await asyncio.sleep(FLUSH_SECONDS * self.rng.uniform(0.8, 1.2))
            if learner.team is not team or self.closing:
                break
            self.counter += 1
            marker = f"k-{self.prefix}{self.counter:x}"
            fragment = f" {self.rng.choice(TYPED_WORDS)} [#{marker}]"
            update, deleted = learner.doc(field_id).type_fragment(fragment, limit, self.rng)
            team.typed.setdefault(field_id, []).append(marker)
            team.deleted.update(deleted)
            payload = {"team": team.team_id, "field": field_id, "update": update}
            key = action_key("edit_text", payload)
            send = self.send(learner, team, "edit_text", payload, key, False, marker)
            if saturate:
                await send
            else:
                sends.append(asyncio.create_task(send))
        if sends:
            await asyncio.wait(sends, timeout=float(self.plan.get("ack_timeout", 20)) + 5)

    async def send(
        self,
        learner: Learner,
        team: Team,
        kind: str,
        payload: dict[str, Any],
        key: str | None,
        watched: bool,
        text_marker: str | None = None,
    ) -> None:
        """Send one action and wait (bounded) for its ack; track its effect on teammates."""
        sent = now()
        counted = self._in_window(sent)
        if key is not None:
            teammates = {m.index for m in team.members if m is not learner and m.learner_id}
            watched = watched and team.session.facilitator is not None
            team.pending[key] = Pending(learner.index, sent, counted, teammates, watched, kind=kind)
        self.rec.counts["sent"] += 1
        self.rec.kinds[kind] += 1
        payload["actionId"] = self._action_id()
        try:
            ack = await self._call(learner.sio, kind, payload, PLAY)
            resends = 0
            # A browser whose update builds on an edit the server has not merged yet (its own
            # previous flush, still in flight) syncs and sends again; the bench resends as is.
            while (
                isinstance(ack, dict) and ack.get("code") == "text/missing_history" and resends < 5
            ):
                resends += 1
                self.rec.counts["text_resent"] += 1
                await asyncio.sleep(0.1 * resends)
                ack = await self._call(learner.sio, kind, payload, PLAY)
        except (TimeoutError, socketio.exceptions.SocketIOError) as exc:
            self.rec.error(f"ack/{type(exc).__name__}")
            if key is not None:
                team.pending.pop(key, None)
            if text_marker is not None:
                team.refused.add(text_marker)
            return
        acked = now()
        if counted:
            self.rec.ack_ms.append((acked - sent) * 1000)
            self.rec.ack_by_kind.setdefault(kind, []).append((acked - sent) * 1000)
            self.rec.ack_times.append(
                (round(sent - self.window[0], 3), round((acked - sent) * 1000, 1))
            )
            self.rec.counts["acked_in_window"] += 1
        if not isinstance(ack, dict) or not ack.get("ok"):
            self.rec.rejected(ack.get("code", "?") if isinstance(ack, dict) else "ack/malformed")
            if key is not None:
                team.pending.pop(key, None)
            if text_marker is not None:
                team.refused.add(text_marker)
            return
        self.rec.counts["acked"] += 1
        if kind == "edit_text":
            self.rec.counts["text_acked"] += 1
            if ack.get("unchanged"):
                self.rec.counts["text_unchanged"] += 1
        if kind == "run_diagnostic":
            team.ledger.holds(payload["diagnostic"], self.rng)
        if key is not None and key in team.pending:
            pending = team.pending[key]
            pending.acked = True
            self._settle(team, key, pending)

    async def play_paced(self, learner: Learner, start: float, end: float) -> None:
        """Act every `interval` seconds on average (jittered), without waiting for acks."""
        interval = float(self.plan["interval"])
        rng = random.Random(self.rng.getrandbits(32))
        moment = start + rng.uniform(0, interval)
        tasks: set[asyncio.Task] = set()
        while moment < end:
            delay = moment - now()
            if delay > 0:
                await asyncio.sleep(delay)
            task = asyncio.create_task(self.act(learner))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            moment += interval * rng.uniform(0.5, 1.5)
        if tasks:
            await asyncio.wait(tasks, timeout=float(self.plan.get("ack_timeout", 20)))

    async def play_saturated(self, learner: Learner, start: float, end: float) -> None:
        """Act again as soon as the last action is acked, until the window closes."""
        await asyncio.sleep(max(0.0, start - now()) + self.rng.uniform(0, 0.2))
        while now() < end:
            await self.act(learner)

    async def start_sessions(self) -> None:
        """Each facilitator starts its session (round 1 opens), once."""
        if self.started:
            return
        self.started = True
        for session in self.sessions:
            if session.facilitator is None:
                continue
            try:
                ack = await self._call(
                    session.facilitator,
                    "start_session",
                    {"actionId": self._action_id(), "sessionId": session.session_id},
                    FACILITATE,
                )
            except (TimeoutError, socketio.exceptions.SocketIOError) as exc:
                self.rec.error(f"start/{type(exc).__name__}")
                continue
            if not ack.get("ok"):
                self.rec.rejected(ack.get("code", "?"))

    async def play(self) -> None:
        """Start the sessions, run the window, then wait for the last updates."""
        await self.start_sessions()
        start = now()
        warmup, duration = float(self.plan["warmup"]), float(self.plan["duration"])
        self.window = (start + warmup, start + warmup + duration)
        player = self.play_saturated if self.plan["mode"] == "saturate" else self.play_paced
        await asyncio.gather(*(player(lr, start, self.window[1]) for lr in self.learners))
        drain_until = now() + float(self.plan.get("drain", 10))
        while now() < drain_until and any(t.pending for s in self.sessions for t in s.teams):
            await asyncio.sleep(0.05)
        if self.plan.get("check_texts", True):
            gate = asyncio.Semaphore(int(self.plan.get("connect_concurrency", 32)))
            await asyncio.gather(
                *(self.check_texts(t, gate) for s in self.sessions for t in s.teams if t.typed)
            )

    async def check_texts(self, team: Team, gate: asyncio.Semaphore) -> None:
        """After the drain: did every copy of the team's shared texts converge, losing nothing?

        Practicum's text (from `text_sync` with an empty state vector, as a new browser would
        ask) must equal every member's document and the `texts` of every member's latest team
        view, and hold every marker typed, acked and not deleted on purpose by a member. Against
        the reference (no server text) the members' documents are compared with each other.
        """
        members = [m for m in team.members if m.learner_id and m.team is team]
        if team.team_id is None or not members:
            return
        # A socket the server dropped (already counted as an error) missed the relays after
        # it: a browser would resync on reconnecting, the bench leaves its copy out.
        connected = [m for m in members if m.sio.connected and PLAY in m.sio.namespaces]
        self.rec.counts["text_copies_disconnected"] += len(members) - len(connected)
        if not connected:
            self.rec.counts["text_teams_unchecked"] += 1
            return
        members = connected
        fields = sorted(team.typed)
        server: dict[str, str] = {}
        if self.plan.get("target", "practicum") == "practicum":
            payload = {"team": team.team_id, "fields": {f: "" for f in fields}}
            try:
                async with gate:
                    ack = await self._call(members[0].sio, "text_sync", payload, PLAY)
                docs = ack.get("docs") or {}
                server = {f: text_of_update(docs[f]["update"]) for f in fields if f in docs}
            except Exception as exc:  # noqa: BLE001 - counted, the check goes on without it
                self.rec.error(f"text/sync_{type(exc).__name__}")
            if len(server) != len(fields):
                self.rec.error("text/sync_incomplete")
        counts = self.rec.counts
        for field_id in fields:
            copies = [str(m.doc(field_id)) for m in members]
            truth = server.get(field_id, copies[0])
            counts["text_fields_checked"] += 1
            diverged = sum(1 for copy in copies if copy != truth)
            counts["text_diverged"] += diverged
            if field_id in server:
                counts["text_view_stale"] += sum(
                    1 for m in members if m.view_texts.get(field_id, "") != truth
                )
            expected = set(team.typed[field_id]) - team.deleted - team.refused
            missing = expected - set(markers_in(truth))
            counts["text_markers_expected"] += len(expected)
            counts["text_markers_missing"] += len(missing)

    # --- results --------------------------------------------------------------------------

    def results(self) -> dict[str, Any]:
        """Return raw samples and counts (the orchestrator merges generators and summarises)."""
        lost_updates = lost_deliveries = lost_boards = unacked = 0
        for session in self.sessions:
            for team in session.teams:
                for pending in team.pending.values():
                    if not pending.acked:
                        unacked += 1
                        continue
                    if pending.waiting:
                        lost_updates += 1
                        lost_deliveries += len(pending.waiting)
                    if pending.board:
                        lost_boards += 1
        rec = self.rec
        # A marker missing from the converged text is a text edit lost (acked, then gone); a
        # copy that differs from the server's text, or a team view that shows another text, is
        # an error.
        lost_updates += rec.counts.get("text_markers_missing", 0)
        for name in ("text_diverged", "text_view_stale"):
            if rec.counts.get(name):
                rec.errors[name.replace("_", "/", 1)] += rec.counts[name]
        window = self.window[1] - self.window[0]
        return {
            "learners": len(self.learners),
            "joined": sum(1 for lr in self.learners if lr.learner_id),
            "sessions": len(self.sessions),
            "connectSeconds": round(self.connect_seconds, 3),
            "window": window,
            "ackMs": rec.ack_ms,
            "teamMs": rec.team_ms,
            "boardMs": rec.board_ms,
            "joinMs": rec.join_ms,
            "ackTimes": rec.ack_times,
            "counts": dict(rec.counts),
            "kinds": dict(rec.kinds),
            "ackByKind": rec.ack_by_kind,
            "teamByKind": rec.team_by_kind,
            "rejections": dict(rec.rejections),
            "errors": dict(rec.errors),
            "lostUpdates": lost_updates,
            "lostDeliveries": lost_deliveries,
            "lostBoardUpdates": lost_boards,
            "unresolvedUnacked": unacked,
        }

    async def close(self) -> None:
        """Disconnect every socket (bounded)."""
        self.closing = True
        clients = [lr.sio for lr in self.learners] + [
            s.facilitator for s in self.sessions if s.facilitator is not None
        ]

        async def bye(sio: socketio.AsyncClient) -> None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(sio.disconnect(), timeout=5)

        await asyncio.gather(*(bye(c) for c in clients))


def _raise_file_limit(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(max(soft, wanted), hard)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


async def _read_line(timeout: float) -> str:
    loop = asyncio.get_running_loop()
    line = await asyncio.wait_for(loop.run_in_executor(None, sys.stdin.readline), timeout)
    return line.strip()


async def run_swarm(plan: dict[str, Any], wait_for_go: bool = True) -> dict[str, Any]:
    """Run a whole swarm from a plan; return its results."""
    _raise_file_limit(sum(s["learners"] + 2 for s in plan["sessions"]) + 256)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        swarm = Swarm(plan)
        swarm.http = http
        try:
            await asyncio.wait_for(swarm.connect_all(), float(plan.get("connect_timeout", 180)))
            ready = {
                "joined": sum(1 for lr in swarm.learners if lr.learner_id),
                "learners": len(swarm.learners),
                "connectSeconds": round(swarm.connect_seconds, 3),
            }
            if wait_for_go:
                print("READY " + json.dumps(ready), flush=True)
                if await _read_line(float(plan.get("go_timeout", 300))) != "GO":
                    raise RuntimeError("expected GO from the orchestrator")
            limit = float(plan["warmup"]) + float(plan["duration"]) + float(plan.get("drain", 10))
            await asyncio.wait_for(swarm.play(), limit + 60)
            return swarm.results()
        finally:
            await swarm.close()


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``python -m bench.swarm PLAN.json OUT.json``."""
    args = sys.argv[1:] if argv is None else argv
    plan = json.loads(Path(args[0]).read_text())
    results = asyncio.run(run_swarm(plan))
    Path(args[1]).write_text(json.dumps(results))
    print("DONE", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
