"""LTI tables in the event store's database: launch state, used nonces, linked accounts, links
from LMS resource links to sessions, learners' seats and the grade outbox (docs/lti.md)."""

from __future__ import annotations

import json
from collections.abc import Callable
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
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

lti_metadata = MetaData()

# What the OIDC login step keeps for the launch step (state, nonce), shared by every process.
lti_kv_table = Table(
    "lti_kv",
    lti_metadata,
    Column("key", String(255), primary_key=True),
    Column("value", Text, nullable=False),
    Column("expires_at", Float, nullable=False),
)
# Every nonce a valid launch used: a second launch with it is a replay, whichever process gets it.
lti_nonces_table = Table(
    "lti_nonces",
    lti_metadata,
    Column("issuer", String(255), primary_key=True),
    Column("nonce", String(255), primary_key=True),
    Column("used_at", Float, nullable=False),
)
# The facilitator account an LMS instructor (issuer, subject) signs in as.
lti_accounts_table = Table(
    "lti_accounts",
    lti_metadata,
    Column("issuer", String(255), primary_key=True),
    Column("subject", String(255), primary_key=True),
    Column("account_id", Integer, nullable=False),
    Column("name", String(200), nullable=False),
)
# An LMS resource link an instructor linked to a session on a first launch.
lti_links_table = Table(
    "lti_links",
    lti_metadata,
    Column("issuer", String(255), primary_key=True),
    Column("deployment_id", String(255), primary_key=True),
    Column("context_id", String(255), primary_key=True),
    Column("resource_link_id", String(255), primary_key=True),
    Column("session_id", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("created_by", String(64), nullable=False),
)
# A learner launched into a session: the seat, and where the LMS takes the grade.
lti_seats_table = Table(
    "lti_seats",
    lti_metadata,
    Column("session_id", String(64), primary_key=True),
    Column("issuer", String(255), primary_key=True),
    Column("subject", String(255), primary_key=True),
    Column("learner_id", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("client_id", String(255), nullable=False),
    Column("deployment_id", String(255), nullable=False),
    Column("resource_link_id", String(255), nullable=False),
    Column("ags", Text, nullable=False),  # the launch's AGS endpoint claim as JSON ("{}": none)
    Column("updated_at", Float, nullable=False),
)
# The grade outbox: one row per grade to post; sent in the background, retried until sent.
lti_grades_table = Table(
    "lti_grades",
    lti_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(64), nullable=False),
    Column("learner_id", String(64), nullable=False),
    Column("issuer", String(255), nullable=False),
    Column("subject", String(255), nullable=False),
    Column("fingerprint", String(255), nullable=False),
    Column("score_given", Float, nullable=False),
    Column("score_maximum", Float, nullable=False),
    Column("status", String(16), nullable=False),  # pending | sent | superseded
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_at", Float, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("created_at", Float, nullable=False),
    Column("sent_at", Float, nullable=True),
    UniqueConstraint("session_id", "learner_id", "fingerprint", name="uq_lti_grade"),
)


@dataclass(frozen=True)
class Seat:
    """A learner's LTI seat in a session."""

    session_id: str
    issuer: str
    subject: str
    learner_id: str
    name: str
    client_id: str
    deployment_id: str
    resource_link_id: str
    ags: dict[str, Any]

    def lms(self) -> dict[str, str]:
        """Return the LMS identity the xAPI statements name (issuer, subject, name)."""
        return {"issuer": self.issuer, "subject": self.subject, "name": self.name}


def _seat(row: Any) -> Seat:
    return Seat(
        row.session_id,
        row.issuer,
        row.subject,
        row.learner_id,
        row.name,
        row.client_id,
        row.deployment_id,
        row.resource_link_id,
        json.loads(row.ags or "{}"),
    )


class LtiStore:
    """Queries on the LTI tables."""

    def __init__(self, engine: Engine, clock: Callable[[], float]) -> None:
        self.engine = engine
        self.clock = clock
        lti_metadata.create_all(engine)

    # --- launch state -----------------------------------------------------------------------

    def kv_get(self, key: str) -> Any:
        """Return a stored launch value, or None when absent or expired."""
        query = select(lti_kv_table.c.value).where(
            lti_kv_table.c.key == key, lti_kv_table.c.expires_at > self.clock()
        )
        with self.engine.connect() as conn:
            raw = conn.execute(query).scalar()
        return None if raw is None else json.loads(raw)

    def kv_set(self, key: str, value: Any, seconds: float) -> None:
        """Store a launch value for some seconds (replacing an earlier one)."""
        now = self.clock()
        with self.engine.begin() as conn:
            conn.execute(delete(lti_kv_table).where(lti_kv_table.c.key == key))
            conn.execute(delete(lti_kv_table).where(lti_kv_table.c.expires_at <= now))
            conn.execute(
                insert(lti_kv_table).values(
                    key=key, value=json.dumps(value), expires_at=now + seconds
                )
            )

    def use_nonce(self, issuer: str, nonce: str) -> bool:
        """Record a launch's nonce; False when it was used before (a replay)."""
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(lti_nonces_table).values(
                        issuer=issuer[:255], nonce=nonce[:255], used_at=self.clock()
                    )
                )
        except IntegrityError:
            return False
        return True

    def forget_nonces(self, before: float) -> None:
        """Drop nonces used before a time (their tokens expired long ago)."""
        with self.engine.begin() as conn:
            conn.execute(delete(lti_nonces_table).where(lti_nonces_table.c.used_at < before))

    # --- instructors' accounts --------------------------------------------------------------

    def account_of(self, issuer: str, subject: str) -> int | None:
        """Return the account id an LMS user signs in as, or None."""
        query = select(lti_accounts_table.c.account_id).where(
            lti_accounts_table.c.issuer == issuer, lti_accounts_table.c.subject == subject
        )
        with self.engine.connect() as conn:
            return conn.execute(query).scalar()

    def link_account(self, issuer: str, subject: str, account_id: int, name: str) -> None:
        """Remember which account an LMS user signs in as."""
        with self.engine.begin() as conn:
            conn.execute(
                insert(lti_accounts_table).values(
                    issuer=issuer, subject=subject, account_id=account_id, name=name[:200]
                )
            )

    # --- resource links ---------------------------------------------------------------------

    def linked_session(self, key: tuple[str, str, str, str]) -> str | None:
        """Return the session a resource link (issuer, deployment, context, link) opens."""
        t = lti_links_table
        query = select(t.c.session_id).where(
            t.c.issuer == key[0],
            t.c.deployment_id == key[1],
            t.c.context_id == key[2],
            t.c.resource_link_id == key[3],
        )
        with self.engine.connect() as conn:
            return conn.execute(query).scalar()

    def link(self, key: tuple[str, str, str, str], session_id: str, by: str) -> None:
        """Link a resource link to a session (replacing an earlier link)."""
        t = lti_links_table
        with self.engine.begin() as conn:
            conn.execute(
                delete(t).where(
                    t.c.issuer == key[0],
                    t.c.deployment_id == key[1],
                    t.c.context_id == key[2],
                    t.c.resource_link_id == key[3],
                )
            )
            conn.execute(
                insert(t).values(
                    issuer=key[0],
                    deployment_id=key[1],
                    context_id=key[2],
                    resource_link_id=key[3],
                    session_id=session_id,
                    created_at=self.clock(),
                    created_by=by,
                )
            )

    # --- learners' seats --------------------------------------------------------------------

    def seat(self, session_id: str, issuer: str, subject: str) -> Seat | None:
        """Return an LMS user's seat in a session, or None."""
        t = lti_seats_table
        query = select(t).where(
            t.c.session_id == session_id, t.c.issuer == issuer, t.c.subject == subject
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else _seat(row)

    def seat_of_learner(self, session_id: str, learner_id: str) -> Seat | None:
        """Return the seat of a learner in a session (None: not launched over LTI)."""
        t = lti_seats_table
        query = select(t).where(t.c.session_id == session_id, t.c.learner_id == learner_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else _seat(row)

    def save_seat(self, seat: Seat) -> None:
        """Create or refresh a seat (the AGS claim and the name follow the newest launch)."""
        t = lti_seats_table
        values = {
            "learner_id": seat.learner_id,
            "name": seat.name[:200],
            "client_id": seat.client_id,
            "deployment_id": seat.deployment_id,
            "resource_link_id": seat.resource_link_id,
            "ags": json.dumps(seat.ags),
            "updated_at": self.clock(),
        }
        where = (
            t.c.session_id == seat.session_id,
            t.c.issuer == seat.issuer,
            t.c.subject == seat.subject,
        )
        with self.engine.begin() as conn:
            if conn.execute(update(t).where(*where).values(**values)).rowcount == 0:
                conn.execute(
                    insert(t).values(
                        session_id=seat.session_id,
                        issuer=seat.issuer,
                        subject=seat.subject,
                        **values,
                    )
                )

    def seats(self, session_id: str) -> list[Seat]:
        """Return every LTI seat of a session."""
        t = lti_seats_table
        with self.engine.connect() as conn:
            rows = conn.execute(select(t).where(t.c.session_id == session_id))
            return [_seat(row) for row in rows]

    def seat_sessions(self) -> set[str]:
        """Return the ids of sessions with at least one LTI seat."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(lti_seats_table.c.session_id).distinct())
            return {row.session_id for row in rows}

    # --- the grade outbox -------------------------------------------------------------------

    def enqueue_grade(self, seat: Seat, fingerprint: str, given: float, maximum: float) -> bool:
        """Add a grade to send; False when the same grade was queued before."""
        now = self.clock()
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(lti_grades_table).values(
                        session_id=seat.session_id,
                        learner_id=seat.learner_id,
                        issuer=seat.issuer,
                        subject=seat.subject,
                        fingerprint=fingerprint[:255],
                        score_given=given,
                        score_maximum=maximum,
                        status="pending",
                        attempts=0,
                        next_at=now,
                        created_at=now,
                    )
                )
        except IntegrityError:
            return False
        return True

    def due_grades(self, limit: int = 50) -> list[Any]:
        """Return pending grades whose time has come, the newest per learner only.

        An older pending grade of a learner who has a newer one is marked superseded: the LMS
        keeps the last score posted, so sending it after the newer one would undo that.
        """
        t = lti_grades_table
        with self.engine.begin() as conn:
            rows = list(conn.execute(select(t).where(t.c.status == "pending").order_by(t.c.id)))
            newest: dict[tuple[str, str], Any] = {}
            for row in rows:
                older = newest.get((row.session_id, row.learner_id))
                if older is not None:
                    conn.execute(
                        update(t)
                        .where(t.c.id == older.id, t.c.status == "pending")
                        .values(status="superseded")
                    )
                newest[(row.session_id, row.learner_id)] = row
        now = self.clock()
        due = [row for row in newest.values() if row.next_at <= now]
        return due[:limit]

    def claim_grade(self, row: Any, seconds: float) -> bool:
        """Take a due grade for some seconds, so another process does not send it too."""
        t = lti_grades_table
        with self.engine.begin() as conn:
            claimed = conn.execute(
                update(t)
                .where(t.c.id == row.id, t.c.status == "pending", t.c.next_at == row.next_at)
                .values(next_at=self.clock() + seconds)
            ).rowcount
        return claimed == 1

    def grade_sent(self, grade_id: int) -> None:
        """Mark a grade sent."""
        t = lti_grades_table
        with self.engine.begin() as conn:
            conn.execute(
                update(t)
                .where(t.c.id == grade_id)
                .values(status="sent", sent_at=self.clock(), last_error=None)
            )

    def grade_failed(self, grade_id: int, attempts: int, retry_in: float, error: str) -> None:
        """Record a failed post and when to try again."""
        t = lti_grades_table
        with self.engine.begin() as conn:
            conn.execute(
                update(t)
                .where(t.c.id == grade_id)
                .values(attempts=attempts, next_at=self.clock() + retry_in, last_error=error[:2000])
            )

    def grades(self, session_id: str | None = None) -> list[dict[str, Any]]:
        """Return the outbox rows (of one session), oldest first."""
        t = lti_grades_table
        query = select(t).order_by(t.c.id)
        if session_id is not None:
            query = query.where(t.c.session_id == session_id)
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]


def lms_identity(store: LtiStore, session_id: str, learner_id: str) -> dict[str, str] | None:
    """Return the LMS identity of a learner launched over LTI ({issuer, subject, name})."""
    seat = store.seat_of_learner(session_id, learner_id)
    return None if seat is None else seat.lms()
