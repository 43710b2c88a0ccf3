"""Map engine events to xAPI statements: a pure function of an event and its session context.

No clock, no database, no Flask: the outbox (outbox.py) gathers the context and stores what
this returns in the same transaction as the events. Statements carry only what the acting
learner's own team could see at that moment: never a finding's text, never whether a cause is
the true one, never another team's work or score, never a learner's display name (an LMS name
only when the learner came from an LMS, which already knows it).
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from practicum.engine.events import Event
from practicum.xapi.profile import ACTIVITY_TYPES, EXTENSIONS, NAMESPACE, PLATFORM, verb

Json = dict[str, Any]


@dataclass(frozen=True)
class Site:
    """The deployment: its public base URL (activity ids, pseudonyms' homePage) and secret."""

    base_url: str
    secret: bytes


@dataclass(frozen=True)
class EventContext:
    """What the mapping may read about one event: the session as it was just before it."""

    site: Site
    session_id: str
    scenario: Any  # practicum.scenario.model.Scenario
    state: Any  # practicum.engine.state.SessionState before the event
    seq: int  # the event's seq in the session's log
    now: float  # when it was appended (used when the event carries no time of its own)
    # learner id -> the LMS identity they launched with ({"issuer", "subject", "name"}).
    identities: Mapping[str, Mapping[str, Any] | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Statement:
    """One statement to send, and the learner it is about (None: about a team)."""

    id: str
    learner_id: str | None
    body: Json


# --- identities -------------------------------------------------------------------------------


def lms_identity(raw: Any) -> dict[str, str] | None:
    """Return a well-formed LMS identity ({"issuer", "subject", "name"?}) or None."""
    if not isinstance(raw, Mapping):
        return None
    issuer, subject, name = raw.get("issuer"), raw.get("subject"), raw.get("name")
    if not (isinstance(issuer, str) and issuer and isinstance(subject, str) and subject):
        return None
    identity = {"issuer": issuer, "subject": subject}
    if isinstance(name, str) and name.strip():
        identity["name"] = name.strip()
    return identity


def pseudonym(site: Site, learner_id: str) -> str:
    """Return the learner's pseudonymous account name: an HMAC of their id with the secret."""
    return hmac.new(site.secret, learner_id.encode(), hashlib.sha256).hexdigest()


def pseudonymous_actor(site: Site, learner_id: str) -> Json:
    """Return the actor of a learner who did not come from an LMS (or was erased): no name."""
    return {
        "objectType": "Agent",
        "account": {"homePage": site.base_url, "name": pseudonym(site, learner_id)},
    }


def actor(site: Site, learner_id: str, lms: Mapping[str, Any] | None) -> Json:
    """Return a learner's actor: their LMS account when launched over LTI, else a pseudonym."""
    identity = lms_identity(lms)
    if identity is None:
        return pseudonymous_actor(site, learner_id)
    agent: Json = {
        "objectType": "Agent",
        "account": {"homePage": identity["issuer"], "name": identity["subject"]},
    }
    if "name" in identity:
        agent["name"] = identity["name"]
    return agent


def team_group(site: Site, session_id: str, team_id: str) -> Json:
    """Return a team as an identified Group (no members, no name: nothing personal)."""
    return {
        "objectType": "Group",
        "account": {"homePage": site.base_url, "name": f"{session_id}/teams/{team_id}"},
    }


# --- activities -------------------------------------------------------------------------------


def _part(value: str) -> str:
    return quote(str(value), safe="")


def session_iri(site: Site, session_id: str) -> str:
    """Return a session's activity id."""
    return f"{site.base_url}/xapi/sessions/{_part(session_id)}"


def scenario_iri(site: Site, scenario_id: str) -> str:
    """Return a scenario's activity id (the same for every session of it)."""
    return f"{site.base_url}/xapi/scenarios/{_part(scenario_id)}"


def round_iri(site: Site, session_id: str, round_id: str) -> str:
    """Return the activity id of one round of one session."""
    return f"{session_iri(site, session_id)}/rounds/{_part(round_id)}"


def team_iri(site: Site, session_id: str, team_id: str) -> str:
    """Return the activity id of a team (the object of forming or joining it)."""
    return f"{session_iri(site, session_id)}/teams/{_part(team_id)}"


def element_iri(site: Site, scenario_id: str, kind: str, element_id: str) -> str:
    """Return the id of a scenario element (diagnostic, cause, intervention, metric)."""
    return f"{scenario_iri(site, scenario_id)}/{kind}s/{_part(element_id)}"


def _language(scenario: Any) -> str:
    language = getattr(scenario, "language", None)
    return language if isinstance(language, str) and language else "en"


def _activity(iri: str, kind: str, name: str, language: str) -> Json:
    definition: Json = {"type": ACTIVITY_TYPES[kind]}
    if name:
        definition["name"] = {language: name}
    return {"objectType": "Activity", "id": iri, "definition": definition}


class _Builder:
    """Builds the statements of one event (a helper for statements_for)."""

    def __init__(self, event: Event, ctx: EventContext) -> None:
        self.event = event
        self.ctx = ctx
        self.site = ctx.site
        self.scenario = ctx.scenario
        self.language = _language(ctx.scenario)
        self.out: list[Statement] = []

    # activities

    def session(self) -> Json:
        title = getattr(self.scenario, "title", "") or ""
        return _activity(
            session_iri(self.site, self.ctx.session_id), "session", title, self.language
        )

    def scenario_activity(self) -> Json:
        return _activity(
            scenario_iri(self.site, self.scenario.id),
            "scenario",
            getattr(self.scenario, "title", "") or "",
            self.language,
        )

    def round(self, round_id: str) -> Json:
        try:
            name = self.scenario.round(round_id).name
        except KeyError:
            name = ""
        return _activity(
            round_iri(self.site, self.ctx.session_id, round_id), "round", name, self.language
        )

    def element(self, kind: str, element_id: str, name_of: Callable[[Any], str]) -> Json:
        lookup = getattr(self.scenario, kind)
        try:
            name = name_of(lookup(element_id))
        except KeyError:
            name = ""
        iri = element_iri(self.site, self.scenario.id, kind, element_id)
        return _activity(iri, kind, name, self.language)

    def team(self, team_id: str) -> Json:
        # No name: team names are the learners' words (the purge rewrites them).
        iri = team_iri(self.site, self.ctx.session_id, team_id)
        return _activity(iri, "team", "", self.language)

    def current_round(self) -> str | None:
        state = self.ctx.state
        if state.round_index < 0 or state.round_index >= len(self.scenario.rounds):
            return None
        return self.scenario.rounds[state.round_index].id

    # statements

    def add(
        self,
        learner_id: str | None,
        verb_key: str,
        obj: Json,
        team_id: str | None = None,
        round_id: str | None = None,
        result: Json | None = None,
    ) -> None:
        """Add one statement; `learner_id` None makes the team the actor."""
        ctx = self.ctx
        if learner_id is not None:
            who = actor(self.site, learner_id, ctx.identities.get(learner_id))
        elif team_id is not None:
            who = team_group(self.site, ctx.session_id, team_id)
        else:
            return
        session = self.session()
        # parent: the round the act belongs to (else the session); grouping: the session and
        # the scenario, so an LRS can gather a cohort or every cohort of a scenario.
        parent = self.round(round_id) if round_id else session
        activities: Json = {"grouping": [self.scenario_activity()]}
        if parent["id"] != obj.get("id"):
            activities["parent"] = [parent]
        if session["id"] not in (obj.get("id"), parent["id"]):
            activities["grouping"].insert(0, session)
        context: Json = {
            "registration": str(uuid.uuid5(NAMESPACE, f"{self.site.base_url}|{ctx.session_id}")),
            "contextActivities": activities,
            "platform": PLATFORM,
            "language": self.language,
        }
        if team_id is not None and learner_id is not None:
            context["team"] = team_group(self.site, ctx.session_id, team_id)
        at = self.event.data.get("at")
        when = float(at) if isinstance(at, int | float) else ctx.now
        body: Json = {
            "id": str(
                uuid.uuid5(
                    NAMESPACE,
                    f"{self.site.base_url}|{ctx.session_id}|{ctx.seq}|{len(self.out)}",
                )
            ),
            "actor": who,
            "verb": verb(verb_key),
            "object": obj,
            "context": context,
            "timestamp": datetime.fromtimestamp(when, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
        }
        if result:
            body["result"] = result
        self.out.append(Statement(body["id"], learner_id, body))

    def team_of(self, learner_id: str | None) -> str | None:
        learner = self.ctx.state.learners.get(learner_id or "")
        return None if learner is None else learner.team


def _extensions(**values: Any) -> Json:
    return {EXTENSIONS[key.replace("_", "-")]: v for key, v in values.items() if v is not None}


def score_result(total: Any, maximum: Any, completion: bool | None = None) -> Json:
    """Return an xAPI result with a score (raw within min and max, scaled in [-1, 1])."""
    raw = float(total or 0)
    top = max(float(maximum or 0), raw)
    low = min(0.0, raw)
    score: Json = {"raw": raw, "min": low, "max": top}
    if top > 0:
        score["scaled"] = max(-1.0, min(1.0, raw / top))
    result: Json = {"score": score}
    if completion is not None:
        result["completion"] = completion
    return result


# --- the mapping ------------------------------------------------------------------------------

Handler = Callable[[_Builder], None]
_HANDLERS: dict[str, Handler] = {}


def _on(type_: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        _HANDLERS[type_] = handler
        return handler

    return register


@_on("learner_joined")
def _joined(b: _Builder) -> None:
    learner_id = b.event.data.get("learner_id")
    if not learner_id:
        return
    lms = b.event.data.get("lms", b.ctx.identities.get(learner_id))
    # The joining learner's identity comes with the event itself (the context is from before).
    b.ctx = replace(b.ctx, identities={learner_id: lms})
    b.add(learner_id, "joined", b.session())


@_on("team_created")
def _formed(b: _Builder) -> None:
    by, team_id = b.event.data.get("by"), b.event.data.get("team_id")
    if by and team_id:  # a team the facilitator made was formed by nobody in particular
        b.add(by, "formed", b.team(team_id), team_id)


@_on("learner_assigned")
def _joined_team(b: _Builder) -> None:
    learner_id, team_id = b.event.data.get("learner_id"), b.event.data.get("team")
    if learner_id and team_id:
        b.add(learner_id, "joined", b.team(team_id), team_id)


@_on("diagnostic_run")
def _ran(b: _Builder) -> None:
    d = b.event.data
    obj = b.element("diagnostic", d.get("diagnostic", ""), lambda x: x.name)
    # The finding it returned stays out: it is the team's evidence, not a record of activity.
    b.add(d.get("learner_id"), "ran", obj, b.event.team, d.get("round") or b.current_round())


@_on("cause_declared")
def _declared(b: _Builder) -> None:
    d = b.event.data
    obj = b.element("cause", d.get("cause", ""), lambda x: x.label)
    # Whether the cause is a true one is the scenario's hidden truth: never said here.
    result = {"extensions": _extensions(confidence=d.get("confidence"), cell=d.get("cell"))}
    b.add(d.get("by"), "declared", obj, b.event.team, b.current_round(), result)


@_on("intervention_selected")
def _chose_intervention(b: _Builder) -> None:
    d = b.event.data
    obj = b.element("intervention", d.get("intervention", ""), lambda x: x.name)
    result = {"extensions": _extensions(start_week=d.get("start_week"), cost=d.get("cost"))}
    b.add(d.get("by"), "chose", obj, b.event.team, b.current_round(), result)


@_on("metric_selected")
def _chose_metric(b: _Builder) -> None:
    d = b.event.data
    obj = b.element("metric", d.get("metric", ""), lambda x: x.name)
    target = d.get("target")
    result = {"extensions": _extensions(target=target)} if target is not None else None
    b.add(d.get("by"), "chose", obj, b.event.team, b.current_round(), result)


@_on("round_submitted")
def _submitted(b: _Builder) -> None:
    d = b.event.data
    round_id = d.get("round")
    if not round_id or b.event.team is None:
        return
    automatic = bool(d.get("auto"))
    result = {"completion": True, "extensions": _extensions(automatic=automatic)}
    if d.get("reason"):
        result["extensions"].update(_extensions(reason=d["reason"]))
    # Submitted by the clock or an advance: nobody in particular did it, the team is the actor.
    by = None if automatic else d.get("by")
    b.add(by, "submitted", b.round(round_id), b.event.team, round_id, result)


def _scored_team(b: _Builder, team: Any, round_id: str, score: Mapping[str, Any]) -> None:
    result = score_result(score.get("total"), score.get("max"))
    for member in team.members:
        b.add(member, "scored", b.round(round_id), team.id, round_id, result)


@_on("scores_published")
def _published(b: _Builder) -> None:
    round_id = b.event.data.get("round")
    for team in b.ctx.state.teams.values():
        score = team.scores.get(round_id)
        if score is not None:
            _scored_team(b, team, round_id, score)


@_on("round_scored")
def _rescored(b: _Builder) -> None:
    # Scores reach the LRS when the teams see them: a rescore of a published round shows at
    # once; one of an unpublished round waits for scores_published.
    round_id = b.event.data.get("round")
    team = b.ctx.state.teams.get(b.event.team or "")
    if team is not None and round_id in b.ctx.state.published:
        _scored_team(b, team, round_id, b.event.data)


@_on("session_closed")
def _completed(b: _Builder) -> None:
    state = b.ctx.state
    for learner in state.learners.values():
        team = state.teams.get(learner.team or "")
        result: Json = {"completion": True}
        if team is not None:
            scores = [s for r, s in team.scores.items() if r in state.published]
            if scores:
                total = sum(float(s.get("total") or 0) for s in scores)
                top = sum(float(s.get("max") or 0) for s in scores)
                result = score_result(total, top, completion=True)
        b.add(learner.id, "completed", b.session(), learner.team, None, result)


MAPPED_EVENTS = tuple(_HANDLERS)


def statements_for(event: Event, ctx: EventContext) -> list[Statement]:
    """Return the statements one event makes (none for most events)."""
    handler = _HANDLERS.get(event.type)
    if handler is None:
        return []
    builder = _Builder(event, ctx)
    handler(builder)
    return builder.out


def redacted(body: Json, site: Site, learner_id: str) -> Json:
    """Return a statement whose actor is the learner's pseudonym (after an erasure)."""
    if body.get("actor", {}).get("objectType") == "Group":
        return body
    return {**body, "actor": pseudonymous_actor(site, learner_id)}
