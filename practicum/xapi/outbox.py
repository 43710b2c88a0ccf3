"""The xAPI outbox: statements written with their events, claimed and cleared by the sender.

Rows are written by the session service in the same transaction as the events they describe
(``rows_for`` builds them), so an acknowledged act always has its statements. Senders in any
number of processes claim batches with one conditional UPDATE (a claim expires, so a sender
that dies mid-send leaves its rows to another), and delete rows once the LRS has them.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update

from practicum.server.store import EventStore, actions_table, events_table, xapi_outbox_table
from practicum.xapi.statements import (
    MAPPED_EVENTS,
    EventContext,
    Site,
    lms_identity,
    redacted,
    statements_for,
)

log = logging.getLogger(__name__)
outbox = xapi_outbox_table
_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_MAPPED = frozenset(MAPPED_EVENTS)
# Sessions whose learners' LMS identities are kept in memory (a session not among them is read
# again from its learner_joined events on next use).
IDENTITY_SESSIONS = 1000


@dataclass(frozen=True)
class Claimed:
    """One outbox row a sender holds."""

    id: str
    session_id: str
    learner_id: str | None
    statement: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class Pending:
    """How the outbox stands: rows waiting, the oldest's age, the last error stored."""

    count: int
    oldest_at: float | None
    last_error: str | None
    most_attempts: int


def read_identities(store: EventStore, session_id: str) -> dict[str, dict[str, str] | None]:
    """Return every learner of a session with the LMS identity they joined with (or None).

    An identity is read from the learner_joined event's `lms`, or from the stored answer to
    the join (the actions table), where an LTI launch keeps it (docs/lti.md).
    """
    joins = select(events_table.c.data).where(
        events_table.c.session_id == session_id, events_table.c.type == "learner_joined"
    )
    answers = select(actions_table.c.result).where(
        actions_table.c.session_id == session_id, actions_table.c.result.contains('"lms"')
    )
    with store.engine.connect() as conn:
        datas = [json.loads(raw) for raw in conn.execute(joins).scalars()]
        results = [json.loads(raw) for raw in conn.execute(answers).scalars()]
    found = {d.get("learner_id"): lms_identity(d.get("lms")) for d in datas}
    for result in results:
        learner_id = result.get("learnerId")
        if learner_id in found and found[learner_id] is None:
            found[learner_id] = lms_identity(result.get("lms"))
    return found


def forget_join_identities(store: EventStore, session_id: str, learner_id: str | None) -> int:
    """Remove the LMS identity from stored join answers of a learner (None: all); return how many.

    Part of erasing a learner (practicum/server/privacy.py): the identity an LTI launch kept on
    the join's answer must not outlive the erasure, nor make later statements name them.
    """
    query = select(actions_table.c.action_id, actions_table.c.result).where(
        actions_table.c.session_id == session_id, actions_table.c.result.contains('"lms"')
    )
    changed = 0
    with store.engine.begin() as conn:
        for action_id, raw in conn.execute(query).all():
            result = json.loads(raw)
            if "lms" not in result or learner_id not in (None, result.get("learnerId")):
                continue
            kept = {k: v for k, v in result.items() if k != "lms"}
            conn.execute(
                update(actions_table)
                .where(
                    actions_table.c.session_id == session_id,
                    actions_table.c.action_id == action_id,
                )
                .values(result=_dumps(kept))
            )
            changed += 1
    return changed


