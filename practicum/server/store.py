"""The durable event log: SQLAlchemy Core tables for sessions, events, actions and accounts."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    create_engine,
    event,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from practicum.server import fastjson

metadata = MetaData()

sessions_table = Table(
    "sessions",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("scenario_id", String(80), nullable=False),
    Column("join_code", String(16), nullable=False, unique=True),
    Column("created_at", Float, nullable=False),
    Column("status", String(16), nullable=False, default="live"),
    # A summary kept with every change of phase or membership, so the session list and the
    # start-up rebuild read it here instead of replaying sessions (issue 12).
    Column("phase", String(16), nullable=False, default="lobby", server_default="lobby"),
    Column("teams", Integer, nullable=False, default=0, server_default="0"),
    Column("learners", Integer, nullable=False, default=0, server_default="0"),
    Column("updated_at", Float, nullable=True),
    # The running round's deadline (null when no clock runs): start-up rebuilds a session
    # whose deadline must still fire, and leaves the paused and the idle ones in the log.
    Column("deadline", Float, nullable=True),
)
# Columns added after the first release, with the DDL that adds each to an older database.
ADDED_SESSION_COLUMNS = {
    "phase": "VARCHAR(16) NOT NULL DEFAULT 'lobby'",
    "teams": "INTEGER NOT NULL DEFAULT 0",
    "learners": "INTEGER NOT NULL DEFAULT 0",
    "updated_at": "FLOAT",
    "deadline": "FLOAT",
}

events_table = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(40), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("type", String(60), nullable=False),
    Column("team", String(40), nullable=True),
    Column("data", Text, nullable=False),
    Column("at", Float, nullable=False),
    Column("action_id", String(64), nullable=True),
    # Two writers that decided on the same state both try the same seq: only one can win.
    UniqueConstraint("session_id", "seq", name="uq_events_session_seq"),
)

actions_table = Table(
    "actions",
    metadata,
    Column("session_id", String(40), primary_key=True),
    Column("action_id", String(64), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("result", Text, nullable=False),
)

# Facilitator accounts (practicum/server/accounts.py holds the logic; docs/accounts.md the roles).
# sqlite_autoincrement: a removed account's id is never reused, so a new account with the same
# name cannot inherit the old one's shares or logins.
accounts_table = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    # "scrypt$<log2 n>$<r>$<p>$<salt b64>$<hash b64>": the salt and cost travel with each hash.
    Column("password_hash", String(200), nullable=False),
    Column("created_at", Float, nullable=False),
    sqlite_autoincrement=True,
)

# One row per sign-in (browser or API): a token names its login, so it can expire and be revoked.
logins_table = Table(
    "logins",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("account_id", Integer, nullable=False, index=True),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("revoked_at", Float, nullable=True),
)

# Who may see a session: its owner (role "owner") and the accounts it is shared with. A separate
# table rather than a sessions column, so databases made before accounts need no migration.
session_access_table = Table(
    "session_access",
    metadata,
    Column("session_id", String(40), primary_key=True),
    Column("account_id", Integer, primary_key=True, index=True),
    Column("role", String(16), nullable=False),
)

# One owner per session when several processes serve one database (practicum/server/
# ownership.py): the process holding an unexpired lease is the only one that folds, ticks and
# publishes the session; `wanted_by` names a process the proxy now routes the session to, which
# asks the owner to hand it over.
session_owners_table = Table(
    "session_owners",
    metadata,
    Column("session_id", String(40), primary_key=True),
    Column("owner", String(40), nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("wanted_by", String(40), nullable=True),
)

# xAPI statements waiting for the learning record store (practicum/xapi/outbox.py): written in
# the same transaction as the events they describe, deleted once the LRS has them. `id` is the
# statement's own UUID, so a resend after a crash is the same statement (LRSs dedupe by id).
xapi_outbox_table = Table(
    "xapi_outbox",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("session_id", String(40), nullable=False, index=True),
    Column("learner_id", String(64), nullable=True),
    Column("statement", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("attempts", Integer, nullable=False, default=0, server_default="0"),
    Column("next_try_at", Float, nullable=False, index=True),
    Column("claimed_by", String(40), nullable=True),
    Column("claimed_until", Float, nullable=True),
    Column("last_error", Text, nullable=True),
)


# Built once: a statement built per call (`insert(table).values(...)`) is compiled and hashed
# for the statement cache on every append, which cost about a third of an append's CPU.
INSERT_EVENTS = insert(events_table)
INSERT_ACTION = insert(actions_table)
INSERT_OUTBOX = insert(xapi_outbox_table)
# The columns an append writes, in the order of the row tuples the SQLite fast path passes.
EVENT_COLUMNS = ("session_id", "seq", "type", "team", "data", "at", "action_id")
ACTION_COLUMNS = ("session_id", "action_id", "seq", "result")


@dataclass(frozen=True)
class StoredEvent:
    """One row of the event log."""

    seq: int
    type: str
    team: str | None
    data: dict[str, Any]
    at: float
    action_id: str | None

    def to_dict(self) -> dict[str, Any]:
        """Return the row as JSON-able data (for exports)."""
        return {
            "seq": self.seq,
            "type": self.type,
            "team": self.team,
            "data": self.data,
            "at": self.at,
            "actionId": self.action_id,
        }


@dataclass(frozen=True)
class SessionRow:
    """One row of the sessions table."""

    id: str
    scenario_id: str
    join_code: str
    created_at: float
    status: str
    phase: str = "lobby"
    teams: int = 0
    learners: int = 0
    updated_at: float | None = None
    deadline: float | None = None


class SeqConflict(Exception):
    """Another writer appended to the session first: catch up and decide again."""


class DuplicateAction(Exception):
    """The action id was already handled (perhaps by another process)."""

    def __init__(self, result: dict[str, Any]) -> None:
        super().__init__("duplicate action")
        self.result = result


class DuplicateJoinCode(Exception):
    """The join code is taken: pick another."""


_dumps = fastjson.dumps  # compact UTF-8 JSON text for the data and result columns

# With checkpoints in the background, a commit still checkpoints when the WAL passes this many
# pages (about 40 MB): only if the background checkpoints stopped or fell far behind.
FALLBACK_CHECKPOINT_PAGES = 10_000


class _Prepared:
    """A Core statement compiled once for one dialect, to run with `exec_driver_sql`.

    Executing a Core construct walks its cache key, looks the compiled form up and runs the
    bind processing on every call; for a statement that never changes, handing the driver the
    SQL that Core compiled once, with parameters in the driver's own style, does the same work
    for less. Only for plain str and int parameters, which no dialect processes before binding.
    """

    def __init__(self, statement: Any, dialect: Any, names: tuple[str, ...], **kw: Any) -> None:
        compiled = statement.compile(dialect=dialect, **kw)
        self.sql = str(compiled)
        self.names = names
        self.positional = bool(compiled.positional)
        order = tuple(compiled.positiontup or ()) if self.positional else tuple(compiled.binds)
        if sorted(order) != sorted(names):
            raise ValueError(f"{self.sql!r} binds {order}, not {names}")
        # None: the driver takes the values in `names` order as they are.
        self._index = None if order == names else tuple(names.index(name) for name in order)

    def params(self, values: tuple[Any, ...]) -> tuple[Any, ...] | dict[str, Any]:
        """Return one set of values, given in `names` order, in the driver's parameter style."""
        if not self.positional:
            return dict(zip(self.names, values, strict=True))
        if self._index is None:
            return values
        return tuple(values[i] for i in self._index)


