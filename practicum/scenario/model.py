"""Scenario domain objects: frozen dataclasses, loaded from JSON by `practicum.scenario.schema`.

Every JSON key is the camelCase form of the field name here (``gap_share`` -> ``gapShare``).
Ids carry a prefix that says what they name: ``k_`` KPI, ``st_`` stakeholder, ``rc_`` root
cause, ``d_`` diagnostic, ``i_`` intervention, ``m_`` metric, ``iso_`` isolation method,
``r_`` round, ``inj_`` inject, ``c_`` rubric component, ``cell_`` taxonomy cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 2  # the newest format; files of every version in SCHEMA_VERSIONS load
SCHEMA_VERSIONS = (1, 2)
# Marks a field only format v2 may set (see practicum/scenario/versions.py); v1 keeps the default.
V2: dict[str, Any] = {"since": 2}

# --- closed vocabularies -------------------------------------------------------------------

DIRECTIONS = ("higher", "lower")
TRUTHS = ("primary", "contributing", "minor", "false")
LEVELS = ("organisation", "process", "job")
METHODS = (
    "extant_data",
    "interview",
    "observation",
    "survey",
    "focus_group",
    "knowledge_test",
    "system_analytics",
    "exemplar_comparison",
)
FAMILIES = ("training", "non_training")
CATEGORIES = (
    "classroom",
    "elearning",
    "on_the_job",
    "coaching",
    "practice",
    "job_aid",
    "tool_fix",
    "process_redesign",
    "feedback_system",
    "incentives",
    "recognition",
    "selection",
    "job_simplification",
    "content_governance",
    "communication",
)
PHASES = (
    "performance_analysis",
    "cause_analysis",
    "intervention_selection",
    "implementation",
    "evaluation",
)
TIMINGS = ("leading", "lagging")
ISOLATION_KINDS = (
    "control_group", "trend_line", "participant_estimate", "manager_estimate", "none",
)
CHANNELS = ("email", "chat", "phone", "meeting", "news")
TIMEOUT_POLICIES = ("advance", "lock")
DIFFICULTIES = ("introductory", "intermediate", "advanced")
# Team actions a round may allow; the engine refuses any action not listed for the round.
ACTIONS = (
    "run_diagnostic",
    "mark_evidence",
    "declare_cause",
    "rule_out_cause",
    "select_intervention",
    "select_metric",
    "set_isolation",
    "write_rationale",
    "chat",
    "run_pilot",  # v2
)
# Deliverable field kinds: what part of the team's draft a deliverable field shows.
FIELD_KINDS = ("text", "causes", "ruled_out", "interventions", "metrics", "isolation", "evidence")
# Named rule functions for automatic rubric components (implemented in practicum.domain.scoring).
RULES = (
    "gap_statement",
    "diagnosis_accuracy",
    "evidence_triangulation",
    "diagnostic_efficiency",
    "solution_fit",
    "cost_effectiveness",
    "metric_quality",
    "inject_response",
)
# Named inject conditions (evaluated by the engine on a team's state).
CONDITIONS = (
    "round_started",
    "ran_diagnostic",
    "selected_intervention",
    "declared_cause",
    "budget_spent_at_least",
    "submitted_round",
)
INJECT_EFFECTS = ("budget_cut", "analysis_points", "lead_time_slip", "stance_change", "patience")
STANDARDS = (
    "focus_on_results",
    "systemic_view",
    "add_value",
    "partnership",
    "determine_need",
    "determine_cause",
    "design_solutions",
    "ensure_feasibility",
    "implement",
    "evaluate",
)

# Gilbert's Behavior Engineering Model plus "external": the default cause taxonomy.
DEFAULT_TAXONOMY: tuple[dict[str, Any], ...] = (
    {"id": "cell_expectations", "label": "Expectations & feedback", "row": "environment",
     "column": "information", "trainable": False},
    {"id": "cell_tools", "label": "Tools, process & time", "row": "environment",
     "column": "instrumentation", "trainable": False},
    {"id": "cell_incentives", "label": "Incentives & consequences", "row": "environment",
     "column": "motivation", "trainable": False},
    {"id": "cell_knowledge", "label": "Knowledge & skills", "row": "individual",
     "column": "information", "trainable": True},
    {"id": "cell_capacity", "label": "Capacity & fit", "row": "individual",
     "column": "instrumentation", "trainable": False},
    {"id": "cell_motives", "label": "Motives", "row": "individual", "column": "motivation",
     "trainable": False},
    {"id": "cell_external", "label": "External factors", "row": "external", "column": "external",
     "trainable": False},
)


# --- scenario parts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One cell of the cause taxonomy."""

    id: str
    label: str
    row: str  # environment | individual | external
    column: str  # information | instrumentation | motivation | external
    trainable: bool  # only cells a training intervention can fix


