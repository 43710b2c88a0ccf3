"""Sign-in for facilitators: logins, tokens, the password-guessing limit and revocation.

Every credential (the browser's cookie, an API token, a facilitator socket) names one row of the
`logins` table, which expires and is revoked on sign-out, password change and account removal.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import Flask, abort, current_app, g, redirect, request, session, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from practicum.server.accounts import BOOTSTRAP_ADMIN, Account, Accounts, Login
from practicum.server.limits import SharedWindows
from practicum.server.roles import ABILITIES, ADMIN, needed_ability

log = logging.getLogger(__name__)
LOGIN_SALT = "practicum.login"
FACILITATE = "/facilitate"


@dataclass(frozen=True)
class Refusal:
    """A refused sign-in: HTTP status, stable code, human message."""

    status: int
    code: str
    message: str


class FailureLimiter:
    """Failed sign-ins per address and per account name in sliding windows.

    Only failures count, so a facilitator who types the password right is never slowed down by
    someone guessing elsewhere; the check runs before the password is hashed.
    """

    def __init__(self, per_address: int, address_window: float, per_name: int,
                 name_window: float, max_keys: int = 100_000,
                 shared: SharedWindows | None = None) -> None:
        self.rules = {"a": (per_address, address_window), "n": (per_name, name_window)}
        self.max_keys = max_keys
        # Redis windows shared by every process of a cluster (None: this process's own).
        self.shared = shared
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _keys(self, address: str, name: str) -> list[tuple[str, int, float]]:
        return [("a:" + address, *self.rules["a"]), ("n:" + name, *self.rules["n"])]

    def blocked(self, address: str, name: str, now: float) -> bool:
        """Say whether the address or the account name has used up its failures."""
        if self.shared is not None:
            try:
                return any(
                    self.shared.count("signin-failed:" + key, now, window) >= limit
                    for key, limit, window in self._keys(address, name)
                )
            except Exception as exc:  # noqa: BLE001 - any Redis failure: fall back
                log.warning("shared sign-in limits unavailable: %s", exc)
        with self._lock:
            for key, limit, window in self._keys(address, name):
                failures = self._failures.get(key)
                while failures and failures[0] <= now - window:
                    failures.popleft()
                if failures and len(failures) >= limit:
                    return True
            return False

    def failed(self, address: str, name: str, now: float) -> None:
        """Record one failed sign-in of a name from an address."""
        if self.shared is not None:
            try:
                for key, _limit, window in self._keys(address, name):
                    self.shared.hit("signin-failed:" + key, now, window)
                return
            except Exception as exc:  # noqa: BLE001 - any Redis failure: fall back
                log.warning("shared sign-in limits unavailable: %s", exc)
        with self._lock:
            if len(self._failures) >= self.max_keys:
                # Bound memory under a flood of names or addresses: forget the idle keys.
                longest = max(window for _limit, window in self.rules.values())
                idle = [k for k, v in self._failures.items() if not v or v[-1] <= now - longest]
                for key in idle:
                    del self._failures[key]
            for key, _limit, _window in self._keys(address, name):
                self._failures.setdefault(key, deque()).append(now)


def off_loop(function: Callable[..., Any], *args: Any) -> Any:
    """Run a CPU-heavy call (a password hash) in an OS thread when the server is green.

    hashlib.scrypt releases the GIL, so under eventlet or gevent the event loop keeps serving
    sockets while a sign-in is hashed instead of stalling everyone for a quarter second.
    """
    mode = current_app.config.get("ASYNC_MODE")
    if mode == "eventlet":
        from eventlet import tpool

        return tpool.execute(function, *args)
    if mode == "gevent":
        import gevent

        return gevent.get_hub().threadpool.apply(function, args)
    return function(*args)


class Auth:
    """The app's sign-in service (app.extensions["practicum.auth"])."""

    def __init__(
        self,
        accounts: Accounts,
        secret_key: str,
        config: dict[str, Any],
        shared: SharedWindows | None = None,
    ) -> None:
        self.accounts = accounts
        self.login_hours = float(config["LOGIN_HOURS"])
        self._tokens = URLSafeSerializer(secret_key, salt=LOGIN_SALT)
        self.limiter = FailureLimiter(
            per_address=int(config["LOGIN_FAILURES_PER_ADDRESS"]),
            address_window=60.0,
            per_name=int(config["LOGIN_FAILURES_PER_ACCOUNT"]),
            name_window=15 * 60.0,
            shared=shared,
        )

    def token(self, login: Login) -> str:
        """Return the token (API bearer or socket auth) that names a login."""
        return self._tokens.dumps({"login": login.id})

    def login_of_token(self, token: object) -> Login | None:
        """Return the valid login a token names, or None."""
        if not isinstance(token, str) or len(token) > 400:
            return None
        try:
            data = self._tokens.loads(token)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("login"), str):
            return None
        return self.accounts.login(data["login"])

    def sign_in(self, name: str, password: str, address: str) -> Login | Refusal:
        """Check a name and password against the guessing limit and the account; open a login."""
        # An empty name is the single-password default: the first admin.
        name = (name or BOOTSTRAP_ADMIN).strip().lower()[:64]
        now = self.accounts.clock()
        if self.limiter.blocked(address, name, now):
            return Refusal(429, "auth/rate_limited", "Too many failed sign-ins; wait and retry.")
        account = off_loop(self.accounts.authenticate, name, password)
        if account is None:
            self.limiter.failed(address, name, now)
            return Refusal(401, "auth/bad_password", "Wrong user name or password.")
        return self.accounts.open_login(account, self.login_hours)

    def revoke(self, login_ids: list[str]) -> None:
        """Revoke logins and disconnect their open facilitator sockets at once."""
        for login_id in login_ids:
            self.accounts.revoke(login_id)
        disconnect_logins(current_app.extensions, set(login_ids))


