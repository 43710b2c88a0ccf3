"""A small parcel-depot scenario built from the model dataclasses, and helpers to drive the engine.

The story: on-time delivery fell after a route-planning tool update (primary, tools). A
per-stop bonus pushes drivers to skip the planned sequence (contributing, incentives). The
sponsor believes drivers lack navigation skill (false); a survey says so too (red herring),
and a knowledge test disconfirms it.

Three rounds: contract and diagnose (advance on timeout), causes (lock on timeout, a
two-cause limit), design and evaluate (auto injects: a budget cut when it opens, a vendor
slip when the route fix is chosen).
"""

from __future__ import annotations

from typing import Any

from practicum.engine import (
    FACILITATOR,
    LEARNER,
    Accepted,
    Actor,
    Command,
    Event,
    Rejected,
    SessionState,
    decide,
    evolve,
    new_session,
    replay,
    tick,
)
from practicum.scenario.model import (
    DEFAULT_TAXONOMY,
    Brief,
    Budget,
    CauseEffect,
    Cell,
    Company,
    Component,
    Condition,
    Cost,
    DeliverableField,
    Diagnostic,
    Economics,
    Evidence,
    EvidenceMark,
    Inject,
    InjectEffect,
    Intervention,
    InterventionCost,
    IsolationMethod,
    Kpi,
    Level,
    Limits,
    Metric,
    Plan,
    PlannedCause,
    PlannedIntervention,
    PlannedMetric,
    RootCause,
    Round,
    RoundBudget,
    Scenario,
    Simulation,
    Stakeholder,
    StanceEffect,
    TeamSize,
    TimelineEntry,
)

T0 = 1_700_000_000.0  # a fixed clock: tests never read the real time

LEVELS = tuple(
    Level(n, text)
    for n, text in enumerate(("Missing", "Partial", "Solid", "Exemplary"), start=1)
)

ROUNDS = (
    Round(
        id="r_one",
        name="Contract and diagnose",
        phase="performance_analysis",
        minutes=30,
        brief="Agree the gap with the sponsor and start gathering data.",
        actions=("run_diagnostic", "mark_evidence", "write_rationale", "chat"),
        deliverable=(
            DeliverableField("gap", "Gap statement", "text", max_length=400),
            DeliverableField("early_evidence", "Early evidence", "evidence", required=False),
        ),
    ),
    Round(
        id="r_two",
        name="Causes",
        phase="cause_analysis",
        minutes=30,
        brief="Name the causes the evidence supports.",
        actions=("run_diagnostic", "mark_evidence", "declare_cause", "rule_out_cause", "chat"),
        deliverable=(
            DeliverableField("causes", "Declared causes", "causes"),
            DeliverableField("ruled_out", "Ruled out", "ruled_out", required=False),
            DeliverableField("cause_note", "Why these causes", "text", max_length=600),
        ),
        budget=RoundBudget(points=3, cash=0.0, days=3),
        limits=Limits(max_causes=2),
        on_timeout="lock",
    ),
    Round(
        id="r_three",
        name="Design and evaluate",
        phase="intervention_selection",
        minutes=30,
        brief="Choose fixes, metrics and how you will isolate the effect.",
        actions=("select_intervention", "select_metric", "set_isolation", "write_rationale"),
        deliverable=(
            DeliverableField("interventions", "Interventions", "interventions"),
            DeliverableField("metrics", "Metrics", "metrics"),
            DeliverableField("isolation", "Isolation", "isolation"),
            DeliverableField("pitch", "Pitch", "text"),
        ),
        budget=RoundBudget(points=0, cash=10_000.0, days=0),
        limits=Limits(max_interventions=3, max_metrics=3),
    ),
)