@dataclass(frozen=True)
class TimelineEntry:
    """One dated event in the company's recent history, shown in the brief."""

    when: str
    event: str


@dataclass(frozen=True)
class Company:
    """The fictional organisation."""

    name: str
    industry: str
    description: str
    headcount: int
    population: str  # who the performers are, e.g. "240 support agents in 3 sites"


@dataclass(frozen=True)
class Brief:
    """The problem as the sponsor presents it (often a solution request)."""

    sponsor: str  # stakeholder id
    request: str
    context: str
    timeline: tuple[TimelineEntry, ...]


@dataclass(frozen=True)
class Economics:
    """Money for ROI: what a KPI point is worth per quarter."""

    currency: str
    value_per_point: dict[str, float]  # KPI id -> value of one unit of improvement per quarter


@dataclass(frozen=True)
class Kpi:
    """A business indicator on the KPI panel."""

    id: str
    name: str
    unit: str
    direction: str  # higher | lower is better
    baseline: float  # the value before the problem began
    current: float  # the value now
    target: float  # the sponsor's goal, between current and baseline
    noise: float  # standard deviation of quarter-to-quarter noise, in units
    owner: str | None = None  # stakeholder id


@dataclass(frozen=True)
class Stakeholder:
    """A person in the client organisation with a stance on the project."""

    id: str
    name: str
    role: str
    influence: int  # 1 (low) .. 3 (high)
    stance: int  # -2 opposed, -1 sceptical, 0 neutral, 1 supportive, 2 champion
    believes: str | None  # root cause id they believe in, or None
    won_over_by: str  # prose: what wins them over
    bio: str = ""


@dataclass(frozen=True)
class RootCause:
    """A candidate cause of the gap. ``truth``, ``gap_share``, ``drift``, ``loadings`` and
    ``debrief`` are hidden from learners until the debrief."""

    id: str
    label: str
    description: str  # what learners see: the hypothesis, neutrally worded
    cell: str  # taxonomy cell id (the correct cell)
    level: str  # organisation | process | job
    truth: str  # primary | contributing | minor | false
    gap_share: float  # share of the KPI gap this cause explains (0 for false causes)
    drift: float  # growth of the cause per quarter if untreated (0.05 = 5% worse a quarter)
    loadings: dict[str, float]  # KPI id -> how strongly the cause acts on it (1 = full share)
    debrief: str
    # v2: KPI id -> share of that KPI's gap the cause explains (-1..1), instead of
    # gap_share * loading; may exceed gap_share, and a negative share holds the KPI up.
    kpi_shares: dict[str, float] = field(default_factory=dict, metadata=V2)


@dataclass(frozen=True)
class Cost:
    """What running a diagnostic costs a team."""

    points: int = 0  # analysis points
    cash: float = 0.0
    days: int = 0  # calendar days of the project timeline


@dataclass(frozen=True)
class Evidence:
    """How a diagnostic's finding bears on a cause: + supports, - disconfirms (-3..3)."""

    cause: str
    weight: int


@dataclass(frozen=True)
class StanceEffect:
    """A change to a stakeholder's stance."""

    stakeholder: str
    delta: int


@dataclass(frozen=True)
class Reaction:
    """v2: what a stakeholder says to the team when it selects an intervention."""

    stakeholder: str
    text: str


@dataclass(frozen=True)
class Diagnostic:
    """A data-gathering action a team can buy."""

    id: str
    name: str
    method: str
    description: str  # what learners see before buying it
    cost: Cost
    reliability: float  # 0..1: how much the finding can be trusted
    opens_in: str  # round id from which it can be run
    finding: str  # the text the team receives
    evidence: tuple[Evidence, ...]  # hidden from learners
    locked: bool = False
    unlocks: tuple[str, ...] = ()  # diagnostic ids this one unlocks
    red_herring: bool = False
    stance_effects: tuple[StanceEffect, ...] = ()
    # v2: a question put to one stakeholder; the finding is their answer.
    stakeholder: str | None = field(default=None, metadata=V2)
    question: str = field(default="", metadata=V2)


