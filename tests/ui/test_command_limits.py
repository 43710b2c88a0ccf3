"""Every bounded facilitator field, at each boundary, through the schema, the engine and the
console's form: all three accept the same values (one contract, practicum/engine/limits.py)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from marshmallow import ValidationError

from practicum.engine import FACILITATOR, Accepted, Actor, Command, decide, new_session, replay
from practicum.engine.limits import (
    COMMENT_MAX,
    EXTEND_MAX_MINUTES,
    LEVEL_MAX,
    LEVEL_MIN,
    NAME_MAX,
    OVERRIDE_POINTS_MAX,
    REASON_MAX,
)
from practicum.scenario.loader import load_scenario
from practicum.server import messages

ROOT = Path(__file__).resolve().parents[2]
FAC = Actor(FACILITATOR)
NOW = 1_800_000_000.0
SCENARIO = load_scenario(ROOT / "scenarios" / "harbor.json")
ROUTES = {r.event: r for r in messages.FACILITATOR_ROUTES}


def schema_ok(event: str, **payload: Any) -> bool:
    """Say whether the server's schema accepts a facilitator message."""
    try:
        messages.load(ROUTES[event], {"actionId": "action-0001", "sessionId": "s1", **payload})
    except ValidationError:
        return False
    return True


def engine_ok(state: Any, command: str, **data: Any) -> bool:
    """Say whether the engine accepts a facilitator command in a state."""
    return isinstance(decide(SCENARIO, state, Command(command, FAC, data), NOW), Accepted)


def session_in_round(extra_minutes: int = 0) -> Any:
    """Return a harbor session with one team, round 1 open (and extended if asked)."""
    events = new_session(SCENARIO, "s1", "ABCD12", NOW)
    state = replay(SCENARIO, events)
    steps = [
        ("join_session", Actor("learner", "l1"), {"learner_id": "l1", "name": "Ada"}),
        ("create_team", Actor("learner", "l1"), {"team_id": "t1", "name": "Alpha"}),
        ("start_session", FAC, {}),
    ]
    if extra_minutes:
        steps.append(("extend", FAC, {"minutes": extra_minutes}))
    for kind, actor, data in steps:
        answer = decide(SCENARIO, state, Command(kind, actor, data), NOW)
        assert isinstance(answer, Accepted), answer
        events += answer.events
        state = replay(SCENARIO, events)
    return state


@pytest.fixture
def form(signed_in: FlaskClient, game: Any) -> str:
    """Return the console page's HTML."""
    session = game("harbor")
    return signed_in.get(f"/facilitator/sessions/{session.session_id}").get_data(as_text=True)


def attribute(page: str, element_id: str, name: str) -> str:
    """Return an attribute of the element with an id in the page."""
    tag = re.search(rf'<[^>]*id="{element_id}"[^>]*>', page)
    assert tag, element_id
    value = re.search(rf'\s{name}="([^"]*)"', tag.group(0))
    assert value, (element_id, name)
    return html.unescape(value.group(1))


def form_accepts(page: str, element_id: str, value: int) -> bool:
    """Say whether a number box's min/max let a value through."""
    low = int(attribute(page, element_id, "min"))
    high = int(attribute(page, element_id, "max"))
    return low <= value <= high


def test_extend_minutes_at_every_boundary(form: str) -> None:
    top = EXTEND_MAX_MINUTES
    # Far more time than a cut can take: taking 240 minutes away must leave over a minute.
    roomy = session_in_round(extra_minutes=top)
    for minutes in (-top - 1, -top, -1, 1, top, top + 1):
        inside = -top <= minutes <= top
        assert schema_ok("extend", minutes=minutes) is inside, minutes
        assert engine_ok(roomy, "extend", minutes=minutes) is inside, minutes
        assert form_accepts(form, "extend-minutes", minutes) is inside, minutes
    # 0 passes the schema and the form but changes nothing: the engine says so.
    assert schema_ok("extend", minutes=0) and not engine_ok(roomy, "extend", minutes=0)
    # Taking away what is left is refused however the bounds allow it.
    fresh = session_in_round()
    first = SCENARIO.rounds[0].minutes
    assert not engine_ok(fresh, "extend", minutes=-first)
    assert engine_ok(fresh, "extend", minutes=-(first - 2))


