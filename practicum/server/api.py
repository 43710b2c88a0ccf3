"""The JSON HTTP API for scripts and other clients: sign in, list scenarios, create sessions."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, current_app, jsonify, request, session
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from practicum.server.messages import check_strings, describe_errors
from practicum.server.service import UnknownScenario

api = Blueprint("api", __name__, url_prefix="/api")


class LoginBody(Schema):
    """POST /api/login."""

    class Meta:
        unknown = RAISE

    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


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


def _bearer_ok() -> bool:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return False
    return current_app.extensions["practicum.tokens"].is_facilitator(header[7:].strip())


def facilitator_required(allow_browser_session: bool) -> Callable:
    """Refuse a request without a facilitator token (or, for reads, a signed-in browser)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            browser = allow_browser_session and bool(session.get("facilitator"))
            if not (browser or _bearer_ok()):
                return _fail(401, "auth/forbidden", "Sign in as the facilitator first.")
            return view(*args, **kwargs)

        return wrapped

    return decorate


@api.errorhandler(ValidationError)
def _invalid(exc: ValidationError) -> Any:
    return _fail(400, "payload/invalid", describe_errors(exc.messages))


@api.post("/login")
def login() -> Any:
    """Exchange the facilitator password for an API token."""
    ext = current_app.extensions
    if not ext["practicum.join_limiter"].allow(
        "login:" + (request.remote_addr or "?"), ext["practicum"].clock()
    ):
        return _fail(429, "auth/rate_limited", "Too many sign-in attempts; wait a minute.")
    body = _body(LoginBody)
    expected = current_app.config["FACILITATOR_PASSWORD"]
    if not hmac.compare_digest(body["password"].encode(), expected.encode()):
        return _fail(401, "auth/bad_password", "That is not the facilitator password.")
    return jsonify({"ok": True, "token": ext["practicum.tokens"].facilitator_token()})


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
    """List sessions, newest first."""
    return jsonify({"ok": True, "sessions": current_app.extensions["practicum"].list_sessions()})


@api.post("/sessions")
@facilitator_required(allow_browser_session=False)
def create_session() -> Any:
    """Create a session from a scenario; answer its id and join code."""
    body = _body(CreateSessionBody)
    try:
        session_id, code = current_app.extensions["practicum"].create_session(body["scenario_id"])
    except UnknownScenario:
        known = ", ".join(sorted(current_app.extensions["practicum"].catalog))
        return _fail(
            404, "scenario/unknown", f"No scenario '{body['scenario_id']}' (known: {known})."
        )
    return jsonify({"ok": True, "sessionId": session_id, "joinCode": code}), 201
