"""``evolve``: the pure fold step from one state and one event to the next state."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from practicum.engine import activity as feed
from practicum.engine.events import Event
from practicum.engine.settings import Settings
from practicum.engine.shared_text import SharedText, field_text
from practicum.engine.state import (
    CLOSED,
    DEBRIEF,
    EMPTY_ACTIVITY,
    EMPTY_CHAT,
    LOBBY,
    ROUND,
    ActivityEntry,
    ChatMessage,
    DiagnosticRun,
    FiredInject,
    HeardReaction,
    Learner,
    PilotRun,
    Resources,
    SessionState,
    Stamp,
    Submission,
    Team,
    updated,
)
from practicum.scenario.model import PlannedCause, PlannedIntervention, PlannedMetric, Scenario

MIN_STANCE, MAX_STANCE = -2, 2
# ``learner_assigned.by`` when the facilitator (or the server) made the move.
FACILITATOR_BY = "facilitator"

# The state before any event: replay folds the events over it.
EMPTY_STATE = SessionState(
    session_id="",
    join_code="",
    scenario_id="",
    created_at=0.0,
    phase=LOBBY,
    round_index=-1,
    deadline=None,
    remaining=None,
    locked_rounds=frozenset(),
    learners={},
    teams={},
    published=frozenset(),
    seq=0,
)

Handler = Callable[[Scenario, SessionState, Event], SessionState]
_HANDLERS: dict[str, Handler] = {}


def evolve(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    """Return the state after one event. Unknown event types change nothing but the count."""
    handler = _HANDLERS.get(event.type)
    new = handler(scenario, state, event) if handler else state
    if new is state:
        return updated(state, seq=state.seq + 1)
    # A handler that changed something returns a copy no one else holds yet: stamping its
    # count in place saves a second copy per event (a replay folds 100,000 of them).
    new.__dict__["seq"] = state.seq + 1
    return new


def replay(scenario: Scenario, events: Iterable[Event]) -> SessionState:
    """Fold events from scratch into a state."""
    state = EMPTY_STATE
    for event in events:
        state = evolve(scenario, state, event)
    return state


def fold(scenario: Scenario, state: SessionState, events: Iterable[Event]) -> SessionState:
    """Fold more events into an existing state."""
    for event in events:
        state = evolve(scenario, state, event)
    return state


def _on(event_type: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _HANDLERS[event_type] = fn
        return fn

    return register


def _with_team(state: SessionState, team_id: str | None, **changes: Any) -> SessionState:
    team = state.teams.get(team_id or "")
    if team is None:
        return state  # evolve is total: an event for a vanished team changes nothing
    return _put_team(state, updated(team, **changes))


def _put_team(state: SessionState, team: Team) -> SessionState:
    teams = dict(state.teams)
    teams[team.id] = team
    return updated(state, teams=teams)


def _team(state: SessionState, event: Event) -> Team | None:
    return state.teams.get(event.team or "")


def _without(mapping: Mapping[Any, Any], key: Any) -> dict[Any, Any]:
    out = dict(mapping)
    out.pop(key, None)
    return out


def _clamp(stance: int) -> int:
    return max(MIN_STANCE, min(MAX_STANCE, stance))


def _shift_stances(stances: Mapping[str, int], changes: Iterable[tuple[str, int]]) -> dict:
    out = dict(stances)
    for stakeholder, delta in changes:
        if stakeholder in out:
            out[stakeholder] = _clamp(out[stakeholder] + delta)
    return out


def stamp_key(kind: str, *ids: str) -> str:
    """Return the key of an item in ``Team.stamps``: "cause:rc_x", "evidence:d_x:rc_y"."""
    return ":".join((kind, *ids))


def _stamped(team: Team, key: str, by: str | None, at: float | None) -> dict[str, Stamp]:
    """Return the stamps with ``key`` set to this change (dropped when nobody is named)."""
    stamps = _without(team.stamps, key)
    if by:
        stamps[key] = Stamp(by, at)
    return stamps


def _actor(state: SessionState, event: Event) -> tuple[str | None, str, float | None]:
    """Return who caused an event (``by``, None in logs that predate it), their name, when."""
    by = event.data.get("by")
    return by, feed.learner_name(state, by), event.data.get("at")


def record_text_edit(
    scenario: Scenario,
    state: SessionState,
    team_id: str | None,
    field_id: str,
    by: str | None,
    at: float | None,
) -> SessionState:
    """Stamp a text field with who edited it and note the edit in the activity feed.

    One entry per run: while the newest entry is this person editing this field, another
    keystroke's save adds nothing. Shared by every event that changes a team's text.
    """
    team = state.teams.get(team_id or "")
    if team is None:
        return state
    changes: dict[str, Any] = {"stamps": _stamped(team, stamp_key("text", field_id), by, at)}
    if not feed.edit_run_continues(team, by, field_id, at):
        who = feed.learner_name(state, by)
        text = f"{who} edited {feed.text_label(scenario, field_id)}"
        if field_id.startswith("inject:"):
            text = f"{who} wrote {feed.text_label(scenario, field_id)}"
        changes["activity"] = feed.noted(state, team, "text", by, text, at, field_id)
    return _put_team(state, updated(team, **changes))


def _current_round_id(scenario: Scenario, state: SessionState) -> str | None:
    if 0 <= state.round_index < len(scenario.rounds):
        return scenario.rounds[state.round_index].id
    return None


# --- session and clock -----------------------------------------------------------------------


@_on("session_created")
def _session_created(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    d = event.data
    return updated(
        EMPTY_STATE,
        session_id=d["session_id"],
        join_code=d["join_code"],
        scenario_id=d["scenario_id"],
        created_at=d["at"],
    )


@_on("session_configured")
def _session_configured(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    return updated(state, settings=Settings.from_dict(event.data))


@_on("session_started")
def _session_started(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    return state  # a marker for the log; round_opened does the work


@_on("round_opened")
def _round_opened(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    d = event.data
    grant = Resources.from_dict(d.get("grant"))
    # Ready marks belong to one round: a new round starts with nobody ready.
    teams = {
        tid: updated(t, granted=t.granted.plus(grant), ready=frozenset())
        for tid, t in state.teams.items()
    }
    # The stage follows the session into the new round whatever it showed before.
    return updated(
        state,
        phase=ROUND,
        round_index=d["index"],
        deadline=d["deadline"],
        remaining=None,
        teams=teams,
        stage_mode=None,
        # Logs from before "at" was stored: the deadline less the round's minutes.
        round_opened_at=d.get("at", d["deadline"] - d.get("minutes", 0) * 60),
    )


@_on("round_timed_out")
def _round_timed_out(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    return updated(state, deadline=None, remaining=None)


@_on("round_locked")
def _round_locked(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    return updated(
        state,
        locked_rounds=state.locked_rounds | {event.data["round"]},
        deadline=None,
        remaining=None,
    )


@_on("clock_paused")
def _clock_paused(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    return updated(state, deadline=None, remaining=event.data["remaining"])


@_on("clock_resumed")
def _clock_resumed(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    return updated(state, deadline=event.data["deadline"], remaining=None)


@_on("clock_extended")
def _clock_extended(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    return updated(state, deadline=event.data["deadline"], remaining=event.data["remaining"])


@_on("debrief_started")
def _debrief_started(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    return updated(state, phase=DEBRIEF, deadline=None, remaining=None, stage_mode=None)


@_on("stage_changed")
def _stage_changed(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    return updated(state, stage_mode=event.data["mode"])


@_on("data_erased")
def _data_erased(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    return state  # a marker for the log: the erased events themselves were rewritten


@_on("session_closed")
def _session_closed(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    return updated(state, phase=CLOSED, deadline=None, remaining=None)


# --- people and teams ------------------------------------------------------------------------


@_on("learner_joined")
def _learner_joined(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    d = event.data
    learner = Learner(d["learner_id"], d["name"], None, d["at"])
    return updated(state, learners={**state.learners, learner.id: learner})


@_on("team_created")
def _team_created(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    d = event.data
    team = Team(
        id=d["team_id"],
        name=d["name"],
        locked=False,
        members=(),
        granted=Resources.from_dict(d.get("budget")),
        spent=Resources(),
        stances={s.id: s.stance for s in scenario.stakeholders},
        diagnostics=(),
        unlocked=frozenset(),
        evidence={},
        causes={},
        ruled_out=(),
        interventions={},
        metrics={},
        isolation=None,
        texts={},
        docs={},
        injects=(),
        chat=EMPTY_CHAT,
        activity=EMPTY_ACTIVITY,
        stamps={},
        ready=frozenset(),
        submissions={},
        reopened=frozenset(),
        scores={},
        outcome=None,
    )
    return updated(state, teams={**state.teams, team.id: team})


@_on("learner_assigned")
def _learner_assigned(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    d = event.data
    learner = state.learners.get(d["learner_id"])
    if learner is None:
        return state
    teams = dict(state.teams)
    by_facilitator = d.get("by") == FACILITATOR_BY
    at = d.get("at")
    old = teams.get(learner.team or "")
    new = teams.get(d.get("team") or "")
    if old is not None and (new is None or new.id != old.id):
        text = f"{learner.name} left the team"
        if by_facilitator:
            text = f"The facilitator moved {learner.name} out of the team"
        teams[old.id] = updated(
            old,
            members=tuple(m for m in old.members if m != learner.id),
            ready=old.ready - {learner.id},
            activity=old.activity.append(
                ActivityEntry("left", learner.id, learner.name, text, at)
            ),
        )
    if new is not None and learner.id not in new.members:
        text = f"{learner.name} joined the team"
        if by_facilitator:
            text = f"The facilitator moved {learner.name} into the team"
        teams[new.id] = updated(
            new,
            members=(*new.members, learner.id),
            activity=new.activity.append(
                ActivityEntry("joined", learner.id, learner.name, text, at)
            ),
        )
    moved = updated(learner, team=new.id if new is not None else None)
    return updated(state, teams=teams, learners={**state.learners, learner.id: moved})


@_on("team_changes_allowed")
def _team_changes_allowed(
    scenario: Scenario, state: SessionState, event: Event
) -> SessionState:
    return updated(state, team_changes_allowed=bool(event.data.get("allowed")))


@_on("team_locked")
def _team_locked(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    return _with_team(state, event.data["team"], locked=bool(event.data["locked"]))


# --- team work -------------------------------------------------------------------------------


@_on("diagnostic_run")
def _diagnostic_run(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    team = _team(state, event)
    if team is None:
        return state
    d = event.data
    cost = Resources.from_dict(d.get("cost"))
    run = DiagnosticRun(
        diagnostic=d["diagnostic"],
        finding=d["finding"],
        learner_id=d.get("learner_id"),
        learner_name=d.get("learner_name", ""),
        round=d["round"],
        at=d["at"],
        cost=cost,
    )
    effects = [(e["stakeholder"], e["delta"]) for e in d.get("stance_effects", ())]
    name = feed.label(scenario.diagnostics, run.diagnostic)
    entry = _paid_entry(scenario, "diagnostic", "ran", name, run, cost)
    return _with_team(
        state,
        team.id,
        activity=team.activity.append(entry),
        diagnostics=(*team.diagnostics, run),
        spent=team.spent.plus(cost),
        unlocked=team.unlocked | frozenset(d.get("unlocks", ())),
        stances=_shift_stances(team.stances, effects) if effects else team.stances,
    )


def _paid_entry(
    scenario: Scenario,
    kind: str,
    verb: str,
    name: str,
    run: DiagnosticRun | PilotRun,
    cost: Resources,
) -> ActivityEntry:
    """Return the feed entry of a run the team paid for: "Ana ran X (2 pt, EUR 1,500)"."""
    price = feed.cost_text(cost, scenario.economics.currency)
    text = f"{run.learner_name or feed.SOMEONE} {verb} {name}" + (f" ({price})" if price else "")
    return ActivityEntry(kind, run.learner_id, run.learner_name, text, run.at)


@_on("pilot_run")
def _pilot_run(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    team = _team(state, event)
    if team is None:
        return state
    d = event.data
    cost = Resources.from_dict(d.get("cost"))
    run = PilotRun(
        intervention=d["intervention"],
        measures=dict(d.get("measures", {})),
        report=d["report"],
        learner_id=d.get("learner_id"),
        learner_name=d.get("learner_name", ""),
        round=d["round"],
        at=d["at"],
        cost=cost,
    )
    name = feed.label(scenario.interventions, run.intervention)
    entry = _paid_entry(scenario, "pilot", "piloted", name, run, cost)
    return _with_team(
        state,
        team.id,
        activity=team.activity.append(entry),
        pilots=(*team.pilots, run),
        spent=team.spent.plus(cost),
    )


@_on("evidence_marked")
def _evidence_marked(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    team = _team(state, event)
    if team is None:
        return state
    d = event.data
    key = (d["diagnostic"], d["cause"])
    evidence = _without(team.evidence, key)
    if d["stance"]:
        evidence[key] = d["stance"]
    by, who, at = _actor(state, event)
    finding = feed.label(scenario.diagnostics, d["diagnostic"])
    cause = feed.label(scenario.causes, d["cause"], "label")
    if d["stance"]:
        side = "supporting" if d["stance"] > 0 else "against"
        text = f"{who} marked {finding} as {side} {cause}"
    else:
        text = f"{who} cleared the mark of {finding} on {cause}"
    stamp = stamp_key("evidence", d["diagnostic"], d["cause"])
    return _with_team(
        state,
        team.id,
        evidence=evidence,
        stamps=_stamped(team, stamp, by if d["stance"] else None, at),
        activity=feed.noted(state, team, "evidence", by, text, at),
    )


@_on("cause_declared")
def _cause_declared(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    team = _team(state, event)
    if team is None:
        return state
    d = event.data
    cause = PlannedCause(d["cause"], d["cell"], d["confidence"])
    by, who, at = _actor(state, event)
    verb = "revised" if cause.cause in team.causes else "declared"
    name = feed.label(scenario.causes, cause.cause, "label")
    text = f"{who} {verb} {name} as a cause ({round(100 * cause.confidence)}% sure)"
    return _with_team(
        state,
        team.id,
        causes={**team.causes, cause.cause: cause},
        stamps=_stamped(team, stamp_key("cause", cause.cause), by, at),
        activity=feed.noted(state, team, "cause_declared", by, text, at),
    )


@_on("cause_withdrawn")
def _cause_withdrawn(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    team = _team(state, event)
    if team is None:
        return state
    cause = event.data["cause"]
    by, who, at = _actor(state, event)
    key = stamp_key("cause", cause)
    name = feed.label(scenario.causes, cause, "label")
    text = f"{who} withdrew {name}" + feed.whose(state, team.stamps.get(key), by, "declared")
    return _with_team(
        state,
        team.id,
        causes=_without(team.causes, cause),
        stamps=_without(team.stamps, key),
        activity=feed.noted(state, team, "cause_withdrawn", by, text, at),
    )


@_on("cause_ruled_out")
def _cause_ruled_out(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    team = _team(state, event)
    if team is None:
        return state
    cause = event.data["cause"]
    ruled_out = tuple(c for c in team.ruled_out if c != cause)
    by, who, at = _actor(state, event)
    key = stamp_key("ruled", cause)
    name = feed.label(scenario.causes, cause, "label")
    if event.data["ruled_out"]:
        ruled_out = (*ruled_out, cause)
        kind, text, stamps = "cause_ruled_out", f"{who} ruled out {name}", _stamped(
            team, key, by, at
        )
    else:
        kind = "cause_ruled_in"
        text = f"{who} brought back {name}" + feed.whose(
            state, team.stamps.get(key), by, "ruled out"
        )
        stamps = _without(team.stamps, key)
    return _with_team(
        state,
        team.id,
        ruled_out=ruled_out,
        stamps=stamps,
        activity=feed.noted(state, team, kind, by, text, at),
    )


@_on("intervention_selected")
def _intervention_selected(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    team = _team(state, event)
    if team is None:
        return state
    chosen = PlannedIntervention(event.data["intervention"], event.data["start_week"])
    by, who, at = _actor(state, event)
    name = feed.label(scenario.interventions, chosen.id)
    if chosen.id in team.interventions:
        text = f"{who} moved {name} to week {chosen.start_week}"
    else:
        text = f"{who} added {name} to the plan (from week {chosen.start_week})"
    heard = tuple(
        HeardReaction(r["stakeholder"], chosen.id, r["text"], at or 0.0)
        for r in event.data.get("reactions", ())
    )
    return _with_team(
        state,
        team.id,
        interventions={**team.interventions, chosen.id: chosen},
        stamps=_stamped(team, stamp_key("intervention", chosen.id), by, at),
        activity=feed.noted(state, team, "intervention_added", by, text, at),
        reactions=(*team.reactions, *heard),
    )


@_on("intervention_deselected")
def _intervention_deselected(
    scenario: Scenario, state: SessionState, event: Event
) -> SessionState:
    team = _team(state, event)
    if team is None:
        return state
    intervention = event.data["intervention"]
    by, who, at = _actor(state, event)
    key = stamp_key("intervention", intervention)
    name = feed.label(scenario.interventions, intervention)
    text = f"{who} removed {name}" + feed.whose(state, team.stamps.get(key), by, "added")
    return _with_team(
        state,
        team.id,
        interventions=_without(team.interventions, intervention),
        stamps=_without(team.stamps, key),
        activity=feed.noted(state, team, "intervention_removed", by, text, at),
    )


@_on("metric_selected")
def _metric_selected(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    team = _team(state, event)
    if team is None:
        return state
    metric = PlannedMetric(event.data["metric"], event.data.get("target"))
    by, who, at = _actor(state, event)
    name = feed.label(scenario.metrics, metric.id)
    target = "" if metric.target is None else f" (target {metric.target:g})"
    verb = "changed" if metric.id in team.metrics else "chose"
    return _with_team(
        state,
        team.id,
        metrics={**team.metrics, metric.id: metric},
        stamps=_stamped(team, stamp_key("metric", metric.id), by, at),
        activity=feed.noted(
            state, team, "metric_chosen", by, f"{who} {verb} the metric {name}{target}", at
        ),
    )


@_on("metric_deselected")
def _metric_deselected(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    team = _team(state, event)
    if team is None:
        return state
    metric = event.data["metric"]
    by, who, at = _actor(state, event)
    key = stamp_key("metric", metric)
    name = feed.label(scenario.metrics, metric)
    text = f"{who} dropped the metric {name}" + feed.whose(
        state, team.stamps.get(key), by, "chosen"
    )
    return _with_team(
        state,
        team.id,
        metrics=_without(team.metrics, metric),
        stamps=_without(team.stamps, key),
        activity=feed.noted(state, team, "metric_dropped", by, text, at),
    )


@_on("isolation_set")
def _isolation_set(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    team = _team(state, event)
    if team is None:
        return state
    isolation = event.data.get("isolation")
    by, who, at = _actor(state, event)
    if isolation is None:
        text = f"{who} cleared the isolation method"
    else:
        method = feed.label(scenario.isolation_methods, isolation)
        text = f"{who} set the isolation method to {method}"
    return _with_team(
        state,
        team.id,
        isolation=isolation,
        stamps=_stamped(team, "isolation", by if isolation else None, at),
        activity=feed.noted(state, team, "isolation", by, text, at),
    )


def _write(
    state: SessionState, team_id: str | None, key: str, doc: SharedText
) -> SessionState:
    team = state.teams.get(team_id or "")
    if team is None:
        return state
    texts = _without(team.texts, key)
    if doc.text:
        texts[key] = doc.text
    return _put_team(state, updated(team, texts=texts, docs={**team.docs, key: doc}))


@_on("text_edited")
def _text_edited(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    team = _team(state, event)
    if team is None:
        return state
    d = event.data
    field = d["field"]
    # The event carries the merged text: replaying sets it without running the CRDT.
    doc = field_text(team.docs, field).then(d["update"], d["text"])
    state = _write(state, team.id, field, doc)
    return record_text_edit(scenario, state, team.id, field, d.get("by"), d.get("at"))


def _legacy_write(
    scenario: Scenario, state: SessionState, event: Event, field: str
) -> SessionState:
    """Fold a whole-text write from a log made before shared editing into the field's CRDT."""
    team = _team(state, event)
    if team is None:
        return state
    doc = field_text(team.docs, field)
    change = doc.replace(event.data["text"])
    if change is not None:
        state = _write(state, team.id, field, doc.then(*change))
    d = event.data
    return record_text_edit(scenario, state, team.id, field, d.get("by"), d.get("at"))


