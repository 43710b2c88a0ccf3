"""The bench learners' action mix: mostly typing in shared texts and chat, a few diagnostics.

The mix is planned so the engine never has a reason to reject an action: a team only runs the
diagnostics its round-1 budget covers (each once), and marks evidence only on findings it
already holds. Any rejection the bench then sees is the server's fault, not the script's.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from bench.markers import tag

DEFAULT_WEIGHTS: dict[str, float] = {
    "chat": 0.45,
    # A typing burst: several `edit_text` updates in a row, one per browser flush (see swarm.py).
    "edit_text": 0.45,
    "run_diagnostic": 0.04,
    "mark_evidence": 0.06,
}

CHAT_LINES = (
    "I think the FCR drop started after the knowledge base migration",
    "Can someone check the contact mix numbers for the last two quarters?",
    "Ingrid wants a course, but we have not seen any evidence of a skill gap yet",
    "Agreed. Let's not promise training before we know the cause",
    "The ops interview mentioned search results getting worse",
    "Who is writing the gap statement? I can take the contract note",
    "Repeat contacts are where the money goes, roughly 4 EUR each",
    "Let's link the trend finding to the search cause",
)
# Typing bursts: how many updates (one per ~250 ms browser flush) and how far apart (seconds).
BURST_UPDATES = (2, 6)
FLUSH_SECONDS = 0.25
# Words a bench learner types into a shared text, one (with its update's marker) per flush.
TYPED_WORDS = ("gap", "FCR", "search", "repeat", "cost", "KPI", "sponsor", "Q3", "agents", "KB")
DRAFT_LINES = (
    "First-contact resolution fell from 78% to 71% over two quarters; the target is 78% by Q3.",
    "Each repeat contact costs about 4 EUR; at 60,000 contacts a month the gap is worth a lot.",
    "We will not agree to a refresher course yet: four weeks of analysis first.",
    "We propose to look at tools and information before training: search, knowledge base, QA.",
    "Success means FCR back at 78% without average handling time rising above target.",
)


@dataclass(frozen=True)
class Playbook:
    """What a bench team may do in round 1 of a scenario without a self-inflicted rejection."""

    diagnostics: tuple[str, ...]
    causes: tuple[str, ...]
    text_fields: tuple[tuple[str, int], ...]
    actions: frozenset[str]

    def to_dict(self) -> dict[str, Any]:
        """Return the playbook as JSON-able data (it travels to the swarm processes)."""
        return {
            "diagnostics": list(self.diagnostics),
            "causes": list(self.causes),
            "textFields": [list(f) for f in self.text_fields],
            "actions": sorted(self.actions),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Playbook:
        """Rebuild a playbook from `to_dict` output."""
        return cls(
            tuple(data["diagnostics"]),
            tuple(data["causes"]),
            tuple((str(f), int(n)) for f, n in data["textFields"]),
            frozenset(data["actions"]),
        )


def playbook(scenario: Any) -> Playbook:
    """Plan round 1 of a scenario: the cheapest diagnostics the team budget covers together."""
    round_ = scenario.rounds[0]
    points = scenario.budget.points + round_.budget.points
    cash = scenario.budget.cash + round_.budget.cash
    days = scenario.budget.days + round_.budget.days
    chosen: list[str] = []
    candidates = [d for d in scenario.diagnostics if d.opens_in == round_.id and not d.locked]
    for diag in sorted(candidates, key=lambda d: (d.cost.points, d.cost.cash, d.cost.days, d.id)):
        cost = diag.cost
        if cost.points <= points and cost.cash <= cash and cost.days <= days:
            chosen.append(diag.id)
            points, cash, days = points - cost.points, cash - cost.cash, days - cost.days
    texts = tuple(
        (f.id, f.max_length) for f in round_.deliverable if f.kind == "text" and f.max_length
    )
    actions = set(round_.actions)
    if "write_rationale" in actions and texts:
        actions.update({"write_text", "edit_text"})
    return Playbook(tuple(chosen), tuple(c.id for c in scenario.causes), texts, frozenset(actions))


@dataclass
class TeamLedger:
    """What one bench team has done, so its next actions stay legal."""

    diagnostics_left: list[str]
    causes: tuple[str, ...]
    marks_left: list[tuple[str, str, int]] = field(default_factory=list)

    def holds(self, diagnostic: str, rng: random.Random) -> None:
        """Record an accepted diagnostic: its finding may now be marked against each cause."""
        for cause in self.causes:
            self.marks_left.append((diagnostic, cause, rng.choice((-1, 1))))
        rng.shuffle(self.marks_left)


def choose(rng: random.Random, weights: dict[str, float], ledger: TeamLedger) -> str:
    """Pick the next action kind; kinds the team cannot legally do now are left out."""
    usable = {
        kind: weight
        for kind, weight in weights.items()
        if weight > 0
        and not (kind == "run_diagnostic" and not ledger.diagnostics_left)
        and not (kind == "mark_evidence" and not ledger.marks_left)
    }
    if not usable:
        return "chat"
    kinds = list(usable)
    return rng.choices(kinds, weights=[usable[k] for k in kinds])[0]


def build_action(
    kind: str, rng: random.Random, ledger: TeamLedger, playbook_: Playbook, marker: str
) -> dict[str, Any]:
    """Return the payload (without actionId) of one action of a kind, taking from the ledger."""
    if kind == "run_diagnostic":
        return {"diagnostic": ledger.diagnostics_left.pop(0)}
    if kind == "mark_evidence":
        diagnostic, cause, stance = ledger.marks_left.pop()
        return {"diagnostic": diagnostic, "cause": cause, "stance": stance}
    if kind == "write_text":
        field_id, limit = rng.choice(playbook_.text_fields)
        lines = rng.sample(DRAFT_LINES, k=rng.randint(1, 3))
        text = tag(" ".join(lines), marker)
        return {"field": field_id, "text": text[-limit:]}
    return {"text": tag(rng.choice(CHAT_LINES), marker)}
