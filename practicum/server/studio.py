"""The authoring workbench over HTTP: the /studio page and its thin JSON API.

Two ways in. On the server, an account whose role may use the studio (roles.USES_STUDIO) signs in
as for the console; the API then takes the browser's cookie with an X-CSRF-Token header, or a
bearer token. Locally, `practicum studio FILE` (practicum/server/studio_local.py) serves the same
blueprint on 127.0.0.1 with STUDIO_FILE set: the page is opened with a one-time key from the
printed URL, and Save writes that file. The server never writes its scenarios directory:
scenarios there are loaded at start-up by every process of a cluster, so an author downloads the
file and an operator installs it.
"""

from __future__ import annotations

import hmac
import logging
import os
import secrets
import tempfile
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from marshmallow import RAISE, Schema, ValidationError, fields, validate
from werkzeug.exceptions import RequestEntityTooLarge

from practicum.scenario.errors import ScenarioError
from practicum.scenario.loader import MAX_BYTES, load_scenario_text
from practicum.scenario.model import Scenario
from practicum.server.hardening import page_headers
from practicum.server.roles import USES_STUDIO
from practicum.studio import workbench

log = logging.getLogger(__name__)
studio = Blueprint("studio", __name__, url_prefix="/studio")

CSRF_KEY = "csrf_token"  # the same session key as the pages' forms (pages.csrf_token)
LOCAL_KEY = "studio_local"
CSRF_HEADER = "X-CSRF-Token"
STUDIO_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


def _fail(status: int, code: str, message: str, **extra: Any) -> Any:
    return jsonify({"ok": False, "code": code, "message": message, **extra}), status


class Refused(Exception):
    """A request the studio answers with an error code (and, for a scenario, its findings)."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.answer = (status, code, message, extra)


def _local_file() -> Path | None:
    path = current_app.config.get("STUDIO_FILE")
    return Path(path) if path else None


def _csrf_token() -> str:
    token = session.get(CSRF_KEY)
    if not token:
        token = session[CSRF_KEY] = secrets.token_urlsafe(24)
    return str(token)


def _csrf_ok() -> bool:
    sent = request.headers.get(CSRF_HEADER, "")
    expected = session.get(CSRF_KEY, "")
    return bool(expected) and hmac.compare_digest(sent.encode(), str(expected).encode())


@studio.before_request
def _local_host_only() -> Any:
    """Locally, answer only requests naming the loopback address (no DNS rebinding)."""
    if _local_file() is None:
        return None
    host = (request.host or "").rsplit(":", 1)[0]
    if host not in ("127.0.0.1", "localhost"):
        return _fail(403, "studio/host", "The studio answers on 127.0.0.1 only.")
    return None


@studio.after_request
def _headers(response: Response) -> Response:
    return page_headers(response, STUDIO_CSP, no_store=True)


@studio.errorhandler(RequestEntityTooLarge)
def _too_large(_exc: Exception) -> Any:
    return _fail(413, "payload/too_large", "The request is too large.")


@studio.errorhandler(Refused)
def _refused(exc: Refused) -> Any:
    status, code, message, extra = exc.answer
    return _fail(status, code, message, **extra)


@studio.errorhandler(ValidationError)
def _invalid(exc: ValidationError) -> Any:
    return _fail(400, "payload/invalid", _describe(exc.messages))


def _describe(messages: Any, prefix: str = "") -> str:
    if isinstance(messages, dict):
        parts = [
            _describe(v, "" if k == "_schema" else f"{prefix}{k}: ") for k, v in messages.items()
        ]
        return "; ".join(parts)
    if isinstance(messages, list):
        return "; ".join(f"{prefix}{m}" for m in messages)
    return f"{prefix}{messages}"


# --- who may use it ------------------------------------------------------------------------------


def _studio_login() -> Any:
    from practicum.server.auth import current_login

    return current_login()


def studio_page(view: Callable) -> Callable:
    """The page: a signed-in account with a studio role, or the local key."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if _local_file() is not None:
            key = request.args.get("key", "")
            if key and hmac.compare_digest(key.encode(), current_app.config["STUDIO_KEY"].encode()):
                session[LOCAL_KEY] = True
                return redirect(url_for("studio.page"))  # the key leaves the address bar
            if not session.get(LOCAL_KEY):
                abort(403)
            return view(*args, **kwargs)
        from practicum.server.auth import current_login

        login = current_login(allow_bearer=False)
        if login is None:
            session.pop("login", None)
            return redirect(url_for("pages.sign_in", next=request.path))
        if login.account.role not in USES_STUDIO:
            abort(403)
        g.login = login
        return view(*args, **kwargs)

    return wrapped


