"""One owner per session: leases in the database, so several processes never fold one session.

Each serving process has a random owner id. The process the proxy routes a session to claims
its lease on first use and renews it every few seconds; a lease that expires (its owner died)
is taken over by the next process that needs it. A process that needs a session another live
process holds writes its id into `wanted_by`; the owner hands the session over at its next
renewal (releases the lease and closes its sockets, which reconnect through the proxy).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from practicum.server.store import EventStore, session_owners_table

DEFAULT_LEASE_SECONDS = 6.0
owners = session_owners_table


@dataclass(frozen=True)
class Renewal:
    """What a renewal found: leases another process now holds, and leases others asked for."""

    lost: list[str]
    wanted: list[str]


class Leases:
    """This process's session leases, held in the `session_owners` table."""

    def __init__(
        self, store: EventStore, seconds: float = DEFAULT_LEASE_SECONDS, owner: str | None = None
    ) -> None:
        self.store = store
        self.seconds = seconds
        self.owner = owner or "p" + secrets.token_hex(8)
        # Session id -> when this process's lease ends (as last written).
        self._held: dict[str, float] = {}

    def holds(self, session_id: str, now: float) -> bool:
        """Say whether this process holds the session's lease (without asking the database)."""
        # A third of the lease as margin: a lease this close to its end may be renewed late,
        # so it is claimed again (one write) instead of trusted.
        return self._held.get(session_id, 0.0) > now + self.seconds / 3

    def held(self) -> list[str]:
        """Return the sessions this process holds."""
        return list(self._held)

    def acquire(self, session_id: str, now: float, ask: bool = True) -> bool | None:
        """Claim a session: True if newly taken, False if held already, None if another owns it.

        With `ask`, a session another process holds is marked as wanted by this one.
        """
        before = session_id in self._held
        until = now + self.seconds
        with self.store._write_transaction() as conn:
            claimed = conn.execute(
                update(owners)
                .where(
                    owners.c.session_id == session_id,
                    or_(owners.c.owner == self.owner, owners.c.expires_at < now),
                )
                .values(owner=self.owner, expires_at=until, wanted_by=None)
            ).rowcount
        if not claimed:
            try:
                with self.store._write_transaction() as conn:
                    conn.execute(
                        insert(owners).values(
                            session_id=session_id, owner=self.owner, expires_at=until
                        )
                    )
            except IntegrityError:
                self._held.pop(session_id, None)
                if not ask:
                    return None
                # A live owner holds it: ask it to hand over (the proxy routes the session here).
                with self.store._write_transaction() as conn:
                    conn.execute(
                        update(owners)
                        .where(owners.c.session_id == session_id, owners.c.owner != self.owner)
                        .values(wanted_by=self.owner)
                    )
                return None
        self._held[session_id] = until
        return not before

    def renew(self, now: float) -> Renewal:
        """Extend every held lease; report those lost to another owner and those wanted."""
        if not self._held:
            return Renewal([], [])
        ids = list(self._held)
        until = now + self.seconds
        with self.store._write_transaction() as conn:
            conn.execute(
                update(owners)
                .where(owners.c.session_id.in_(ids), owners.c.owner == self.owner)
                .values(expires_at=until)
            )
            rows = conn.execute(
                select(owners.c.session_id, owners.c.owner, owners.c.wanted_by).where(
                    owners.c.session_id.in_(ids)
                )
            ).all()
        mine = {row.session_id: row for row in rows if row.owner == self.owner}
        lost = [session_id for session_id in ids if session_id not in mine]
        for session_id in ids:
            if session_id in mine:
                self._held[session_id] = until
            else:
                self._held.pop(session_id, None)
        wanted = [row.session_id for row in mine.values() if row.wanted_by]
        return Renewal(lost, wanted)

    def release(self, sessions: Iterable[str]) -> None:
        """Give up leases (handover, idle eviction), so the next process takes them at once."""
        ids = [session_id for session_id in sessions if self._held.pop(session_id, None)]
        if not ids:
            return
        with self.store._write_transaction() as conn:
            conn.execute(
                delete(owners).where(
                    and_(owners.c.session_id.in_(ids), owners.c.owner == self.owner)
                )
            )

    def owner_of(self, session_id: str) -> tuple[str, float] | None:
        """Return (owner, lease end) of a session as the database has it (tests, health)."""
        with self.store.engine.connect() as conn:
            row = conn.execute(
                select(owners.c.owner, owners.c.expires_at).where(
                    owners.c.session_id == session_id
                )
            ).first()
        return None if row is None else (row.owner, row.expires_at)
