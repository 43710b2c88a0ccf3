"""The event -> xAPI statement mapping: every act, both kinds of actor, and nothing leaked."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from practicum.engine import Event, evolve
from practicum.xapi.profile import ACTIVITY_TYPES, EXTENSIONS, VERBS
from practicum.xapi.statements import (
    MAPPED_EVENTS,
    EventContext,
    Site,
    Statement,
    lms_identity,
    pseudonym,
    redacted,
    statements_for,
)
from tests.engine.fixtures import FAC, Game, learner

SITE = Site("https://practicum.example.org", b"server-secret")
LMS = {"issuer": "https://lms.example.edu", "subject": "sub-123", "name": "Ana Lms"}
NAMES = ("Benedikt Zzyzx", "Cyrilla Qqorth", "Deodata Xxanth")


class Recorder:
    """A Game whose every accepted command is mapped as the outbox maps it (state before)."""

    def __init__(self) -> None:
        self.game = Game()
        self.statements: list[Statement] = []

    def identities(self) -> dict[str, Any]:
        return {
            e.data["learner_id"]: e.data.get("lms")
            for e in self.game.events
            if e.type == "learner_joined"
        }

    def map(self, events: list[Event], state: Any) -> list[Statement]:
        out = []
        seq = len(self.game.events) - len(events)
        identities = self.identities()
        for offset, event in enumerate(events, start=1):
            ctx = EventContext(
                SITE, "s1", self.game.scenario, state, seq + offset, 1_800_000_000.0, identities
            )
            out += statements_for(event, ctx)
            state = evolve(self.game.scenario, state, event)
        self.statements += out
        return out

    def ok(self, type_: str, actor: Any, **data: Any) -> list[Statement]:
        before = self.game.state
        answer = self.game.ok(type_, actor, **data)
        return self.map(list(answer.events), before)

    def apply(self, events: list[Event]) -> list[Statement]:
        before = self.game.state
        self.game.apply(events)
        return self.map(events, before)


def verb_key(statement: Statement) -> str:
    iri = statement.body["verb"]["id"]
    return next(key for key, (known, _) in VERBS.items() if known == iri)


@pytest.fixture
def played() -> Recorder:
    """Two teams play round one (a1 joined from an LMS), are scored, published, and close."""
    rec = Recorder()
    lms_join = Event(
        "learner_joined", {"learner_id": "a1", "name": "Anaïs Lmsname", "at": 1.0, "lms": LMS}
    )
    rec.apply([lms_join])
    a1, a2, b1, b2 = (learner(n) for n in ("a1", "a2", "b1", "b2"))
    for actor, name in ((a2, NAMES[0]), (b1, NAMES[1]), (b2, NAMES[2])):
        rec.ok("join_session", actor, learner_id=actor.learner_id, name=name)
    rec.ok("create_team", a1, team_id="t_a", name="Alpha")
    rec.ok("join_team", a2, team="t_a")
    rec.ok("create_team", b1, team_id="t_b", name="Bravo")
    rec.ok("join_team", b2, team="t_b")
    rec.ok("start_session", FAC)
    rec.ok("run_diagnostic", a1, diagnostic="d_logs")
    rec.ok("run_diagnostic", b1, diagnostic="d_interview")
    rec.ok("write_text", a1, field="gap", text="On-time is 88%, target 93%.")
    rec.ok("submit_round", a2)
    rec.ok("advance", FAC)  # t_b's draft is submitted automatically
    rec.ok("score_round", FAC, team="t_a", round="r_one", levels={})
    rec.ok("score_round", FAC, team="t_b", round="r_one", levels={})
    rec.ok("publish_scores", FAC, round="r_one")
    rec.ok("declare_cause", a2, cause="rc_routing", cell="cell_tools", confidence=0.8)
    rec.ok("advance", FAC)
    rec.ok("select_intervention", a1, intervention="i_route_fix", start_week=2)
    rec.ok("select_metric", a2, metric="m_ontime", target=93)
    rec.ok("advance", FAC)  # the debrief
    rec.ok("end_session", FAC)
    return rec


def _of(rec: Recorder, key: str) -> list[Statement]:
    return [s for s in rec.statements if verb_key(s) == key]


def test_every_meaningful_act_makes_its_statement(played: Recorder) -> None:
    kinds = {verb_key(s) for s in played.statements}
    assert kinds == set(VERBS)
    joined = [s for s in _of(played, "joined") if "/teams/" not in s.body["object"]["id"]]
    assert sorted(s.learner_id for s in joined) == ["a1", "a2", "b1", "b2"]
    assert all(s.body["object"]["definition"]["type"] == ACTIVITY_TYPES["session"] for s in joined)
    formed = _of(played, "formed")
    assert [(s.learner_id, s.body["object"]["id"]) for s in formed] == [
        ("a1", f"{SITE.base_url}/xapi/sessions/s1/teams/t_a"),
        ("b1", f"{SITE.base_url}/xapi/sessions/s1/teams/t_b"),
    ]
    assert formed[0].body["context"]["team"]["account"]["name"] == "s1/teams/t_a"
    team_joins = [s for s in _of(played, "joined") if s not in joined]
    assert sorted(s.learner_id for s in team_joins) == ["a1", "a2", "b1", "b2"]
    assert {s.body["object"]["definition"]["type"] for s in team_joins} == {ACTIVITY_TYPES["team"]}
    ran = _of(played, "ran")
    base = f"https://practicum.example.org/xapi/scenarios/{played.game.scenario.id}"
    assert [s.body["object"]["id"] for s in ran] == [
        f"{base}/diagnostics/d_logs",
        f"{base}/diagnostics/d_interview",
    ]
    assert [s.body["object"]["definition"]["name"]["en"] for s in ran] == [
        "Delivery logs",
        "Depot lead interview",
    ]
    (declared,) = _of(played, "declared")
    assert declared.learner_id == "a2"
    assert declared.body["result"]["extensions"] == {
        EXTENSIONS["confidence"]: 0.8,
        EXTENSIONS["cell"]: "cell_tools",
    }
    chose = _of(played, "chose")
    assert [s.body["object"]["definition"]["type"] for s in chose] == [
        ACTIVITY_TYPES["intervention"],
        ACTIVITY_TYPES["metric"],
    ]
    assert chose[0].body["result"]["extensions"][EXTENSIONS["start-week"]] == 2
    assert chose[1].body["result"]["extensions"] == {EXTENSIONS["target"]: 93}
    submitted = _of(played, "submitted")
    assert [s.learner_id for s in submitted][:2] == ["a2", None]
    assert submitted[1].body["actor"] == {
        "objectType": "Group",
        "account": {"homePage": SITE.base_url, "name": "s1/teams/t_b"},
    }
    assert submitted[1].body["result"]["extensions"][EXTENSIONS["automatic"]] is True
    assert "team" not in submitted[1].body["context"]  # the actor already is the team
    completed = _of(played, "completed")
    assert sorted(s.learner_id for s in completed) == ["a1", "a2", "b1", "b2"]
    assert all(s.body["result"]["completion"] is True for s in completed)


def test_scores_go_out_when_published_with_the_teams_own_score(played: Recorder) -> None:
    scored = _of(played, "scored")
    assert sorted(s.learner_id for s in scored) == ["a1", "a2", "b1", "b2"]
    teams = {s.learner_id: s.body["context"]["team"]["account"]["name"] for s in scored}
    assert teams == {
        "a1": "s1/teams/t_a",
        "a2": "s1/teams/t_a",
        "b1": "s1/teams/t_b",
        "b2": "s1/teams/t_b",
    }
    state = played.game.state
    for statement in scored:
        team = state.teams[state.learners[statement.learner_id].team]
        score = statement.body["result"]["score"]
        assert score["raw"] == pytest.approx(team.scores["r_one"]["total"])
        assert score["min"] <= score["raw"] <= score["max"]
        assert statement.body["object"]["id"].endswith("/sessions/s1/rounds/r_one")


def test_a_score_is_not_sent_before_it_is_published() -> None:
    rec = Recorder()
    a1, _a2, _b1, _b2 = rec.game.started()
    made = rec.ok("score_round", FAC, team="t_a", round="r_one", levels={})
    assert made == []
    published = rec.ok("publish_scores", FAC, round="r_one")
    assert {s.learner_id for s in published} == {"a1", "a2"}  # t_b has no score: nothing
    rescored = rec.ok("score_round", FAC, team="t_a", round="r_one", levels={}, comment="again")
    assert {s.learner_id for s in rescored} == {"a1", "a2"}  # published: shown at once


def test_lms_learner_is_their_lms_account_and_others_are_pseudonymous(played: Recorder) -> None:
    for statement in played.statements:
        who = statement.body["actor"]
        if statement.learner_id == "a1":
            assert who == {
                "objectType": "Agent",
                "account": {"homePage": LMS["issuer"], "name": LMS["subject"]},
                "name": LMS["name"],
            }
        elif statement.learner_id is not None:
            assert who == {
                "objectType": "Agent",
                "account": {
                    "homePage": SITE.base_url,
                    "name": pseudonym(SITE, statement.learner_id),
                },
            }
    assert pseudonym(SITE, "a2") != pseudonym(Site(SITE.base_url, b"other"), "a2")


def test_nothing_personal_hidden_or_of_another_team_leaks(played: Recorder) -> None:
    scenario = played.game.scenario
    hidden = [d.finding for d in scenario.diagnostics]
    hidden += [c.explanation for c in scenario.causes if hasattr(c, "explanation")]
    hidden += ["primary", "contributing", "red_herring", "Alpha", "Bravo", "Anaïs", *NAMES]
    for statement in played.statements:
        text = json.dumps(statement.body, ensure_ascii=False)
        for secret in hidden:
            assert secret not in text, (secret, statement.body)
        team = statement.body["context"].get("team")
        if statement.learner_id is not None and team is not None:
            learner_team = played.game.state.learners[statement.learner_id].team
            assert team["account"]["name"] == f"s1/teams/{learner_team}"
            assert "member" not in team


def test_ids_are_fixed_uuids_and_context_names_the_session(played: Recorder) -> None:
    ids = [s.id for s in played.statements]
    assert len(set(ids)) == len(ids)
    assert all(str(uuid.UUID(i)) == i for i in ids)
    registrations = {s.body["context"]["registration"] for s in played.statements}
    assert len(registrations) == 1
    for statement in played.statements:
        grouping = statement.body["context"]["contextActivities"]["grouping"]
        assert grouping[-1]["id"].endswith("/xapi/scenarios/" + played.game.scenario.id)
        assert statement.body["timestamp"].endswith("Z")


def test_mapping_is_pure_same_event_same_statements() -> None:
    rec = Recorder()
    rec.game.started()
    event = Event(
        "cause_declared",
        {"cause": "rc_bonus", "cell": "cell_incentives", "confidence": 0.5, "by": "a1", "at": 5.0},
        "t_a",
    )
    ctx = EventContext(SITE, "s1", rec.game.scenario, rec.game.state, 42, 9.0, {})
    assert statements_for(event, ctx) == statements_for(event, ctx)
    assert statements_for(Event("chat_posted", {"text": "hi"}, "t_a"), ctx) == []
    assert "chat_posted" not in MAPPED_EVENTS and "text_edited" not in MAPPED_EVENTS


def test_malformed_lms_identity_falls_back_to_the_pseudonym() -> None:
    assert lms_identity({"issuer": "", "subject": "x"}) is None
    assert lms_identity("nope") is None
    assert lms_identity({"issuer": "i", "subject": "s", "name": " "}) == {
        "issuer": "i",
        "subject": "s",
    }


def test_redaction_replaces_an_lms_actor_with_the_pseudonym(played: Recorder) -> None:
    mine = next(s for s in played.statements if s.learner_id == "a1")
    clean = redacted(mine.body, SITE, "a1")
    assert "Ana" not in json.dumps(clean) and LMS["subject"] not in json.dumps(clean)
    assert clean["actor"]["account"]["name"] == pseudonym(SITE, "a1")
    assert clean["id"] == mine.id
