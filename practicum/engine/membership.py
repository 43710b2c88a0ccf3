"""Commands about people: joining the session, forming, joining, leaving and locking teams.

Their events are session-wide (``team`` None): they change the public list of teams and
member counts, and a move touches two teams at once.
"""

from __future__ import annotations

from practicum.engine import budget
from practicum.engine.commands import LEARNER
from practicum.engine.context import Ctx, guards, handles
from practicum.engine.errors import RuleViolation
from practicum.engine.evolve import FACILITATOR_BY
from practicum.engine.settings import team_size
from practicum.engine.state import DEBRIEF, ROUND, Resources, Team


def start_budget(ctx: Ctx) -> Resources:
    """Return what a team made now starts with: the scenario budget plus grants so far.

    A team formed late gets the grants of the rounds already opened, so it is not starved.
    """
    total = budget.start_grant(ctx.scenario, ctx.scenario.budget)
    for played in ctx.scenario.rounds[: ctx.state.round_index + 1]:
        total = total.plus(budget.round_grant(ctx.scenario, played.budget))
    return total


def _team_ref(ctx: Ctx, key: str) -> Team:
    team_id = ctx.str_field(key)
    team = ctx.state.teams.get(team_id or "")
    if team is None:
        raise RuleViolation("ref/unknown_team", team=team_id)
    return team


def _check_can_leave(ctx: Ctx) -> str | None:
    """Refuse when the sender may not leave their team now; return that team's id.

    A learner without a team may always join one (a late joiner). One in a team stays in it
    while a round or the debrief runs, unless the facilitator allowed changes: otherwise a
    learner could read and write another team's work mid-round.
    """
    current = ctx.state.teams.get(ctx.learner().team or "")
    if current is None:
        return None
    if ctx.state.phase in (ROUND, DEBRIEF) and not ctx.state.team_changes_allowed:
        raise RuleViolation("team/locked_in_round")
    if current.locked:
        raise RuleViolation("team/locked", team=current.name)
    return current.id


def _check_room(ctx: Ctx, team: Team) -> None:
    limit = team_size(ctx.scenario, ctx.state.settings)[1]
    if len(team.members) >= limit:
        raise RuleViolation("team/full", team=team.name, max=limit)


def _new_team(ctx: Ctx, team_id: str | None, name: str) -> None:
    if ctx.state.phase == DEBRIEF:
        raise RuleViolation("phase/debrief")
    if not team_id:
        raise RuleViolation("input/invalid", field="team_id", reason="a team id is required")
    if team_id in ctx.state.teams:
        raise RuleViolation("team/exists", team=team_id)
    folded = name.casefold()
    if any(t.name.casefold() == folded for t in ctx.state.teams.values()):
        raise RuleViolation("team/name_taken", name=name)
    by = ctx.command.actor.learner_id if ctx.command.actor.role == LEARNER else None
    ctx.emit(
        "team_created",
        {"team_id": team_id, "name": name, "budget": start_budget(ctx).to_dict(), "by": by},
    )
    ctx.result["teamId"] = team_id


def _assign(ctx: Ctx, learner_id: str, team_id: str | None, previous: str | None) -> None:
    # `by` tells a moved learner (and their teams' feeds) who made the move.
    by = ctx.command.actor.learner_id if ctx.command.actor.role == LEARNER else FACILITATOR_BY
    ctx.emit(
        "learner_assigned",
        {"learner_id": learner_id, "team": team_id, "previous": previous, "by": by, "at": ctx.now},
    )


@handles("join_session")
def join_session(ctx: Ctx) -> None:
    """A learner enters the session with a display name."""
    learner_id = ctx.str_field("learner_id")
    if not learner_id:
        raise RuleViolation("input/invalid", field="learner_id", reason="it is empty")
    if learner_id in ctx.state.learners:
        raise RuleViolation("learner/already_joined", learner=learner_id)
    name = ctx.name("name", "learner/name_invalid")
    ctx.emit("learner_joined", {"learner_id": learner_id, "name": name, "at": ctx.now})
    ctx.result["learnerId"] = learner_id


@guards("create_team")
def _can_create_team(ctx: Ctx) -> str | None:
    """Refuse in the debrief, and a learner who may not leave their team; return that team."""
    if ctx.state.phase == DEBRIEF:
        raise RuleViolation("phase/debrief")
    return _check_can_leave(ctx) if ctx.command.actor.role == LEARNER else None


