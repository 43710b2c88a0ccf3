"""The stage's modes and the facilitator's choice of what it shows next (views: stage_views.py).

The stage is a shared display anyone in the room can read (and anyone holding its link can
open), so its view holds public data only: never a team's work, chat or scores before the
reveal, never the answer key, the expert plan's contents, inject scripts or facilitator notes.
"""

from __future__ import annotations

from practicum.engine.context import Ctx, handles
from practicum.engine.errors import RuleViolation
from practicum.engine.state import CLOSED, DEBRIEF, LOBBY, ROUND, SessionState

LOBBY_MODE = "lobby"
ROUND_MODE = "round"
SCORING_MODE = "scoring"
DEBRIEF_MODE = "debrief"
LEADERBOARD_MODE = "leaderboard"
STAGE_MODES = (LOBBY_MODE, ROUND_MODE, SCORING_MODE, DEBRIEF_MODE, LEADERBOARD_MODE)

# What the stage shows while the facilitator has chosen nothing since the phase last changed.
_FOLLOW = {LOBBY: LOBBY_MODE, ROUND: ROUND_MODE, DEBRIEF: DEBRIEF_MODE, CLOSED: DEBRIEF_MODE}


def unavailable(state: SessionState, mode: str) -> str | None:
    """Return why the stage cannot show a mode now (None: it can)."""
    if mode == ROUND_MODE and state.phase != ROUND:
        return "no round is running"
    if mode == SCORING_MODE and state.phase == LOBBY:
        return "no round has been played yet"
    # The debrief reveals what really caused the gap: never before the rounds are over.
    if mode == DEBRIEF_MODE and state.phase not in (DEBRIEF, CLOSED):
        return "the debrief has not started"
    if mode == LEADERBOARD_MODE and not state.settings.leaderboard:
        return "the leaderboard is switched off for this session"
    if mode == LEADERBOARD_MODE and not state.published:
        return "no round's scores are published"
    return None


def stage_mode(state: SessionState) -> str:
    """Return what the stage shows now: the facilitator's choice, or what the phase calls for."""
    chosen = state.stage_mode
    if chosen in STAGE_MODES and unavailable(state, chosen) is None:
        return chosen
    return _FOLLOW.get(state.phase, LOBBY_MODE)


@handles("stage_show")
def stage_show(ctx: Ctx) -> None:
    """The facilitator chooses what the stage shows next."""
    mode = ctx.str_field("mode")
    if mode not in STAGE_MODES:
        raise RuleViolation(
            "input/invalid", field="mode", reason="one of " + ", ".join(STAGE_MODES)
        )
    reason = unavailable(ctx.state, mode)
    if reason is not None:
        raise RuleViolation("stage/unavailable", mode=mode, reason=reason)
    if mode != ctx.state.stage_mode:
        ctx.emit("stage_changed", {"mode": mode, "at": ctx.now})
    ctx.result["mode"] = mode
