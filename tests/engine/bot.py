"""A bot that plays a reference Plan through the engine, round by round, as a team would.

It only does what the current round allows, in the plan's order, alternating between the
team's members, and submits when the deliverable is complete (otherwise the round's end
submits the draft as it is).
"""

from __future__ import annotations

from collections.abc import Callable

from practicum.engine import Accepted, Actor
from practicum.engine.deliverable import missing
from practicum.scenario.model import Plan

from .fixtures import FAC, Game


class Bot:
    """One team following a plan."""

    def __init__(self, game: Game, team_id: str, members: list[Actor], plan: Plan) -> None:
        self.game = game
        self.team_id = team_id
        self.members = members
        self.plan = plan
        self.turn = 0
        self.refused: list[tuple[str, str]] = []  # (command, code) the engine said no to

    def _next(self) -> Actor:
        self.turn += 1
        return self.members[self.turn % len(self.members)]

    def _do(self, type_: str, **data: object) -> bool:
        answer = self.game.send(type_, self._next(), **data)
        if not isinstance(answer, Accepted):
            self.refused.append((type_, answer.code))
            return False
        return True

    def play_round(self) -> None:
        """Do this round's part of the plan, answer injects, then submit if complete."""
        game, plan = self.game, self.plan
        round_ = game.scenario.rounds[game.state.round_index]
        actions = set(round_.actions)
        team = game.team(self.team_id)
        if "run_diagnostic" in actions:
            for diagnostic_id in plan.diagnostics:
                diagnostic = game.scenario.diagnostic(diagnostic_id)
                opens = game.scenario.round_index(diagnostic.opens_in)
                if opens <= game.state.round_index and not game.team(self.team_id).ran(
                    diagnostic_id
                ):
                    self._do("run_diagnostic", diagnostic=diagnostic_id)
        if "mark_evidence" in actions:
            team = game.team(self.team_id)
            for mark in plan.evidence:
                held = team.ran(mark.diagnostic)
                if held and team.evidence.get((mark.diagnostic, mark.cause)) != mark.stance:
                    self._do("mark_evidence", diagnostic=mark.diagnostic, cause=mark.cause,
                             stance=mark.stance)
        if "rule_out_cause" in actions:
            for cause_id in plan.ruled_out:
                if cause_id not in game.team(self.team_id).ruled_out:
                    self._do("rule_out_cause", cause=cause_id, ruled_out=True)
        if "declare_cause" in actions:
            for cause in plan.causes:
                if cause.cause not in game.team(self.team_id).causes:
                    self._do("declare_cause", cause=cause.cause, cell=cause.cell,
                             confidence=cause.confidence)
        if "select_intervention" in actions:
            for chosen in plan.interventions:
                if chosen.id not in game.team(self.team_id).interventions:
                    self._do("select_intervention", intervention=chosen.id,
                             start_week=chosen.start_week)
        if "select_metric" in actions:
            for metric in plan.metrics:
                if metric.id not in game.team(self.team_id).metrics:
                    self._do("select_metric", metric=metric.id, target=metric.target)
        if "set_isolation" in actions and plan.isolation is not None:
            self._do("set_isolation", isolation=plan.isolation)
        self.write_texts()
        self.answer_injects()
        if not missing(game.team(self.team_id), round_):
            self._do("submit_round")

    def write_texts(self) -> None:
        """Write the plan's texts for this round's deliverable fields."""
        round_ = self.game.scenario.rounds[self.game.state.round_index]
        for item in round_.deliverable:
            text = self.plan.texts.get(item.id)
            if item.kind == "text" and text and self.game.team(self.team_id).texts.get(
                item.id
            ) != text:
                self._do("write_text", field=item.id, text=text)

    def answer_injects(self) -> None:
        """Answer injects received, when the plan has an answer."""
        for fired in self.game.team(self.team_id).injects:
            text = self.plan.texts.get(f"inject:{fired.inject}")
            if text and self.game.team(self.team_id).texts.get(f"inject:{fired.inject}") != text:
                self._do("respond_inject", inject=fired.inject, text=text)


def play_session(
    game: Game,
    bots: list[Bot],
    level: int = 3,
    step: float = 600.0,
    during_round: Callable[[Game], None] | None = None,
) -> None:
    """Play every round with the bots; the facilitator fires manual injects, scores, publishes.

    Facilitator-scored components get the same ``level`` for every team, so score differences
    come from the automatic rules alone.
    """
    scenario = game.scenario
    game.ok("start_session", FAC)
    while game.state.phase == "round":
        round_ = scenario.rounds[game.state.round_index]
        for inject in scenario.injects:
            if inject.trigger == "manual" and inject.round == round_.id:
                game.ok("fire_inject", FAC, inject=inject.id, teams=None)
        if during_round is not None:
            during_round(game)
        for bot in bots:
            bot.play_round()
            bot.answer_injects()  # an inject may arrive on another team's move or on submit
        game.now += step
        game.tick(game.state.deadline)  # the clock ends the round (advance, or lock)
        for bot in bots:
            levels = {
                c.id: level for c in scenario.rubric if c.round == round_.id and c.kind != "auto"
            }
            game.ok("score_round", FAC, team=bot.team_id, round=round_.id, levels=levels)
        game.ok("publish_scores", FAC, round=round_.id)
        if game.state.phase == "round" and round_.id in game.state.locked_rounds:
            game.ok("advance", FAC)