def init_auth(app: Flask) -> None:
    """Attach the accounts and sign-in service; create the first admin if there is no account."""
    store = app.extensions["practicum.store"]
    clock = app.extensions["practicum"].clock
    accounts = Accounts(store.engine, clock, int(app.config["PASSWORD_HASH_COST"]))
    if accounts.count() == 0:
        # Single-password mode: set-up stays one command, the configured (or generated)
        # facilitator password signs in as `admin`, who can then add accounts.
        accounts.add(
            BOOTSTRAP_ADMIN, ADMIN, str(app.config["FACILITATOR_PASSWORD"]), check_strength=False
        )
        app.config["BOOTSTRAP_ADMIN_CREATED"] = True
    app.extensions["practicum.auth"] = Auth(
        accounts,
        app.config["SECRET_KEY"],
        app.config,
        shared=app.extensions.get("practicum.shared_limits"),
    )
    from practicum.server.account_pages import account_pages

    app.register_blueprint(account_pages)
    if app.config["RUN_TIMERS"]:
        from practicum.server.extensions import socketio

        socketio.start_background_task(watch_logins, app)


# --- the current login of an HTTP request ---------------------------------------------------


def current_login(allow_cookie: bool = True, allow_bearer: bool = True) -> Login | None:
    """Return the valid login of this request: a bearer token or the browser's cookie."""
    auth: Auth = current_app.extensions["practicum.auth"]
    header = request.headers.get("Authorization", "")
    if allow_bearer and header.startswith("Bearer "):
        return auth.login_of_token(header[7:].strip())
    login_id = session.get("login") if allow_cookie else None
    if not isinstance(login_id, str):
        return None
    cached = g.get("practicum_login")
    if cached is not None and cached.id == login_id:
        return cached
    login = auth.accounts.login(login_id)
    g.practicum_login = login
    return login


def may(login: Login, session_id: str, ability: str) -> bool:
    """Say whether a login's account has an ability in a session."""
    role = current_app.extensions["practicum.auth"].accounts.session_role(
        login.account, session_id
    )
    return role is not None and ability in ABILITIES[role]


def session_role(account: Account, session_id: str) -> str | None:
    """Return an account's role in a session (None: it may not see it)."""
    return current_app.extensions["practicum.auth"].accounts.session_role(account, session_id)