def studio_api(view: Callable) -> Callable:
    """The API: as the page, plus the CSRF header when the credential is a cookie."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if _local_file() is not None:
            if not session.get(LOCAL_KEY):
                return _fail(401, "auth/forbidden", "Open the studio from the address it printed.")
            if request.method == "POST" and not _csrf_ok():
                return _fail(403, "auth/csrf", "Reload the studio page and try again.")
            return view(*args, **kwargs)
        from practicum.server.auth import current_login

        bearer = request.headers.get("Authorization", "").startswith("Bearer ")
        login = current_login()
        if login is None:
            return _fail(401, "auth/forbidden", "Sign in first.")
        if not bearer and request.method == "POST" and not _csrf_ok():
            # A cookie alone never authorises a POST: another site could send it.
            return _fail(403, "auth/csrf", "Reload the studio page and try again.")
        if login.account.role not in USES_STUDIO:
            role = login.account.role
            return _fail(403, "auth/role", f"An {role} account cannot use the studio.")
        g.login = login
        return view(*args, **kwargs)

    return wrapped


# --- request bodies ------------------------------------------------------------------------------


class TextBody(Schema):
    """POST /studio/api/check: the scenario text."""

    class Meta:
        unknown = RAISE

    text = fields.String(required=True, validate=validate.Length(max=MAX_BYTES))


class CheckBody(TextBody):
    """POST /studio/api/check: the text; ``lint`` false answers the loader's findings only."""

    lint = fields.Boolean(load_default=True)


class PreviewBody(TextBody):
    """POST /studio/api/preview: the text and a round index (from 0)."""

    round = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=99))


class PlayBody(TextBody):
    """POST /studio/api/play: the text and a plan ("expert", "sponsor" or a plan object)."""

    plan = fields.Raw(required=True)


class SaveBody(TextBody):
    """POST /studio/api/file: the text, the disk version it was based on, overwrite anyway."""

    base = fields.String(required=True, validate=validate.Length(max=80))
    force = fields.Boolean(load_default=False)


