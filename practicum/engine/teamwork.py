"""Team commands: diagnose, weigh evidence, declare causes, choose fixes and metrics, submit."""

from __future__ import annotations

from typing import Any

from practicum.engine import budget, deliverable, shared_text
from practicum.engine.commands import ROUND_ACTIONS
from practicum.engine.context import Ctx, guards, handles
from practicum.engine.errors import RuleViolation
from practicum.engine.plan import plan_for, plan_to_dict
from practicum.engine.shared_text import field_text
from practicum.engine.state import Resources, SessionState, Team, is_frozen
from practicum.scenario.model import Round

CHAT_MAX = 500
RESPONSE_MAX = 2000
INJECT_FIELD = "inject:"  # shared text key of an inject response: "inject:<inject id>"
TEXT_COMMANDS = ("write_text", "edit_text")


def _frozen(state: SessionState, team: Team, round_: Round) -> RuleViolation:
    return RuleViolation(f"round/{is_frozen(state, team, round_.id)}", round=round_.name)


def _check_not_frozen(state: SessionState, team: Team, round_: Round) -> None:
    if is_frozen(state, team, round_.id) is not None:
        raise _frozen(state, team, round_)


def _lists(round_: Round, action: str, ctx: Ctx) -> bool:
    """Return whether a round allows an action (write_text: also its own text fields)."""
    if action in round_.actions:
        return True
    field_id = ctx.data.get("field")
    return ctx.command.type in TEXT_COMMANDS and any(
        item.kind == "text" and (field_id is None or item.id == field_id)
        for item in round_.deliverable
    )


def open_rounds(state: SessionState, team: Team, scenario_rounds: tuple[Round, ...]) -> list[Round]:
    """Return the earlier rounds the facilitator reopened for a team and it has not resubmitted."""
    return [
        r
        for r in scenario_rounds[: state.round_index]
        if r.id in team.reopened and is_frozen(state, team, r.id) is None
    ]


def _require_clock_running(ctx: Ctx) -> None:
    """Refuse work on the deliverable while the facilitator has paused the round.

    A pause stops the room (to explain something, to take a break), so the work stops with the
    clock: nobody gains time on the others. Chat and ready marks stay open.
    """
    if ctx.state.paused:
        raise RuleViolation("clock/paused_editing")


@guards(*ROUND_ACTIONS)
def _team_action(ctx: Ctx) -> tuple[Round, Team]:
    """Run the shared checks in order: phase, allowed action, team, frozen deliverable.

    Return the round the command works on: the current round, or an earlier round the
    facilitator reopened for the team (its actions are allowed again until it is resubmitted).
    """
    current = ctx.require_round_phase()
    _require_clock_running(ctx)
    action = ROUND_ACTIONS.get(ctx.command.type)
    if action is None:  # submit_round: not gated by the actions list
        return current, ctx.team()
    state = ctx.state
    own = state.teams.get(ctx.learner().team or "")
    reopened = [] if own is None else open_rounds(state, own, ctx.scenario.rounds)
    listing = [r for r in (current, *reopened) if _lists(r, action, ctx)]
    if not listing:
        label = action.replace("_", " ").capitalize()  # "Declare cause", "Write rationale"
        raise RuleViolation("action/not_allowed", action=label, round=current.name)
    team = ctx.team()
    if ctx.command.type in TEXT_COMMANDS:
        # The field's own rounds decide whether it is frozen; with no field named (asking
        # what is allowed), any text field still open will do.
        if ctx.data.get("field") is None and not _any_text_open(ctx, team):
            raise _frozen(state, team, listing[0])
        return current, team
    for round_ in listing:
        if is_frozen(state, team, round_.id) is None:
            return round_, team
    raise _frozen(state, team, listing[0])


def _any_text_open(ctx: Ctx, team: Team) -> bool:
    """Return whether some deliverable text field has a round that is not frozen for the team."""
    return any(
        item.kind == "text" and is_frozen(ctx.state, team, round_.id) is None
        for round_ in ctx.scenario.rounds
        for item in round_.deliverable
    )


def _ref(ctx: Ctx, key: str, lookup: Any, code: str) -> Any:
    item_id = ctx.str_field(key)
    try:
        return lookup(item_id)
    except KeyError:
        raise RuleViolation(code, **{key: item_id}) from None