@handles("create_team")
def create_team(ctx: Ctx) -> None:
    """Make a team; a learner who makes one moves into it."""
    is_learner = ctx.command.actor.role == LEARNER
    previous = _can_create_team(ctx)
    name = ctx.name("name", "team/name_invalid")
    team_id = ctx.str_field("team_id")
    _new_team(ctx, team_id, name)
    if is_learner:
        _assign(ctx, ctx.learner().id, team_id, previous)


@guards("join_team")
def _can_join_team(ctx: Ctx) -> str | None:
    """Refuse a learner who may not leave their team now; return that team's id."""
    return _check_can_leave(ctx)


@handles("join_team")
def join_team(ctx: Ctx) -> None:
    """A learner moves into an existing team."""
    team = _team_ref(ctx, "team")
    if ctx.learner().team == team.id:
        raise RuleViolation("team/already_member", team=team.name)
    previous = _can_join_team(ctx)
    if team.locked:
        raise RuleViolation("team/locked", team=team.name)
    _check_room(ctx, team)
    _assign(ctx, ctx.learner().id, team.id, previous)
    ctx.result["teamId"] = team.id


@guards("auto_assign")
def _can_auto_assign(ctx: Ctx) -> None:
    """Refuse a learner who already has a team."""
    current = ctx.state.teams.get(ctx.learner().team or "")
    if current is not None:
        raise RuleViolation("team/already_member", team=current.name)


@handles("auto_assign")
def auto_assign(ctx: Ctx) -> None:
    """Put the learner in the open team with the fewest members, or in a new team."""
    learner = ctx.learner()
    _can_auto_assign(ctx)
    limit = team_size(ctx.scenario, ctx.state.settings)[1]
    open_teams = [t for t in ctx.state.teams.values() if not t.locked and len(t.members) < limit]
    if open_teams:
        # min() keeps the first of equals: ties go to the team formed first.
        team = min(open_teams, key=lambda t: len(t.members))
        _assign(ctx, learner.id, team.id, None)
        ctx.result["teamId"] = team.id
        return
    team_id = ctx.str_field("team_id", optional=True)
    taken = {t.name.casefold() for t in ctx.state.teams.values()}
    number = len(ctx.state.teams) + 1
    while f"team {number}" in taken:
        number += 1
    _new_team(ctx, team_id, f"Team {number}")
    _assign(ctx, learner.id, team_id, None)


@guards("leave_team")
def _can_leave_team(ctx: Ctx) -> Team:
    """Refuse a learner without a team, or one who may not leave it now."""
    team = ctx.team()
    _check_can_leave(ctx)
    return team


@handles("leave_team")
def leave_team(ctx: Ctx) -> None:
    """A learner leaves their team (the team stays, even when empty)."""
    team = _can_leave_team(ctx)
    _assign(ctx, ctx.learner().id, None, team.id)


@handles("move_learner")
def move_learner(ctx: Ctx) -> None:
    """The facilitator moves a learner to a team (even a locked one), or out of any team."""
    learner_id = ctx.str_field("learner")
    learner = ctx.state.learners.get(learner_id or "")
    if learner is None:
        raise RuleViolation("ref/unknown_learner", learner=learner_id)
    if ctx.data.get("team") is None:
        if learner.team is not None:
            _assign(ctx, learner.id, None, learner.team)
        return
    team = _team_ref(ctx, "team")
    if learner.team == team.id:
        return  # already there: nothing to record
    _check_room(ctx, team)
    _assign(ctx, learner.id, team.id, learner.team)


@handles("allow_team_changes")
def allow_team_changes(ctx: Ctx) -> None:
    """The facilitator lets learners change team during a round (or stops them again)."""
    allowed = ctx.flag("allowed")
    if allowed != ctx.state.team_changes_allowed:
        ctx.emit("team_changes_allowed", {"allowed": allowed, "at": ctx.now})
    ctx.result["allowed"] = allowed


@handles("lock_team")
def lock_team(ctx: Ctx) -> None:
    """The facilitator locks (or unlocks) a team's membership."""
    team = _team_ref(ctx, "team")
    ctx.emit("team_locked", {"team": team.id, "locked": ctx.flag("locked")})