SCENARIO = Scenario(
    schema_version=1,
    id="depot",
    title="Late parcels at Brightway Depot",
    summary="On-time delivery fell after a routing update.",
    difficulty="introductory",
    company=Company(
        "Brightway Parcels", "logistics", "A regional parcel carrier.", 400, "120 drivers"
    ),
    brief=Brief(
        sponsor="st_sponsor",
        request="Send every driver on a navigation course.",
        context="On-time delivery has fallen for two quarters.",
        timeline=(TimelineEntry("January", "Route planner update"),),
    ),
    economics=Economics("EUR", {"k_ontime": 10_000.0}),
    kpis=(
        Kpi("k_ontime", "On-time delivery", "%", "higher", 95.0, 88.0, 93.0, 0.5, "st_sponsor"),
    ),
    stakeholders=(
        Stakeholder("st_sponsor", "Mara Quist", "Operations VP", 3, 0, "rc_skills", "numbers"),
        Stakeholder("st_it", "Olu Bankole", "IT lead", 2, -1, None, "a clear defect report"),
    ),
    taxonomy=tuple(Cell(**cell) for cell in DEFAULT_TAXONOMY),
    causes=(
        RootCause(
            "rc_routing", "Route planner sequences", "Planned routes are out of order.",
            "cell_tools", "process", "primary", 0.6, 0.05, {"k_ontime": 1.0},
            "The planner update broke stop sequencing.",
        ),
        RootCause(
            "rc_bonus", "Per-stop bonus", "Drivers are paid per stop.",
            "cell_incentives", "organisation", "contributing", 0.3, 0.0, {"k_ontime": 1.0},
            "The bonus rewards skipping the sequence.",
        ),
        RootCause(
            "rc_skills", "Navigation skill", "Drivers cannot navigate new areas.",
            "cell_knowledge", "job", "false", 0.0, 0.0, {"k_ontime": 1.0},
            "Drivers navigate fine; the test proves it.",
        ),
    ),
    residual=0.1,
    diagnostics=(
        Diagnostic(
            "d_logs", "Delivery logs", "extant_data", "Stop timestamps by route.",
            Cost(points=1, days=1), 0.9, "r_one",
            "Late stops began the week the planner update went live.",
            (Evidence("rc_routing", 2), Evidence("rc_skills", -1)),
            unlocks=("d_planner",),
        ),
        Diagnostic(
            "d_interview", "Depot lead interview", "interview", "Talk to the depot lead.",
            Cost(points=1, days=1), 0.7, "r_one",
            "Drivers say the bonus makes them skip the plan.",
            (Evidence("rc_bonus", 2),),
            stance_effects=(StanceEffect("st_it", 1),),
        ),
        Diagnostic(
            "d_planner", "Planner analytics", "system_analytics", "Planner output audit.",
            Cost(points=2, cash=500.0, days=1), 0.95, "r_one",
            "40% of planned routes have stops out of sequence.",
            (Evidence("rc_routing", 3),),
            locked=True,
        ),
        Diagnostic(
            "d_survey", "Driver survey", "survey", "Ask drivers what slows them down.",
            Cost(points=1, cash=1_000.0, days=2), 0.4, "r_one",
            "Many drivers say they get lost in new estates.",
            (Evidence("rc_skills", 1),),
            red_herring=True,
        ),
        Diagnostic(
            "d_test", "Navigation test", "knowledge_test", "Test drivers' map skills.",
            Cost(points=2, cash=3_000.0, days=2), 0.9, "r_two",
            "Drivers score 91% on the navigation test.",
            (Evidence("rc_skills", -3),),
        ),
    ),
    interventions=(
        Intervention(
            "i_route_fix", "Fix the planner", "non_training", "tool_fix", "Repair sequencing.",
            ("cell_tools",), InterventionCost(40_000.0, 2_000.0), 4, 4, 0.0,
            (CauseEffect("rc_routing", 0.8),),
        ),
        Intervention(
            "i_bonus", "Pay per route", "non_training", "incentives", "Replace per-stop pay.",
            ("cell_incentives",), InterventionCost(20_000.0), 2, 4, 0.0,
            (CauseEffect("rc_bonus", 0.7),),
        ),
        Intervention(
            "i_course", "Navigation course", "training", "classroom", "A day of map skills.",
            ("cell_knowledge",), InterventionCost(60_000.0), 2, 2, 0.2,
            (CauseEffect("rc_skills", 0.8),),
            reaction=4.4, learning=0.3, trap=True,
        ),
        Intervention(
            "i_job_aid", "Route cards", "non_training", "job_aid", "Laminated stop cards.",
            ("cell_tools",), InterventionCost(5_000.0, 500.0), 1, 1, 0.3,
            (CauseEffect("rc_routing", 0.2),),
        ),
    ),
    metrics=(
        Metric("m_ontime", "On-time rate", 4, "lagging", False, "logs", 4, 0.0,
               ("i_route_fix", "i_bonus"), "k_ontime"),
        Metric("m_sequence", "Routes in sequence", 3, "leading", False, "planner", 1, 500.0,
               ("i_route_fix", "i_job_aid")),
        Metric("m_reaction", "Course reaction", 1, "leading", False, "survey", 0, 0.0,
               ("i_course",)),
        Metric("m_overtime", "Driver overtime", 4, "leading", True, "payroll", 2, 0.0, ()),
    ),
    isolation_methods=(
        IsolationMethod("iso_pilot", "Pilot depots", "control_group", 0.9, 5_000.0),
        IsolationMethod("iso_estimate", "Driver estimates", "participant_estimate", 0.3, 0.0,
                        estimate_bias=1.8),
    ),
    rounds=ROUNDS,
    injects=(
        Inject(
            "inj_push", "Sponsor wants the course", "r_three", "manual", "st_sponsor", "email",
            "Just book the navigation course.", "Hold the line with the test result.",
            component="c_push",
        ),
        Inject(
            "inj_cut", "Budget cut", "r_three", "auto", "Finance", "email",
            "Your budget is cut by EUR 10,000.", "Re-prioritise; keep the route fix.",
            when=Condition("round_started", "r_three"),
            effects=(InjectEffect("budget_cut", amount=10_000.0),),
            component="c_cut",
        ),
        Inject(
            "inj_slip", "Vendor slips", "r_three", "auto", "st_it", "chat",
            "The planner vendor needs three more weeks.", "Bridge with route cards.",
            when=Condition("selected_intervention", "i_route_fix"),
            effects=(InjectEffect("lead_time_slip", weeks=3, target="i_route_fix"),),
        ),
        Inject(
            "inj_thanks", "Sponsor impressed", "r_two", "auto", "st_sponsor", "meeting",
            "Good to see hard data.", "Nothing needed.",
            when=Condition("ran_diagnostic", "d_test"),
            effects=(
                InjectEffect("analysis_points", amount=1),
                InjectEffect("stance_change", target="st_sponsor", delta=1),
            ),
        ),
    ),
    rubric=(
        Component("c_gap", "Gap statement", "r_one", 10.0, "auto", "gap_statement"),
        Component("c_contract", "Contracting", "r_one", 10.0, "facilitator", levels=LEVELS),
        Component("c_diagnosis", "Diagnosis", "r_two", 20.0, "auto", "diagnosis_accuracy"),
        Component("c_triangulation", "Triangulation", "r_two", 10.0, "auto",
                  "evidence_triangulation"),
        Component("c_fit", "Solution fit", "r_three", 20.0, "auto", "solution_fit"),
        Component("c_metrics", "Metrics", "r_three", 10.0, "auto", "metric_quality"),
        Component("c_cut", "Budget cut response", "r_three", 5.0, "auto", "inject_response",
                  params={"expect": ["i_route_fix"], "avoid": ["i_course"]}),
        Component("c_push", "Holding the line", "r_three", 15.0, "facilitator", levels=LEVELS),
    ),
    budget=Budget(points=4, cash=100_000.0, days=8),
    team_size=TeamSize(min=2, max=3),
    expert_plan=Plan(
        diagnostics=("d_logs", "d_interview", "d_planner", "d_test"),
        evidence=(
            EvidenceMark("d_logs", "rc_routing", 1),
            EvidenceMark("d_planner", "rc_routing", 1),
            EvidenceMark("d_interview", "rc_bonus", 1),
            EvidenceMark("d_logs", "rc_skills", -1),
            EvidenceMark("d_test", "rc_skills", -1),
        ),
        causes=(
            PlannedCause("rc_routing", "cell_tools", 0.9),
            PlannedCause("rc_bonus", "cell_incentives", 0.7),
        ),
        ruled_out=("rc_skills",),
        interventions=(
            PlannedIntervention("i_route_fix", 0),
            PlannedIntervention("i_bonus", 0),
            PlannedIntervention("i_job_aid", 0),
        ),
        metrics=(
            PlannedMetric("m_ontime", 93.0),
            PlannedMetric("m_sequence", 95.0),
            PlannedMetric("m_overtime", 6.0),
        ),
        isolation="iso_pilot",
        texts={
            "gap": "On-time delivery is 88% against a target of 93%.",
            "cause_note": "Logs and planner audit show sequencing; the bonus adds to it.",
            "pitch": "Fix the planner, pay per route, bridge with cards; pilot depots prove it.",
            "inject:inj_cut": "We keep the route fix and trim elsewhere.",
        },
        stances={"st_it": 0},
        injects=("inj_cut", "inj_slip"),
    ),
    simulation=Simulation(quarters=4, seed=7, weeks_per_quarter=13),
    sponsor_plan=Plan(
        interventions=(PlannedIntervention("i_course", 0),),
        metrics=(PlannedMetric("m_reaction", None),),
        isolation="iso_estimate",
        texts={"pitch": "Book the navigation course for all drivers."},
    ),
    debrief_notes="Only the knowledge cell is fixed by training.",
)