def _check_limit(ctx: Ctx, round_: Round, name: str, chosen: dict, item_id: str) -> None:
    limit = getattr(round_.limits, name)
    if limit is not None and item_id not in chosen and len(chosen) >= limit:
        raise RuleViolation(f"limit/{name}", round=round_.name, max=limit)


# --- diagnose --------------------------------------------------------------------------------


@handles("run_diagnostic")
def run_diagnostic(ctx: Ctx) -> None:
    """Buy a diagnostic: the team receives its finding."""
    _, team = _team_action(ctx)
    round_ = ctx.round()  # findings are dated by the round being played
    diagnostic = _ref(ctx, "diagnostic", ctx.scenario.diagnostic, "ref/unknown_diagnostic")
    opens = ctx.scenario.round_index(diagnostic.opens_in)
    if opens > ctx.state.round_index:
        opening = ctx.scenario.rounds[opens].name
        raise RuleViolation("diagnostic/not_open", name=diagnostic.name, round=opening)
    if diagnostic.locked and diagnostic.id not in team.unlocked:
        raise RuleViolation("diagnostic/locked", name=diagnostic.name)
    if team.ran(diagnostic.id):
        raise RuleViolation("diagnostic/already_run", name=diagnostic.name)
    cost = budget.diagnostic_cost(ctx.scenario, diagnostic.cost)
    short = budget.shortfall(
        budget.left(ctx.scenario, team), cost, ctx.scenario.economics.currency
    )
    if short:
        raise RuleViolation("budget/insufficient", short="; ".join(short))
    learner = ctx.learner()
    ctx.emit(
        "diagnostic_run",
        {
            "diagnostic": diagnostic.id,
            "finding": diagnostic.finding,
            "learner_id": learner.id,
            "learner_name": learner.name,
            "round": round_.id,
            "at": ctx.now,
            "cost": cost.to_dict(),
            "unlocks": list(diagnostic.unlocks),
            "stance_effects": [
                {"stakeholder": e.stakeholder, "delta": e.delta}
                for e in diagnostic.stance_effects
            ],
        },
        team.id,
    )
    ctx.result.update({"diagnostic": diagnostic.id, "finding": diagnostic.finding})


@handles("mark_evidence")
def mark_evidence(ctx: Ctx) -> None:
    """Link a finding the team holds to a cause: for (+1), against (-1) or clear (0)."""
    _, team = _team_action(ctx)
    diagnostic = _ref(ctx, "diagnostic", ctx.scenario.diagnostic, "ref/unknown_diagnostic")
    cause = _ref(ctx, "cause", ctx.scenario.cause, "ref/unknown_cause")
    if not team.ran(diagnostic.id):
        raise RuleViolation("evidence/unknown_finding", name=diagnostic.name)
    stance = ctx.number("stance", -1, 1, integer=True)
    ctx.emit(
        "evidence_marked",
        {"diagnostic": diagnostic.id, "cause": cause.id, "stance": stance, **ctx.by()},
        team.id,
    )


# --- causes ----------------------------------------------------------------------------------


@handles("declare_cause")
def declare_cause(ctx: Ctx) -> None:
    """Declare (or revise) a root cause with its BEM cell and a confidence."""
    round_, team = _team_action(ctx)
    cause = _ref(ctx, "cause", ctx.scenario.cause, "ref/unknown_cause")
    cell = _ref(ctx, "cell", ctx.scenario.cell, "ref/unknown_cell")
    confidence = ctx.number("confidence", 0, 1)
    if cause.id in team.ruled_out:
        raise RuleViolation("cause/ruled_out", label=cause.label)
    _check_limit(ctx, round_, "max_causes", dict(team.causes), cause.id)
    ctx.emit(
        "cause_declared",
        {"cause": cause.id, "cell": cell.id, "confidence": confidence, **ctx.by()},
        team.id,
    )


@handles("withdraw_cause")
def withdraw_cause(ctx: Ctx) -> None:
    """Take a declared cause back."""
    _, team = _team_action(ctx)
    cause = _ref(ctx, "cause", ctx.scenario.cause, "ref/unknown_cause")
    if cause.id not in team.causes:
        raise RuleViolation("cause/not_declared", label=cause.label)
    ctx.emit("cause_withdrawn", {"cause": cause.id, **ctx.by()}, team.id)


