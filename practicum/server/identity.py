"""Signed tokens: a learner's identity in a session, and a facilitator's sign-in for scripts."""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

LEARNER_SALT = "practicum.learner"
FACILITATOR_SALT = "practicum.facilitator"


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
        self._facilitator = URLSafeSerializer(secret_key, salt=FACILITATOR_SALT)

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

    def facilitator_token(self) -> str:
        """Return a token that signs a script in as the facilitator."""
        return self._facilitator.dumps({"f": 1})

    def is_facilitator(self, token: object) -> bool:
        """Say whether a token is a valid facilitator token."""
        if not isinstance(token, str) or len(token) > 400:
            return False
        try:
            return self._facilitator.loads(token) == {"f": 1}
        except BadSignature:
            return False