def signed_in_page(view: Callable) -> Callable:
    """Send a browser without a valid login to the sign-in form."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        login = current_login(allow_bearer=False)
        if login is None:
            # A cookie naming a revoked or expired login is worth nothing: drop it.
            session.pop("login", None)
            return redirect(url_for("pages.sign_in", next=request.path))
        g.login = login
        return view(*args, **kwargs)

    return wrapped


def session_page(ability: str) -> Callable[[Callable], Callable]:
    """Like signed_in_page, and the account needs `ability` in the page's session."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def check(*args: Any, **kwargs: Any) -> Any:
            role = session_role(g.login.account, kwargs["session_id"])
            if role is None:
                abort(404)  # a session the account may not see does not exist for it
            if ability not in ABILITIES[role]:
                abort(403)
            g.session_role = role
            return view(*args, **kwargs)

        return signed_in_page(check)

    return decorate


def admin_page(view: Callable) -> Callable:
    """Like signed_in_page, and only for admins."""

    @wraps(view)
    def check(*args: Any, **kwargs: Any) -> Any:
        if g.login.account.role != ADMIN:
            abort(403)
        return view(*args, **kwargs)

    return signed_in_page(check)


# --- sockets ------------------------------------------------------------------------------


def socket_login(auth_payload: Any) -> Login | None:
    """Return the valid login a facilitator socket connects with (auth token or cookie)."""
    token = auth_payload.get("token") if isinstance(auth_payload, dict) else None
    if token is not None:
        return current_app.extensions["practicum.auth"].login_of_token(token)
    return current_login(allow_bearer=False)


def socket_refusal(connection: Any, session_id: str, command: str | None) -> dict[str, Any] | None:
    """Return a rejection ack if the socket's login may not send this command (None: it may)."""
    accounts = current_app.extensions["practicum.auth"].accounts
    # Checked on every command, not only at connect: a login revoked by another process (the
    # `practicum user` command) is refused at its next command even before the sweep.
    login = accounts.login(connection.login_id) if connection.login_id else None
    if login is None:
        return {"ok": False, "code": "auth/revoked",
                "message": "Your sign-in has ended (signed out or expired); sign in again."}
    role = accounts.session_role(login.account, session_id)
    if role is None:
        return {"ok": False, "code": "session/unknown", "message": "That session does not exist."}
    needed = needed_ability(command)
    if needed not in ABILITIES[role]:
        return {"ok": False, "code": "auth/role",
                "message": f"Your role in this session ({role}) cannot do that."}
    return None


def disconnect_logins(app_ext: dict[str, Any], login_ids: set[str]) -> int:
    """Disconnect every open facilitator socket of these logins; return how many."""
    presence = app_ext["practicum.presence"]
    doomed = [c for c in presence.facilitators() if c.login_id in login_ids]
    return _disconnect(presence, doomed)


def disconnect_watchers(app_ext: dict[str, Any], account: str, session_id: str) -> int:
    """Disconnect an account's sockets watching a session (its share was taken back)."""
    presence = app_ext["practicum.presence"]
    doomed = [
        c for c in presence.facilitators() if c.account == account and c.session_id == session_id
    ]
    return _disconnect(presence, doomed)


def _disconnect(presence: Any, connections: list[Any]) -> int:
    from practicum.server.extensions import socketio

    for connection in connections:
        socketio.server.disconnect(connection.sid, namespace=FACILITATE)
        # Forgotten now, not when the disconnect handler runs: until then a message from the
        # socket is answered auth/not_connected instead of being acted on.
        presence.remove(connection.sid)
    return len(connections)


def sweep_logins(app: Flask) -> int:
    """Disconnect facilitator sockets whose login expired or was revoked elsewhere."""
    presence = app.extensions["practicum.presence"]
    open_logins = {c.login_id for c in presence.facilitators() if c.login_id}
    if not open_logins:
        return 0
    valid = app.extensions["practicum.auth"].accounts.active_logins(open_logins)
    return disconnect_logins(app.extensions, open_logins - valid)


def watch_logins(app: Flask) -> None:
    """Sweep open facilitator sockets every few seconds (revocations made by the CLI, expiry)."""
    from practicum.server.extensions import socketio

    interval = float(app.config["LOGIN_SWEEP_SECONDS"])
    while True:
        socketio.sleep(interval)
        try:
            with app.app_context():
                sweep_logins(app)
        except Exception:  # noqa: BLE001 - the sweep must outlive a database hiccup
            log.exception("login sweep failed")