@handles("rule_out_cause")
def rule_out_cause(ctx: Ctx) -> None:
    """Rule a cause out on the evidence (or bring it back)."""
    _, team = _team_action(ctx)
    cause = _ref(ctx, "cause", ctx.scenario.cause, "ref/unknown_cause")
    ruled_out = ctx.flag("ruled_out")
    if ruled_out and cause.id in team.causes:
        raise RuleViolation("cause/declared", label=cause.label)
    ctx.emit(
        "cause_ruled_out", {"cause": cause.id, "ruled_out": ruled_out, **ctx.by()}, team.id
    )


# --- interventions, metrics, isolation -------------------------------------------------------


@handles("select_intervention")
def select_intervention(ctx: Ctx) -> None:
    """Put an intervention in the plan (or move its start week), if the cash covers it."""
    round_, team = _team_action(ctx)
    intervention = _ref(
        ctx, "intervention", ctx.scenario.intervention, "ref/unknown_intervention"
    )
    sim = ctx.scenario.simulation
    start_week = int(
        ctx.number("start_week", 0, sim.quarters * sim.weeks_per_quarter - 1, integer=True) or 0
    )
    _check_limit(ctx, round_, "max_interventions", dict(team.interventions), intervention.id)
    cost = budget.intervention_cost(ctx.scenario, intervention, start_week)
    # Re-timing an intervention replaces its old commitment rather than adding to it.
    available = (
        team.granted.cash
        - team.spent.cash
        - budget.interventions_cost(ctx.scenario, team, leaving_out=intervention.id)
    )
    short = budget.shortfall(
        Resources(0, available, 0), Resources(0, cost, 0), ctx.scenario.economics.currency
    )
    if short:
        raise RuleViolation("budget/insufficient", short="; ".join(short))
    # A first selection is a choice people hear about; moving the start week is not.
    reactions = (
        [{"stakeholder": r.stakeholder, "text": r.text} for r in intervention.reactions]
        if intervention.id not in team.interventions
        else []
    )
    extra = {"reactions": reactions} if reactions else {}
    ctx.emit(
        "intervention_selected",
        {
            "intervention": intervention.id,
            "start_week": start_week,
            "cost": cost,
            **extra,
            **ctx.by(),
        },
        team.id,
    )
    if reactions:
        ctx.result["reactions"] = reactions


@handles("deselect_intervention")
def deselect_intervention(ctx: Ctx) -> None:
    """Take an intervention out of the plan."""
    _, team = _team_action(ctx)
    intervention = _ref(
        ctx, "intervention", ctx.scenario.intervention, "ref/unknown_intervention"
    )
    if intervention.id not in team.interventions:
        raise RuleViolation("intervention/not_selected", name=intervention.name)
    ctx.emit("intervention_deselected", {"intervention": intervention.id, **ctx.by()}, team.id)


@handles("select_metric")
def select_metric(ctx: Ctx) -> None:
    """Put a metric in the evaluation plan, with an optional target."""
    round_, team = _team_action(ctx)
    metric = _ref(ctx, "metric", ctx.scenario.metric, "ref/unknown_metric")
    target = ctx.number("target", -1e12, 1e12, optional=True)
    _check_limit(ctx, round_, "max_metrics", dict(team.metrics), metric.id)
    ctx.emit("metric_selected", {"metric": metric.id, "target": target, **ctx.by()}, team.id)


@handles("deselect_metric")
def deselect_metric(ctx: Ctx) -> None:
    """Take a metric out of the evaluation plan."""
    _, team = _team_action(ctx)
    metric = _ref(ctx, "metric", ctx.scenario.metric, "ref/unknown_metric")
    if metric.id not in team.metrics:
        raise RuleViolation("metric/not_selected", name=metric.name)
    ctx.emit("metric_deselected", {"metric": metric.id, **ctx.by()}, team.id)


