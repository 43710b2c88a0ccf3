"""Facilitator accounts, their logins and who may see which session (roles: docs/accounts.md)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from practicum.server.passwords import (
    DEFAULT_LOG2_N,
    MAX_PASSWORD_CHARS,
    hash_password,
    verify_password,
)
from practicum.server.roles import (  # noqa: F401 - re-exported for callers
    ABILITIES,
    ADMIN,
    ASSESSOR,
    CREATES_SESSIONS,
    FACILITATOR,
    OBSERVER,
    OWNER,
    RANK,
    ROLES,
    SHARE_ROLES,
)
from practicum.server.store import (
    accounts_table,
    logins_table,
    session_access_table,
    sessions_table,
)

BOOTSTRAP_ADMIN = "admin"
MIN_PASSWORD_CHARS = 8
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


class AccountError(Exception):
    """A refused account operation, with a stable code and a human message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Account:
    """A facilitator account (never carries its password hash out of this module)."""

    id: int
    name: str
    role: str
    created_at: float


@dataclass(frozen=True)
class Login:
    """One sign-in of an account: what a cookie or an API token names."""

    id: str
    account: Account
    created_at: float
    expires_at: float


def check_name(name: str) -> str:
    """Return a valid account name (lower case) or raise AccountError."""
    name = name.strip().lower()
    if not NAME_PATTERN.match(name):
        raise AccountError(
            "account/bad_name",
            "A user name is 1-64 characters: lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit.",
        )
    return name


def check_password(password: str) -> str:
    """Return an acceptable new password or raise AccountError."""
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise AccountError(
            "account/bad_password",
            f"A password is {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters long.",
        )
    return password


def check_role(role: str, allowed: tuple[str, ...] = ROLES) -> str:
    """Return a known role or raise AccountError."""
    if role not in allowed:
        raise AccountError("account/bad_role", f"The role must be one of {', '.join(allowed)}.")
    return role


def _account(row: Any) -> Account:
    return Account(row.id, row.name, row.role, row.created_at)


