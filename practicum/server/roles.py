"""Roles and what each may do: the matrix of docs/accounts.md, as data."""

from __future__ import annotations

ADMIN, FACILITATOR, ASSESSOR, OBSERVER = "admin", "facilitator", "assessor", "observer"
# An author writes scenarios in the workbench (/studio); in a session shared with it, it watches.
AUTHOR = "author"
ROLES = (ADMIN, FACILITATOR, ASSESSOR, OBSERVER, AUTHOR)
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
    AUTHOR: frozenset({"view"}),
}
# Account-wide abilities: who may create sessions and who manages accounts.
CREATES_SESSIONS = frozenset({ADMIN, FACILITATOR})
# Who may open the authoring workbench (validate, lint, preview and play scenario text).
USES_STUDIO = frozenset({ADMIN, FACILITATOR, AUTHOR})
RANK = {AUTHOR: 1, OBSERVER: 1, ASSESSOR: 2, FACILITATOR: 3, OWNER: 4, ADMIN: 5}
# Facilitator socket commands an assessor may send; every other command needs "run".
SCORE_COMMANDS = frozenset({"score_round"})


def needed_ability(command: str | None) -> str:
    """Return the ability a facilitator socket event needs (None: watching the board)."""
    if command is None:
        return "view"
    return "score" if command in SCORE_COMMANDS else "run"