@handles("set_isolation")
def set_isolation(ctx: Ctx) -> None:
    """Choose how the team will isolate the programme's effect (or clear it)."""
    _, team = _team_action(ctx)
    isolation = None
    if ctx.data.get("isolation") is not None:
        isolation = _ref(
            ctx, "isolation", ctx.scenario.isolation_method, "ref/unknown_isolation"
        ).id
    ctx.emit("isolation_set", {"isolation": isolation, **ctx.by()}, team.id)


# --- texts, inject responses, chat -----------------------------------------------------------


def _deliverable_text(ctx: Ctx) -> tuple[Team, str, str, int]:
    """Check a deliverable text field may be written now; return (team, key, label, max)."""
    _, team = _team_action(ctx)
    field_id = ctx.str_field("field")
    found = deliverable.text_field(ctx.scenario, field_id or "")
    if found is None:
        raise RuleViolation("ref/unknown_field", field=field_id)
    item, rounds = found
    if all(is_frozen(ctx.state, team, r.id) for r in rounds):
        _check_not_frozen(ctx.state, team, rounds[-1])
    return team, item.id, item.label, item.max_length


def _inject_response(ctx: Ctx, inject_id: str | None) -> tuple[Team, str, str, int]:
    """Check an inject response may be written (even after submitting: injects come late)."""
    ctx.require_round_phase()
    _require_clock_running(ctx)
    team = ctx.team()
    try:
        inject = ctx.scenario.inject(inject_id or "")
    except KeyError:
        raise RuleViolation("ref/unknown_inject", inject=inject_id) from None
    if not team.received(inject.id):
        raise RuleViolation("inject/not_received", inject=inject.title)
    return team, INJECT_FIELD + inject.id, "The response", RESPONSE_MAX


def _emit_text(ctx: Ctx, team: Team, key: str, update: str, text: str) -> None:
    learner = ctx.learner()
    ctx.emit(
        "text_edited",
        {
            "field": key,
            "update": update,
            "text": text,
            "by": learner.id,
            "name": learner.name,
            "at": ctx.now,
        },
        team.id,
    )
    ctx.result.update({"field": key, "length": len(text)})


def _replace_text(ctx: Ctx, team: Team, key: str, label: str, max_length: int) -> None:
    """Make the field's text exactly the command's text, as one CRDT edit by the server."""
    # Not stripped: clients autosave while people type, and trimming would move the cursor.
    text = ctx.str_field("text") or ""
    if len(text) > max_length:
        raise RuleViolation("text/too_long", field=label, max=max_length)
    change = field_text(team.docs, key).replace(text)
    if change is not None:
        _emit_text(ctx, team, key, *change)


@handles("write_text")
def write_text(ctx: Ctx) -> None:
    """Replace a deliverable text field (of any round whose deliverable is not frozen)."""
    _replace_text(ctx, *_deliverable_text(ctx))


@guards("respond_inject")
def _can_respond(ctx: Ctx) -> Team:
    """Refuse outside a round, while paused, without a team, or before any inject arrived."""
    ctx.require_round_phase()
    _require_clock_running(ctx)
    team = ctx.team()
    if not team.injects and ctx.data.get("inject") is None:
        raise RuleViolation("inject/not_received", inject="any message")
    return team


@handles("respond_inject")
def respond_inject(ctx: Ctx) -> None:
    """Replace the team's response to an inject it received."""
    _replace_text(ctx, *_inject_response(ctx, ctx.str_field("inject")))


@handles("edit_text")
def edit_text(ctx: Ctx) -> None:
    """Merge a collaborative edit (a Yjs update) into a shared text field of the team."""
    field_id = ctx.str_field("field") or ""
    expected_team = ctx.str_field("team", optional=True)
    if expected_team is not None and expected_team != ctx.learner().team:
        # The browser still holds the old team's document: never let it reach the new team.
        raise RuleViolation("team/changed")
    if field_id.startswith(INJECT_FIELD):
        team, key, label, max_length = _inject_response(ctx, field_id[len(INJECT_FIELD) :])
    else:
        team, key, label, max_length = _deliverable_text(ctx)
    try:
        update = shared_text.decode_b64(ctx.data.get("update"))
        merged = field_text(team.docs, key).merge(update)
    except shared_text.MissingHistory:
        raise RuleViolation("text/missing_history", field=label) from None
    except shared_text.BadUpdate as exc:
        raise RuleViolation("text/bad_update", field=label, reason=str(exc)) from None
    if merged is None:
        ctx.result.update({"field": key, "unchanged": True})
        return  # a resent update the server already holds: nothing to record
    if len(merged) > max_length:
        raise RuleViolation("text/too_long", field=label, max=max_length)
    _emit_text(ctx, team, key, shared_text.encode_b64(update), merged)