class Accounts:
    """Accounts, logins and session access in the event store's database."""

    def __init__(
        self, engine: Engine, clock: Callable[[], float], log2_n: int = DEFAULT_LOG2_N
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.log2_n = log2_n
        self._dummy_hash: str | None = None

    # --- accounts ---------------------------------------------------------------------------

    def count(self) -> int:
        """Return how many accounts exist."""
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(accounts_table)).scalar() or 0

    def add(self, name: str, role: str, password: str, check_strength: bool = True) -> Account:
        """Create an account; raise AccountError for a bad or taken name, role or password."""
        name = check_name(name)
        check_role(role)
        if check_strength:
            check_password(password)
        encoded = hash_password(password, self.log2_n)
        now = self.clock()
        try:
            with self.engine.begin() as conn:
                new_id = conn.execute(
                    insert(accounts_table).values(
                        name=name, role=role, password_hash=encoded, created_at=now
                    )
                ).inserted_primary_key[0]
        except IntegrityError as exc:
            raise AccountError("account/exists", f"There is already an account '{name}'.") from exc
        return Account(int(new_id), name, role, now)

    def get(self, name: str) -> Account | None:
        """Return the account with this name, or None."""
        query = select(accounts_table).where(accounts_table.c.name == name.strip().lower())
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else _account(row)

    def all(self) -> list[Account]:
        """Return every account, by name."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(accounts_table).order_by(accounts_table.c.name))
            return [_account(row) for row in rows]

    def _existing(self, name: str) -> Account:
        account = self.get(name)
        if account is None:
            raise AccountError("account/unknown", f"There is no account '{name}'.")
        return account

    def remove(self, name: str) -> list[str]:
        """Delete an account, its shares and its logins' validity; return the revoked login ids."""
        account = self._existing(name)
        if account.role == ADMIN and self._admins() == 1:
            raise AccountError(
                "account/last_admin", "This is the last admin; make another admin first."
            )
        with self.engine.begin() as conn:
            revoked = self._revoke_all(conn, account.id)
            conn.execute(
                delete(session_access_table).where(
                    session_access_table.c.account_id == account.id
                )
            )
            conn.execute(delete(accounts_table).where(accounts_table.c.id == account.id))
        return revoked

    def _admins(self) -> int:
        query = select(func.count()).where(accounts_table.c.role == ADMIN)
        with self.engine.connect() as conn:
            return conn.execute(query).scalar() or 0

    def set_password(self, name: str, password: str) -> list[str]:
        """Change an account's password; revoke and return every login it had."""
        account = self._existing(name)
        check_password(password)
        encoded = hash_password(password, self.log2_n)
        with self.engine.begin() as conn:
            conn.execute(
                update(accounts_table)
                .where(accounts_table.c.id == account.id)
                .values(password_hash=encoded)
            )
            return self._revoke_all(conn, account.id)

    def authenticate(self, name: str, password: str) -> Account | None:
        """Return the account if the password is its own, else None (same cost either way)."""
        query = select(accounts_table).where(accounts_table.c.name == name.strip().lower())
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            # Hash anyway: an unknown name must not answer faster than a wrong password.
            if self._dummy_hash is None:
                self._dummy_hash = hash_password(secrets.token_urlsafe(16), self.log2_n)
            verify_password(password, self._dummy_hash)
            return None
        if len(password) > MAX_PASSWORD_CHARS or not verify_password(password, row.password_hash):
            return None
        return _account(row)

    # --- logins -----------------------------------------------------------------------------

    def open_login(self, account: Account, hours: float) -> Login:
        """Record a new sign-in of an account that expires after `hours`."""
        now = self.clock()
        login = Login(secrets.token_urlsafe(18), account, now, now + hours * 3600)
        with self.engine.begin() as conn:
            conn.execute(
                insert(logins_table).values(
                    id=login.id,
                    account_id=account.id,
                    created_at=now,
                    expires_at=login.expires_at,
                )
            )
        return login

    def login(self, login_id: str) -> Login | None:
        """Return a login if it is neither revoked nor expired and its account still exists."""
        query = (
            select(logins_table, accounts_table.c.name, accounts_table.c.role,
                   accounts_table.c.created_at.label("account_created"))
            .join(accounts_table, accounts_table.c.id == logins_table.c.account_id)
            .where(
                logins_table.c.id == login_id,
                logins_table.c.revoked_at.is_(None),
                logins_table.c.expires_at > self.clock(),
            )
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        account = Account(row.account_id, row.name, row.role, row.account_created)
        return Login(row.id, account, row.created_at, row.expires_at)

    def active_logins(self, login_ids: set[str]) -> set[str]:
        """Return which of these logins are still valid."""
        if not login_ids:
            return set()
        query = (
            select(logins_table.c.id)
            .join(accounts_table, accounts_table.c.id == logins_table.c.account_id)
            .where(
                logins_table.c.id.in_(sorted(login_ids)),
                logins_table.c.revoked_at.is_(None),
                logins_table.c.expires_at > self.clock(),
            )
        )
        with self.engine.connect() as conn:
            return {row.id for row in conn.execute(query)}

    def revoke(self, login_id: str) -> None:
        """Revoke one login (sign-out)."""
        with self.engine.begin() as conn:
            conn.execute(
                update(logins_table)
                .where(logins_table.c.id == login_id, logins_table.c.revoked_at.is_(None))
                .values(revoked_at=self.clock())
            )

    def _revoke_all(self, conn: Any, account_id: int) -> list[str]:
        ids = [
            row.id
            for row in conn.execute(
                select(logins_table.c.id).where(
                    logins_table.c.account_id == account_id, logins_table.c.revoked_at.is_(None)
                )
            )
        ]
        conn.execute(
            update(logins_table)
            .where(logins_table.c.account_id == account_id, logins_table.c.revoked_at.is_(None))
            .values(revoked_at=self.clock())
        )
        return ids

    # --- session access ---------------------------------------------------------------------

    def session_role(self, account: Account, session_id: str) -> str | None:
        """Return the account's role in a session (None: it may not see it)."""
        if account.role == ADMIN:
            return ADMIN
        query = select(session_access_table.c.role).where(
            session_access_table.c.session_id == session_id,
            session_access_table.c.account_id == account.id,
        )
        with self.engine.connect() as conn:
            granted = conn.execute(query).scalar()
        if granted is None or granted == OWNER:
            return granted
        # A share never lifts an account above its own role: an observer stays read-only even
        # in a session shared with it as a facilitator.
        return granted if RANK[granted] <= RANK[account.role] else account.role

    def visible_sessions(self, account: Account) -> set[str] | None:
        """Return the ids of the sessions an account may see (None: all of them)."""
        if account.role == ADMIN:
            return None
        query = select(session_access_table.c.session_id).where(
            session_access_table.c.account_id == account.id
        )
        with self.engine.connect() as conn:
            return {row.session_id for row in conn.execute(query)}

    def share(self, session_id: str, name: str, role: str) -> Account:
        """Share a session with an account in a role (replacing an earlier share)."""
        check_role(role, SHARE_ROLES)
        account = self._existing(name)
        with self.engine.begin() as conn:
            if conn.execute(
                select(sessions_table.c.id).where(sessions_table.c.id == session_id)
            ).first() is None:
                raise AccountError("session/unknown", "That session does not exist.")
            current = conn.execute(
                select(session_access_table.c.role).where(
                    session_access_table.c.session_id == session_id,
                    session_access_table.c.account_id == account.id,
                )
            ).scalar()
            if current == OWNER:
                raise AccountError("share/owner", f"'{account.name}' owns this session.")
            if current is not None:
                conn.execute(
                    update(session_access_table)
                    .where(
                        session_access_table.c.session_id == session_id,
                        session_access_table.c.account_id == account.id,
                    )
                    .values(role=role)
                )
            else:
                conn.execute(
                    insert(session_access_table).values(
                        session_id=session_id, account_id=account.id, role=role
                    )
                )
        return account

    def unshare(self, session_id: str, name: str) -> None:
        """Take back a share (an owner's access cannot be taken back)."""
        account = self._existing(name)
        with self.engine.begin() as conn:
            conn.execute(
                delete(session_access_table).where(
                    session_access_table.c.session_id == session_id,
                    session_access_table.c.account_id == account.id,
                    session_access_table.c.role != OWNER,
                )
            )

    def access(self, session_id: str) -> list[tuple[str, str]]:
        """Return (account name, role) of everyone a session is owned by or shared with."""
        query = (
            select(accounts_table.c.name, session_access_table.c.role)
            .join(accounts_table, accounts_table.c.id == session_access_table.c.account_id)
            .where(session_access_table.c.session_id == session_id)
            .order_by(accounts_table.c.name)
        )
        with self.engine.connect() as conn:
            return [(row.name, row.role) for row in conn.execute(query)]