@dataclass(frozen=True)
class InterventionCost:
    """One-off and running cost of an intervention."""

    one_off: float
    per_quarter: float = 0.0


@dataclass(frozen=True)
class CauseEffect:
    """Share of a cause an intervention removes at full effect (0..1)."""

    cause: str
    removes: float
    halts_drift: bool = field(default=False, metadata=V2)  # v2: stops the cause worsening


@dataclass(frozen=True)
class SideEffect:
    """A KPI change an intervention causes at full effect, in KPI units (signed)."""

    kpi: str
    delta: float
    # v2: weeks the side effect lasts once the intervention takes effect; None = while it runs.
    weeks: int | None = field(default=None, metadata=V2)


@dataclass(frozen=True)
class Requirement:
    """A condition for full effect: a stakeholder's stance at least ``min_stance``.
    When unmet, the intervention works at ``effectiveness`` (0..1) of its effect."""

    stakeholder: str
    min_stance: int
    effectiveness: float
    reason: str = ""


@dataclass(frozen=True)
class Pilot:
    """v2: running an intervention on one site first, to measure it before rolling it out."""

    site: str  # e.g. "Port Ardell"
    cost: Cost  # paid like a diagnostic (points, cash, days)
    quarters: int = 1  # how long it runs before its result is read
    note: str = ""  # shown with the measured result


@dataclass(frozen=True)
class Intervention:
    """A training or non-training fix a team can select."""

    id: str
    name: str
    family: str  # training | non_training
    category: str
    description: str
    cells: tuple[str, ...]
    cost: InterventionCost
    lead_weeks: int  # weeks from start before any effect
    ramp_weeks: int  # weeks from first effect to full effect
    decay: float  # share of effect lost per quarter after full effect, unless sustained
    effects: tuple[CauseEffect, ...]  # hidden from learners
    side_effects: tuple[SideEffect, ...] = ()
    requires: tuple[Requirement, ...] = ()
    sustains: tuple[str, ...] = ()  # intervention ids whose decay this one stops (governance)
    reaction: float = 0.0  # expected level-1 reaction score (1..5) for training; 0 if none
    learning: float = 0.0  # expected level-2 knowledge gain (0..1) for training
    trap: bool = False  # a deliberately poor choice the lint dominance check tolerates
    reactions: tuple[Reaction, ...] = field(default=(), metadata=V2)  # v2: shown on selection
    pilot: Pilot | None = field(default=None, metadata=V2)  # v2: can be piloted on one site


@dataclass(frozen=True)
class Metric:
    """A success metric a team can put in its evaluation plan."""

    id: str
    name: str
    level: int  # Kirkpatrick 1..4, 5 = ROI
    timing: str  # leading | lagging
    guardrail: bool
    source: str  # where the data comes from
    latency_weeks: int
    collection_cost: float
    validates: tuple[str, ...]  # intervention ids whose effect it can show
    kpi: str | None = None  # KPI id it tracks
    description: str = ""


@dataclass(frozen=True)
class IsolationMethod:
    """A way to separate the programme's effect from everything else."""

    id: str
    name: str
    kind: str  # control_group | trend_line | participant_estimate | manager_estimate | none
    credibility: float  # 0..1
    cost: float
    description: str = ""
    estimate_bias: float = 1.0  # multiplier an estimate applies to the programme's effect


@dataclass(frozen=True)
class RoundBudget:
    """Resources granted to each team when a round opens."""

    points: int = 0
    cash: float = 0.0
    days: int = 0
    analysis_cash: float = field(default=0.0, metadata=V2)  # v2: with separate budgets


@dataclass(frozen=True)
class DeliverableField:
    """One field of a round's deliverable."""

    id: str
    label: str
    kind: str  # text | causes | ruled_out | interventions | metrics | isolation | evidence
    required: bool = True
    max_length: int = 2000  # for text fields
    prompt: str = ""


@dataclass(frozen=True)
class Limits:
    """Caps on what a team can put in a deliverable."""

    max_causes: int | None = None
    max_interventions: int | None = None
    max_metrics: int | None = None


