"""Session settings chosen at creation: round lengths, team sizes, injects, the leaderboard.

They are stored as the session's second event (`session_configured`), so a replay, the console
and the exports all read the same choices. A session without that event plays the scenario as
written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from practicum.engine.limits import MINUTES_SCALE_MAX, MINUTES_SCALE_MIN, TEAM_SIZE_MAX
from practicum.scenario.model import Round, Scenario


@dataclass(frozen=True)
class Settings:
    """What a facilitator changed from the scenario for one session."""

    minutes_scale: float = 1.0  # every round's minutes times this (at least one minute)
    team_min: int | None = None  # None: the scenario's
    team_max: int | None = None
    disabled_injects: frozenset[str] = frozenset()
    leaderboard: bool = True  # the stage may reveal published totals

    def to_dict(self) -> dict[str, Any]:
        """Return the settings as event data."""
        return {
            "minutes_scale": self.minutes_scale,
            "team_min": self.team_min,
            "team_max": self.team_max,
            "disabled_injects": sorted(self.disabled_injects),
            "leaderboard": self.leaderboard,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Settings:
        """Build from ``to_dict`` output."""
        return cls(
            minutes_scale=float(raw.get("minutes_scale", 1.0)),
            team_min=raw.get("team_min"),
            team_max=raw.get("team_max"),
            disabled_injects=frozenset(raw.get("disabled_injects") or ()),
            leaderboard=bool(raw.get("leaderboard", True)),
        )


DEFAULT = Settings()


class SettingsError(ValueError):
    """Settings a scenario cannot be played with; the message says which and why."""


def check_settings(scenario: Scenario, raw: Mapping[str, Any]) -> Settings:
    """Return the settings a facilitator asked for, or raise SettingsError saying what is wrong."""
    scale = raw.get("minutes_scale", 1.0)
    if isinstance(scale, bool) or not isinstance(scale, int | float):
        raise SettingsError("The round length scale must be a number.")
    if not MINUTES_SCALE_MIN <= scale <= MINUTES_SCALE_MAX:
        raise SettingsError(
            f"Round lengths can be scaled from {MINUTES_SCALE_MIN:.0%} to {MINUTES_SCALE_MAX:.0%}."
        )
    low = raw.get("team_min", scenario.team_size.min)
    high = raw.get("team_max", scenario.team_size.max)
    for value in (low, high):
        if isinstance(value, bool) or not isinstance(value, int):
            raise SettingsError("Team sizes must be whole numbers.")
    if not 1 <= low <= high <= TEAM_SIZE_MAX:
        raise SettingsError(
            f"A team holds 1 to {TEAM_SIZE_MAX} learners, and the smallest size cannot exceed "
            "the largest."
        )
    known = {i.id for i in scenario.injects}
    disabled = raw.get("disabled_injects") or []
    unknown = [i for i in disabled if i not in known]
    if unknown:
        raise SettingsError(f"The scenario has no inject {unknown[0]!r}.")
    leaderboard = raw.get("leaderboard", True)
    if not isinstance(leaderboard, bool):
        raise SettingsError("Showing the leaderboard is yes or no.")
    return Settings(
        minutes_scale=float(scale),
        team_min=None if low == scenario.team_size.min else low,
        team_max=None if high == scenario.team_size.max else high,
        disabled_injects=frozenset(disabled),
        leaderboard=leaderboard,
    )


def team_size(scenario: Scenario, settings: Settings) -> tuple[int, int]:
    """Return the smallest and largest team this session wants."""
    low = scenario.team_size.min if settings.team_min is None else settings.team_min
    high = scenario.team_size.max if settings.team_max is None else settings.team_max
    return low, high


def round_minutes(round_: Round, settings: Settings) -> int:
    """Return how long a round runs in this session (whole minutes, at least one).

    Scaling never takes a round below a minute; a round the scenario gives no time at all
    keeps none (it closes at the first tick).
    """
    if round_.minutes <= 0:
        return 0
    return max(1, round(round_.minutes * settings.minutes_scale))
