"""Signed tokens: a learner's identity in a session (facilitators' logins: auth.py)."""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

LEARNER_SALT = "practicum.learner"


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
