"""Who is connected: socket ids mapped to sessions, roles, learners and rooms."""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field

from practicum.server.limits import TokenBucket


@dataclass
class Connection:
    """One socket's identity and the rooms the server put it in."""

    sid: str
    namespace: str
    address: str
    bucket: TokenBucket
    session_id: str | None = None
    learner_id: str | None = None
    team_id: str | None = None
    facilitator: bool = False
    # The facilitator's login (practicum/server/auth.py): revoking it disconnects this socket.
    login_id: str | None = None
    account: str | None = None
    # The session the proxy routed this socket by (its `?session=` parameter), if any.
    routed_for: str | None = None
    rooms: set[str] = field(default_factory=set)


class Presence:
    """The process's table of live connections (one per socket id)."""

    def __init__(self) -> None:
        self._by_sid: dict[str, Connection] = {}
        self._by_session: dict[str, set[str]] = defaultdict(set)
        self._per_address: dict[str, int] = defaultdict(int)
        # Sockets per (session, namespace): every action asks whether a stage screen follows
        # its session, which must not walk the session's sockets each time.
        self._per_namespace: dict[tuple[str, str], int] = defaultdict(int)
        self._lock = threading.Lock()

    def add(self, connection: Connection) -> None:
        """Register a new socket."""
        with self._lock:
            if connection.sid not in self._by_sid:
                self._per_address[connection.address] += 1
            self._by_sid[connection.sid] = connection

    def count_from(self, address: str) -> int:
        """Return how many sockets one client address holds open."""
        return self._per_address.get(address, 0)

    def get(self, sid: str) -> Connection | None:
        """Return a socket's connection record."""
        return self._by_sid.get(sid)

    def bind(self, sid: str, session_id: str) -> None:
        """Record that a socket belongs to a session."""
        with self._lock:
            connection = self._by_sid[sid]
            if connection.session_id == session_id:
                return
            if connection.session_id:
                self._by_session[connection.session_id].discard(sid)
                self._uncount(connection)
            connection.session_id = session_id
            self._by_session[session_id].add(sid)
            self._per_namespace[(session_id, connection.namespace)] += 1

    def _uncount(self, connection: Connection) -> None:
        key = (connection.session_id or "", connection.namespace)
        left = self._per_namespace.get(key, 0) - 1
        if left > 0:
            self._per_namespace[key] = left
        else:
            self._per_namespace.pop(key, None)

    def remove(self, sid: str) -> Connection | None:
        """Forget a socket; return its record."""
        with self._lock:
            connection = self._by_sid.pop(sid, None)
            if connection is not None:
                left = self._per_address[connection.address] - 1
                if left > 0:
                    self._per_address[connection.address] = left
                else:
                    self._per_address.pop(connection.address, None)
            if connection and connection.session_id:
                self._uncount(connection)
                members = self._by_session.get(connection.session_id)
                if members is not None:
                    members.discard(sid)
                    if not members:
                        del self._by_session[connection.session_id]
            return connection

    def in_session(self, session_id: str) -> list[Connection]:
        """Return the session's connections."""
        with self._lock:
            return [
                self._by_sid[s] for s in self._by_session.get(session_id, ()) if s in self._by_sid
            ]

    def online_learners(self, session_id: str) -> set[str]:
        """Return the ids of the session's learners with at least one open socket."""
        return {c.learner_id for c in self.in_session(session_id) if c.learner_id}

    def facilitators(self) -> list[Connection]:
        """Return every facilitator socket of the process."""
        with self._lock:
            return [c for c in self._by_sid.values() if c.facilitator]

    def watching(self, session_id: str, namespace: str) -> bool:
        """Say whether any socket of a namespace (e.g. a stage screen) follows the session."""
        return self._per_namespace.get((session_id, namespace), 0) > 0
