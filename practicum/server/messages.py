"""Inbound Socket.IO messages: one marshmallow schema per event, camelCase on the wire."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from practicum.engine.limits import (
    COMMENT_MAX,
    EXTEND_MAX_MINUTES,
    FIRE_TEAMS_MAX,
    LEVEL_MAX,
    LEVEL_MIN,
    NAME_MAX,
    OVERRIDE_POINTS_MAX,
    REASON_MAX,
)
from practicum.engine.stage import STAGE_MODES

ACTION_ID = validate.Regexp(r"^[A-Za-z0-9_-]{8,64}$", error="8-64 letters, digits, '-' or '_'")
ID = validate.Regexp(r"^[A-Za-z0-9_-]{1,64}$", error="an id: 1-64 letters, digits, '-' or '_'")
NAME = validate.Length(min=1, max=NAME_MAX)
TEXT = validate.Length(max=4000)


class Message(Schema):
    """Base: unknown keys are errors."""

    class Meta:
        unknown = RAISE


class Action(Message):
    """Base of every state-changing message: carries a client-generated idempotency id."""

    action_id = fields.String(
        required=True,
        data_key="actionId",
        validate=ACTION_ID,
        metadata={"description": "client-generated id; a retry with the same id is applied once"},
    )


class FacilitatorAction(Action):
    """Base of facilitator actions: they name the session they act on."""

    session_id = fields.String(required=True, data_key="sessionId", validate=ID)


def _id(description: str, required: bool = True) -> fields.String:
    return fields.String(required=required, validate=ID, metadata={"description": description})


# --- learner (/play) -----------------------------------------------------------------------


class Hello(Message):
    """Resume with a token from join_session (also done on connect with `auth: {token}`)."""

    token = fields.String(required=True, validate=validate.Length(min=10, max=400))
    lang = fields.String(
        validate=validate.Length(max=35),
        metadata={"description": "the page's language (BCP 47): the scenario's text in it"},
    )


class JoinSession(Action):
    """Join a session by its join code, as a new learner."""

    code = fields.String(
        required=True,
        validate=validate.Length(min=4, max=16),
        metadata={"description": "join code (case, spaces, dashes ignored)"},
    )
    name = fields.String(required=True, validate=NAME, metadata={"description": "display name"})


class CreateTeam(Action):
    """Create a team and join it."""

    name = fields.String(required=True, validate=NAME)


class JoinTeam(Action):
    """Join an existing team."""

    team = _id("team id")


class Empty(Action):
    """An action with no fields besides actionId."""


class RunDiagnostic(Action):
    """Buy a diagnostic; its finding reaches the whole team."""

    diagnostic = _id("diagnostic id (d_...)")


class MarkEvidence(Action):
    """Link a finding the team holds to a cause: 1 supports, -1 against, 0 removes the mark."""

    diagnostic = _id("diagnostic id whose finding is marked")
    cause = _id("root cause id (rc_...)")
    stance = fields.Integer(required=True, validate=validate.OneOf([-1, 0, 1]))


class DeclareCause(Action):
    """Declare a root cause, the cell it belongs to, and a confidence."""

    cause = _id("root cause id")
    cell = _id("taxonomy cell id (cell_...)")
    confidence = fields.Float(required=True, validate=validate.Range(min=0, max=1))


class CauseRef(Action):
    """Name a declared cause (to withdraw it)."""

    cause = _id("root cause id")


class RuleOutCause(Action):
    """Mark a cause as ruled out (or not)."""

    cause = _id("root cause id")
    ruled_out = fields.Boolean(required=True, data_key="ruledOut")


class SelectIntervention(Action):
    """Select an intervention starting in a given week (0 = now)."""

    intervention = _id("intervention id (i_...)")
    start_week = fields.Integer(
        required=True, data_key="startWeek", validate=validate.Range(min=0, max=520)
    )


class InterventionRef(Action):
    """Name a selected intervention (to deselect it)."""

    intervention = _id("intervention id")


class SelectMetric(Action):
    """Pick a success metric with an optional target value."""

    metric = _id("metric id (m_...)")
    target = fields.Float(required=True, allow_none=True, allow_nan=False)


class MetricRef(Action):
    """Name a picked metric (to drop it)."""

    metric = _id("metric id")


class SetIsolation(Action):
    """Choose the isolation method (null clears it)."""

    isolation = fields.String(required=True, allow_none=True, validate=ID)


class WriteText(Action):
    """Write a deliverable text field."""

    field = _id("deliverable field id")
    text = fields.String(required=True, validate=TEXT)


class RespondInject(Action):
    """Answer an inject the team received."""

    inject = _id("inject id (inj_...)")
    text = fields.String(required=True, validate=TEXT)


# A shared text field: a deliverable text field id, or "inject:<inject id>" for a response.
FIELD_KEY = validate.Regexp(
    r"^(inject:)?[A-Za-z0-9_-]{1,64}$", error="a text field id, or inject:<inject id>"
)
# Base64 of one burst of typing (a browser sends every 150-300 ms): a few hundred bytes, far
# more when a long paste lands or offline edits are sent at once. The payload cap still applies.
UPDATE = validate.Length(min=4, max=12000)
STATE_VECTOR = validate.Length(max=4000)
POSITION = validate.Length(max=400)


class EditText(Action):
    """Merge an edit of a shared text field: a Yjs update of the field's document."""

    team = _id("the team whose document was edited (refused with team/changed if not yours)")
    field = fields.String(
        required=True, validate=FIELD_KEY, metadata={"description": "text field id or inject:<id>"}
    )
    update = fields.String(
        required=True,
        validate=UPDATE,
        metadata={"description": "base64 Yjs update (v1) of a Y.Doc whose Y.Text is named 't'"},
    )


