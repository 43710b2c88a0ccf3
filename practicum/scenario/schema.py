"""Marshmallow schemas for scenario JSON: one schema per object, camelCase keys, unknown keys raise.

Each schema is bound to its dataclass in `model.py` with `@binds`, which also derives which keys
are required (dataclass fields without a default) and which may be null (``X | None`` fields), so
the schema cannot drift from the model. Field metadata carries the author-facing description and,
for id references, the collection referred to (``ref``); the loader's reference checks, the JSON
Schema and the field reference in docs/authoring.md are all read from these schemas.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from practicum.scenario import model
from practicum.scenario.model import (
    ACTIONS,
    CATEGORIES,
    CHANNELS,
    CONDITIONS,
    DEFAULT_TAXONOMY,
    DIFFICULTIES,
    DIRECTIONS,
    FAMILIES,
    FIELD_KINDS,
    INJECT_EFFECTS,
    ISOLATION_KINDS,
    LEVELS,
    METHODS,
    PHASES,
    RULES,
    SCHEMA_VERSION,
    SCHEMA_VERSIONS,
    STANDARDS,
    TIMEOUT_POLICIES,
    TIMINGS,
    TRUTHS,
)

# Vocabularies the model documents only in comments; the schema is where they are enforced.
CELL_ROWS = ("environment", "individual", "external")
CELL_COLUMNS = ("information", "instrumentation", "motivation", "external")
TRIGGERS = ("manual", "auto")
COMPONENT_KINDS = ("auto", "facilitator")

# Which collection an id prefix names (see the model's module docstring).
ID_PREFIXES = {
    "kpi": "k_",
    "stakeholder": "st_",
    "cause": "rc_",
    "cell": "cell_",
    "diagnostic": "d_",
    "intervention": "i_",
    "metric": "m_",
    "isolation": "iso_",
    "round": "r_",
    "inject": "inj_",
    "component": "c_",
    "objective": "obj_",
}
NOUNS = {
    "kpi": "KPI",
    "stakeholder": "stakeholder",
    "cause": "root cause",
    "cell": "taxonomy cell",
    "diagnostic": "diagnostic",
    "intervention": "intervention",
    "metric": "metric",
    "isolation": "isolation method",
    "round": "round",
    "inject": "inject",
    "component": "rubric component",
    "objective": "learning objective",
    "text_field": "text deliverable field",
}
# Condition.id and InjectEffect.target name different collections depending on the object's type.
CONDITION_REFS = {
    "round_started": "round",
    "ran_diagnostic": "diagnostic",
    "selected_intervention": "intervention",
    "declared_cause": "cause",
    "submitted_round": "round",
}
EFFECT_TARGET_REFS = {"lead_time_slip": "intervention", "stance_change": "stakeholder"}


# --- fields with author-friendly, strict JSON typing ---------------------------------------------
# Marshmallow's defaults coerce ("12" -> 12, "yes" -> True); a scenario file should say what it
# means, so these accept only the matching JSON type. Messages start with "expected" so the loader
# can append what was found instead.

_COMMON_MESSAGES = {"required": "required key is missing", "null": "may not be null"}


class Text(fields.String):
    """A JSON string."""

    default_error_messages = {**_COMMON_MESSAGES, "invalid": "expected text (a JSON string)"}


class Whole(fields.Integer):
    """A JSON number without a fractional part (booleans refused)."""

    default_error_messages = {
        **_COMMON_MESSAGES,
        "invalid": "expected a whole number",
        "too_large": "number is too large",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


class Number(fields.Float):
    """A finite JSON number (booleans and numeric strings refused)."""

    default_error_messages = {
        **_COMMON_MESSAGES,
        "invalid": "expected a number",
        "special": "expected a finite number",
        "too_large": "number is too large",
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


class Flag(fields.Boolean):
    """A JSON ``true`` or ``false``."""

    default_error_messages = {**_COMMON_MESSAGES, "invalid": "expected true or false"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class Items(fields.List):
    """A JSON array, loaded as a tuple (the model's dataclasses are frozen)."""

    default_error_messages = {**_COMMON_MESSAGES, "invalid": "expected an array"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> tuple:
        if not isinstance(value, list):
            raise self.make_error("invalid", input=value)
        return tuple(super()._deserialize(value, attr, data, **kwargs))


class IdMap(fields.Dict):
    """A JSON object whose keys are ids or names kept as written."""

    default_error_messages = {**_COMMON_MESSAGES, "invalid": "expected an object"}


class Obj(fields.Nested):
    """A nested JSON object with its own schema."""

    default_error_messages = {**_COMMON_MESSAGES, "type": "expected an object"}


class Anything(fields.Raw):
    """Any JSON value (rule parameters)."""

    default_error_messages = dict(_COMMON_MESSAGES)


# --- validators that the JSON Schema generator can read ------------------------------------------


class IdFormat(validate.Regexp):
    """An id: its collection's prefix, then letters, digits and underscores."""

    def __init__(self, kind: str) -> None:
        prefix = ID_PREFIXES[kind]
        self.kind = kind
        self.prefix = prefix
        super().__init__(
            rf"^{prefix}[A-Za-z0-9_]+$",
            error=f"'{{input}}' is not a valid {NOUNS[kind]} id: it must start with "
            f"'{prefix}' followed by letters, digits or underscores",
        )


NAME_FORMAT = validate.Regexp(
    r"^[A-Za-z][A-Za-z0-9_]*$",
    error="'{input}' is not a valid name: use letters, digits and underscores, "
    "starting with a letter",
)
SLUG_FORMAT = validate.Regexp(
    r"^[a-z0-9][a-z0-9_-]*$",
    error="'{input}' is not a valid scenario id: use lower-case letters, digits, '-' and '_'",
)

# A BCP 47 language tag, as far as a scenario needs one: a language, then optional subtags.
LANGUAGE_TAG = validate.Regexp(
    r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
    error="'{input}' is not a language tag: write it as BCP 47, e.g. en, de, fr-CA",
)


class NotBlank(validate.Validator):
    """A string with at least one non-space character."""

    error = "must not be blank"

    def __call__(self, value: str) -> str:
        if not value.strip():
            raise ValidationError(self.error)
        return value


NOT_BLANK = NotBlank()
NON_EMPTY = validate.Length(min=1, error="must list at least one item")


def one_of(choices: Iterable[Any]) -> validate.OneOf:
    """Validate membership in a vocabulary; the message lists what is allowed."""
    return validate.OneOf(
        tuple(choices), error="'{input}' is not allowed here; use one of: {choices}"
    )


def between(low: float, high: float) -> validate.Range:
    """Validate an inclusive range."""
    return validate.Range(low, high, error="must be between {min} and {max}, got {input:g}")


def at_least(low: float) -> validate.Range:
    """Validate an inclusive lower bound."""
    return validate.Range(min=low, error="must be at least {min}, got {input:g}")


def above(low: float) -> validate.Range:
    """Validate an exclusive lower bound."""
    return validate.Range(
        min=low, min_inclusive=False, error="must be greater than {min}, got {input:g}"
    )


# --- field factories: type + description (+ reference) in one line -------------------------------

Validators = Callable[[Any], Any] | list[Callable[[Any], Any]] | None


def string(doc: str, validators: Validators = None, *, blank: bool = False) -> Text:
    """A string field; non-blank unless ``blank``."""
    checks = _as_list(validators) + ([] if blank else [NOT_BLANK])
    return Text(validate=checks, metadata={"description": doc})


def ident(kind: str, doc: str) -> Text:
    """The id of an object in collection ``kind`` (prefix checked)."""
    return Text(validate=IdFormat(kind), metadata={"description": doc})


def ref(kind: str, doc: str) -> Text:
    """A reference to an object's id in collection ``kind`` (checked by the loader)."""
    return Text(metadata={"description": doc, "ref": kind})


def refs(kind: str, doc: str) -> Items:
    """An array of references to collection ``kind``."""
    return Items(Text(metadata={"ref": kind}), metadata={"description": doc})


def choice(vocabulary: Iterable[Any], doc: str) -> Text:
    """A string from a closed vocabulary."""
    return Text(validate=one_of(vocabulary), metadata={"description": doc})


def whole(doc: str, validators: Validators = None) -> Whole:
    """An integer field."""
    return Whole(validate=_as_list(validators), metadata={"description": doc})


def number(doc: str, validators: Validators = None) -> Number:
    """A number field."""
    return Number(validate=_as_list(validators), metadata={"description": doc})


def flag(doc: str) -> Flag:
    """A boolean field."""
    return Flag(metadata={"description": doc})


def nested(schema: type[Schema], doc: str) -> Obj:
    """One nested object."""
    return Obj(schema, metadata={"description": doc})


def many(schema: type[Schema], doc: str, validators: Validators = None) -> Items:
    """An array of nested objects."""
    return Items(Obj(schema), validate=_as_list(validators), metadata={"description": doc})


def mapping(values: fields.Field, doc: str, key_ref: str | None = None) -> IdMap:
    """An object mapping ids or names to values; ``key_ref`` names the collection keys refer to."""
    metadata: dict[str, Any] = {"description": doc}
    if key_ref:
        metadata["key_ref"] = key_ref
    return IdMap(keys=Text(), values=values, metadata=metadata)


def v2(schema_field: fields.Field) -> fields.Field:
    """Mark a field only format v2 may set (docs and the JSON Schema say so)."""
    description = schema_field.metadata.get("description", "")
    schema_field.metadata = {
        **schema_field.metadata, "since": 2, "description": f"(v2) {description}".strip(),
    }
    return schema_field


def _as_list(validators: Validators) -> list[Callable[[Any], Any]]:
    if validators is None:
        return []
    return list(validators) if isinstance(validators, list) else [validators]


# --- binding schemas to dataclasses --------------------------------------------------------------


class ModelSchema(Schema):
    """Base: unknown keys raise; a successful load builds the bound dataclass."""

    model: ClassVar[type]
    # Extra JSON Schema keywords for rules that span several keys (read by jsonschema.py).
    json_schema_extra: ClassVar[dict[str, Any]] = {}

    class Meta:
        unknown = RAISE

    error_messages: ClassVar[dict[str, str]] = {
        "type": "expected an object",
        "unknown": "unknown key",
    }

    @post_load
    def build(self, data: dict[str, Any], **kwargs: Any) -> Any:
        """Build the dataclass from validated data; omitted keys take the dataclass default."""
        return self.model(**data)


def binds(
    model_class: type, *, optional: Iterable[str] = (), extra: Iterable[str] = ()
) -> Callable[[type[ModelSchema]], type[ModelSchema]]:
    """Bind a schema to its dataclass: keys mirror fields; required and nullable follow the model.

    ``optional`` lists fields without a dataclass default that JSON may still omit (the schema
    fills them in); ``extra`` lists schema-only keys the schema consumes itself.
    """
    optional, extra = set(optional), set(extra)

    def decorate(schema_class: type[ModelSchema]) -> type[ModelSchema]:
        schema_class.model = model_class
        model_fields = {
            f.name: f for f in dataclasses.fields(model_class) if f.name != "source_file"
        }
        declared = schema_class._declared_fields
        missing = set(model_fields) - set(declared)
        surplus = set(declared) - set(model_fields) - extra
        if missing or surplus:
            raise TypeError(
                f"{schema_class.__name__} does not mirror {model_class.__name__}: "
                f"missing {sorted(missing)}, surplus {sorted(surplus)}"
            )
        for name, model_field in model_fields.items():
            schema_field = declared[name]
            has_default = (
                model_field.default is not dataclasses.MISSING
                or model_field.default_factory is not dataclasses.MISSING
            )
            schema_field.required = not has_default and name not in optional
            schema_field.allow_none = "None" in str(model_field.type)
            camel = camel_case(name)
            if camel != name:
                schema_field.data_key = camel
        return schema_class

    return decorate


def camel_case(name: str) -> str:
    """Return the JSON key for a dataclass field name (``gap_share`` -> ``gapShare``)."""
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def json_key(schema_field: fields.Field, name: str) -> str:
    """Return the JSON key a schema field reads."""
    return schema_field.data_key or name


def model_default(schema_class: type[ModelSchema], name: str) -> Any:
    """Return the dataclass default for a field, or ``dataclasses.MISSING``."""
    for model_field in dataclasses.fields(schema_class.model):
        if model_field.name == name:
            if model_field.default_factory is not dataclasses.MISSING:
                return model_field.default_factory()
            return model_field.default
    return dataclasses.MISSING


# --- scenario parts ------------------------------------------------------------------------------


@binds(model.Cell)
class CellSchema(ModelSchema):
    """One cell of the cause taxonomy."""

    id = ident("cell", "Unique id, prefix `cell_`.")
    label = string("Name shown to learners, e.g. \"Tools, process & time\".")
    row = choice(CELL_ROWS, "Row of the Behavior Engineering Model the cell sits in.")
    column = choice(CELL_COLUMNS, "Column of the Behavior Engineering Model the cell sits in.")
    trainable = flag("True only for cells training can fix (knowledge and skills).")


@binds(model.TimelineEntry)
class TimelineEntrySchema(ModelSchema):
    """One dated event in the company's recent history."""

    when = string("When it happened, as learners read it, e.g. \"March\" or \"Q2 last year\".")
    event = string("What happened.")


@binds(model.Company)
class CompanySchema(ModelSchema):
    """The fictional organisation."""

    name = string("Fictional company name (never a real company).")
    industry = string("Industry, e.g. \"Consumer electronics retail\".")
    description = string("A paragraph learners read about the company.")
    headcount = whole("Number of employees.", at_least(1))
    population = string("Who the performers are, e.g. \"240 support agents in 3 sites\".")


@binds(model.Brief)
class BriefSchema(ModelSchema):
    """The problem as the sponsor presents it."""

    sponsor = ref("stakeholder", "Stakeholder id of the sponsor who brings the request.")
    request = string("The sponsor's request in their words - usually a solution, not a gap.")
    context = string("Background learners read in the first round.")
    timeline = many(TimelineEntrySchema, "Recent history, oldest first.")


@binds(model.Economics)
class EconomicsSchema(ModelSchema):
    """Money used for ROI."""

    currency = string("Currency code or symbol shown with money, e.g. \"EUR\".")
    value_per_point = mapping(
        number("Value of one KPI unit of improvement per quarter.", at_least(0)),
        "KPI id -> money one unit of improvement is worth per quarter.",
        key_ref="kpi",
    )


@binds(model.Kpi)
class KpiSchema(ModelSchema):
    """A business indicator on the KPI panel."""

    id = ident("kpi", "Unique id, prefix `k_`.")
    name = string("Name on the KPI panel, e.g. \"First-contact resolution\".")
    unit = string("Unit shown after values, e.g. \"%\" or \"min\".")
    direction = choice(DIRECTIONS, "Which way is better.")
    baseline = number("Value before the problem began.")
    current = number("Value now.")
    target = number("The sponsor's goal, between current and baseline.")
    noise = number("Standard deviation of quarter-to-quarter noise, in KPI units.", at_least(0))
    owner = ref("stakeholder", "Stakeholder id of the KPI's owner.")


@binds(model.Stakeholder)
class StakeholderSchema(ModelSchema):
    """A person in the client organisation."""

    id = ident("stakeholder", "Unique id, prefix `st_`.")
    name = string("Fictional person's name.")
    role = string("Job title.")
    influence = whole("Influence on the project: 1 low .. 3 high.", between(1, 3))
    stance = whole(
        "Starting stance: -2 opposed, -1 sceptical, 0 neutral, 1 supportive, 2 champion.",
        between(-2, 2),
    )
    believes = ref("cause", "Root cause id this person believes in, or null.")
    won_over_by = string("What wins this person over (facilitator notes).")
    bio = string("Short biography learners can read.", blank=True)


@binds(model.RootCause)
class RootCauseSchema(ModelSchema):
    """A candidate cause of the gap; truth, shares and loadings stay hidden until the debrief."""

    id = ident("cause", "Unique id, prefix `rc_`.")
    label = string("Short name of the hypothesis.")
    description = string("The hypothesis as learners see it, neutrally worded.")
    cell = ref("cell", "Taxonomy cell id where this cause really belongs.")
    level = choice(LEVELS, "Rummler level the cause lives at.")
    truth = choice(TRUTHS, "Whether the cause is real and how much it matters.")
    gap_share = number(
        "Share of the KPI gap this cause explains, 0..1 (0 for false causes).", between(0, 1)
    )
    drift = number(
        "Growth per quarter if untreated, -1..1 (0.05 = 5% worse each quarter).", between(-1, 1)
    )
    loadings = mapping(
        number("How strongly the cause acts on the KPI, 0..1 (1 = its full share).", between(0, 1)),
        "KPI id -> strength with which this cause moves that KPI.",
        key_ref="kpi",
    )
    debrief = string("What the facilitator reveals about this cause in the debrief.")
    kpi_shares = v2(mapping(
        number("Share of the KPI's gap, -1..1; negative: the cause holds the KPI up.",
               between(-1, 1)),
        "KPI id -> share of that KPI's gap this cause explains, used instead of gapShare x "
        "loading for that KPI; it may exceed gapShare.",
        key_ref="kpi",
    ))


@binds(model.Cost)
class CostSchema(ModelSchema):
    """What running a diagnostic costs."""

    points = whole("Analysis points.", at_least(0))
    cash = number("Money.", at_least(0))
    days = whole("Calendar days of the project timeline.", at_least(0))


@binds(model.Evidence)
class EvidenceSchema(ModelSchema):
    """How a finding bears on a cause."""

    cause = ref("cause", "Root cause id the finding bears on.")
    weight = whole("-3 strongly disconfirms .. +3 strongly supports.", between(-3, 3))


@binds(model.StanceEffect)
class StanceEffectSchema(ModelSchema):
    """A change to a stakeholder's stance."""

    stakeholder = ref("stakeholder", "Stakeholder id whose stance changes.")
    delta = whole("Change in stance, -4..4.", between(-4, 4))


@binds(model.Reaction)
class ReactionSchema(ModelSchema):
    """What a stakeholder says when the team selects an intervention."""

    stakeholder = ref("stakeholder", "Stakeholder id of the person who reacts.")
    text = string("Their words, shown to the team when it selects the intervention.")


@binds(model.Diagnostic)
class DiagnosticSchema(ModelSchema):
    """A data-gathering action a team can buy."""

    id = ident("diagnostic", "Unique id, prefix `d_`.")
    name = string("Name on the diagnostics menu.")
    method = choice(METHODS, "Data-gathering method type (triangulation counts distinct methods).")
    description = string("What learners see before buying it.")
    cost = nested(CostSchema, "What running it costs.")
    reliability = number("How far the finding can be trusted, 0..1.", between(0, 1))
    opens_in = ref("round", "Round id from which it can be run.")
    finding = string("The text the team receives when it runs the diagnostic.")
    evidence = many(EvidenceSchema, "How the finding bears on causes (hidden from learners).")
    locked = flag("If true, it appears only after a diagnostic that lists it in `unlocks` is run.")
    unlocks = refs("diagnostic", "Diagnostic ids this one unlocks when run.")
    red_herring = flag("Marks a plausible but misleading finding (for the debrief).")
    stance_effects = many(StanceEffectSchema, "Stance changes running it causes.")
    stakeholder = v2(ref("stakeholder", "Makes this a question put to that stakeholder: the "
                         "room lists it under the person and the finding is their answer."))
    question = v2(string("The question as the team asks it (with `stakeholder`).", blank=True))


@binds(model.InterventionCost)
class InterventionCostSchema(ModelSchema):
    """One-off and running cost of an intervention."""

    one_off = number("One-off cost.", at_least(0))
    per_quarter = number("Running cost per quarter.", at_least(0))


@binds(model.CauseEffect)
class CauseEffectSchema(ModelSchema):
    """Share of a cause an intervention removes at full effect."""

    cause = ref("cause", "Root cause id.")
    removes = number("Share of the cause removed at full effect, 0..1.", between(0, 1))
    halts_drift = v2(flag("Stops the cause worsening (its drift) as far as the intervention "
                          "has taken effect, even where it removes little of it."))


@binds(model.SideEffect)
class SideEffectSchema(ModelSchema):
    """A KPI change at full effect, in KPI units."""

    kpi = ref("kpi", "KPI id.")
    delta = number("Signed change in KPI units at full effect.")
    weeks = v2(whole("Weeks the side effect lasts once the intervention takes effect; omit "
                     "for as long as it runs.", at_least(1)))


@binds(model.Requirement)
class RequirementSchema(ModelSchema):
    """A stakeholder condition for full effect."""

    stakeholder = ref("stakeholder", "Stakeholder id whose support is needed.")
    min_stance = whole("Minimum stance for full effect, -2..2.", between(-2, 2))
    effectiveness = number("Share of the effect delivered when the stance is lower, 0..1.",
                           between(0, 1))
    reason = string("Why the support matters (shown in the debrief).", blank=True)


@binds(model.Pilot)
class PilotSchema(ModelSchema):
    """Running an intervention on one site first, to measure it before rolling it out."""

    site = string("Where the pilot runs, e.g. \"Port Ardell\".")
    cost = nested(CostSchema, "What running the pilot costs (paid like a diagnostic).")
    quarters = whole("Quarters the pilot runs before its result is read.", between(1, 8))
    note = string("Shown with the measured result, e.g. what else differed on that site.",
                  blank=True)


@binds(model.Intervention)
class InterventionSchema(ModelSchema):
    """A training or non-training fix a team can select."""

    id = ident("intervention", "Unique id, prefix `i_`.")
    name = string("Name on the interventions menu.")
    family = choice(FAMILIES, "Training or non-training.")
    category = choice(CATEGORIES, "Kind of intervention.")
    description = string("What learners see.")
    cells = refs("cell", "Taxonomy cell ids the intervention targets.")
    cost = nested(InterventionCostSchema, "One-off and running cost.")
    lead_weeks = whole("Weeks from start before any effect.", at_least(0))
    ramp_weeks = whole("Weeks from first effect to full effect.", at_least(0))
    decay = number("Share of effect lost per quarter after full effect unless sustained, 0..1.",
                   between(0, 1))
    effects = many(CauseEffectSchema, "Which causes it removes and how much (hidden).")
    side_effects = many(SideEffectSchema, "KPI changes besides removing causes.")
    requires = many(RequirementSchema, "Stakeholder support needed for full effect.")
    sustains = refs("intervention", "Intervention ids whose decay this one stops (governance).")
    reaction = number("Expected level-1 reaction score 1..5 for training; 0 if none.",
                      between(0, 5))
    learning = number("Expected level-2 knowledge gain 0..1 for training.", between(0, 1))
    trap = flag("A deliberately poor choice; the lint dominance check tolerates it.")
    reactions = v2(many(ReactionSchema, "What stakeholders say when a team selects it."))
    pilot = v2(nested(PilotSchema, "Lets a team pilot it on one site (action `run_pilot`) and "
                      "read the measured effect before rolling it out."))


@binds(model.Metric)
class MetricSchema(ModelSchema):
    """A success metric a team can put in its evaluation plan."""

    id = ident("metric", "Unique id, prefix `m_`.")
    name = string("Name on the metrics menu.")
    level = whole("Kirkpatrick level 1..4, or 5 for ROI.", between(1, 5))
    timing = choice(TIMINGS, "Leading (steers early) or lagging (proves the result).")
    guardrail = flag("True for a metric that watches a predictable side effect.")
    source = string("Where the data comes from.")
    latency_weeks = whole("Weeks before the first reading is available.", at_least(0))
    collection_cost = number("Cost of collecting it.", at_least(0))
    validates = refs("intervention", "Intervention ids whose effect this metric can show.")
    kpi = ref("kpi", "KPI id it tracks, if any.")
    description = string("Longer description for learners.", blank=True)


@binds(model.IsolationMethod)
class IsolationMethodSchema(ModelSchema):
    """A way to separate the programme's effect from everything else."""

    id = ident("isolation", "Unique id, prefix `iso_`.")
    name = string("Name on the menu.")
    kind = choice(ISOLATION_KINDS, "Kind of isolation.")
    credibility = number("How credible the method is, 0..1.", between(0, 1))
    cost = number("Cost of using it.", at_least(0))
    description = string("Longer description for learners.", blank=True)
    estimate_bias = number("Multiplier an estimate applies to the programme's effect (1 = none).",
                           at_least(0))


@binds(model.RoundBudget)
class RoundBudgetSchema(ModelSchema):
    """Resources granted to each team when a round opens."""

    points = whole("Analysis points granted.", at_least(0))
    cash = number("Money granted.", at_least(0))
    days = whole("Calendar days granted.", at_least(0))
    analysis_cash = v2(number("Analysis money granted (with separate budgets, see "
                              "`budget.analysisCash`).", at_least(0)))


@binds(model.DeliverableField)
class DeliverableFieldSchema(ModelSchema):
    """One field of a round's deliverable."""

    id = string("Field name, unique within the round; text fields are keys of a plan's `texts`.",
              NAME_FORMAT)
    label = string("Label shown to the team.")
    kind = choice(FIELD_KINDS, "Which part of the team's draft the field shows.")
    required = flag("Whether the team must fill it before submitting.")
    max_length = whole("Maximum characters for text fields.", at_least(1))
    prompt = string("Helper text shown in the field.", blank=True)


@binds(model.Limits)
class LimitsSchema(ModelSchema):
    """Caps on what a team can put in a deliverable."""

    max_causes = whole("Most causes a team may declare.", at_least(1))
    max_interventions = whole("Most interventions a team may select.", at_least(1))
    max_metrics = whole("Most metrics a team may select.", at_least(1))


@binds(model.Presentation)
class PresentationSchema(ModelSchema):
    """A pitch round: each team presents its deliverable and takes questions."""

    pitch_minutes = whole("Minutes each team pitches.", between(1, 60))
    qa_minutes = whole("Minutes of questions after each pitch.", between(0, 60))
    brief = string("What the pitch should cover and what the Q&A will probe (teams see it).",
                   blank=True)


@binds(model.Round)
class RoundSchema(ModelSchema):
    """One timed round of the practicum."""

    id = ident("round", "Unique id, prefix `r_`.")
    name = string("Round name.")
    phase = choice(PHASES, "Phase of the performance-improvement process.")
    minutes = whole("Length of the round in minutes.", at_least(0))
    brief = string("What facilitator and learners read at the start of the round.")
    actions = Items(Text(validate=one_of(ACTIONS)),
                    metadata={"description": "Team actions allowed in this round."})
    deliverable = many(DeliverableFieldSchema, "Fields the team submits at the end of the round.")
    budget = nested(RoundBudgetSchema, "Resources granted to each team when the round opens.")
    limits = nested(LimitsSchema, "Caps on the deliverable.")
    on_timeout = choice(TIMEOUT_POLICIES, "What happens when time runs out.")
    presentation = v2(nested(PresentationSchema, "Makes this a pitch round: each team presents "
                             "its deliverable and takes questions the facilitator scores."))

    @validates_schema
    def field_ids_unique(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Deliverable field ids must be unique within a round."""
        seen: set[str] = set()
        for index, item in enumerate(data.get("deliverable", ())):
            if item.id in seen:
                raise ValidationError(
                    {"deliverable": {index: {"id": [f"duplicate field id '{item.id}'"]}}}
                )
            seen.add(item.id)


@binds(model.Condition)
class ConditionSchema(ModelSchema):
    """A named condition on a team's state that fires an automatic inject."""

    type = choice(CONDITIONS, "The condition.")
    id = Text(metadata={
        "description": "What the condition names: a diagnostic (ran_diagnostic), intervention "
        "(selected_intervention), cause (declared_cause) or round (round_started, "
        "submitted_round; default: the inject's round).",
        "ref": CONDITION_REFS,
    })
    fraction = number("For budget_spent_at_least: share of cash spent, 0..1.", between(0, 1))

    json_schema_extra: ClassVar[dict[str, Any]] = {
        "allOf": [
            {"if": {"properties": {"type": {"enum": list(kinds)}}, "required": ["type"]},
             "then": {"required": [key]}}
            for kinds, key in (
                (("ran_diagnostic", "selected_intervention", "declared_cause"), "id"),
                (("budget_spent_at_least",), "fraction"),
            )
        ]
    }

    @validates_schema
    def needs_argument(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Conditions that name something need the name; budget conditions need a fraction."""
        kind = data.get("type")
        if kind in ("ran_diagnostic", "selected_intervention", "declared_cause") and not data.get(
            "id"
        ):
            raise ValidationError({"id": [f"required when type is '{kind}'"]})
        if kind == "budget_spent_at_least" and data.get("fraction") is None:
            raise ValidationError({"fraction": ["required when type is 'budget_spent_at_least'"]})


@binds(model.InjectEffect)
class InjectEffectSchema(ModelSchema):
    """What an inject does to a team when it fires."""

    type = choice(INJECT_EFFECTS, "The effect.")
    amount = number("budget_cut: cash removed; analysis_points: points granted; patience: change.")
    weeks = whole("lead_time_slip: weeks added to the target intervention's lead time.",
                  at_least(0))
    target = Text(metadata={
        "description": "Intervention id (lead_time_slip) or stakeholder id (stance_change).",
        "ref": EFFECT_TARGET_REFS,
    })
    delta = whole("stance_change: change in the target stakeholder's stance, -4..4.",
                  between(-4, 4))

    json_schema_extra: ClassVar[dict[str, Any]] = {
        "allOf": [
            {"if": {"properties": {"type": {"enum": list(EFFECT_TARGET_REFS)}},
                    "required": ["type"]},
             "then": {"required": ["target"]}}
        ]
    }

    @validates_schema
    def needs_target(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Slips and stance changes must say what they act on."""
        kind = data.get("type")
        if kind in EFFECT_TARGET_REFS and not data.get("target"):
            raise ValidationError({"target": [f"required when type is '{kind}'"]})


@binds(model.Inject)
class InjectSchema(ModelSchema):
    """A scripted event that keeps the game alive."""

    id = ident("inject", "Unique id, prefix `inj_`.")
    title = string("Short title.")
    round = ref("round", "Round id in which it can fire.")
    trigger = choice(TRIGGERS, "Fired by the facilitator (manual) or by a condition (auto).")
    sender = Text(validate=NOT_BLANK, metadata={
        "description": "Stakeholder id, or a free name such as \"IT service desk\".",
        "ref_if_prefixed": "stakeholder",
    })
    channel = choice(CHANNELS, "How it reaches the team.")
    text = string("The message the team receives.")
    expected_response = string("What a good response does (facilitator only).")
    when = nested(ConditionSchema, "The condition that fires an auto inject (required for auto).")
    effects = many(InjectEffectSchema, "What it does to the team when it fires.")
    component = ref("component", "Rubric component id that scores the team's response.")

    json_schema_extra: ClassVar[dict[str, Any]] = {
        "if": {"properties": {"trigger": {"const": "auto"}}, "required": ["trigger"]},
        "then": {"required": ["when"], "properties": {"when": {"type": "object"}}},
    }

    @validates_schema
    def auto_needs_condition(self, data: dict[str, Any], **kwargs: Any) -> None:
        """An auto inject without a condition would never fire."""
        if data.get("trigger") == "auto" and data.get("when") is None:
            raise ValidationError({"when": ["required when trigger is 'auto'"]})


@binds(model.Level)
class LevelSchema(ModelSchema):
    """A level descriptor for a facilitator-scored component."""

    level = whole("Level 1..4.", between(1, 4))
    descriptor = string("What performance at this level looks like.")


@binds(model.Component)
class ComponentSchema(ModelSchema):
    """One rubric component."""

    id = ident("component", "Unique id, prefix `c_`.")
    name = string("Name on the score sheet.")
    round = ref("round", "Round id whose deliverable it scores.")
    weight = number("Points; all components together sum to 100.", above(0))
    kind = choice(COMPONENT_KINDS, "Scored by a named rule (auto) or by the facilitator.")
    rule = choice(RULES, "For auto components: the scoring rule.")
    params = mapping(Anything(), "Parameters passed to the rule.")
    levels = many(LevelSchema, "For facilitator components: exactly four descriptors, levels 1..4.")
    standards = Items(Text(validate=one_of(STANDARDS)),
                      metadata={"description": "Professional standards the component exercises."})
    description = string("What the component rewards.", blank=True)
    objectives = v2(refs("objective", "Learning objective ids this component assesses."))
    qa = v2(flag("A facilitator component judged on a pitch round's Q&A: the facilitator "
                 "writes Q&A notes with the level, and the team reads them."))

    json_schema_extra: ClassVar[dict[str, Any]] = {
        "allOf": [
            {"if": {"properties": {"kind": {"const": "auto"}}, "required": ["kind"]},
             "then": {"required": ["rule"], "properties": {"rule": {"type": "string"}}}},
            {"if": {"properties": {"kind": {"const": "facilitator"}}, "required": ["kind"]},
             "then": {"required": ["levels"], "properties": {"levels": {"minItems": 4,
                                                                         "maxItems": 4}}}},
        ]
    }

    @validates_schema
    def scored_somehow(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Auto components name a rule; facilitator components carry levels 1, 2, 3 and 4."""
        kind = data.get("kind")
        if kind == "auto":
            if data.get("rule") is None:
                raise ValidationError({"rule": [
                    f"required when kind is 'auto'; use one of: {', '.join(RULES)}"
                ]})
            if data.get("levels"):
                raise ValidationError({"levels": [
                    "only facilitator components have levels; remove them or set kind to "
                    "'facilitator'"
                ]})
        if data.get("qa") and kind != "facilitator":
            raise ValidationError({"qa": [
                "only facilitator components judge a Q&A; set kind to 'facilitator'"
            ]})
        if kind == "facilitator":
            if data.get("rule") is not None:
                raise ValidationError({"rule": [
                    "facilitator components are scored by hand; remove the rule or set kind "
                    "to 'auto'"
                ]})
            numbers = sorted(level.level for level in data.get("levels", ()))
            if numbers != [1, 2, 3, 4]:
                raise ValidationError({"levels": [
                    "facilitator components need exactly four descriptors, one each for levels "
                    f"1, 2, 3 and 4 (found levels {numbers or 'none'})"
                ]})


# --- plans ---------------------------------------------------------------------------------------


@binds(model.PlannedCause)
class PlannedCauseSchema(ModelSchema):
    """A cause a plan declares."""

    cause = ref("cause", "Root cause id.")
    cell = ref("cell", "Taxonomy cell id the plan assigns it to.")
    confidence = number("Confidence 0..1.", between(0, 1))


@binds(model.PlannedIntervention)
class PlannedInterventionSchema(ModelSchema):
    """An intervention a plan selects."""

    id = ref("intervention", "Intervention id.")
    start_week = whole("Week the intervention starts (0 = now).", at_least(0))


@binds(model.PlannedMetric)
class PlannedMetricSchema(ModelSchema):
    """A metric a plan picks."""

    id = ref("metric", "Metric id.")
    target = number("Target value for the metric.")


@binds(model.EvidenceMark)
class EvidenceMarkSchema(ModelSchema):
    """A team's link between a finding and a cause."""

    diagnostic = ref("diagnostic", "Diagnostic id whose finding is used.")
    cause = ref("cause", "Root cause id.")
    stance = whole("+1 the finding supports the cause, -1 it counts against, 0 neutral.",
                   between(-1, 1))


@binds(model.Plan)
class PlanSchema(ModelSchema):
    """A team's choices, or a reference plan (expert, sponsor)."""

    diagnostics = refs("diagnostic", "Diagnostic ids, in the order run.")
    evidence = many(EvidenceMarkSchema, "Findings linked to causes.")
    causes = many(PlannedCauseSchema, "Causes declared.")
    ruled_out = refs("cause", "Cause ids ruled out.")
    interventions = many(PlannedInterventionSchema, "Interventions selected.")
    metrics = many(PlannedMetricSchema, "Metrics selected.")
    isolation = ref("isolation", "Isolation method id, or null.")
    texts = mapping(
        Text(),
        "Deliverable text field id -> text; an inject answer is keyed \"inject:<inject id>\".",
        key_ref="text_field",
    )
    stances = mapping(Whole(validate=between(-2, 2)), "Stakeholder id -> stance reached (-2..2).",
                      key_ref="stakeholder")
    injects = refs("inject", "Inject ids fired on this team.")


# --- the scenario --------------------------------------------------------------------------------


@binds(model.Objective)
class ObjectiveSchema(ModelSchema):
    """A learning objective that rubric components assess."""

    id = ident("objective", "Unique id, prefix `obj_`.")
    text = string("What a learner will be able to do, e.g. \"Separate a skill gap from an "
                  "environment gap using evidence\".")


@binds(model.Simulation)
class SimulationSchema(ModelSchema):
    """Outcome-model settings."""

    quarters = whole("Quarters simulated after the plan starts.", between(1, 20))
    seed = whole("Seed of the noise; every team sees the same randomness.")
    weeks_per_quarter = whole("Weeks in a quarter.", between(1, 26))


@binds(model.TeamSize)
class TeamSizeSchema(ModelSchema):
    """How many learners a team may hold."""

    min = whole("Fewest learners in a team.", at_least(1))
    max = whole("Most learners in a team.", at_least(1))

    @validates_schema
    def ordered(self, data: dict[str, Any], **kwargs: Any) -> None:
        """``min`` must not exceed ``max``."""
        low = data.get("min", model.TeamSize.min)
        high = data.get("max", model.TeamSize.max)
        if low > high:
            raise ValidationError({"min": [f"must not exceed max ({high}), got {low}"]})


@binds(model.Budget)
class BudgetSchema(ModelSchema):
    """Each team's resources at the start of the practicum."""

    points = whole("Analysis points.", at_least(0))
    cash = number("Money for diagnostics and interventions (interventions only when "
                  "`analysisCash` is set).", at_least(0))
    days = whole("Calendar days for diagnostics.", at_least(0))
    analysis_cash = v2(number("Separate money for diagnostics; then `cash` pays for "
                              "interventions only. Omit it for one shared pool.", at_least(0)))


@binds(model.Scenario, optional=("taxonomy",), extra=("json_schema",))
class ScenarioSchema(ModelSchema):
    """A complete practicum scenario (the top level of a scenario file)."""

    json_schema = Text(data_key="$schema", metadata={
        "description": "Optional URL or path of the JSON Schema, for editor autocompletion."
    })
    schema_version = Whole(validate=validate.OneOf(
        SCHEMA_VERSIONS,
        error=f"this Practicum reads scenario format versions "
        f"{' and '.join(map(str, SCHEMA_VERSIONS))}; got {{input}}. Set \"schemaVersion\": "
        f"{SCHEMA_VERSION} and check the file against docs/authoring.md",
    ), metadata={"description": "Scenario format version: 1, or 2 for the keys marked v2 "
                 "(`practicum migrate` turns a v1 file into v2)."})
    id = string("Scenario id, lower-case letters, digits, '-' and '_'.", SLUG_FORMAT)
    title = string("Title shown in the session list.")
    summary = string("One-paragraph summary for facilitators.")
    difficulty = choice(DIFFICULTIES, "How hard the scenario is.")
    company = nested(CompanySchema, "The fictional organisation.")
    brief = nested(BriefSchema, "The problem as the sponsor presents it.")
    economics = nested(EconomicsSchema, "Money used for ROI.")
    kpis = many(KpiSchema, "Business indicators on the KPI panel.", NON_EMPTY)
    stakeholders = many(StakeholderSchema, "People in the client organisation.",
                        NON_EMPTY)
    taxonomy = many(CellSchema, "Cause taxonomy; omit it to use Gilbert's Behavior Engineering "
                    "Model cells plus cell_external.", NON_EMPTY)
    causes = many(RootCauseSchema, "Candidate root causes (true and false).",
                  NON_EMPTY)
    residual = number("Share of the gap no cause explains (market, noise), 0..1.", between(0, 1))
    diagnostics = many(DiagnosticSchema, "Diagnostics teams can buy.", NON_EMPTY)
    interventions = many(InterventionSchema, "Interventions teams can select.",
                         NON_EMPTY)
    metrics = many(MetricSchema, "Success metrics teams can pick.", NON_EMPTY)
    isolation_methods = many(IsolationMethodSchema, "Isolation methods teams can pick.",
                             NON_EMPTY)
    rounds = many(RoundSchema, "Rounds, in order.", NON_EMPTY)
    injects = many(InjectSchema, "Scripted events.")
    rubric = many(ComponentSchema, "Rubric components; weights sum to 100.",
                  NON_EMPTY)
    budget = nested(BudgetSchema, "Each team's resources at the start.")
    team_size = nested(TeamSizeSchema, "How many learners a team may hold.")
    expert_plan = nested(PlanSchema, "The reference plan: reaches every target, scores full "
                         "automatic marks.")
    simulation = nested(SimulationSchema, "Outcome-model settings.")
    sponsor_plan = nested(PlanSchema, "What the sponsor asked for, shown in the debrief.")
    debrief_notes = string("Notes for the facilitator's debrief.", blank=True)
    residual_recovery = v2(number("Share of the residual gap (`residual`) that recovers by "
                                  "itself each quarter, 0..1.", between(0, 1)))
    objectives = v2(many(ObjectiveSchema, "Learning objectives; rubric components name them."))
    language = string("Language the scenario is written in, a BCP 47 tag (en, de, fr-CA); "
                      "default en.", LANGUAGE_TAG)
    translations = IdMap(
        keys=Text(validate=LANGUAGE_TAG),
        values=mapping(string("The text in that language."), "Path of a text (company.name, "
                       "causes.<id>.label, brief.timeline.0.event) -> its translation."),
        metadata={"description": "Language tag -> translations of the scenario's own text, "
                  "shown to learners who chose that language (docs/authoring.md)."},
    )

    @post_load
    def build(self, data: dict[str, Any], **kwargs: Any) -> model.Scenario:
        """Build the Scenario, filling in the default taxonomy and dropping ``$schema``."""
        data.pop("json_schema", None)
        if "taxonomy" not in data:
            data["taxonomy"] = default_taxonomy()
        return model.Scenario(**data)


def default_taxonomy() -> tuple[model.Cell, ...]:
    """Return DEFAULT_TAXONOMY as Cell objects."""
    return tuple(model.Cell(**cell) for cell in DEFAULT_TAXONOMY)


def schema_classes() -> list[type[ModelSchema]]:
    """Return every schema reachable from ScenarioSchema, in first-seen order."""
    seen: list[type[ModelSchema]] = []

    def visit(schema_class: type[ModelSchema]) -> None:
        if schema_class in seen:
            return
        seen.append(schema_class)
        for schema_field in schema_class._declared_fields.values():
            inner = schema_field.inner if isinstance(schema_field, fields.List) else schema_field
            if isinstance(inner, fields.Nested):
                visit(inner.nested)  # type: ignore[arg-type]

    visit(ScenarioSchema)
    return seen


_IDENT_RE = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


def path_join(base: str, key: str | int) -> str:
    """Append a key or index to a JSON path (``rounds[1].deliverable[0].kind``)."""
    if isinstance(key, int):
        return f"{base}[{key}]"
    if _IDENT_RE.match(key):
        return f"{base}.{key}" if base else key
    return f'{base}["{key}"]'


def describe_refs(kind: str | Mapping[str, str]) -> str:
    """Describe what a reference points to, for docs."""
    if isinstance(kind, str):
        return f"{NOUNS[kind]} id"
    return " or ".join(dict.fromkeys(f"{NOUNS[k]} id" for k in kind.values()))
