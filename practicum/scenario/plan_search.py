"""Search the intervention plans a team could afford, to check the expert plan really is best.

A candidate keeps the expert plan's analysis (diagnostics, stances reached, start weeks) and
swaps its interventions, so only the choice of fixes differs. Plans are ranked by business
result: first the level-4 result (the share of each KPI's gap to target closed, averaged, as
`outcome.results_fraction`), then the net benefit (monetised KPI improvement over doing nothing
minus the interventions' cost over the simulated quarters). The search visits every single
intervention, every pair, a greedy build-up from nothing, and the expert plan's neighbours (one
intervention dropped, added or swapped), keeping only plans within the cash a team receives and
the rounds' intervention limit.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, replace

from practicum.scenario.model import Plan, PlannedIntervention, Scenario

# Results fractions closer than this count as equal, so net benefit decides between them.
RESULTS_TOLERANCE = 1e-3


@dataclass(frozen=True)
class Scored:
    """One candidate plan's intervention ids and business result."""

    interventions: tuple[str, ...]
    results: float  # level 4: share of the gap to target closed, 0..1
    net: float  # monetised benefit over doing nothing minus the interventions' cost

    def key(self) -> tuple[float, float]:
        """Return the ranking key: results (rounded to the tolerance), then net benefit."""
        return (round(self.results / RESULTS_TOLERANCE), self.net)


@dataclass(frozen=True)
class SearchResult:
    """The expert plan's business result, the best plan found and how many plans were tried."""

    expert: Scored
    best: Scored
    visited: int  # distinct intervention sets evaluated
    affordable: int  # of those, the ones a team could afford within the rounds' limits


class PlanSearch:
    """Evaluate intervention sets on top of a base plan, memoised by the set."""

    def __init__(self, scenario: Scenario, base: Plan) -> None:
        # Imported here: the domain layer sits above the scenario package and imports from it.
        from practicum.domain import outcome

        self._outcome = outcome
        self.scenario = scenario
        self.base = base
        self.nothing = outcome.simulate(scenario, Plan())
        self.starts = {p.id: p.start_week for p in base.interventions}
        self.ids = [i.id for i in scenario.interventions]
        limits = [r.limits.max_interventions for r in scenario.rounds if r.limits.max_interventions]
        self.limit = min(limits) if limits else None
        self.cache: dict[frozenset[str], Scored | None] = {}

    def plan(self, ids: Iterable[str]) -> Plan:
        """Return the base plan with these interventions and the injects they would fire."""
        chosen = tuple(dict.fromkeys(ids))
        return replace(
            self.base,
            interventions=tuple(PlannedIntervention(i, self.starts.get(i, 0)) for i in chosen),
            injects=self._injects(set(chosen)),
        )

    def _injects(self, chosen: set[str]) -> tuple[str, ...]:
        """Keep the base plan's injects, but one fired by picking an intervention only if picked."""
        fired = []
        for inject in self.scenario.injects:
            when = inject.when
            picks = inject.trigger == "auto" and when is not None
            picks = picks and when.type == "selected_intervention"  # type: ignore[union-attr]
            if picks:
                if when.id in chosen or (when.id is None and chosen):  # type: ignore[union-attr]
                    fired.append(inject.id)
            elif inject.id in self.base.injects:
                fired.append(inject.id)
        return tuple(fired)

    def score(self, ids: Iterable[str]) -> Scored | None:
        """Return the business result of a set of interventions, or None if a team cannot."""
        key = frozenset(ids)
        if key not in self.cache:
            self.cache[key] = self._score(tuple(i for i in self.ids if i in key))
        return self.cache[key]

    def _score(self, ids: tuple[str, ...]) -> Scored | None:
        o = self._outcome
        if self.limit is not None and len(ids) > self.limit:
            return None
        plan = self.plan(ids)
        if o.cash_spent(self.scenario, plan) > o.cash_available(self.scenario, plan) + 1e-6:
            return None
        trajectory = o.simulate(self.scenario, plan)
        benefit = o.monetise(self.scenario, o._difference(trajectory, self.nothing))
        net = benefit - o.intervention_cost(self.scenario, plan)
        return Scored(ids, o.results_fraction(self.scenario, trajectory), net)

    def score_plan(self, plan: Plan) -> Scored:
        """Return the business result of a whole plan as given (its own analysis and injects)."""
        o = self._outcome
        trajectory = o.simulate(self.scenario, plan)
        benefit = o.monetise(self.scenario, o._difference(trajectory, self.nothing))
        ids = tuple(dict.fromkeys(p.id for p in plan.interventions))
        return Scored(
            ids,
            o.results_fraction(self.scenario, trajectory),
            benefit - o.intervention_cost(self.scenario, plan),
        )


def search(scenario: Scenario) -> SearchResult:
    """Search the plan space around the expert plan; return the best plan found."""
    base = scenario.expert_plan
    space = PlanSearch(scenario, base)
    expert = space.score_plan(base)
    expert_ids = list(expert.interventions)
    found = [expert]

    def consider(ids: Iterable[str]) -> Scored | None:
        scored = space.score(ids)
        if scored is not None:
            found.append(scored)
        return scored

    for size in (1, 2):
        for ids in itertools.combinations(space.ids, size):
            consider(ids)
    _greedy(space, consider)
    others = [i for i in space.ids if i not in expert_ids]
    for dropped in expert_ids:
        rest = [i for i in expert_ids if i != dropped]
        consider(rest)
        for added in others:
            consider([*rest, added])
    for added in others:
        consider([*expert_ids, added])
    best = max(found, key=Scored.key)
    affordable = sum(scored is not None for scored in space.cache.values())
    return SearchResult(expert=expert, best=best, visited=len(space.cache), affordable=affordable)


def _greedy(space: PlanSearch, consider: object) -> None:
    """Add the intervention that improves the business result most, until none does."""
    chosen: list[str] = []
    current: Scored | None = None
    while True:
        step = [
            scored
            for i in space.ids
            if i not in chosen
            if (scored := consider([*chosen, i])) is not None  # type: ignore[operator]
        ]
        if not step:
            return
        top = max(step, key=Scored.key)
        if current is not None and top.key() <= current.key():
            return
        chosen, current = list(top.interventions), top