class Presence(Message):
    """Base of reads and presence messages: an actionId may come along and is ignored."""

    action_id = fields.String(
        data_key="actionId",
        validate=ACTION_ID,
        metadata={"description": "optional and ignored: nothing is stored, so retries are safe"},
    )


class TextSync(Presence):
    """Ask what the team's field documents hold that the client lacks (Yjs sync step 1)."""

    team = _id("the team whose documents are wanted")
    wanted = fields.Dict(
        data_key="fields",
        keys=fields.String(validate=FIELD_KEY),
        values=fields.String(validate=STATE_VECTOR),
        load_default=dict,
        validate=validate.Length(max=64),
        metadata={
            "description": "field -> base64 state vector the client holds ('' for none); "
            "empty or missing: every shared field of the team"
        },
    )


class TextCursor(Presence):
    """Tell teammates where my caret is in a shared field (null field: I left the fields)."""

    team = _id("the team whose field the caret is in")
    field = fields.String(required=True, allow_none=True, validate=FIELD_KEY)
    anchor = fields.String(
        load_default=None,
        allow_none=True,
        validate=POSITION,
        metadata={"description": "base64 Yjs relative position of the selection's anchor"},
    )
    head = fields.String(
        load_default=None,
        allow_none=True,
        validate=POSITION,
        metadata={"description": "base64 Yjs relative position of the selection's head"},
    )


class SubmitRound(Action):
    """Submit the current round's deliverable, or a reopened earlier `round`."""

    round = fields.String(
        validate=ID, metadata={"description": "optional: a reopened earlier round to resubmit"}
    )


class MarkReady(Action):
    """Say the current round is ready to submit as far as you are concerned (or take it back)."""

    ready = fields.Boolean(required=True)


class Chat(Action):
    """Send a chat message to the team."""

    text = fields.String(required=True, validate=validate.Length(min=1, max=500))


# --- facilitator (/facilitate) -----------------------------------------------------------------


class Watch(Message):
    """Start receiving a session's live board."""

    session_id = fields.String(required=True, data_key="sessionId", validate=ID)


class FacilitatorEmpty(FacilitatorAction):
    """A facilitator action with no fields besides actionId and sessionId."""


class Extend(FacilitatorAction):
    """Add minutes to the current round."""

    minutes = fields.Integer(
        required=True,
        validate=validate.Range(min=-EXTEND_MAX_MINUTES, max=EXTEND_MAX_MINUTES),
        metadata={"description": "minutes to add (negative: take away, leaving at least one)"},
    )