@dataclass(frozen=True)
class Presentation:
    """v2: a round in which each team pitches its deliverable and takes questions."""

    pitch_minutes: int
    qa_minutes: int
    brief: str = ""  # what the pitch should cover and what the Q&A will probe (shown to all)


@dataclass(frozen=True)
class Round:
    """One timed round of the practicum."""

    id: str
    name: str
    phase: str
    minutes: int
    brief: str  # what the facilitator and learners read at the start of the round
    actions: tuple[str, ...]  # allowed team actions
    deliverable: tuple[DeliverableField, ...]
    budget: RoundBudget = RoundBudget()
    limits: Limits = Limits()
    on_timeout: str = "advance"  # advance | lock
    presentation: Presentation | None = field(default=None, metadata=V2)  # v2: a pitch round


@dataclass(frozen=True)
class Condition:
    """A named condition on a team's state that fires an automatic inject."""

    type: str  # one of CONDITIONS
    id: str | None = None  # the diagnostic/intervention/cause/round the condition names
    fraction: float | None = None  # for budget_spent_at_least


@dataclass(frozen=True)
class InjectEffect:
    """What an inject does to a team when it fires."""

    type: str  # one of INJECT_EFFECTS
    amount: float = 0.0  # budget_cut: cash; analysis_points: points; patience: -1 per step
    weeks: int = 0  # lead_time_slip
    target: str | None = None  # intervention id (lead_time_slip) or stakeholder id (stance)
    delta: int = 0  # stance_change


@dataclass(frozen=True)
class Inject:
    """A scripted event that keeps the game alive."""

    id: str
    title: str
    round: str  # the round in which it can fire
    trigger: str  # manual | auto
    sender: str  # stakeholder id or a free name
    channel: str
    text: str
    expected_response: str  # shown to the facilitator only
    when: Condition | None = None  # required for auto injects
    effects: tuple[InjectEffect, ...] = ()
    component: str | None = None  # rubric component id that scores the response


@dataclass(frozen=True)
class Level:
    """A level descriptor for a facilitator-scored component."""

    level: int  # 1..4
    descriptor: str


@dataclass(frozen=True)
class Component:
    """One rubric component, scored automatically by a named rule or by the facilitator."""

    id: str
    name: str
    round: str  # the round whose deliverable it scores
    weight: float  # points; all components sum to 100
    kind: str  # auto | facilitator
    rule: str | None = None  # for auto: one of RULES
    params: dict[str, Any] = field(default_factory=dict)
    levels: tuple[Level, ...] = ()  # for facilitator: four descriptors
    standards: tuple[str, ...] = ()
    description: str = ""
    objectives: tuple[str, ...] = field(default=(), metadata=V2)  # v2: learning objective ids
    qa: bool = field(default=False, metadata=V2)  # v2: judged on a pitch's Q&A, with notes


@dataclass(frozen=True)
class PlannedCause:
    """A cause a plan declares, with the cell it assigns and a confidence (0..1)."""

    cause: str
    cell: str
    confidence: float = 0.8


@dataclass(frozen=True)
class PlannedIntervention:
    """An intervention a plan selects, starting in a given week."""

    id: str
    start_week: int = 0


@dataclass(frozen=True)
class PlannedMetric:
    """A metric a plan picks, with its target value (optional)."""

    id: str
    target: float | None = None


@dataclass(frozen=True)
class EvidenceMark:
    """A team's link between a finding it holds and a cause: supports (+1) or against (-1)."""

    diagnostic: str
    cause: str
    stance: int  # +1 for, -1 against


@dataclass(frozen=True)
class Plan:
    """A team's choices (or a reference plan) as the scoring and outcome functions read them."""

    diagnostics: tuple[str, ...] = ()  # ids, in the order run
    evidence: tuple[EvidenceMark, ...] = ()
    causes: tuple[PlannedCause, ...] = ()
    ruled_out: tuple[str, ...] = ()
    interventions: tuple[PlannedIntervention, ...] = ()
    metrics: tuple[PlannedMetric, ...] = ()
    isolation: str | None = None
    texts: dict[str, str] = field(default_factory=dict)  # deliverable text fields by id
    stances: dict[str, int] = field(default_factory=dict)  # stakeholder id -> stance reached
    injects: tuple[str, ...] = ()  # inject ids fired on this team


@dataclass(frozen=True)
class Simulation:
    """Outcome-model settings."""

    quarters: int = 4
    seed: int = 1
    weeks_per_quarter: int = 13