# The events of one session after a seq: replaying and catching up read nothing else.
SELECT_FACTS = (
    select(events_table.c.seq, events_table.c.type, events_table.c.team, events_table.c.data)
    .where(
        events_table.c.session_id == bindparam("session_id"),
        events_table.c.seq > bindparam("after_seq"),
    )
    .order_by(events_table.c.seq)
)


def _set_status(session_id: str, status: str) -> Any:
    return update(sessions_table).where(sessions_table.c.id == session_id).values(status=status)


SESSION_COLUMNS = frozenset(sessions_table.c.keys())


def _session_columns(summary: dict[str, Any] | None, status: str | None) -> dict[str, Any]:
    """Return the sessions-table columns an append also writes: its summary and new status."""
    return {**(summary or {}), **({"status": status} if status else {})}


def _write_session_and_outbox(
    conn: Connection,
    session_id: str,
    summary: dict[str, Any] | None,
    status: str | None,
    outbox: list[dict[str, Any]] | None,
) -> None:
    """Write what an append adds besides its rows: session columns and xAPI outbox rows."""
    values = _session_columns(summary, status)
    if values:
        conn.execute(_set_summary(session_id, values))
    if outbox:
        conn.execute(INSERT_OUTBOX, outbox)


def _set_summary(session_id: str, values: dict[str, Any]) -> Any:
    return update(sessions_table).where(sessions_table.c.id == session_id).values(**values)


