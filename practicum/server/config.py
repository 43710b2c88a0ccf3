"""Configuration: defaults, overridden by PRACTICUM_* environment variables or a test dict."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

ASYNC_MODES = ("eventlet", "gevent", "threading")
ROOT = Path(__file__).resolve().parents[2]

# Every key here may be set as PRACTICUM_<KEY> in the environment.
DEFAULTS: dict[str, Any] = {
    "INSTANCE_DIR": str(ROOT / "instance"),
    "DATABASE_URL": None,  # default: SQLite file in INSTANCE_DIR
    # Generated once and kept in INSTANCE_DIR when unset, so learners' tokens survive a restart.
    "SECRET_KEY": None,
    "FACILITATOR_PASSWORD": None,  # generated once, kept in INSTANCE_DIR, printed at start
    "ASYNC_MODE": "eventlet",
    "HOST": "127.0.0.1",
    "PORT": 5000,
    "SCENARIO_DIR": str(ROOT / "scenarios"),
    # Allowed websocket origins besides the page's own; empty means same-origin only.
    "CORS_ORIGINS": "",
    # Transport cap: engine.io drops a connection that sends more than this in one packet.
    "MAX_PACKET_BYTES": 64 * 1024,
    # Application cap: larger payloads are refused with payload/too_large, the socket stays up.
    "MAX_PAYLOAD_BYTES": 16 * 1024,
    # Per-connection token bucket: sustained events per second and burst size.
    "RATE_PER_SECOND": 10.0,
    "RATE_BURST": 40,
    # Joins per client address per minute: a whole classroom may sit behind one NAT or proxy.
    "JOIN_ATTEMPTS_PER_MINUTE": 600,
    # Wrong join codes per address per minute, and from all addresses together (docs/security.md).
    "JOIN_FAILURES_PER_MINUTE": 20,
    "JOIN_FAILURES_GLOBAL_PER_MINUTE": 300,
    # Sign-in attempts per address per minute (form and API share it).
    "SIGNIN_ATTEMPTS_PER_MINUTE": 20,
    # Open sockets one client address may hold (a classroom NAT holds one or two per learner).
    "MAX_CONNECTIONS_PER_ADDRESS": 400,
    # How many reverse proxies in front of the server set X-Forwarded-For/-Proto/-Host (0: none;
    # their headers are then ignored, so a client cannot claim another address or scheme).
    "TRUSTED_PROXIES": 0,
    # Minutes after which a session nobody uses (no socket, no running clock) leaves memory;
    # it comes back from the log on its next use.
    "SESSION_IDLE_MINUTES": 30.0,
    # Days after which an ended session's names, chats and texts are purged (0: never).
    "RETENTION_DAYS": 0.0,
    # Mark the session cookie Secure (set it when the site is served over HTTPS).
    "SECURE_COOKIES": False,
    # Seconds between timer sweeps that call tick(now) on live sessions.
    "TICK_SECONDS": 0.5,
    # SQLite durability: NORMAL survives a process crash (SIGKILL); FULL also survives power loss.
    "SQLITE_SYNCHRONOUS": "NORMAL",
    "MAX_CONNECTIONS": 20000,
    # Seconds between two facilitator boards of one session; unset: 1 s when background
    # tasks run, 0 (every change at once) in tests without them.
    "BOARD_INTERVAL": None,
    "RUN_TIMERS": True,
    # Facilitator sign-ins (docs/accounts.md): hours a login lasts, failed sign-ins allowed per
    # address per minute and per account name per 15 minutes, scrypt cost (log2 of N) for new
    # password hashes, and seconds between checks that close sockets of ended logins.
    "LOGIN_HOURS": 12.0,
    "LOGIN_FAILURES_PER_ADDRESS": 30,
    "LOGIN_FAILURES_PER_ACCOUNT": 10,
    "PASSWORD_HASH_COST": 15,
    "LOGIN_SWEEP_SECONDS": 2.0,
    # Several processes on one database (docs/deploying.md): CLUSTER=1 (or a Redis URL) turns
    # on one owner per session, with leases of LEASE_SECONDS renewed every third of that;
    # REDIS_URL carries emits between processes (Flask-SocketIO's message queue).
    "CLUSTER": False,
    "REDIS_URL": "",
    "LEASE_SECONDS": 6.0,
    # The public URL learners open (no trailing slash): the root of xAPI activity ids and the
    # homePage of learners' pseudonymous accounts. Unset: http://HOST:PORT.
    "BASE_URL": "",
    # xAPI statements to a learning record store (docs/xapi.md): the LRS's xAPI endpoint
    # (".../statements" is added) and its basic-auth key and secret; unset URL: none are made.
    # Batches of XAPI_BATCH_SIZE, polled every XAPI_POLL_SECONDS, each request given
    # XAPI_TIMEOUT_SECONDS; a failed batch is retried after a backoff doubling from 1 s up to
    # XAPI_RETRY_MAX_SECONDS, with jitter.
    "LRS_URL": "",
    "LRS_USERNAME": "",
    "LRS_PASSWORD": "",
    "XAPI_BATCH_SIZE": 50,
    "XAPI_POLL_SECONDS": 1.0,
    "XAPI_TIMEOUT_SECONDS": 10.0,
    "XAPI_RETRY_MAX_SECONDS": 300.0,
    # LTI 1.3 (docs/lti.md): the platform registrations file (default INSTANCE_DIR/lti.json),
    # the tool's private key as PEM (default: INSTANCE_DIR/lti_private_key.pem, made at first
    # use), and seconds between sweeps that queue and post grades.
    "LTI_CONFIG": None,
    "LTI_PRIVATE_KEY": None,
    "LTI_GRADE_SECONDS": 1.0,
}


def _coerce(key: str, raw: str) -> Any:
    default = DEFAULTS.get(key)
    if isinstance(default, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


def load_config(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the effective configuration: defaults < environment < overrides."""
    config = dict(DEFAULTS)
    for key in DEFAULTS:
        raw = os.environ.get(f"PRACTICUM_{key}")
        if raw is not None and raw != "":
            config[key] = _coerce(key, raw)
    config.update(overrides or {})
    if config["ASYNC_MODE"] not in ASYNC_MODES:
        raise ValueError(
            f"PRACTICUM_ASYNC_MODE={config['ASYNC_MODE']!r}: use one of {', '.join(ASYNC_MODES)}"
        )
    instance = Path(config["INSTANCE_DIR"])
    if not config["DATABASE_URL"]:
        instance.mkdir(parents=True, exist_ok=True)
        config["DATABASE_URL"] = f"sqlite:///{instance / 'practicum.db'}"
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = _kept_secret(instance / "secret_key", lambda: secrets.token_hex(32))
    if not config["FACILITATOR_PASSWORD"]:
        config["FACILITATOR_PASSWORD"] = _kept_secret(
            instance / "facilitator_password", lambda: secrets.token_urlsafe(9)
        )
        config["FACILITATOR_PASSWORD_GENERATED"] = True
    return config


def _kept_secret(path: Path, make: Any) -> str:
    """Read a secret from path, creating it (mode 0600) on first use."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


def cors_origins(config: dict[str, Any]) -> list[str]:
    """Return the extra allowed websocket origins (never '*')."""
    origins = [o.strip() for o in str(config["CORS_ORIGINS"]).split(",") if o.strip()]
    if "*" in origins:
        raise ValueError("PRACTICUM_CORS_ORIGINS must list origins; '*' is not allowed")
    return origins
