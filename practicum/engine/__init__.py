"""The pure game engine: commands in, events out, state folded from events, views per client.

No clock reads, no randomness, no I/O: time is the ``now`` argument and ids come in ``data``.
"""

from practicum.engine.catalogue import scenario_public
from practicum.engine.commands import (
    FACILITATOR,
    LEARNER,
    SYSTEM,
    Accepted,
    Actor,
    Command,
    Rejected,
)
from practicum.engine.decide import decide
from practicum.engine.errors import ERRORS
from practicum.engine.events import EVENT_TYPES, Event
from practicum.engine.evolve import EMPTY_STATE, evolve, fold, replay
from practicum.engine.plan import plan_for, plan_from_dict, plan_to_dict
from practicum.engine.session import new_session
from practicum.engine.stage import STAGE_MODES
from practicum.engine.stage_views import stage_view
from practicum.engine.state import SessionState, Team
from practicum.engine.timers import tick
from practicum.engine.views import (
    facilitator_view,
    learner_view,
    public_view,
    team_view,
    text_sync,
)

__all__ = [
    "EMPTY_STATE",
    "ERRORS",
    "EVENT_TYPES",
    "FACILITATOR",
    "LEARNER",
    "STAGE_MODES",
    "SYSTEM",
    "Accepted",
    "Actor",
    "Command",
    "Event",
    "Rejected",
    "SessionState",
    "Team",
    "decide",
    "evolve",
    "facilitator_view",
    "fold",
    "learner_view",
    "new_session",
    "plan_for",
    "plan_from_dict",
    "plan_to_dict",
    "public_view",
    "replay",
    "scenario_public",
    "stage_view",
    "team_view",
    "text_sync",
    "tick",
]
