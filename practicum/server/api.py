"""The JSON HTTP API for scripts and other clients: sign in, list scenarios, create sessions."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from practicum.server.accounts import ABILITIES, CREATES_SESSIONS, SHARE_ROLES, AccountError
from practicum.server.auth import Refusal, current_login, session_role
from practicum.server.messages import check_strings, describe_errors
from practicum.server.service import UnknownScenario

api = Blueprint("api", __name__, url_prefix="/api")


class LoginBody(Schema):
    """POST /api/login."""

    class Meta:
        unknown = RAISE

    # Without `user`, the password is the first admin's (the single-password default).
    user = fields.String(load_default="", validate=validate.Length(max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class ShareBody(Schema):
    """POST /api/sessions/<id>/shares."""

    class Meta:
        unknown = RAISE

    user = fields.String(required=True, validate=validate.Length(min=1, max=64))
    role = fields.String(required=True, validate=validate.OneOf(SHARE_ROLES))


class CreateSessionBody(Schema):
    """POST /api/sessions."""

    class Meta:
        unknown = RAISE

    scenario_id = fields.String(
        required=True, data_key="scenarioId", validate=validate.Length(min=1, max=80)
    )


def _fail(status: int, code: str, message: str) -> Any:
    return jsonify({"ok": False, "code": code, "message": message}), status


def _body(schema: type[Schema]) -> dict[str, Any]:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise ValidationError(
            {"_schema": ["send a JSON object with Content-Type application/json"]}
        )
    check_strings(payload)
    return schema().load(payload)


def facilitator_required(allow_browser_session: bool) -> Callable:
    """Refuse a request without a valid login (a token, or for reads a signed-in browser)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            # Forms are CSRF-protected and the API is not: a cookie alone never authorises a
            # write here.
            login = current_login(allow_cookie=allow_browser_session)
            if login is None:
                return _fail(401, "auth/forbidden", "Sign in as a facilitator first.")
            g.login = login
            return view(*args, **kwargs)

        return wrapped

    return decorate


@api.errorhandler(ValidationError)
def _invalid(exc: ValidationError) -> Any:
    return _fail(400, "payload/invalid", describe_errors(exc.messages))


@api.post("/login")
def login() -> Any:
    """Exchange a user name and password for an API token naming a new login."""
    body = _body(LoginBody)
    auth = current_app.extensions["practicum.auth"]
    signed = auth.sign_in(body["user"], body["password"], request.remote_addr or "?")
    if isinstance(signed, Refusal):
        return _fail(signed.status, signed.code, signed.message)
    return jsonify(
        {
            "ok": True,
            "token": auth.token(signed),
            "loginId": signed.id,
            "user": signed.account.name,
            "role": signed.account.role,
            "expiresAt": signed.expires_at,
        }
    )


@api.post("/logout")
@facilitator_required(allow_browser_session=False)
def logout() -> Any:
    """Revoke the token's login (its sockets are disconnected)."""
    current_app.extensions["practicum.auth"].revoke([g.login.id])
    return jsonify({"ok": True})


def scenario_summary(scenario: Any) -> dict[str, Any]:
    """Return what a facilitator needs to pick a scenario."""
    return {
        "id": scenario.id,
        "title": scenario.title,
        "summary": scenario.summary,
        "industry": scenario.company.industry,
        "difficulty": scenario.difficulty,
        "durationMinutes": sum(r.minutes for r in scenario.rounds),
        "rounds": len(scenario.rounds),
        "teamSize": {"min": scenario.team_size.min, "max": scenario.team_size.max},
    }


@api.get("/scenarios")
@facilitator_required(allow_browser_session=True)
def scenarios() -> Any:
    """List the scenarios a session can be created from."""
    catalog = current_app.extensions["practicum"].catalog
    return jsonify({"ok": True, "scenarios": [scenario_summary(s) for s in catalog.values()]})


@api.get("/sessions")
@facilitator_required(allow_browser_session=True)
def list_sessions() -> Any:
    """List the sessions the login's account may see, newest first."""
    accounts = current_app.extensions["practicum.auth"].accounts
    visible = accounts.visible_sessions(g.login.account)
    return jsonify(
        {"ok": True, "sessions": current_app.extensions["practicum"].list_sessions(visible)}
    )


@api.post("/sessions")
@facilitator_required(allow_browser_session=False)
def create_session() -> Any:
    """Create a session from a scenario, owned by the login's account; answer id and join code."""
    body = _body(CreateSessionBody)
    account = g.login.account
    if account.role not in CREATES_SESSIONS:
        return _fail(403, "auth/role", f"An {account.role} account cannot create sessions.")
    try:
        session_id, code = current_app.extensions["practicum"].create_session(
            body["scenario_id"], owner=(account.id, account.name)
        )
    except UnknownScenario:
        known = ", ".join(sorted(current_app.extensions["practicum"].catalog))
        return _fail(
            404, "scenario/unknown", f"No scenario '{body['scenario_id']}' (known: {known})."
        )
    return jsonify({"ok": True, "sessionId": session_id, "joinCode": code}), 201


@api.post("/sessions/<session_id>/shares")
@facilitator_required(allow_browser_session=False)
def share_session(session_id: str) -> Any:
    """Share a session with an account in a role (its owner or an admin only)."""
    body = _body(ShareBody)
    role = session_role(g.login.account, session_id)
    if role is None:
        return _fail(404, "session/unknown", "That session does not exist.")
    if "share" not in ABILITIES[role]:
        return _fail(403, "auth/role", "Only the session's owner or an admin can share it.")
    try:
        current_app.extensions["practicum.auth"].accounts.share(
            session_id, body["user"], body["role"]
        )
    except AccountError as exc:
        return _fail(400, exc.code, exc.message)
    return jsonify({"ok": True})
