"""A small helpdesk scenario built straight from the model dataclasses, and plans to play on it.

The story: first-contact resolution fell after a knowledge-base migration (the primary cause,
an environmental tools problem). A handle-time target pushes agents to close calls early
(contributing, incentives), and new hires lack troubleshooting skill (contributing, the one
trainable cause). The sponsor believes agents need a product refresher (false), and a focus
group blames agent motivation (false, a red herring).
"""

from __future__ import annotations

from dataclasses import replace

from practicum.scenario.model import (
    DEFAULT_TAXONOMY,
    Brief,
    Budget,
    CauseEffect,
    Cell,
    Company,
    Component,
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
    Requirement,
    RootCause,
    Round,
    RoundBudget,
    Scenario,
    SideEffect,
    Simulation,
    Stakeholder,
    TeamSize,
)

TAXONOMY = tuple(Cell(**cell) for cell in DEFAULT_TAXONOMY)

KPIS = (
    Kpi("k_fcr", "First-contact resolution", "%", "higher", 80.0, 68.0, 76.0, 1.0, "st_ops"),
    Kpi("k_aht", "Average handle time", "min", "lower", 6.0, 7.5, 6.5, 0.1, "st_ops"),
)

STAKEHOLDERS = (
    Stakeholder("st_ops", "Dana Reyes", "Operations director", 3, 1, "rc_product", "numbers"),
    Stakeholder("st_it", "Sam Okafor", "IT manager", 2, -1, None, "a scoped request"),
    Stakeholder("st_lead", "Mia Chen", "Team lead", 1, 0, "rc_incentive", "being heard"),
)

CAUSES = (
    RootCause(
        "rc_kb", "Knowledge base out of date", "Articles no longer match the product.",
        "cell_tools", "process", "primary", 0.5, 0.05, {"k_fcr": 1.0, "k_aht": 1.0}, "",
    ),
    RootCause(
        "rc_incentive", "Handle-time target", "Agents are pushed to end calls quickly.",
        "cell_incentives", "organisation", "contributing", 0.25, 0.0,
        {"k_fcr": 1.0, "k_aht": 0.5}, "",
    ),
    RootCause(
        "rc_skill", "New hires lack troubleshooting skill", "Recent hires struggle.",
        "cell_knowledge", "job", "contributing", 0.1, 0.02, {"k_fcr": 1.0, "k_aht": 1.0}, "",
    ),
    RootCause(
        "rc_product", "Product knowledge gap", "Agents need a product refresher.",
        "cell_knowledge", "job", "false", 0.0, 0.0, {}, "",
    ),
    RootCause(
        "rc_motives", "Agents do not care", "Morale is low.",
        "cell_motives", "job", "false", 0.0, 0.0, {}, "",
    ),
)


def _diagnostic(
    diag_id: str,
    method: str,
    points: int,
    evidence: dict[str, int],
    red_herring: bool = False,
    cash: float = 0.0,
) -> Diagnostic:
    return Diagnostic(
        id=diag_id,
        name=diag_id.removeprefix("d_").replace("_", " ").title(),
        method=method,
        description="",
        cost=Cost(points=points, cash=cash),
        reliability=0.8,
        opens_in="r_cause",
        finding="",
        evidence=tuple(Evidence(cause, weight) for cause, weight in evidence.items()),
        red_herring=red_herring,
    )


DIAGNOSTICS = (
    _diagnostic("d_kpi_trend", "extant_data", 1, {"rc_kb": 2, "rc_product": -2}),
    _diagnostic("d_observe", "observation", 3, {"rc_kb": 3, "rc_incentive": 2}, cash=2000.0),
    _diagnostic("d_survey", "survey", 1, {"rc_incentive": 2, "rc_motives": -2}),
    _diagnostic("d_test", "knowledge_test", 2, {"rc_product": -3, "rc_skill": 2}),
    _diagnostic("d_exemplar", "exemplar_comparison", 2, {"rc_skill": 2, "rc_kb": 2}),
    _diagnostic("d_focus", "focus_group", 1, {"rc_motives": 2}, red_herring=True),
    _diagnostic("d_sponsor", "interview", 1, {"rc_product": 1}),
)