class Outbox:
    """Builds outbox rows for the service and hands batches to the sender."""

    def __init__(self, store: EventStore, site: Site) -> None:
        self.store = store
        self.site = site
        # session id -> learner id -> LMS identity (None: joined without one)
        self._identities: OrderedDict[str, dict[str, dict[str, str] | None]] = OrderedDict()
        self._lock = threading.Lock()

    # --- the write side (inside the service's append) -------------------------------------

    def rows_for(
        self,
        session_id: str,
        scenario: Any,
        steps: Iterable[tuple[Any, Any]],
        after_seq: int,
        now: float,
        ack: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """Return the outbox rows of the events (each with the state just before it).

        `ack` is the command's answer: an LTI launch's join carries the learner's LMS identity
        there (`learnerId`, `lms`), not in the engine's event.
        """
        rows: list[dict[str, Any]] = []
        try:
            identities: dict[str, dict[str, str] | None] | None = None
            for offset, (state, event) in enumerate(steps, start=1):
                if event.type not in _MAPPED:
                    continue
                if identities is None:
                    identities = self._identities_of(session_id, state.learners)
                    launched = lms_identity((ack or {}).get("lms"))
                    if launched is not None and (ack or {}).get("learnerId"):
                        identities[str(ack["learnerId"])] = launched
                ctx = EventContext(
                    self.site, session_id, scenario, state, after_seq + offset, now, identities
                )
                for statement in statements_for(event, ctx):
                    rows.append(
                        {
                            "id": statement.id,
                            "session_id": session_id,
                            "learner_id": statement.learner_id,
                            "statement": _dumps(statement.body),
                            "created_at": now,
                            "attempts": 0,
                            "next_try_at": now,
                            "claimed_by": None,
                            "claimed_until": None,
                            "last_error": None,
                        }
                    )
                if event.type == "learner_joined":
                    learner_id = event.data.get("learner_id")
                    own = lms_identity(event.data.get("lms"))
                    identities[learner_id] = own or identities.get(learner_id)
        except Exception:  # noqa: BLE001 - a mapping bug must never refuse a learner's act
            log.exception("xAPI statements for session %s could not be built", session_id)
            return []
        return rows

    def _identities_of(
        self, session_id: str, learners: Mapping[str, Any]
    ) -> dict[str, dict[str, str] | None]:
        """Return the session's learner -> LMS identity map, reading the log when it lacks one."""
        with self._lock:
            known = self._identities.get(session_id)
            if known is not None and all(learner in known for learner in learners):
                self._identities.move_to_end(session_id)
                return known
        # Another process may have let learners in since (a cluster moves sessions): read all.
        fresh = read_identities(self.store, session_id)
        with self._lock:
            self._identities[session_id] = fresh
            while len(self._identities) > IDENTITY_SESSIONS:
                self._identities.popitem(last=False)
        return fresh

    def forget(self, session_id: str) -> None:
        """Drop what is kept in memory about a session's learners (after an erasure)."""
        with self._lock:
            self._identities.pop(session_id, None)

    def erased(self, session_id: str, learner_id: str | None) -> int:
        """Make unsent statements of an erased learner (None: all) pseudonymous; return how many."""
        self.forget(session_id)
        query = select(outbox.c.id, outbox.c.learner_id, outbox.c.statement).where(
            outbox.c.session_id == session_id, outbox.c.learner_id.is_not(None)
        )
        if learner_id is not None:
            query = query.where(outbox.c.learner_id == learner_id)
        changed = 0
        with self.store.engine.begin() as conn:
            for row_id, row_learner, raw in conn.execute(query).all():
                body = json.loads(raw)
                new = redacted(body, self.site, row_learner)
                if new != body:
                    conn.execute(
                        update(outbox).where(outbox.c.id == row_id).values(statement=_dumps(new))
                    )
                    changed += 1
        return changed

    # --- the send side ----------------------------------------------------------------------

    def claim(self, token: str, now: float, limit: int, hold: float) -> list[Claimed]:
        """Claim up to `limit` due rows for `token` until now + hold; return them, oldest first.

        One UPDATE with the choice as its subquery: SQLite takes its write lock before reading
        (no read-then-write upgrade to fail), and on PostgreSQL a row another sender claimed
        meanwhile fails the re-checked condition, so no row is ever held by two senders.
        """
        free = or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until < now)
        due = and_(outbox.c.next_try_at <= now, free)
        chosen = (
            select(outbox.c.id)
            .where(due)
            .order_by(outbox.c.next_try_at, outbox.c.created_at)
            .limit(limit)
            .scalar_subquery()
        )
        with self.store.engine.begin() as conn:
            claimed = conn.execute(
                update(outbox)
                .where(outbox.c.id.in_(chosen), due)
                .values(claimed_by=token, claimed_until=now + hold)
            ).rowcount
        if not claimed:
            return []
        query = (
            select(
                outbox.c.id,
                outbox.c.session_id,
                outbox.c.learner_id,
                outbox.c.statement,
                outbox.c.attempts,
            )
            .where(outbox.c.claimed_by == token)
            .order_by(outbox.c.created_at, outbox.c.id)
        )
        with self.store.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            Claimed(row_id, session, learner, json.loads(raw), attempts)
            for row_id, session, learner, raw, attempts in rows
        ]

    def erased_learners(self, session_ids: Iterable[str]) -> dict[str, set[str] | None]:
        """Return, per session, the learners erased from it (None: the whole session purged)."""
        ids = sorted(set(session_ids))
        if not ids:
            return {}
        query = select(events_table.c.session_id, events_table.c.data).where(
            events_table.c.session_id.in_(ids), events_table.c.type == "data_erased"
        )
        erased: dict[str, set[str] | None] = {}
        with self.store.engine.connect() as conn:
            for session_id, raw in conn.execute(query).all():
                data = json.loads(raw)
                if data.get("scope") == "session" or data.get("learner") is None:
                    erased[session_id] = None
                elif erased.get(session_id, set()) is not None:
                    erased.setdefault(session_id, set()).add(str(data["learner"]))
        return erased

    def outgoing(self, batch: list[Claimed]) -> list[dict[str, Any]]:
        """Return the statements of a claimed batch as they may leave: erased learners pseudonymous.

        Checked at send time as well as at erasure (``erased``): a row written by another
        process that had not yet heard of the erasure must not go out with the name either.
        """
        erased = self.erased_learners(c.session_id for c in batch if c.learner_id)
        out = []
        for claimed in batch:
            body = claimed.statement
            if claimed.learner_id is not None and claimed.session_id in erased:
                who = erased[claimed.session_id]
                if who is None or claimed.learner_id in who:
                    body = redacted(body, self.site, claimed.learner_id)
            out.append(body)
        return out

    def sent(self, token: str, ids: list[str]) -> int:
        """Delete rows the LRS has (only while this token holds them); return how many."""
        if not ids:
            return 0
        with self.store.engine.begin() as conn:
            return conn.execute(
                delete(outbox).where(outbox.c.id.in_(ids), outbox.c.claimed_by == token)
            ).rowcount

    def failed(self, token: str, ids: list[str], retry_at: float, error: str) -> None:
        """Release rows the LRS did not take, to be tried again from `retry_at`."""
        if not ids:
            return
        with self.store.engine.begin() as conn:
            conn.execute(
                update(outbox)
                .where(outbox.c.id.in_(ids), outbox.c.claimed_by == token)
                .values(
                    attempts=outbox.c.attempts + 1,
                    next_try_at=retry_at,
                    last_error=error[:500],
                    claimed_by=None,
                    claimed_until=None,
                )
            )

    def pending(self) -> Pending:
        """Return how many statements wait, since when, and the last error any of them met."""
        with self.store.engine.connect() as conn:
            count, oldest, most = conn.execute(
                select(func.count(), func.min(outbox.c.created_at), func.max(outbox.c.attempts))
            ).one()
            error = conn.execute(
                select(outbox.c.last_error)
                .where(outbox.c.last_error.is_not(None))
                .order_by(outbox.c.next_try_at.desc())
                .limit(1)
            ).scalar()
        return Pending(int(count or 0), oldest, error, int(most or 0))