class ReopenRound(FacilitatorAction):
    """Reopen a team's submitted deliverable for a round."""

    team = _id("team id")
    round = _id("round id (r_...)")


class MoveLearner(FacilitatorAction):
    """Move a learner into another team (null: out of any team)."""

    learner = _id("learner id")
    team = fields.String(
        required=True,
        allow_none=True,
        validate=ID,
        metadata={"description": "team id, or null to take the learner out of their team"},
    )


class AllowTeamChanges(FacilitatorAction):
    """Let learners change team while a round runs (or fix teams again)."""

    allowed = fields.Boolean(required=True)


class LockTeam(FacilitatorAction):
    """Lock or unlock a team's membership."""

    team = _id("team id")
    locked = fields.Boolean(required=True)


class FacilitatorCreateTeam(FacilitatorAction):
    """Create an empty team."""

    name = fields.String(required=True, validate=NAME)


class FireInject(FacilitatorAction):
    """Fire an inject on some teams (null: every team)."""

    inject = _id("inject id")
    teams = fields.List(
        fields.String(validate=ID),
        required=True,
        allow_none=True,
        validate=validate.Length(max=FIRE_TEAMS_MAX),
    )


class Override(Message):
    """A facilitator's override of one component's points."""

    points = fields.Float(
        required=True,
        validate=validate.Range(min=0, max=OVERRIDE_POINTS_MAX),
        metadata={"description": "at most the component's weight"},
    )
    reason = fields.String(required=True, validate=validate.Length(min=1, max=REASON_MAX))


class ScoreRound(FacilitatorAction):
    """Score a team's round: facilitator levels, a comment, and overrides with reasons."""

    team = _id("team id")
    round = _id("round id")
    levels = fields.Dict(
        keys=fields.String(validate=ID),
        values=fields.Integer(validate=validate.Range(min=LEVEL_MIN, max=LEVEL_MAX)),
        required=True,
        metadata={"description": "component id -> level 1..4"},
    )
    comment = fields.String(required=True, validate=validate.Length(max=COMMENT_MAX))
    overrides = fields.Dict(
        keys=fields.String(validate=ID),
        values=fields.Nested(Override),
        required=True,
        metadata={"description": "component id -> {points, reason}"},
    )
    notes = fields.Dict(
        keys=fields.String(validate=ID),
        values=fields.String(validate=validate.Length(max=COMMENT_MAX)),
        load_default=dict,
        metadata={"description": "format v2: component id -> the facilitator's Q&A notes"},
    )


class PublishScores(FacilitatorAction):
    """Publish a round's scores to the teams."""

    round = _id("round id")


class StageShow(FacilitatorAction):
    """Choose what the session's stage (the room's projector) shows next."""

    mode = fields.String(
        required=True,
        validate=validate.OneOf(STAGE_MODES),
        metadata={
            "description": "lobby (join code, teams forming), round (clock, submissions, "
            "injects), scoring (progress), debrief (outcomes, ROI, causes found), leaderboard"
        },
    )


# --- stage (/stage) ----------------------------------------------------------------------------


class StageRenew(Presence):
    """Ask for a fresh stage token (the one the screen was opened with soon expires)."""


# Rejection codes the transport layer itself answers (the engine's are in engine/errors.py).
SERVER_ERRORS: dict[str, str] = {
    "payload/invalid": "The payload does not match the event's schema (names each bad field).",
    "payload/too_large": "The payload is larger than the application limit (16 KB by default).",
    "rate/limited": "The connection sent more messages than its rate limit allows.",
    "join/bad_code": "No session has that join code.",
    "join/rate_limited": "Too many join attempts from this address in the last minute.",
    "auth/not_connected": "The socket is not registered (reconnect).",
    "auth/no_identity": "A learner command came before join_session or hello.",
    "auth/bad_token": "The learner token is not valid (join again).",
    "auth/unknown_learner": "The token names a learner the session does not have.",
    "auth/forbidden": "Facilitator namespace without a facilitator sign-in (connection refused).",
    "auth/revoked": "The facilitator's login was signed out, expired or its account removed.",
    "auth/role": "The account's role in the session does not allow this command.",
    "auth/bad_stage_link": "The stage link is not valid or has expired (connection refused): "
    "open the stage again from the console.",
    "session/unknown": "No session has that id.",
    "session/moved": (
        "Another server process serves this session (several processes behind a proxy): "
        "reconnect with `?session=<sessionId>` in the Socket.IO URL after `retryAfter` seconds "
        "and send the action again with the same `actionId`. The answer also carries "
        "`reconnect: true` and the `sessionId`."
    ),
    "server/error": "An unexpected server failure; the action was not applied.",
}