def _intervention(
    iv_id: str,
    family: str,
    category: str,
    cells: tuple[str, ...],
    cost: tuple[float, float],
    lead: int,
    ramp: int,
    decay: float,
    effects: dict[str, float],
    **extra: object,
) -> Intervention:
    return Intervention(
        id=iv_id,
        name=iv_id.removeprefix("i_").replace("_", " ").capitalize(),
        family=family,
        category=category,
        description="",
        cells=cells,
        cost=InterventionCost(*cost),
        lead_weeks=lead,
        ramp_weeks=ramp,
        decay=decay,
        effects=tuple(CauseEffect(cause, removes) for cause, removes in effects.items()),
        **extra,
    )


INTERVENTIONS = (
    _intervention(
        "i_kb_fix", "non_training", "tool_fix", ("cell_tools",), (40000.0, 2000.0), 4, 8, 0.2,
        {"rc_kb": 0.8},
        requires=(Requirement("st_it", 0, 0.5, "IT must prioritise the migration fix"),),
    ),
    _intervention(
        "i_kb_governance", "non_training", "content_governance", ("cell_tools",),
        (5000.0, 3000.0), 0, 4, 0.0, {"rc_kb": 0.1}, sustains=("i_kb_fix",),
    ),
    _intervention(
        "i_scorecard", "non_training", "incentives", ("cell_incentives",), (10000.0, 0.0),
        2, 4, 0.0, {"rc_incentive": 0.9}, side_effects=(SideEffect("k_aht", 0.2),),
    ),
    _intervention(
        "i_coaching", "training", "coaching", ("cell_knowledge",), (15000.0, 5000.0), 2, 6, 0.15,
        {"rc_skill": 0.7}, reaction=4.2, learning=0.3,
    ),
    _intervention(
        "i_refresher", "training", "classroom", ("cell_knowledge",), (60000.0, 0.0), 6, 2, 0.3,
        {"rc_product": 0.9}, reaction=4.6, learning=0.4, trap=True,
    ),
    _intervention(
        "i_workaround_course", "training", "elearning", ("cell_knowledge",), (20000.0, 0.0),
        2, 2, 0.3, {"rc_kb": 0.15}, reaction=4.0, learning=0.35, trap=True,
    ),
)


def _metric(
    metric_id: str,
    level: int,
    timing: str,
    validates: tuple[str, ...] = (),
    kpi: str | None = None,
    guardrail: bool = False,
    cost: float = 1000.0,
) -> Metric:
    return Metric(
        id=metric_id,
        name=metric_id.removeprefix("m_").replace("_", " ").capitalize(),
        level=level,
        timing=timing,
        guardrail=guardrail,
        source="",
        latency_weeks=4,
        collection_cost=cost,
        validates=validates,
        kpi=kpi,
    )


METRICS = (
    _metric("m_fcr", 4, "lagging", ("i_kb_fix", "i_scorecard"), kpi="k_fcr"),
    _metric("m_aht", 4, "lagging", (), kpi="k_aht", guardrail=True),
    _metric("m_kb_use", 3, "leading", ("i_kb_fix", "i_kb_governance")),
    _metric("m_call_review", 3, "leading", ("i_coaching", "i_scorecard")),
    _metric("m_smile_sheet", 1, "lagging", ("i_refresher", "i_coaching", "i_workaround_course")),
    _metric("m_quiz", 2, "lagging", ("i_refresher", "i_coaching", "i_workaround_course")),
)

