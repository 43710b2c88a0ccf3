"""Signed tokens: a learner's identity in a session and the short-lived links that open a
session's stage (facilitators' logins: auth.py)."""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer

LEARNER_SALT = "practicum.learner"
STAGE_SALT = "practicum.stage"
# A stage link opens a read-only screen of one session's public data. It is handed around a
# room (copied into a projector's browser), so it expires soon; an open stage renews its token
# well before then (STAGE_RENEW_SECONDS) to reconnect after a network drop.
STAGE_LINK_SECONDS = 30 * 60
STAGE_RENEW_SECONDS = 10 * 60


@dataclass(frozen=True)
class LearnerIdentity:
    """Who a learner token names."""

    session_id: str
    learner_id: str


class Tokens:
    """Issue and check tokens signed with the app's secret key."""

    def __init__(self, secret_key: str) -> None:
        # No expiry: a practicum can span a day, and a learner's token is only as powerful as
        # the learner's own seat in one session.
        self._learner = URLSafeSerializer(secret_key, salt=LEARNER_SALT)
        self._stage = URLSafeTimedSerializer(secret_key, salt=STAGE_SALT)

    def learner_token(self, session_id: str, learner_id: str) -> str:
        """Return a token naming a learner in a session."""
        return self._learner.dumps({"s": session_id, "l": learner_id})

    def learner(self, token: object) -> LearnerIdentity | None:
        """Return the identity a learner token names, or None if it is not valid."""
        if not isinstance(token, str) or len(token) > 400:
            return None
        try:
            data = self._learner.loads(token)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not {"s", "l"} <= data.keys():
            return None
        return LearnerIdentity(str(data["s"]), str(data["l"]))

    def stage_token(self, session_id: str) -> str:
        """Return a token that opens the session's stage for STAGE_LINK_SECONDS."""
        return self._stage.dumps({"st": session_id})

    def stage(self, token: object, max_age: float = STAGE_LINK_SECONDS) -> str | None:
        """Return the session id a stage token opens, or None if it is invalid or expired."""
        if not isinstance(token, str) or len(token) > 400:
            return None
        try:
            data = self._stage.loads(token, max_age=max_age)
        except BadSignature:  # SignatureExpired is a BadSignature
            return None
        if not isinstance(data, dict) or not isinstance(data.get("st"), str):
            return None
        return data["st"]