# What an accepted ack carries besides `ok: true`, by event (documented in docs/protocol.md).
ACK_FIELDS: dict[str, str] = {
    "hello": "`sessionId`, `learnerId`, `view` (learner view; its `team` carries the `version` "
    "that `team_patch` events follow), `scenario` (public catalogue), "
    "`serverTime` (seconds since the epoch, to correct the countdown for clock skew)",
    "join_session": "`token` (keep it to resume), `sessionId`, `learnerId`, `view`, `scenario`, "
    "`serverTime`",
    "create_team": "`teamId`",
    "join_team": "`teamId`",
    "auto_assign": "`teamId` (an existing open team, or a new one)",
    "submit_round": "`round` (the round submitted)",
    "edit_text": "`field`, `length` of the merged text (or `unchanged: true` for an update the "
    "server already held)",
    "text_sync": "`docs`: field -> {`update` (base64, what the client lacks), `stateVector` "
    "(base64, the server's)}",
    "text_cursor": "nothing: teammates get a `text_cursor` event",
    "mark_ready": "`ready` (when it changed; marking what is already marked changes nothing)",
    "allow_team_changes": "`allowed`",
    "watch": "`board` (facilitator view with `online`, and the `version` that `board_patch` "
    "events follow), `scenario`, `serverTime`",
    "start_session": "`round` (the first round)",
    "advance": "`round` (the round now open, or null when the debrief starts)",
    "fire_inject": "`teams` (ids of the teams that received it)",
    "stage_show": "`mode` (what the stage shows now)",
    "stage_renew": "`token` (a fresh stage token: reconnect with it), `expiresIn` (seconds)",
}


@dataclass(frozen=True)
class Route:
    """How one inbound event is handled: its schema and the engine command it becomes."""

    event: str
    schema: type[Schema]
    command: str | None  # engine command type; None for session-level messages
    summary: str


LEARNER_ROUTES: tuple[Route, ...] = (
    Route("hello", Hello, None, "resume as the learner a token names; answers the full view"),
    Route("join_session", JoinSession, "join_session", "join with a join code and a name"),
    Route("create_team", CreateTeam, "create_team", "create a team and join it"),
    Route("join_team", JoinTeam, "join_team", "join a team"),
    Route("auto_assign", Empty, "auto_assign", "be placed in the emptiest open team"),
    Route("leave_team", Empty, "leave_team", "leave the team"),
    Route("run_diagnostic", RunDiagnostic, "run_diagnostic", "buy a diagnostic"),
    Route("run_pilot", InterventionRef, "run_pilot", "pilot an intervention on one site (v2)"),
    Route("mark_evidence", MarkEvidence, "mark_evidence", "link a finding to a cause"),
    Route("declare_cause", DeclareCause, "declare_cause", "declare a root cause"),
    Route("withdraw_cause", CauseRef, "withdraw_cause", "withdraw a declared cause"),
    Route("rule_out_cause", RuleOutCause, "rule_out_cause", "rule a cause out (or back in)"),
    Route(
        "select_intervention",
        SelectIntervention,
        "select_intervention",
        "select an intervention with a start week",
    ),
    Route(
        "deselect_intervention",
        InterventionRef,
        "deselect_intervention",
        "drop a selected intervention",
    ),
    Route("select_metric", SelectMetric, "select_metric", "pick a metric and its target"),
    Route("deselect_metric", MetricRef, "deselect_metric", "drop a metric"),
    Route("set_isolation", SetIsolation, "set_isolation", "choose the isolation method"),
    Route("write_text", WriteText, "write_text", "replace a deliverable text field's text"),
    Route("edit_text", EditText, "edit_text", "merge a collaborative edit of a shared text"),
    Route("text_sync", TextSync, None, "get what the team's shared texts hold that I lack"),
    Route("text_cursor", TextCursor, None, "show teammates my caret in a shared text"),
    Route("respond_inject", RespondInject, "respond_inject", "answer an inject"),
    Route("chat", Chat, "chat", "send a team chat message"),
    Route("submit_round", SubmitRound, "submit_round", "submit the round's deliverable"),
    Route("mark_ready", MarkReady, "mark_ready", "mark yourself ready to submit (or not)"),
)

