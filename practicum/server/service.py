"""The session service: runs engine decisions against cached state and the durable event log."""

from __future__ import annotations

import dataclasses
import gc
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from practicum import engine
from practicum.engine.settings import check_settings
from practicum.scenario.model import Scenario
from practicum.server.store import (
    DuplicateAction,
    DuplicateJoinCode,
    EventStore,
    SeqConflict,
    SessionRow,
)

# No 0/O, 1/I/L: a code read off a projector must not be misread. 31^6 is about 888 million
# codes; failed guesses are limited per address and globally (docs/security.md).
JOIN_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
JOIN_CODE_LENGTH = 6
# How many handled action ids each live session remembers in memory; older ones are answered
# from the actions table. Only a reconnecting client resends, and only what it had in flight:
# 256 covers a full session's retries, where 2,048 held up to 10 KB per learner of acks nobody
# would ask for again (bench/README.md).
RECENT_ACTIONS = 256
MAX_RETRIES = 8
# Events folded between two pauses of the background rebuild (about 5 ms of CPU).
REBUILD_SLICE = 500
# A session's summary row is written when phase or membership changes, and otherwise at most
# this often, so `updated_at` says roughly when it was last used without a write per action.
SUMMARY_EVERY_SECONDS = 60.0
DEFAULT_IDLE_SECONDS = 30 * 60.0
SUMMARY_COLUMNS = ("phase", "teams", "learners", "deadline")


def _running_deadline(state: Any) -> float | None:
    """Return the deadline the round clock runs to, or None when no clock must fire.

    One rule for both ends: idle eviction keeps such a session in memory, and start-up
    rebuilds the sessions whose summary row carries one.
    """
    return state.deadline if state.phase == "round" else None


def _summary(state: Any) -> tuple[Any, ...]:
    """Return the summary columns' values for a state (see SUMMARY_COLUMNS)."""
    return (state.phase, len(state.teams), len(state.learners), _running_deadline(state))


class UnknownSession(Exception):
    """No session has this id."""


class UnknownScenario(Exception):
    """No scenario in the catalogue has this id."""


class NotOwner(Exception):
    """Another process owns this session (cluster mode): the client must reconnect."""


@dataclass
class LiveSession:
    """A session's state as this process last saw it, and the seq it reflects."""

    scenario: Scenario
    state: Any
    seq: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    recent: OrderedDict[str, dict[str, Any]] = field(default_factory=OrderedDict)
    used: float = 0.0  # when this process last served the session (the service's clock)
    summary: tuple[Any, ...] | None = None  # the summary columns as last written
    summary_at: float = 0.0

    def remember(self, action_id: str, ack: dict[str, Any]) -> None:
        """Keep an action's ack for fast duplicate answers."""
        self.recent[action_id] = ack
        if len(self.recent) > RECENT_ACTIONS:
            self.recent.popitem(last=False)


@dataclass(frozen=True)
class Applied:
    """What applying one command did: the ack, the state after it, and ALL its events.

    ``events`` holds every event this call appended or caught up with, the clock's included
    (a command that arrives after a deadline first closes the round), so publishing them is
    enough to tell every client what changed (``Broadcaster.publish``).
    """

    ack: dict[str, Any]
    events: list[Any]
    duplicate: bool = False
    state: Any = None


def new_join_code() -> str:
    """Return a random join code."""
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalise_join_code(raw: str) -> str:
    """Return a typed join code in canonical form (case, spaces and dashes ignored)."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def _to_events(facts: list[tuple[int, str, str | None, dict[str, Any]]]) -> list[Any]:
    # Event is a frozen dataclass: its __init__ sets each field through object.__setattr__,
    # which was half the cost of turning 100,000 rows into events at start-up. Filling the
    # instance dict directly builds the same object (as state.updated does for copies).
    new, event_class = object.__new__, engine.Event
    events = []
    append = events.append
    for _, type_, team, data in facts:
        event = new(event_class)
        event.__dict__.update(type=type_, data=data, team=team)
        append(event)
    return events


def stamped(events: list[Any], account: str) -> list[Any]:
    """Return the events with the acting account's name as `by_account` (the log names it)."""
    # Timer events (tick) are never stamped: nobody acted. The engine ignores the extra key.
    return [dataclasses.replace(e, data={**e.data, "by_account": account}) for e in events]