def _body(schema: type[Schema]) -> dict[str, Any]:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise ValidationError(
            {"_schema": ["send a JSON object with Content-Type application/json"]}
        )
    data = schema().load(payload)
    if len(data["text"].encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise ValidationError({"text": [f"a scenario may be at most {MAX_BYTES:,} bytes"]})
    return data


def _heavy(function: Callable[..., Any], *args: Any) -> Any:
    """Run lint, the engine or the outcome model off the event loop on a green server."""
    from practicum.server.auth import off_loop

    return off_loop(function, *args)


def _loaded(text: str) -> Scenario:
    """Return the scenario the text loads to; refuse (422) with its located findings."""
    try:
        return load_scenario_text(text, workbench.NAME)
    except ScenarioError:
        _scenario, findings = workbench.check(text)
        raise Refused(
            422,
            "scenario/invalid",
            "The scenario does not load; fix the errors first.",
            findings=findings,
        ) from None


# --- the page ------------------------------------------------------------------------------------


@studio.get("")
@studio_page
def page() -> Any:
    """The workbench: editor, findings, round preview and play."""
    local = _local_file()
    return render_template(
        "studio.html",
        mode="file" if local is not None else "account",
        file_name=local.name if local is not None else None,
        studio_csrf=_csrf_token(),
        shipped=_shipped(),
    )


def _shipped() -> list[dict[str, str]]:
    """Return the scenarios offered to open: the server's catalogue (or the repository's)."""
    return [{"id": s.id, "title": s.title} for s in _catalog().values()]


def _catalog() -> dict[str, Any]:
    service = current_app.extensions.get("practicum")
    if service is not None:
        return dict(service.catalog)
    return dict(current_app.extensions.get("practicum.studio_catalog", {}))


# --- the API -------------------------------------------------------------------------------------


@studio.get("/api/shipped/<scenario_id>")
@studio_api
def shipped(scenario_id: str) -> Any:
    """Return the text of a shipped scenario file."""
    scenario = _catalog().get(scenario_id)
    if scenario is None:
        return _fail(404, "scenario/unknown", f"No shipped scenario '{scenario_id[:80]}'.")
    try:
        text = Path(scenario.source_file).read_text(encoding="utf-8-sig")
    except OSError:
        return _fail(404, "scenario/unreadable", "The scenario's file cannot be read any more.")
    return jsonify(
        {"ok": True, "id": scenario.id, "text": text, "name": Path(scenario.source_file).name}
    )


@studio.post("/api/check")
@studio_api
def check() -> Any:
    """Validate and lint the text; answer the findings with their lines and columns."""
    body = _body(CheckBody)
    scenario, findings = _heavy(workbench.check, body["text"], body["lint"])
    return jsonify(
        {
            "ok": True,
            "linted": body["lint"] and scenario is not None,
            "loads": scenario is not None,
            "scenario": None if scenario is None else workbench.summary(scenario),
            "findings": findings,
        }
    )


@studio.post("/api/preview")
@studio_api
def preview() -> Any:
    """Answer the engine's learner view of a fresh team in one round."""
    body = _body(PreviewBody)
    scenario = _loaded(body["text"])
    if body["round"] >= len(scenario.rounds):
        return _fail(400, "round/unknown", f"The scenario has {len(scenario.rounds)} rounds.")
    try:
        result = _heavy(workbench.preview, scenario, body["round"])
    except Exception as exc:  # noqa: BLE001 - an author's scenario must not answer a 500
        log.info("studio preview failed: %s", exc)
        return _fail(422, "studio/preview_failed", f"The engine cannot open this round: {exc}")
    return jsonify({"ok": True, **result})


@studio.post("/api/play")
@studio_api
def play() -> Any:
    """Answer a plan's outcome beside doing nothing and the expert, its scores and budget use."""
    body = _body(PlayBody)
    scenario = _loaded(body["text"])
    spec = body["plan"]
    if not (spec in ("expert", "sponsor") or isinstance(spec, dict)):
        return _fail(400, "payload/invalid", 'plan: "expert", "sponsor" or a plan object')
    plan, problems = workbench.plan_of(scenario, spec)
    if plan is None:
        return _fail(422, problems[0]["rule"], problems[0]["message"], findings=problems)
    try:
        result = _heavy(workbench.play, scenario, plan)
    except Exception as exc:  # noqa: BLE001 - e.g. rule parameters the scoring cannot read
        log.info("studio play failed: %s", exc)
        return _fail(422, "studio/play_failed", f"The outcome or scoring model failed: {exc}")
    return jsonify({"ok": True, **result})


# --- the file on disk (local mode only) ----------------------------------------------------------


def version_of(path: Path) -> str:
    """Return a token that changes whenever the file is written (mtime and size)."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return "missing"
    return f"{stat.st_mtime_ns}-{stat.st_size}"


def save_atomically(path: Path, text: str) -> None:
    """Write the file through a temporary file and a rename, keeping the old one as FILE.bak."""
    data = text.encode("utf-8")
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.replace(path, path.with_name(path.name + ".bak"))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@studio.get("/api/file")
@studio_api
def read_file() -> Any:
    """Return the local file's text and version."""
    path = _local_file()
    if path is None:
        return _fail(404, "studio/no_file", "Only `practicum studio FILE` edits a file.")
    try:
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
    except FileNotFoundError:
        text = ""
    except OSError as exc:
        return _fail(500, "file/unreadable", f"Cannot read {path.name}: {exc.strerror or exc}")
    return jsonify({"ok": True, "name": path.name, "text": text, "version": version_of(path)})


@studio.get("/api/file/version")
@studio_api
def file_version() -> Any:
    """Return the local file's version (polled to notice another editor's save)."""
    path = _local_file()
    if path is None:
        return _fail(404, "studio/no_file", "Only `practicum studio FILE` edits a file.")
    return jsonify({"ok": True, "version": version_of(path)})


@studio.post("/api/file")
@studio_api
def save_file() -> Any:
    """Save the text to the local file unless it changed on disk since `base` (then 409)."""
    path = _local_file()
    if path is None:
        return _fail(404, "studio/no_file", "Only `practicum studio FILE` edits a file.")
    body = _body(SaveBody)
    current = version_of(path)
    if current != body["base"] and not body["force"]:
        return _fail(
            409,
            "file/conflict",
            f"{path.name} changed on disk since you opened it.",
            version=current,
        )
    try:
        save_atomically(path, body["text"])
    except OSError as exc:
        return _fail(500, "file/write_failed", f"Cannot write {path.name}: {exc.strerror or exc}")
    return jsonify({"ok": True, "version": version_of(path)})