FACILITATOR_ROUTES: tuple[Route, ...] = (
    Route("watch", Watch, None, "watch a session's live board"),
    Route("start_session", FacilitatorEmpty, "start_session", "open the first round"),
    Route("pause", FacilitatorEmpty, "pause", "pause the clock"),
    Route("resume", FacilitatorEmpty, "resume", "resume the clock"),
    Route("extend", Extend, "extend", "add minutes to the round"),
    Route("advance", FacilitatorEmpty, "advance", "move to the next round (or the debrief)"),
    Route("reopen_round", ReopenRound, "reopen_round", "reopen a team's submission"),
    Route("move_learner", MoveLearner, "move_learner", "move a learner to a team"),
    Route("lock_team", LockTeam, "lock_team", "lock or unlock a team"),
    Route(
        "allow_team_changes",
        AllowTeamChanges,
        "allow_team_changes",
        "let learners change team during a round (or not)",
    ),
    Route("create_team", FacilitatorCreateTeam, "create_team", "create a team"),
    Route("fire_inject", FireInject, "fire_inject", "fire an inject"),
    Route("score_round", ScoreRound, "score_round", "score a team's round"),
    Route("publish_scores", PublishScores, "publish_scores", "publish a round's scores"),
    Route("end_session", FacilitatorEmpty, "end_session", "close the session"),
    Route("stage_show", StageShow, "stage_show", "choose what the stage shows next"),
)

STAGE_ROUTES: tuple[Route, ...] = (
    Route("stage_renew", StageRenew, None, "get a fresh stage token before this one expires"),
)


@functools.cache
def _schema(schema: type[Schema]) -> Schema:
    # One instance per schema: building one walks its declared fields again (about 60 µs of
    # the 80 µs a message took to validate), and a schema holds no state between loads.
    return schema()


# C0 controls other than tab, newline and carriage return, DEL, and lone UTF-16 surrogates
# (JSON can carry "\ud800", which no UTF-8 store can keep): refused in any string a client sends.
FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
MAX_DEPTH = 8  # the deepest message (score_round's overrides) is four levels


def check_strings(payload: Any, depth: int = 0) -> None:
    """Refuse nesting deeper than any message has and characters no text may hold."""
    if depth > MAX_DEPTH:
        raise ValidationError({"_schema": [f"nested deeper than {MAX_DEPTH} levels"]})
    if isinstance(payload, str):
        if FORBIDDEN_CHARACTERS.search(payload):
            raise ValidationError(
                {"_schema": ["a text holds a control character or a lone surrogate"]}
            )
    elif isinstance(payload, dict):
        for key, value in payload.items():
            check_strings(key, depth + 1)
            check_strings(value, depth + 1)
    elif isinstance(payload, list):
        for value in payload:
            check_strings(value, depth + 1)


def load(route: Route, payload: Any) -> dict[str, Any]:
    """Validate a payload against a route's schema; raise ValidationError with field messages."""
    if not isinstance(payload, dict):
        raise ValidationError({"_schema": ["the payload must be a JSON object"]})
    check_strings(payload)
    return _schema(route.schema).load(payload)


def describe_errors(messages: Any) -> str:
    """Flatten marshmallow's nested messages into 'field: problem; ...'."""
    return "; ".join(f"{path}: {text}" for path, text in _flatten(messages, ""))


def _flatten(messages: Any, path: str) -> Any:
    if isinstance(messages, dict):
        for key, value in messages.items():
            sub = path if key == "_schema" else (f"{path}.{key}" if path else str(key))
            yield from _flatten(value, sub)
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        yield path or "payload", " ".join(messages)
    elif isinstance(messages, list):
        for item in messages:
            yield from _flatten(item, path)
    else:
        yield path or "payload", str(messages)