@dataclass(frozen=True)
class TeamSize:
    """How many learners a team may hold."""

    min: int = 2
    max: int = 5


@dataclass(frozen=True)
class Budget:
    """Each team's resources at the start of the practicum."""

    points: int
    cash: float  # covers diagnostics' cash cost and interventions' one-off plus running cost
    days: int  # calendar days for diagnostics
    # v2: cash for diagnostics alone; then ``cash`` pays for interventions only. None: one pool.
    analysis_cash: float | None = field(default=None, metadata=V2)


@dataclass(frozen=True)
class Objective:
    """v2: a learning objective; rubric components name the objectives they assess."""

    id: str
    text: str


@dataclass(frozen=True)
class Scenario:
    """A complete practicum scenario."""

    schema_version: int
    id: str
    title: str
    summary: str
    difficulty: str
    company: Company
    brief: Brief
    economics: Economics
    kpis: tuple[Kpi, ...]
    stakeholders: tuple[Stakeholder, ...]
    taxonomy: tuple[Cell, ...]
    causes: tuple[RootCause, ...]
    residual: float  # share of the gap no cause explains (market, noise)
    diagnostics: tuple[Diagnostic, ...]
    interventions: tuple[Intervention, ...]
    metrics: tuple[Metric, ...]
    isolation_methods: tuple[IsolationMethod, ...]
    rounds: tuple[Round, ...]
    injects: tuple[Inject, ...]
    rubric: tuple[Component, ...]
    budget: Budget
    team_size: TeamSize
    expert_plan: Plan
    simulation: Simulation = Simulation()
    sponsor_plan: Plan | None = None  # what the sponsor asked for, shown at debrief
    debrief_notes: str = ""
    # v2: share of the residual gap that recovers by itself each quarter (0..1).
    residual_recovery: float = field(default=0.0, metadata=V2)
    objectives: tuple[Objective, ...] = field(default=(), metadata=V2)
    language: str = "en"  # BCP 47 tag of the text as written
    # locale -> {path -> text}: the scenario's own text in other languages (translate.py)
    translations: dict[str, dict[str, str]] = field(default_factory=dict)
    source_file: str = ""  # set by the loader, not read from JSON

    # Lookups by id: the loader guarantees ids are unique and references resolve.
    def kpi(self, kpi_id: str) -> Kpi:
        """Return the KPI with this id."""
        return _by_id(self.kpis, kpi_id)

    def stakeholder(self, stakeholder_id: str) -> Stakeholder:
        """Return the stakeholder with this id."""
        return _by_id(self.stakeholders, stakeholder_id)

    def cause(self, cause_id: str) -> RootCause:
        """Return the root cause with this id."""
        return _by_id(self.causes, cause_id)

    def cell(self, cell_id: str) -> Cell:
        """Return the taxonomy cell with this id."""
        return _by_id(self.taxonomy, cell_id)

    def diagnostic(self, diagnostic_id: str) -> Diagnostic:
        """Return the diagnostic with this id."""
        return _by_id(self.diagnostics, diagnostic_id)

    def intervention(self, intervention_id: str) -> Intervention:
        """Return the intervention with this id."""
        return _by_id(self.interventions, intervention_id)

    def metric(self, metric_id: str) -> Metric:
        """Return the metric with this id."""
        return _by_id(self.metrics, metric_id)

    def isolation_method(self, method_id: str) -> IsolationMethod:
        """Return the isolation method with this id."""
        return _by_id(self.isolation_methods, method_id)

    def round(self, round_id: str) -> Round:
        """Return the round with this id."""
        return _by_id(self.rounds, round_id)

    def round_index(self, round_id: str) -> int:
        """Return the 0-based position of a round."""
        return [r.id for r in self.rounds].index(round_id)

    def inject(self, inject_id: str) -> Inject:
        """Return the inject with this id."""
        return _by_id(self.injects, inject_id)

    def component(self, component_id: str) -> Component:
        """Return the rubric component with this id."""
        return _by_id(self.rubric, component_id)

    def objective(self, objective_id: str) -> Objective:
        """Return the learning objective with this id."""
        return _by_id(self.objectives, objective_id)


def _by_id(items: tuple[Any, ...], item_id: str) -> Any:
    for item in items:
        if item.id == item_id:
            return item
    raise KeyError(item_id)