ISOLATION = (
    IsolationMethod("iso_pilot", "Pilot and control group", "control_group", 0.9, 8000.0),
    IsolationMethod("iso_trend", "Trend-line projection", "trend_line", 0.6, 2000.0),
    IsolationMethod("iso_manager", "Manager estimate", "manager_estimate", 0.3, 500.0,
                    estimate_bias=1.5),
    IsolationMethod("iso_participant", "Participant estimate", "participant_estimate", 0.2, 0.0,
                    estimate_bias=2.0),
    IsolationMethod("iso_none", "Before and after", "none", 0.0, 0.0),
)


def _round(round_id: str, phase: str, actions: tuple[str, ...], **extra: object) -> Round:
    return Round(
        id=round_id,
        name=round_id.removeprefix("r_").capitalize(),
        phase=phase,
        minutes=40,
        brief="",
        actions=actions,
        deliverable=(DeliverableField("gap", "Gap", "text"),),
        **extra,
    )


ROUNDS = (
    _round("r_contract", "performance_analysis", ("write_rationale", "chat")),
    _round("r_cause", "cause_analysis",
           ("run_diagnostic", "mark_evidence", "declare_cause", "rule_out_cause")),
    _round("r_design", "intervention_selection", ("select_intervention",),
           budget=RoundBudget(cash=20000.0)),
    _round("r_eval", "evaluation", ("select_metric", "set_isolation"),
           limits=Limits(max_metrics=5)),
)

INJECTS = (
    Inject("inj_sponsor_training", "Training now", "r_design", "manual", "st_ops", "email",
           "Put everyone through the refresher.", "Re-contract around the gap.",
           component="c_inject"),
    Inject("inj_vendor_slip", "Vendor slips", "r_design", "manual", "Vendor", "email",
           "The KB vendor is six weeks late.", "Re-sequence.",
           effects=(InjectEffect("lead_time_slip", weeks=6, target="i_kb_fix"),)),
    Inject("inj_all_slip", "Hiring freeze", "r_design", "manual", "HR", "email",
           "Everything is late.", "Re-sequence.",
           effects=(InjectEffect("lead_time_slip", weeks=13),)),
    Inject("inj_budget_cut", "Budget cut", "r_design", "manual", "Finance", "email",
           "We are cutting 150k.", "Prioritise.",
           effects=(InjectEffect("budget_cut", amount=150000.0),)),
)


def _auto(comp_id: str, round_id: str, weight: float, rule: str, **params: object) -> Component:
    return Component(comp_id, comp_id, round_id, weight, "auto", rule, dict(params))


FACILITATOR_LEVELS = tuple(Level(n, f"level {n}") for n in range(1, 5))

RUBRIC = (
    _auto("c_gap", "r_contract", 8.0, "gap_statement", kpis=["k_fcr", "k_aht"]),
    _auto("c_diagnosis", "r_cause", 12.0, "diagnosis_accuracy"),
    _auto("c_triangulation", "r_cause", 8.0, "evidence_triangulation"),
    _auto("c_efficiency", "r_cause", 6.0, "diagnostic_efficiency", budgetShareTarget=0.7),
    _auto("c_fit", "r_design", 12.0, "solution_fit"),
    _auto("c_cost", "r_design", 8.0, "cost_effectiveness"),
    _auto("c_inject", "r_design", 4.0, "inject_response", inject="inj_sponsor_training",
          avoid=["i_refresher"], expect=["i_kb_fix"]),
    _auto("c_metrics", "r_eval", 10.0, "metric_quality"),
    Component("c_partnership", "Partnership", "r_design", 12.0, "facilitator",
              levels=FACILITATOR_LEVELS),
    Component("c_pitch", "Pitch", "r_eval", 20.0, "facilitator", levels=FACILITATOR_LEVELS),
)

