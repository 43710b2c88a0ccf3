"""The bounds of the facilitator's commands, in one place.

The engine checks them; the server's schemas (practicum/server/messages.py) are built from them,
and docs/protocol.md from the schemas; the console's form gets them from the page
(`console_limits`), so its boxes accept exactly what the server will.
"""

from __future__ import annotations

from typing import Any

EXTEND_MAX_MINUTES = 240  # extend takes -240..240 minutes (never leaving under a minute)
NAME_MAX = 40  # team and learner names: 1..40 characters
COMMENT_MAX = 2000  # a score's comment to the team
REASON_MAX = 500  # an override's reason: 1..500 characters
LEVEL_MIN = 1
LEVEL_MAX = 4  # facilitator-scored components: levels 1..4
OVERRIDE_POINTS_MAX = 100  # the schema's cap; the engine caps at the component's weight
FIRE_TEAMS_MAX = 200  # teams named in one fire_inject
MINUTES_SCALE_MIN = 0.25  # session settings: every round's minutes times 0.25..3
MINUTES_SCALE_MAX = 3.0
TEAM_SIZE_MAX = 12  # session settings: the largest team a facilitator may allow


def console_limits() -> dict[str, Any]:
    """Return the bounds the console's form needs, for the template and console.js."""
    return {
        "extendMin": -EXTEND_MAX_MINUTES,
        "extendMax": EXTEND_MAX_MINUTES,
        "nameMax": NAME_MAX,
        "commentMax": COMMENT_MAX,
        "reasonMax": REASON_MAX,
        "levelMin": LEVEL_MIN,
        "levelMax": LEVEL_MAX,
        "overrideMax": OVERRIDE_POINTS_MAX,
        "minutesPercentMin": round(MINUTES_SCALE_MIN * 100),
        "minutesPercentMax": round(MINUTES_SCALE_MAX * 100),
        "teamSizeMax": TEAM_SIZE_MAX,
    }