@_on("text_written")
def _text_written(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    return _legacy_write(scenario, state, event, event.data["field"])


@_on("inject_responded")
def _inject_responded(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    return _legacy_write(scenario, state, event, f"inject:{event.data['inject']}")


@_on("inject_fired")
def _inject_fired(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    team = _team(state, event)
    if team is None:
        return state
    d = event.data
    fired = FiredInject(
        inject=d["inject"],
        round=d["round"],
        trigger=d["trigger"],
        title=d["title"],
        sender=d["sender"],
        channel=d["channel"],
        text=d["text"],
        at=d["at"],
    )
    granted = team.granted
    stance_changes = []
    for effect in d.get("effects", ()):
        kind = effect["type"]
        if kind == "budget_cut":
            granted = granted.minus(Resources(0, effect.get("amount", 0.0), 0))
        elif kind == "analysis_points":
            granted = granted.plus(Resources(effect.get("amount", 0), 0.0, 0))
        elif kind == "stance_change" and effect.get("target"):
            stance_changes.append((effect["target"], effect.get("delta", 0)))
        # lead_time_slip and patience only need the record: the outcome model and the
        # facilitator read them from the fired inject ids.
    sender = feed.label(scenario.stakeholders, fired.sender)  # a stakeholder or a free name
    entry = ActivityEntry(
        "inject", None, "", f"New message from {sender}: {fired.title}", fired.at
    )
    return _with_team(
        state,
        team.id,
        activity=team.activity.append(entry),
        injects=(*team.injects, fired),
        granted=granted,
        stances=_shift_stances(team.stances, stance_changes) if stance_changes else team.stances,
    )


@_on("chat_posted")
def _chat_posted(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    team = _team(state, event)
    if team is None:
        return state
    d = event.data
    message = ChatMessage(d["learner_id"], d["name"], d["text"], d["at"])
    return _put_team(state, updated(team, chat=team.chat.append(message)))


@_on("round_submitted")
def _round_submitted(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    team = _team(state, event)
    if team is None:
        return state
    d = event.data
    submission = Submission(
        round=d["round"],
        snapshot=d["snapshot"],
        plan=d["plan"],
        auto=bool(d["auto"]),
        by=d.get("by"),
        at=d["at"],
        reason=d.get("reason"),
    )
    name = feed.label(scenario.rounds, submission.round)
    if not submission.auto:
        kind, text = "submitted", f"{feed.learner_name(state, submission.by)} submitted {name}"
    elif d.get("reason") == "timeout":
        kind, text = "auto_submitted", "Time ran out: the draft was submitted as it stood"
    else:
        kind = "auto_submitted"
        text = f"The round closed: the draft of {name} was submitted as it stood"
    current = submission.round == _current_round_id(scenario, state)
    return _with_team(
        state,
        team.id,
        submissions={**team.submissions, d["round"]: submission},
        ready=frozenset() if current else team.ready,
        activity=feed.noted(state, team, kind, submission.by, text, submission.at),
    )


@_on("round_reopened")
def _round_reopened(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    team = _team(state, event)
    if team is None:
        return state
    round_id = event.data["round"]
    name = feed.label(scenario.rounds, round_id)
    entry = ActivityEntry(
        "reopened", None, "", f"The facilitator reopened {name}", event.data.get("at")
    )
    current = round_id == _current_round_id(scenario, state)
    return _with_team(
        state,
        team.id,
        submissions=_without(team.submissions, round_id),
        reopened=team.reopened | {round_id},
        ready=frozenset() if current else team.ready,
        activity=team.activity.append(entry),
    )


@_on("ready_marked")
def _ready_marked(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    team = _team(state, event)
    if team is None:
        return state
    by, who, at = _actor(state, event)
    if not by:
        return state
    if event.data.get("ready"):
        ready, text = team.ready | {by}, f"{who} is ready to submit"
    else:
        ready, text = team.ready - {by}, f"{who} is no longer ready"
    return _with_team(
        state, team.id, ready=ready, activity=feed.noted(state, team, "ready", by, text, at)
    )


# --- scoring and debrief ---------------------------------------------------------------------


@_on("round_scored")
def _round_scored(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    team = _team(state, event)
    if team is None:
        return state
    return _with_team(state, team.id, scores={**team.scores, event.data["round"]: event.data})


@_on("scores_published")
def _scores_published(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    return updated(state, published=state.published | {event.data["round"]})


@_on("outcome_computed")
def _outcome_computed(scenario: Scenario, state: SessionState, event: Event) -> SessionState:
    return _with_team(state, event.team, outcome=event.data["outcome"])