def _rows(events: list[Any]) -> list[tuple[str, str | None, dict[str, Any]]]:
    return [(e.type, e.team, e.data) for e in events]


class Practicum:
    """Sessions of practicums: create, look up, apply commands, run timers."""

    def __init__(
        self,
        store: EventStore,
        catalog: dict[str, Scenario],
        clock: Callable[[], float],
    ) -> None:
        self.store = store
        self.catalog = catalog
        self.clock = clock
        self.idle_seconds = DEFAULT_IDLE_SECONDS
        self._live: dict[str, LiveSession] = {}
        self._live_lock = threading.Lock()
        # True once every session live at start-up is in memory (see rebuild).
        self.warm = False
        # Session leases (practicum/server/ownership.py) when several processes share the
        # database; None in a single process, which owns every session.
        self.leases: Any = None
        # Called with a session id whose ownership this process gained or gave up, so caches
        # kept beside the service (the broadcaster's versions) start afresh.
        self.on_owner_change: Callable[[str], None] = lambda _session_id: None
        # The xAPI outbox (practicum/xapi/outbox.py) when an LRS is configured: its rows are
        # appended in the same transaction as the events they describe.
        self.outbox: Any = None

    # --- ownership --------------------------------------------------------------------------

    def owns(self, session_id: str, ask: bool = True) -> bool:
        """Say whether this process may fold the session, claiming its lease if free.

        With `ask`, a session another process holds is asked for (the proxy routes its clients
        here now); the timers pass False: they take over only what nobody holds.
        """
        if self.leases is None:
            return True
        now = self.clock()
        if self.leases.holds(session_id, now):
            return True
        taken = self.leases.acquire(session_id, now, ask=ask)
        if taken is None:
            # Another process owns it: a copy kept from an earlier lease must not linger.
            self._forget(session_id)
            return False
        if taken:
            # Newly ours: whatever copy this process kept from an earlier lease is stale.
            self._forget(session_id)
        return True

    def require_owner(self, session_id: str) -> None:
        """Raise NotOwner unless this process owns the session (always true in one process)."""
        if not self.owns(session_id):
            raise NotOwner(session_id)

    def renew_leases(self) -> list[str]:
        """Renew this process's leases; return the sessions it no longer owns."""
        if self.leases is None:
            return []
        renewal = self.leases.renew(self.clock())
        self.leases.release(renewal.wanted)
        gone = renewal.lost + renewal.wanted
        for session_id in gone:
            self._forget(session_id)
        return gone

    def _forget(self, session_id: str) -> None:
        with self._live_lock:
            self._live.pop(session_id, None)
        self.on_owner_change(session_id)

    # --- sessions ---------------------------------------------------------------------------

    def create_session(
        self,
        scenario_id: str,
        owner: tuple[int, str] | None = None,
        settings: dict[str, Any] | None = None,
    ) -> tuple[str, str]:
        """Create a session from a catalogue scenario; return (session id, join code).

        `owner` is the creating account's (id, name): recorded as the session's owner and named
        in the first events as `by_account`. ``settings`` (see engine.settings.check_settings)
        become the session's second event; raise engine.settings.SettingsError for ones the
        scenario cannot be played with.
        """
        scenario = self.catalog.get(scenario_id)
        if scenario is None:
            raise UnknownScenario(scenario_id)
        chosen = check_settings(scenario, settings or {})
        now = self.clock()
        for _ in range(MAX_RETRIES):
            session_id = "s_" + secrets.token_urlsafe(8).replace("-", "x").replace("_", "y")
            code = new_join_code()
            events = engine.new_session(scenario, session_id, code, now, chosen)
            if owner is not None:
                events = stamped(events, owner[1])
            row = SessionRow(session_id, scenario_id, code, now, "live")
            try:
                seq = self.store.create_session(
                    row, _rows(events), owner_id=None if owner is None else owner[0]
                )
            except DuplicateJoinCode:
                continue
            state = engine.replay(scenario, events)
            live = LiveSession(scenario, state, seq, used=now, summary=("lobby", 0, 0, None))
            live.summary_at = now
            with self._live_lock:
                self._live[session_id] = live
            return session_id, code
        raise RuntimeError("could not allocate a unique join code")

    def session_by_code(self, code: str) -> str | None:
        """Return the live session id for a join code, or None."""
        row = self.store.session_by_code(normalise_join_code(code))
        return None if row is None else row.id

    def list_sessions(self, only: set[str] | None = None) -> list[dict[str, Any]]:
        """Return a summary of every session (or of those in `only`), newest first."""
        summaries = []
        for row in self.store.sessions():
            if only is not None and row.id not in only:
                continue
            scenario = self.catalog.get(row.scenario_id)
            summary: dict[str, Any] = {
                "id": row.id,
                "scenarioId": row.scenario_id,
                "title": scenario.title if scenario else row.scenario_id,
                "joinCode": row.join_code,
                "createdAt": row.created_at,
                "status": row.status,
            }
            if scenario is not None:
                # The summary columns, kept on every change: nothing is loaded or replayed.
                summary["phase"] = row.phase
                summary["teams"] = row.teams
                summary["learners"] = row.learners
                summary["updatedAt"] = row.updated_at
            summaries.append(summary)
        return summaries

    def scenario_of(self, session_id: str) -> Scenario:
        """Return a session's scenario from its row, loading nothing."""
        row = self.store.session(session_id)
        if row is None or row.scenario_id not in self.catalog:
            raise UnknownSession(session_id)
        return self.catalog[row.scenario_id]

    def live(self, session_id: str) -> LiveSession:
        """Return the cached session, loading it from the log on first use."""
        live = self._load(session_id)
        live.used = self.clock()
        return live

    def evict_idle(self, idle_seconds: float, busy: Callable[[str], bool]) -> list[str]:
        """Let sessions nobody used for `idle_seconds` leave memory; return their ids.

        Kept: a session someone is connected to (`busy`), and one whose round clock runs (its
        deadline must fire even with nobody there). An evicted session comes back from the
        log on its next use, exactly as it was.
        """
        now = self.clock()
        gone = []
        with self._live_lock:
            candidates = list(self._live.items())
        for session_id, live in candidates:
            running = _running_deadline(live.state) is not None
            if now - live.used < idle_seconds or running or busy(session_id):
                continue
            with self._live_lock:
                if self._live.get(session_id) is live:
                    del self._live[session_id]
                    gone.append(session_id)
        if self.leases is not None:
            self.leases.release(gone)
        return gone

    def _load(self, session_id: str, pause: Callable[[], Any] | None = None) -> LiveSession:
        """Return the cached session or load it, calling `pause` every few hundred events."""
        with self._live_lock:
            live = self._live.get(session_id)
        if live is not None:
            return live
        row = self.store.session(session_id)
        if row is None or row.scenario_id not in self.catalog:
            raise UnknownSession(session_id)
        scenario = self.catalog[row.scenario_id]
        facts = self.store.load_facts(session_id)
        events = _to_events(facts)
        if pause is None:
            state = engine.replay(scenario, events)
        else:
            # The background rebuild folds in slices of a few milliseconds, so a request that
            # arrives meanwhile waits for one slice, not for a whole session.
            state = engine.EMPTY_STATE
            for start in range(0, len(events), REBUILD_SLICE):
                state = engine.fold(scenario, state, events[start : start + REBUILD_SLICE])
                pause()
        loaded = LiveSession(scenario, state, facts[-1][0] if facts else 0)
        with self._live_lock:
            # Another greenlet may have loaded it meanwhile (on first use, while this one was
            # paused): keep the first one, which may have moved on since.
            return self._live.setdefault(session_id, loaded)

    def rebuild(self, pause: Callable[[], Any] | None = None, freeze: bool = False) -> int:
        """Load every live session from the log (at start-up); return how many are live.

        A serving process listens first and rebuilds in the background: `pause` is called
        between two sessions so requests are answered meanwhile, and a session asked for
        before its turn is loaded on first use (`live`) and kept as it is. With `freeze`, for
        the one app of a serving process: collect once at the end and freeze everything alive
        (modules, app, the rebuilt sessions) out of the cyclic collector's later scans.
        """
        now = self.clock()
        # Ended sessions never come back at start-up, nor live ones idle for a while whose
        # clock is not running: they load on first use. Start-up does not grow with history.
        rows = [
            row
            for row in self.store.sessions(status="live")
            if row.deadline is not None
            or row.updated_at is None
            or row.updated_at >= now - self.idle_seconds
        ]
        # Replaying allocates a dict or two per event and frees almost nothing, so the cyclic
        # garbage collector would rescan the growing heap again and again for no gain: with
        # 100,000 events that was 40% of the rebuild. It is off until the loop ends.
        collecting = gc.isenabled()
        gc.disable()
        try:
            for row in rows:
                # In a cluster each process rebuilds only the sessions whose lease it wins; the
                # others load where the proxy sends their clients (and leases move there).
                if row.scenario_id in self.catalog and self.owns(row.id, ask=False):
                    self._load(row.id, pause)
            if freeze:
                # One full collection (0.2 s at 100,000 events) so that nothing frozen is
                # garbage; after it, no later collection walks the rebuilt sessions again.
                gc.collect()
                gc.freeze()
        finally:
            if collecting:
                gc.enable()
        self.warm = True
        return len(rows)

    def snapshot(self, session_id: str) -> tuple[Scenario, Any]:
        """Return the scenario and the state, caught up with the log."""
        live = self.live(session_id)
        with live.lock:
            self._catch_up(session_id, live)
            return live.scenario, live.state

    def cached(self, session_id: str) -> tuple[Scenario, Any]:
        """Return the scenario and the cached state without touching the database."""
        live = self.live(session_id)
        return live.scenario, live.state

    def stored_events(self, session_id: str) -> list[dict[str, Any]]:
        """Return the full event log of a session as JSON-able rows."""
        self.live(session_id)
        return [e.to_dict() for e in self.store.load(session_id)]

    def rewrite_log(
        self,
        session_id: str,
        rewrite: Callable[[str, dict[str, Any]], dict[str, Any]],
        erased: dict[str, Any],
    ) -> int:
        """Rewrite a session's stored events (erasure), record it, and rebuild the session."""
        live = self.live(session_id)
        with live.lock:
            self._catch_up(session_id, live)
            changed = self.store.rewrite_events(session_id, rewrite)
            now = self.clock()
            event = engine.Event("data_erased", {**erased, "events": changed, "at": now})
            self.store.append(session_id, live.seq, _rows([event]), now, None, None)
            with self._live_lock:
                # Rebuilt from the rewritten log on next use: no copy of the old words stays.
                self._live.pop(session_id, None)
        return changed

    def text_sync(
        self, session_id: str, team_id: str, wanted: dict[str, str]
    ) -> dict[str, Any]:
        """Answer a sync of a team's shared texts (under the session lock: docs are memos)."""
        live = self.live(session_id)
        with live.lock:
            return engine.text_sync(live.scenario, live.state, team_id, wanted)

    def live_session_ids(self) -> list[str]:
        """Return the ids of sessions cached in this process."""
        with self._live_lock:
            return list(self._live)

    # --- commands ---------------------------------------------------------------------------

    def _catch_up(self, session_id: str, live: LiveSession) -> list[Any]:
        """Fold events other processes appended since this process last looked."""
        newer = _to_events(self.store.load_facts(session_id, after_seq=live.seq))
        if newer:
            state = live.state
            for event in newer:
                state = engine.evolve(live.scenario, state, event)
            live.state = state
            live.seq += len(newer)
        return newer

    def apply(
        self,
        session_id: str,
        command: Any,
        action_id: str | None,
        extra: dict[str, Any] | None = None,
        by_account: str | None = None,
    ) -> Applied:
        """Decide a command, persist its events before acking, and fold them into the cache.

        `extra` is merged into an accepted ack before it is stored, so a retried action is
        answered exactly as the first time (e.g. with the ids the server generated for it).
        `by_account` (a facilitator account's name) is written into the command's events.
        Raises NotOwner when another process owns the session.
        """
        self.require_owner(session_id)
        live = self.live(session_id)
        with live.lock:
            if action_id is not None and action_id in live.recent:
                return Applied(live.recent[action_id], [], duplicate=True, state=live.state)
            # Optimistic: decide on the cached state without reading the log first. A writer in
            # another process is caught by the (session, seq) constraint when appending, and a
            # rejection is checked against the log once, since a stale state may reject what
            # the newest one allows. An accepted action therefore costs one write and no read.
            fresh = False
            caught_up: list[Any] = []
            for _ in range(MAX_RETRIES):
                now = self.clock()
                state = live.state
                timer_events = engine.tick(live.scenario, state, now)
                for event in timer_events:
                    state = engine.evolve(live.scenario, state, event)
                decision = engine.decide(live.scenario, state, command, now)
                if isinstance(decision, engine.Rejected) and not fresh:
                    fresh = True
                    newer = self._catch_up(session_id, live)
                    if newer:
                        caught_up += newer
                        continue  # the log had news: decide again on the newest state
                if isinstance(decision, engine.Rejected) and action_id is not None:
                    # A retry of an action this or another process already accepted may now be
                    # refused on its merits (e.g. "already joined"): answer the first ack.
                    # Accepted retries are caught by the actions table's key instead.
                    previous = self.store.action_result(session_id, action_id)
                    if previous is not None:
                        live.remember(action_id, previous)
                        return Applied(previous, caught_up, duplicate=True, state=live.state)
                if isinstance(decision, engine.Rejected):
                    if timer_events:
                        if not self._persist(session_id, live, timer_events, now, None, None):
                            caught_up += self._catch_up(session_id, live)
                            continue
                        return Applied(_rejection(decision), timer_events, state=live.state)
                    return Applied(_rejection(decision), [], state=live.state)
                decided = list(decision.events)
                if by_account is not None:
                    decided = stamped(decided, by_account)
                events = timer_events + decided
                ack = {"ok": True, **decision.result, **(extra or {})}
                # decide folded its events on `state` (live.state and the timer events) to
                # look for automatic injects: that is the state to keep, unless stamping
                # changed the events.
                after = decision.state if by_account is None else None
                try:
                    if not self._persist(session_id, live, events, now, action_id, ack, after):
                        fresh = True
                        caught_up += self._catch_up(session_id, live)
                        continue
                except DuplicateAction as duplicate:
                    live.remember(action_id or "", duplicate.result)
                    newer = self._catch_up(session_id, live)
                    return Applied(duplicate.result, newer, True, state=live.state)
                if action_id is not None:
                    live.remember(action_id, ack)
                return Applied(ack, events, state=live.state)
            raise RuntimeError(f"session {session_id}: too much write contention")

    def _persist(
        self,
        session_id: str,
        live: LiveSession,
        events: list[Any],
        now: float,
        action_id: str | None,
        ack: dict[str, Any] | None,
        after: Any = None,
    ) -> bool:
        """Append events and fold them; False when another writer won the seq race.

        ``after``, when given, is live.state with ``events`` already folded in.
        """
        status = "closed" if any(e.type == "session_closed" for e in events) else None
        state = live.state
        steps = []  # (state before, event): what the xAPI mapping reads
        if after is not None and self.outbox is None:
            state = after
        else:
            for event in events:
                if self.outbox is not None:
                    steps.append((state, event))
                state = engine.evolve(live.scenario, state, event)
        summary = _summary(state)
        columns = None
        if summary != live.summary or now - live.summary_at >= SUMMARY_EVERY_SECONDS:
            columns = dict(zip(SUMMARY_COLUMNS, summary, strict=True))
            columns["updated_at"] = now
        statements = None
        if steps:
            statements = self.outbox.rows_for(
                session_id, live.scenario, steps, live.seq, now, ack
            )
        try:
            seq = self.store.append(
                session_id,
                live.seq,
                _rows(events),
                now,
                action_id,
                ack,
                status=status,
                summary=columns,
                outbox=statements,
            )
        except SeqConflict:
            return False
        live.state = state
        live.seq = seq
        if columns is not None:
            live.summary, live.summary_at = summary, now
        return True

    def tick(self, session_id: str) -> list[Any]:
        """Apply the clock to one session; return the events it produced (owner only)."""
        if not self.owns(session_id, ask=False):
            return []
        live = self.live(session_id)
        with live.lock:
            for _ in range(MAX_RETRIES):
                now = self.clock()
                caught_up = self._catch_up(session_id, live)
                events = engine.tick(live.scenario, live.state, now)
                if not events:
                    return caught_up
                if self._persist(session_id, live, events, now, None, None):
                    return caught_up + events
        return []



def _rejection(decision: Any) -> dict[str, Any]:
    return {"ok": False, "code": decision.code, "message": decision.message}