@guards("chat")
def _can_chat(ctx: Ctx) -> Team:
    """Refuse a learner without a team."""
    return ctx.team()


@handles("chat")
def chat(ctx: Ctx) -> None:
    """Post a message to the team's chat (any phase before the session closes)."""
    team = _can_chat(ctx)
    text = ctx.text("text", "A message", CHAT_MAX, allow_empty=False)
    learner = ctx.learner()
    ctx.emit(
        "chat_posted",
        {"learner_id": learner.id, "name": learner.name, "text": text, "at": ctx.now},
        team.id,
    )


# --- submit ----------------------------------------------------------------------------------


def submission_data(
    team: Team, round_: Round, auto: bool, by: str | None, now: float, reason: str | None = None
) -> dict:
    """Return the data of a round_submitted event: the frozen fields and the whole plan.

    ``reason`` says what closed an automatic submission: "timeout" or "advance".
    """
    data = {
        "round": round_.id,
        "snapshot": deliverable.snapshot(team, round_),
        "plan": plan_to_dict(plan_for(team)),
        "auto": auto,
        "by": by,
        "at": now,
    }
    if reason is not None:
        data["reason"] = reason
    return data


@guards("submit_round")
def _can_submit(ctx: Ctx) -> tuple[Round, Team]:
    """Refuse outside a round or without a team; with no round named, unless one is open.

    Return the current round and the team. Open means the current round or a reopened
    earlier one, not frozen.
    """
    current, team = _team_action(ctx)
    if ctx.data.get("round") is None:
        candidates = (current, *open_rounds(ctx.state, team, ctx.scenario.rounds))
        if all(is_frozen(ctx.state, team, r.id) for r in candidates):
            raise _frozen(ctx.state, team, current)
    return current, team


@handles("submit_round")
def submit_round(ctx: Ctx) -> None:
    """Freeze the team's deliverable for the current round (or for a reopened earlier round)."""
    current, team = _team_action(ctx)
    round_ = current
    if ctx.data.get("round") is not None:
        round_ = _ref(ctx, "round", ctx.scenario.round, "ref/unknown_round")
        if ctx.scenario.round_index(round_.id) > ctx.state.round_index:
            raise RuleViolation("round/closed", round=round_.name)
        # Only the current round or an earlier one reopened for the team: a team formed late
        # must not hand in a round it never had (and the `rounds` view lists no other).
        workable = {current.id} | {r.id for r in open_rounds(ctx.state, team, ctx.scenario.rounds)}
        if round_.id not in workable and is_frozen(ctx.state, team, round_.id) is None:
            raise RuleViolation("round/closed", round=round_.name)
    _check_not_frozen(ctx.state, team, round_)
    empty = deliverable.missing(team, round_)
    if empty:
        raise RuleViolation(
            "deliverable/incomplete", fields=", ".join(item.label for item in empty)
        )
    ctx.emit(
        "round_submitted",
        submission_data(team, round_, False, ctx.learner().id, ctx.now),
        team.id,
    )
    ctx.result["round"] = round_.id


@guards("mark_ready")
def _can_mark_ready(ctx: Ctx) -> tuple[Round, Team]:
    """Refuse outside a round, without a team, or once the current round is frozen."""
    current = ctx.require_round_phase()
    team = ctx.team()
    _check_not_frozen(ctx.state, team, current)
    return current, team


@handles("mark_ready")
def mark_ready(ctx: Ctx) -> None:
    """Say the current round is ready to submit, as far as this learner is concerned (or not)."""
    round_, team = _can_mark_ready(ctx)
    ready = ctx.flag("ready")
    if (ctx.learner().id in team.ready) == ready:
        return  # already so: nothing changes, nothing to record
    ctx.emit("ready_marked", {"round": round_.id, "ready": ready, **ctx.by()}, team.id)
    ctx.result["ready"] = ready
