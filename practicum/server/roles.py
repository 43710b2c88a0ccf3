"""Roles and what each may do: the matrix of docs/accounts.md, as data."""

from __future__ import annotations

ADMIN, FACILITATOR, ASSESSOR, OBSERVER = "admin", "facilitator", "assessor", "observer"
ROLES = (ADMIN, FACILITATOR, ASSESSOR, OBSERVER)
# The roles a session can be shared with (an owner or an admin runs it anyway).
SHARE_ROLES = (FACILITATOR, ASSESSOR, OBSERVER)
OWNER = "owner"

# What a role may do in a session it can see. view: the live board, projector and QR code;
# score: score rounds, preview scores, download exports; run: every other facilitator command
# (start, pause, extend, advance, injects, teams, publish, end); share: grant others access.
ABILITIES: dict[str, frozenset[str]] = {
    ADMIN: frozenset({"view", "score", "run", "share"}),
    OWNER: frozenset({"view", "score", "run", "share"}),
    FACILITATOR: frozenset({"view", "score", "run"}),
    ASSESSOR: frozenset({"view", "score"}),
    OBSERVER: frozenset({"view"}),
}
# Account-wide abilities: who may create sessions and who manages accounts.
CREATES_SESSIONS = frozenset({ADMIN, FACILITATOR})
RANK = {OBSERVER: 1, ASSESSOR: 2, FACILITATOR: 3, OWNER: 4, ADMIN: 5}
# Facilitator socket commands an assessor may send; every other command needs "run".
SCORE_COMMANDS = frozenset({"score_round"})


def needed_ability(command: str | None) -> str:
    """Return the ability a facilitator socket event needs (None: watching the board)."""
    if command is None:
        return "view"
    return "score" if command in SCORE_COMMANDS else "run"
