"""A local LTI 1.3 platform for the tests: lti-provider-mock for the launch, plus a small real
Assignment and Grade Services endpoint (OAuth2 client credentials with a JWT assertion checked
against the tool's JWKS, a line item, scores). Runs under uvicorn in the separate .venv-lti.

lti-provider-mock launches with no roles and no AGS claim; its token is signed where it builds
the JWT, so this module wraps that JWT class to add, before signing, the claims a test asks for
(per user `sub`, from the JSON file PLATFORM_CLAIMS): roles, the AGS endpoint, custom
parameters, or an `exp` in the past. Settings of the mock come from LTI_PROVIDER_MOCK__* variables.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import time
import urllib.request
from typing import Any

from fastapi import Form, Header, Request
from fastapi.responses import JSONResponse
from jwcrypto.jwk import JWKSet
from jwcrypto.jwt import JWT
from lti_provider_mock import server as mock

app = mock.app
CLAIMS_FILE = os.environ["PLATFORM_CLAIMS"]
TOOL_JWKS_URL = os.environ["TOOL_JWKS_URL"]
TOKEN_URL = os.environ["PLATFORM_TOKEN_URL"]
CLIENT_ID = "lti-provider-mock"  # what the mock sends as client_id and aud

LOG: dict[str, list[Any]] = {"tokens": [], "scores": [], "refused": [], "deep_links": []}
TOKENS: dict[str, dict[str, Any]] = {}


def _claims() -> dict[str, Any]:
    try:
        with open(CLAIMS_FILE) as handle:
            return json.load(handle)
    except FileNotFoundError:
        return {}


class ClaimedJWT(JWT):
    """The mock's JWT, with the test's claims merged in before it is signed."""

    def __init__(self, *args: Any, claims: Any = None, **kwargs: Any) -> None:
        if isinstance(claims, dict):
            extra = _claims()
            claims = {
                **claims,
                **extra.get("all", {}),
                **extra.get("subs", {}).get(claims.get("sub"), {}),
            }
            if "exp_offset" in claims:
                now = int(time.time())
                offset = int(claims.pop("exp_offset"))
                claims["exp"], claims["iat"] = now + offset, now + offset - 300
        super().__init__(*args, claims=claims, **kwargs)


mock.JWT = ClaimedJWT  # the mock looks JWT up in its module when it signs a launch


def _tool_keys() -> JWKSet:
    with urllib.request.urlopen(TOOL_JWKS_URL, timeout=5) as reply:
        return JWKSet.from_json(reply.read().decode())


def _refuse(status: int, why: str) -> JSONResponse:
    LOG["refused"].append(why)
    return JSONResponse({"error": why}, status_code=status)


@app.post("/token")
def token(
    grant_type: str = Form(...),
    client_assertion_type: str = Form(...),
    client_assertion: str = Form(...),
    scope: str = Form(""),
) -> Any:
    """Exchange the tool's signed assertion for an access token (RFC 7523, as LTI asks)."""
    if grant_type != "client_credentials":
        return _refuse(400, "unsupported_grant_type")
    if client_assertion_type != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
        return _refuse(400, "bad assertion type")
    keys = _tool_keys()
    try:
        checked = JWT(
            jwt=client_assertion,
            key=keys,
            algs=["RS256"],
            check_claims={"iss": CLIENT_ID, "sub": CLIENT_ID, "aud": TOKEN_URL, "exp": None},
        )
    except Exception as exc:  # noqa: BLE001 - any failure is an invalid client
        return _refuse(401, f"invalid_client: {type(exc).__name__}: {exc}")
    claims = json.loads(checked.claims)
    access = secrets.token_urlsafe(24)
    TOKENS[access] = {"scope": scope.split(), "client": claims["sub"]}
    kid = json.loads(checked.header).get("kid")
    LOG["tokens"].append({"claims": claims, "scope": scope, "kid": kid})
    return {"access_token": access, "token_type": "Bearer", "expires_in": 3600, "scope": scope}


def _bearer(authorization: str | None, needed: str) -> bool:
    if not authorization or not authorization.startswith("Bearer "):
        return False
    granted = TOKENS.get(authorization[7:])
    return granted is not None and needed in granted["scope"]


@app.get("/ags/{context}/lineitems/{item}")
def lineitem(
    context: str, item: str, request: Request, authorization: str | None = Header(None)
) -> Any:
    """Answer a line item."""
    if not _bearer(authorization, "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"):
        return _refuse(401, "lineitem without token")
    return {
        "id": str(request.url),
        "scoreMaximum": 100,
        "label": "Practicum",
        "resourceLinkId": "1",
    }


@app.post("/ags/{context}/lineitems/{item}/scores")
async def scores(
    context: str,
    item: str,
    request: Request,
    authorization: str | None = Header(None),
    content_type: str | None = Header(None),
) -> Any:
    """Take a score, after `slow_scores` seconds; fail the first `fail_scores` posts with 503."""
    if not _bearer(authorization, "https://purl.imsglobal.org/spec/lti-ags/scope/score"):
        return _refuse(401, "score without a token of the score scope")
    if content_type != "application/vnd.ims.lis.v1.score+json":
        return _refuse(415, f"score content type {content_type}")
    body = json.loads(await request.body())
    # A slow LMS: the tool must not make the facilitator wait for it.
    await asyncio.sleep(float(_claims().get("slow_scores", 0)))
    failing = int(_claims().get("fail_scores", 0))
    attempts = sum(1 for s in LOG["scores"] if s.get("failed")) + 1
    if attempts <= failing:
        LOG["scores"].append({"failed": True, "body": body})
        return JSONResponse({"error": "try later"}, status_code=503)
    LOG["scores"].append({"context": context, "item": item, "body": body})
    return {}


@app.post("/deep-link-return")
def deep_link_return(JWT_: str = Form(..., alias="JWT")) -> Any:  # noqa: N803 - the form's name
    """Take a deep-linking answer: the tool's signed JWT, checked against its JWKS."""
    try:
        checked = JWT(
            jwt=JWT_, key=_tool_keys(), algs=["RS256"], check_claims={"iss": CLIENT_ID, "exp": None}
        )
    except Exception as exc:  # noqa: BLE001 - a bad answer is refused
        return _refuse(400, f"deep link refused: {type(exc).__name__}: {exc}")
    claims = json.loads(checked.claims)
    if os.environ["PLATFORM_ISSUER"] not in claims.get("aud", []):
        return _refuse(400, "deep link for another platform")
    LOG["deep_links"].append(claims)
    return {"ok": True}


@app.get("/test/log")
def test_log() -> Any:
    """What the platform saw: token exchanges, scores, refusals (the tests read it)."""
    return LOG