class EventStore:
    """Append-only event storage, one sequence per session."""

    def __init__(
        self, url: str, sqlite_synchronous: str = "NORMAL", checkpoint_in_background: bool = False
    ) -> None:
        self.url = url
        self.engine: Engine = self._make_engine(url, sqlite_synchronous, checkpoint_in_background)
        self._checkpointer: sqlite3.Connection | None = None
        metadata.create_all(self.engine)
        self._add_missing_columns()
        # SQLite has one writer at a time anyway, so appends share one held connection instead
        # of a pool checkout and return per action, and run INSERTs compiled once by Core for
        # the SQLite dialect through `exec_driver_sql` instead of executing the Core construct
        # (cache-key walk, compiled-cache lookup, bind processing on every call). Both cut an
        # append from about 210 to about 100 us of CPU (bench/store_append.py). Other databases
        # keep the pooled Core path, which also reconnects after a server restart.
        self._sqlite = self.engine.dialect.name == "sqlite"
        self._postgres = self.engine.dialect.name == "postgresql"
        # Appends on PostgreSQL are single statements, atomic without a transaction block:
        # their own pool of autocommit connections, so no checkout switches the mode.
        self._autocommit = (
            create_engine(url, isolation_level="AUTOCOMMIT", pool_size=10, max_overflow=20)
            if self._postgres
            else self.engine
        )
        self._writer: Connection | None = None
        self._writer_lock = threading.Lock()
        dialect = self.engine.dialect
        self._select_facts = _Prepared(SELECT_FACTS, dialect, ("session_id", "after_seq"))
        if self._sqlite:
            # column_keys: only the columns an append writes (not the autoincrement id).
            self._insert_events = _Prepared(
                INSERT_EVENTS, dialect, EVENT_COLUMNS, column_keys=EVENT_COLUMNS
            )
            self._insert_action = _Prepared(
                INSERT_ACTION, dialect, ACTION_COLUMNS, column_keys=ACTION_COLUMNS
            )

    @staticmethod
    def _make_engine(url: str, synchronous: str, checkpoint_in_background: bool) -> Engine:
        if not url.startswith("sqlite"):
            return create_engine(url, pool_pre_ping=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        if synchronous.upper() not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise ValueError(f"SQLITE_SYNCHRONOUS={synchronous!r}: use NORMAL or FULL")

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            # WAL: readers never block the writer; a commit is one sequential append.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={synchronous.upper()}")
            cursor.execute("PRAGMA foreign_keys=ON")
            if checkpoint_in_background:
                # The commit that fills the WAL to 1,000 pages runs the checkpoint, and its
                # fsyncs stop the event loop (green threads do not see a thread blocked in
                # C): the serving process checkpoints from an OS thread instead (`checkpoint`).
                # A commit checkpoints only if that falls far behind.
                cursor.execute(f"PRAGMA wal_autocheckpoint={FALLBACK_CHECKPOINT_PAGES}")
            cursor.close()

        return engine

    def checkpoint(self) -> tuple[int, int] | None:
        """Copy the SQLite WAL into the database file (PASSIVE: never waits for anyone).

        Return (pages in the WAL, pages checkpointed), None on other databases. Meant for an
        OS thread (`auth.off_loop`), once a second: it uses its own sqlite3 connection, not
        the pool, whose locks belong to the event loop.
        """
        if not self._sqlite or not self.engine.url.database:
            return None
        if self._checkpointer is None:
            self._checkpointer = sqlite3.connect(
                self.engine.url.database, timeout=30, check_same_thread=False
            )
        _busy, log, done = self._checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return log, done

    def _add_missing_columns(self) -> None:
        """Bring a database made by an older release up to date (new summary columns)."""
        present = {c["name"] for c in inspect(self.engine).get_columns("sessions")}
        missing = [name for name in ADDED_SESSION_COLUMNS if name not in present]
        if not missing:
            return
        with self.engine.begin() as conn:
            for name in missing:
                conn.exec_driver_sql(
                    f"ALTER TABLE sessions ADD COLUMN {name} {ADDED_SESSION_COLUMNS[name]}"
                )

    def dispose(self) -> None:
        """Close every pooled connection."""
        with self._writer_lock:
            if self._writer is not None:
                self._writer.close()
                self._writer = None
        self.engine.dispose()
        if self._checkpointer is not None:
            self._checkpointer.close()
            self._checkpointer = None
        if self._autocommit is not self.engine:
            self._autocommit.dispose()

    @contextmanager
    def _write_transaction(self) -> Iterator[Connection]:
        """Yield a connection in a transaction that commits on exit and rolls back on error."""
        if not self._sqlite:
            with self.engine.begin() as conn:
                yield conn
            return
        # The lock makes the held connection one writer's at a time (threads in development
        # mode; under eventlet an append never yields, so it is never contended).
        with self._writer_lock:
            writer = self._writer
            if writer is None or writer.closed or writer.invalidated:
                if writer is not None:
                    writer.close()
                writer = self._writer = self.engine.connect()
            with writer.begin():
                yield writer

    def create_session(
        self,
        row: SessionRow,
        events: Iterable[tuple[str, str | None, dict[str, Any]]],
        owner_id: int | None = None,
    ) -> int:
        """Insert a new session, its first events and its owner; return the last seq."""
        rows = self._event_rows(row.id, 0, events, row.created_at, None)
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(sessions_table).values(
                        id=row.id,
                        scenario_id=row.scenario_id,
                        join_code=row.join_code,
                        created_at=row.created_at,
                        status=row.status,
                        phase=row.phase,
                        teams=row.teams,
                        learners=row.learners,
                        updated_at=row.updated_at if row.updated_at is not None else row.created_at,
                    )
                )
                if rows:
                    conn.execute(INSERT_EVENTS, rows)
                if owner_id is not None:
                    # In the same transaction: a session never exists without its owner.
                    conn.execute(
                        insert(session_access_table).values(
                            session_id=row.id, account_id=owner_id, role="owner"
                        )
                    )
        except IntegrityError as exc:
            raise DuplicateJoinCode(row.join_code) from exc
        return len(rows)

    @staticmethod
    def _event_rows(
        session_id: str,
        after_seq: int,
        events: Iterable[tuple[str, str | None, dict[str, Any]]],
        at: float,
        action_id: str | None,
    ) -> list[dict[str, Any]]:
        return [
            {
                "session_id": session_id,
                "seq": after_seq + offset,
                "type": type_,
                "team": team,
                "data": _dumps(data),
                "at": at,
                "action_id": action_id,
            }
            for offset, (type_, team, data) in enumerate(events, start=1)
        ]

    def append(
        self,
        session_id: str,
        expected_seq: int,
        events: Iterable[tuple[str, str | None, dict[str, Any]]],
        at: float,
        action_id: str | None = None,
        result: dict[str, Any] | None = None,
        status: str | None = None,
        summary: dict[str, Any] | None = None,
        outbox: list[dict[str, Any]] | None = None,
    ) -> int:
        """Append events after expected_seq atomically with the action's result; return last seq.

        `status` and `summary` (session columns: phase, teams, learners, updated_at, deadline)
        and `outbox` (xapi_outbox rows: the statements these events make) are written in the
        same transaction.

        Raises SeqConflict when another writer got there first, DuplicateAction when the
        action id was already handled.
        """
        if self._postgres and not outbox:
            return self._append_postgres(
                session_id, expected_seq, events, at, action_id, result, status, summary
            )
        if not self._sqlite:
            return self._append_core(
                session_id, expected_seq, events, at, action_id, result, status, summary, outbox
            )
        at = float(at)  # what the Float column's bind processor does on the Core path
        rows = [
            (session_id, expected_seq + offset, type_, team, _dumps(data), at, action_id)
            for offset, (type_, team, data) in enumerate(events, start=1)
        ]
        last_seq = expected_seq + len(rows)
        try:
            with self._write_transaction() as conn:
                # The driver's own cursor for the two INSERTs compiled once: SQLAlchemy's
                # execution context around each (result set-up, events) was a third of the
                # statements' cost. The transaction stays SQLAlchemy's (begin/commit/rollback).
                cursor = conn.connection.dbapi_connection.cursor()
                if action_id is not None:
                    action = self._insert_action
                    values = (session_id, action_id, last_seq, _dumps(result or {}))
                    cursor.execute(action.sql, action.params(values))
                inserted = self._insert_events
                if len(rows) == 1:
                    cursor.execute(inserted.sql, inserted.params(rows[0]))
                elif rows:
                    cursor.executemany(inserted.sql, [inserted.params(row) for row in rows])
                cursor.close()
                _write_session_and_outbox(conn, session_id, summary, status, outbox)
        except (IntegrityError, sqlite3.IntegrityError) as exc:
            self._raise_conflict(session_id, action_id, exc)
        return last_seq

    def _append_core(
        self,
        session_id: str,
        expected_seq: int,
        events: Iterable[tuple[str, str | None, dict[str, Any]]],
        at: float,
        action_id: str | None,
        result: dict[str, Any] | None,
        status: str | None,
        summary: dict[str, Any] | None = None,
        outbox: list[dict[str, Any]] | None = None,
    ) -> int:
        """`append` for databases other than SQLite: Core statements on a pooled connection."""
        rows = self._event_rows(session_id, expected_seq, events, at, action_id)
        last_seq = expected_seq + len(rows)
        try:
            with self._write_transaction() as conn:
                if action_id is not None:
                    conn.execute(
                        INSERT_ACTION,
                        {
                            "session_id": session_id,
                            "action_id": action_id,
                            "seq": last_seq,
                            "result": _dumps(result or {}),
                        },
                    )
                if rows:
                    conn.execute(INSERT_EVENTS, rows)
                _write_session_and_outbox(conn, session_id, summary, status, outbox)
        except IntegrityError as exc:
            self._raise_conflict(session_id, action_id, exc)
        return last_seq

    def _append_postgres(
        self,
        session_id: str,
        expected_seq: int,
        events: Iterable[tuple[str, str | None, dict[str, Any]]],
        at: float,
        action_id: str | None,
        result: dict[str, Any] | None,
        status: str | None,
        summary: dict[str, Any] | None,
    ) -> int:
        """`append` on PostgreSQL in one statement, so one round trip and no BEGIN/COMMIT.

        A statement is atomic, data-modifying CTEs included: the action row, the events and the
        summary all land or none does, and a taken seq or action id fails the whole of it.
        Under eventlet every round trip is a wait in which other greenlets run, so the old
        five (pool ping, BEGIN, two INSERTs, COMMIT) made an action wait five turns of a busy
        loop (bench/README.md, "Scale-out").
        """
        rows = self._event_rows(session_id, expected_seq, events, at, action_id)
        last_seq = expected_seq + len(rows)
        params: dict[str, Any] = {"sid": session_id}
        parts = []
        if action_id is not None:
            parts.append(
                "a AS (INSERT INTO actions (session_id, action_id, seq, result) "
                "VALUES (%(sid)s, %(aid)s, %(last)s, %(result)s))"
            )
            params.update(aid=action_id, last=last_seq, result=_dumps(result or {}))
        if rows:
            parts.append(
                "e AS (INSERT INTO events (session_id, seq, type, team, data, at, action_id) "
                "SELECT %(sid)s, * FROM unnest(%(seqs)s::integer[], %(types)s::varchar[], "
                "%(teams)s::varchar[], %(datas)s::text[], %(ats)s::float8[], "
                "%(aids)s::varchar[]))"
            )
            params.update(
                seqs=[r["seq"] for r in rows],
                types=[r["type"] for r in rows],
                teams=[r["team"] for r in rows],
                datas=[r["data"] for r in rows],
                ats=[float(r["at"]) for r in rows],
                aids=[r["action_id"] for r in rows],
            )
        values = _session_columns(summary, status)
        if values:
            # Column names come from this module's callers, never from input: still, only
            # the sessions table's own columns may be named here.
            assert values.keys() <= SESSION_COLUMNS, values
            sets = ", ".join(f"{column} = %(set_{column})s" for column in values)
            parts.append(f"s AS (UPDATE sessions SET {sets} WHERE id = %(sid)s)")
            params.update({f"set_{column}": value for column, value in values.items()})
        if not parts:
            return last_seq
        try:
            with self._autocommit.connect() as conn:
                conn.exec_driver_sql("WITH " + ", ".join(parts) + " SELECT 1", params)
        except IntegrityError as exc:
            self._raise_conflict(session_id, action_id, exc)
        return last_seq

    def _raise_conflict(self, session_id: str, action_id: str | None, exc: Exception) -> None:
        """Turn a failed append's IntegrityError into DuplicateAction or SeqConflict."""
        if action_id is not None:
            previous = self.action_result(session_id, action_id)
            if previous is not None:
                raise DuplicateAction(previous) from exc
        raise SeqConflict(session_id) from exc

    def load(self, session_id: str, after_seq: int = 0) -> list[StoredEvent]:
        """Return the session's events after a seq, in order."""
        query = (
            select(
                events_table.c.seq,
                events_table.c.type,
                events_table.c.team,
                events_table.c.data,
                events_table.c.at,
                events_table.c.action_id,
            )
            .where(events_table.c.session_id == session_id, events_table.c.seq > after_seq)
            .order_by(events_table.c.seq)
        )
        with self.engine.connect() as conn:
            return [
                StoredEvent(seq, type_, team, json.loads(data), at, action_id)
                for seq, type_, team, data, at, action_id in conn.execute(query)
            ]

    def load_facts(
        self, session_id: str, after_seq: int = 0
    ) -> list[tuple[int, str, str | None, dict[str, Any]]]:
        """Return the session's events after a seq as (seq, type, team, data) tuples, in order.

        The fast path for replaying: a restart folds every event of every live session, and
        building a StoredEvent per row cost as much as fetching and decoding the rows.
        """
        prepared = self._select_facts
        with self.engine.connect() as conn:
            # Core's own select costs twice as much per row here (278 vs 149 ms for 100,000).
            rows = conn.exec_driver_sql(
                prepared.sql, prepared.params((session_id, after_seq))
            ).all()
        if not rows:
            return []
        seqs, types, teams, texts = zip(*rows, strict=True)
        # One json.loads of all the payloads as one array: 100,000 calls (three Python frames
        # each) cost twice as much as decoding the same text in a single call.
        datas = json.loads("[" + ",".join(texts) + "]")
        return list(zip(seqs, types, teams, datas, strict=True))

    def last_seq(self, session_id: str) -> int:
        """Return the highest seq stored for a session (0 if none)."""
        query = select(func.max(events_table.c.seq)).where(events_table.c.session_id == session_id)
        with self.engine.connect() as conn:
            return conn.execute(query).scalar() or 0

    def action_result(self, session_id: str, action_id: str) -> dict[str, Any] | None:
        """Return the stored ack of an action already handled, or None."""
        query = select(actions_table.c.result).where(
            actions_table.c.session_id == session_id, actions_table.c.action_id == action_id
        )
        with self.engine.connect() as conn:
            raw = conn.execute(query).scalar()
        return None if raw is None else json.loads(raw)

    def sessions(self, status: str | None = None) -> list[SessionRow]:
        """Return sessions, newest first, optionally only those with a status."""
        query = select(sessions_table).order_by(sessions_table.c.created_at.desc())
        if status is not None:
            query = query.where(sessions_table.c.status == status)
        with self.engine.connect() as conn:
            return [SessionRow(**row._mapping) for row in conn.execute(query)]

    def session(self, session_id: str) -> SessionRow | None:
        """Return one session row, or None."""
        query = select(sessions_table).where(sessions_table.c.id == session_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else SessionRow(**row._mapping)

    def rewrite_events(
        self, session_id: str, rewrite: Callable[[str, dict[str, Any]], dict[str, Any]]
    ) -> int:
        """Rewrite stored events' data in place (personal data erasure); return how many changed.

        The one exception to an append-only log, for what the law says must go: seqs, types
        and order stay, so every process rebuilds the same (redacted) state from it.
        """
        query = select(events_table.c.id, events_table.c.type, events_table.c.data).where(
            events_table.c.session_id == session_id
        )
        changed = 0
        with self._write_transaction() as conn:
            for row_id, type_, raw in conn.execute(query).all():
                data = json.loads(raw)
                new = rewrite(type_, data)
                if new != data:
                    conn.execute(
                        update(events_table)
                        .where(events_table.c.id == row_id)
                        .values(data=_dumps(new))
                    )
                    changed += 1
        return changed

    def set_status(self, session_id: str, status: str) -> None:
        """Change a session's status (live, closed, purged)."""
        with self._write_transaction() as conn:
            conn.execute(_set_status(session_id, status))

    def session_by_code(self, join_code: str) -> SessionRow | None:
        """Return the session with this join code, or None."""
        query = select(sessions_table).where(sessions_table.c.join_code == join_code)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else SessionRow(**row._mapping)