# --- driving the engine ----------------------------------------------------------------------

FAC = Actor(FACILITATOR)


def learner(learner_id: str) -> Actor:
    """Return a learner actor."""
    return Actor(LEARNER, learner_id)


class Game:
    """A session driven step by step with a fixed clock; keeps every event for replay checks."""

    def __init__(self, scenario: Scenario = SCENARIO, now: float = T0) -> None:
        self.scenario = scenario
        self.now = now
        self.events: list[Event] = new_session(scenario, "s1", "ABCD12", now)
        self.state: SessionState = replay(scenario, self.events)

    def apply(self, events: list[Event]) -> None:
        """Fold events into the state (as the server does after storing them)."""
        for event in events:
            self.state = evolve(self.scenario, self.state, event)
        self.events.extend(events)

    def send(self, type_: str, actor: Actor, **data: Any) -> Accepted | Rejected:
        """Decide a command at the current time and fold its events when accepted."""
        before = self.state
        answer = decide(self.scenario, self.state, Command(type_, actor, data), self.now)
        assert self.state is before  # decide never touches the state
        if isinstance(answer, Accepted):
            self.apply(answer.events)
            # The state decide folded (the server keeps it) is the one its events give.
            assert answer.state == self.state
        return answer

    def ok(self, type_: str, actor: Actor, **data: Any) -> Accepted:
        """Send a command that must be accepted."""
        answer = self.send(type_, actor, **data)
        assert isinstance(answer, Accepted), answer
        return answer

    def no(self, code: str, type_: str, actor: Actor, **data: Any) -> Rejected:
        """Send a command that must be rejected with ``code``; the state must not change."""
        before = self.state
        answer = self.send(type_, actor, **data)
        assert isinstance(answer, Rejected), answer
        assert answer.code == code, answer
        assert self.state is before
        return answer

    def tick(self, now: float | None = None) -> list[Event]:
        """Advance the clock (optionally) and fold what the timer produces."""
        if now is not None:
            self.now = now
        events = tick(self.scenario, self.state, self.now)
        self.apply(events)
        return events

    def team(self, team_id: str) -> Any:
        """Return a team's state."""
        return self.state.teams[team_id]

    # --- common set-ups ---

    def join(self, learner_id: str, name: str | None = None) -> Actor:
        """Join a learner and return their actor."""
        self.ok("join_session", learner(learner_id), learner_id=learner_id, name=name or learner_id)
        return learner(learner_id)

    def two_teams(self) -> tuple[Actor, Actor, Actor, Actor]:
        """Make teams t_a (a1, a2) and t_b (b1, b2) in the lobby."""
        a1, a2, b1, b2 = (self.join(n) for n in ("a1", "a2", "b1", "b2"))
        self.ok("create_team", a1, team_id="t_a", name="Alpha")
        self.ok("join_team", a2, team="t_a")
        self.ok("create_team", b1, team_id="t_b", name="Bravo")
        self.ok("join_team", b2, team="t_b")
        return a1, a2, b1, b2

    def started(self) -> tuple[Actor, Actor, Actor, Actor]:
        """Two teams, round one open."""
        actors = self.two_teams()
        self.ok("start_session", FAC)
        return actors