def test_team_names_at_every_boundary(form: str) -> None:
    state = session_in_round()
    assert attribute(form, "fac-team-name", "maxlength") == str(NAME_MAX)
    for length, inside in ((0, False), (1, True), (NAME_MAX, True), (NAME_MAX + 1, False)):
        name = "N" * length
        assert schema_ok("create_team", name=name) is inside, length
        assert engine_ok(state, "create_team", team_id=f"t_{length}", name=name) is inside
        assert (length <= NAME_MAX) is (length <= int(attribute(form, "fac-team-name",
                                                                "maxlength")))


def score(state: Any, **fields: Any) -> tuple[bool, bool]:
    """Return (schema, engine) verdicts on a score of round 1 with some fields changed."""
    round_ = SCENARIO.rounds[0]
    payload = {"team": "t1", "round": round_.id, "levels": {}, "comment": "", "overrides": {},
               **fields}
    return schema_ok("score_round", **payload), engine_ok(state, "score_round", **payload)


def test_score_fields_at_every_boundary(form: str) -> None:
    state = session_in_round()
    limits = json.loads(attribute(form, "main", "data-limits"))
    assert limits["commentMax"] == COMMENT_MAX and limits["reasonMax"] == REASON_MAX
    assert (limits["levelMin"], limits["levelMax"]) == (LEVEL_MIN, LEVEL_MAX)
    facilitator = next(c for c in SCENARIO.rubric
                       if c.round == SCENARIO.rounds[0].id and c.kind == "facilitator")
    auto = next(c for c in SCENARIO.rubric
                if c.round == SCENARIO.rounds[0].id and c.kind == "auto")
    for level in (LEVEL_MIN - 1, LEVEL_MIN, LEVEL_MAX, LEVEL_MAX + 1):
        inside = LEVEL_MIN <= level <= LEVEL_MAX
        assert score(state, levels={facilitator.id: level}) == (inside, inside), level
    # The form offers one radio per level the scenario describes: exactly levels 1..4.
    assert [lv.level for lv in facilitator.levels] == list(range(LEVEL_MIN, LEVEL_MAX + 1))
    for length in (COMMENT_MAX, COMMENT_MAX + 1):
        inside = length <= COMMENT_MAX
        assert score(state, comment="c" * length) == (inside, inside), length
    for length in (0, 1, REASON_MAX, REASON_MAX + 1):
        inside = 1 <= length <= REASON_MAX
        verdict = score(state, overrides={auto.id: {"points": 1, "reason": "r" * length}})
        assert verdict == (inside, inside), length
    # Override points: the schema caps at 100, the engine (and the form's max) at the weight.
    assert limits["overrideMax"] == OVERRIDE_POINTS_MAX
    weight = auto.weight
    for points, schema, engine in ((-0.5, False, False), (0, True, True), (weight, True, True),
                                   (weight + 0.5, True, False),
                                   (OVERRIDE_POINTS_MAX + 1, False, False)):
        verdict = score(state, overrides={auto.id: {"points": points, "reason": "why"}})
        assert verdict == (schema, engine), points


def test_the_protocol_doc_states_the_same_bounds() -> None:
    doc = (ROOT / "docs" / "protocol.md").read_text()
    assert f"-{EXTEND_MAX_MINUTES}..{EXTEND_MAX_MINUTES}" in doc
    assert f"length 1..{NAME_MAX}" in doc
    assert f"length 0..{COMMENT_MAX}" in doc and f"length 1..{REASON_MAX}" in doc
    assert f"{LEVEL_MIN}..{LEVEL_MAX}" in doc