EXPERT_PLAN = Plan(
    diagnostics=("d_kpi_trend", "d_observe", "d_survey", "d_test", "d_exemplar"),
    evidence=(
        EvidenceMark("d_kpi_trend", "rc_kb", 1),
        EvidenceMark("d_observe", "rc_kb", 1),
        EvidenceMark("d_observe", "rc_incentive", 1),
        EvidenceMark("d_survey", "rc_incentive", 1),
        EvidenceMark("d_test", "rc_skill", 1),
        EvidenceMark("d_exemplar", "rc_skill", 1),
        EvidenceMark("d_test", "rc_product", -1),
    ),
    causes=(
        PlannedCause("rc_kb", "cell_tools", 0.9),
        PlannedCause("rc_incentive", "cell_incentives", 0.7),
        PlannedCause("rc_skill", "cell_knowledge", 0.7),
    ),
    ruled_out=("rc_product", "rc_motives"),
    interventions=(
        PlannedIntervention("i_kb_fix", 0),
        PlannedIntervention("i_kb_governance", 0),
        PlannedIntervention("i_scorecard", 0),
        PlannedIntervention("i_coaching", 0),
    ),
    metrics=(
        PlannedMetric("m_fcr", 76.0),
        PlannedMetric("m_aht", 6.5),
        PlannedMetric("m_kb_use", 80.0),
        PlannedMetric("m_call_review", 90.0),
    ),
    isolation="iso_pilot",
    texts={"gap": "First-contact resolution is 68% against a target of 76%; handle time is "
                  "7.5 minutes and should come down to 6.5."},
    stances={"st_it": 1},
)

# What the sponsor asked for: put everyone through training.
TRAIN_EVERYONE = Plan(
    interventions=(
        PlannedIntervention("i_refresher", 0),
        PlannedIntervention("i_coaching", 0),
        PlannedIntervention("i_workaround_course", 0),
    ),
    metrics=(PlannedMetric("m_smile_sheet", 4.5), PlannedMetric("m_quiz", 80.0)),
    isolation="iso_participant",
)


def build_scenario(**overrides: object) -> Scenario:
    """Return the helpdesk scenario, with any top-level fields replaced."""
    scenario = Scenario(
        schema_version=1,
        id="helpdesk",
        title="Helpdesk resolution",
        summary="",
        difficulty="introductory",
        company=Company("Brightline", "software", "", 300, "120 support agents"),
        brief=Brief("st_ops", "Give all agents a refresher course.", "", ()),
        economics=Economics("EUR", {"k_fcr": 20000.0, "k_aht": 30000.0}),
        kpis=KPIS,
        stakeholders=STAKEHOLDERS,
        taxonomy=TAXONOMY,
        causes=CAUSES,
        residual=0.15,
        diagnostics=DIAGNOSTICS,
        interventions=INTERVENTIONS,
        metrics=METRICS,
        isolation_methods=ISOLATION,
        rounds=ROUNDS,
        injects=INJECTS,
        rubric=RUBRIC,
        budget=Budget(points=12, cash=200000.0, days=30),
        team_size=TeamSize(),
        expert_plan=EXPERT_PLAN,
        simulation=Simulation(quarters=4, seed=7, weeks_per_quarter=13),
        sponsor_plan=TRAIN_EVERYONE,
    )
    return replace(scenario, **overrides)


def quiet(scenario: Scenario) -> Scenario:
    """Return the scenario without KPI noise, for exact comparisons."""
    return replace(scenario, kpis=tuple(replace(k, noise=0.0) for k in scenario.kpis))


def replace_intervention(scenario: Scenario, intervention_id: str, **changes: object) -> Scenario:
    """Return the scenario with one intervention's fields replaced."""
    interventions = tuple(
        replace(i, **changes) if i.id == intervention_id else i for i in scenario.interventions
    )
    return replace(scenario, interventions=interventions)


def replace_cause(scenario: Scenario, cause_id: str, **changes: object) -> Scenario:
    """Return the scenario with one root cause's fields replaced."""
    causes = tuple(replace(c, **changes) if c.id == cause_id else c for c in scenario.causes)
    return replace(scenario, causes=causes)


def component(scenario: Scenario, rule: str) -> Component:
    """Return the scenario's first auto component that uses a rule."""
    return next(c for c in scenario.rubric if c.rule == rule)
