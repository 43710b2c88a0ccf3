"""Attach xAPI to the app: the outbox on the service, the sender task, the status endpoint."""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, current_app, g, jsonify

from practicum.server.accounts import ADMIN
from practicum.server.api import _fail, facilitator_required
from practicum.xapi.outbox import Outbox
from practicum.xapi.sender import LrsClient, LrsConfig, Sender
from practicum.xapi.statements import Site

log = logging.getLogger(__name__)
xapi_api = Blueprint("xapi", __name__, url_prefix="/api/xapi")


def base_url(config: dict[str, Any]) -> str:
    """Return the public base URL: BASE_URL, or http://HOST:PORT when unset."""
    configured = str(config.get("BASE_URL") or "").rstrip("/")
    return configured or f"http://{config['HOST']}:{config['PORT']}"


def pseudonym_key(secret_key: str) -> bytes:
    """Return the key of learners' xAPI pseudonyms, derived from the app's secret key.

    A key of its own (not the secret key itself), so a pseudonym reveals nothing about the key
    that signs tokens and cookies; stable as long as PRACTICUM_SECRET_KEY is.
    """
    return hmac.new(secret_key.encode(), b"practicum.xapi.pseudonym", hashlib.sha256).digest()


def lrs_config(config: dict[str, Any]) -> LrsConfig:
    """Return the sender's settings from the app configuration."""
    return LrsConfig(
        url=str(config["LRS_URL"]),
        username=str(config["LRS_USERNAME"] or ""),
        password=str(config["LRS_PASSWORD"] or ""),
        batch_size=max(1, int(config["XAPI_BATCH_SIZE"])),
        poll_seconds=float(config["XAPI_POLL_SECONDS"]),
        timeout_seconds=float(config["XAPI_TIMEOUT_SECONDS"]),
        retry_max_seconds=float(config["XAPI_RETRY_MAX_SECONDS"]),
    )


def init_xapi(app: Flask, service: Any, store: Any) -> None:
    """Register the status endpoint; with an LRS configured, put the outbox on the service."""
    app.register_blueprint(xapi_api)
    config = app.config
    if not config.get("LRS_URL"):
        return
    site = Site(base_url(config), pseudonym_key(str(config["SECRET_KEY"])))
    outbox = Outbox(store, site)
    service.outbox = outbox
    app.extensions["practicum.xapi"] = outbox
    # In a cluster the sender's name says which process claimed a row (claimed_by).
    owner = service.leases.owner if service.leases is not None else None
    app.extensions["practicum.xapi_sender"] = Sender(
        outbox, LrsClient(lrs_config(config)), clock=service.clock, worker=owner
    )


def run_sender(app: Flask, sleep: Callable[[float], Any]) -> None:
    """Send outbox batches forever (a background task: never on a request's path)."""
    sender: Sender = app.extensions["practicum.xapi_sender"]
    while True:
        try:
            wait = sender.step()
        except Exception:  # noqa: BLE001 - e.g. the database restarting: try again later
            log.exception("xAPI sender step failed")
            wait = sender.config.poll_seconds * 5
        sleep(wait)


@xapi_api.get("/status")
@facilitator_required(allow_browser_session=True)
def status() -> Any:
    """Say how the xAPI outbox stands (admins only): pending statements, the last error."""
    if g.login.account.role != ADMIN:
        return _fail(403, "auth/role", "Only an admin can see the xAPI outbox.")
    sender = current_app.extensions.get("practicum.xapi_sender")
    if sender is None:
        return jsonify({"ok": True, "configured": False})
    return jsonify({"ok": True, "configured": True, **sender.status()})
