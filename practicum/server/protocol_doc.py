"""Generate docs/protocol.md from the message schemas and error tables, so it cannot drift."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from practicum.engine.errors import ERRORS as ENGINE_ERRORS
from practicum.server.messages import (
    ACK_FIELDS,
    FACILITATOR_ROUTES,
    LEARNER_ROUTES,
    SERVER_ERRORS,
    STAGE_ROUTES,
    Route,
)

# Server -> client events: (namespace, event, payload description).
SERVER_EVENTS: tuple[tuple[str, str, str], ...] = (
    (
        "/play",
        "view",
        "the learner's full view `{public, team, me}`: after hello/join, a team "
        "change, or a move by the facilitator",
    ),
    (
        "/play",
        "team_patch",
        "`{teamId, version, base, set, fields?, textUpdates?, chat, chatCount, activity, "
        "activityCount}`: "
        "what "
        "changed in the team view (members, budget, findings, draft, rounds, allowed commands, "
        "ready marks, submissions, published scores, debrief outcome) since version `base`. "
        "Apply it when you hold `base` (then you hold `version`): `set` replaces top-level "
        "keys; `fields`, when present, holds the changed entries of `texts` and `textMeta` "
        "(merge them into the held objects); `textUpdates`, when present, lists the edits "
        "of shared text fields the server merged and stored, each `{field, update, by: "
        "{learnerId, name, at}}` (a base64 Yjs update of the field's document, root Y.Text "
        "`t`): apply each to your copy whatever version you hold (applying one twice is "
        "harmless; send `text_sync` after a reconnect to get what you missed); `chat` and "
        "`activity` hold new entries, each "
        "with its index `n`: drop the held entries whose `n` is at least the first new "
        "one's, append, keep the newest 200 messages and 50 activity entries. A null `base` "
        "carries the whole view. Any other `base` means an update was missed: say `hello` "
        "again for a full view",
    ),
    (
        "/play",
        "public",
        "the public view (phase, round, deadline, paused, remaining seconds, "
        "teams, published leaderboard): after any session-wide change",
    ),
    ("/play", "presence", "`{teamId, online: [learnerId]}`: who in the session has a socket open"),
    (
        "/play",
        "text_cursor",
        "`{teamId, learnerId, name, field, anchor, head}`: where a teammate's caret is "
        "(`field` null: they left the text fields); anchor and head are base64 Yjs relative "
        "positions. Never stored; forget a caret when its learner goes offline",
    ),
    (
        "/play",
        "notice",
        "`{kind, text, ...}`: a short announcement for screen readers and toasts. Kinds: "
        "`finding` (`diagnostic`), `inject` (`inject`), `round`, `scores`, `clock`, "
        "`timeout` (`round`, `outcome`: `auto_submitted` or `already_submitted`; to each team "
        "when a round's time runs out), `moved` (`team`: the new team id or null; only to "
        "the moved learner's own sockets, after their new full `view`)",
    ),
    (
        "/facilitate",
        "board_patch",
        "`{sessionId, version, base, set, teams, order}`: what changed in the board (the "
        "facilitator view plus `online`) since version `base`; `teams` maps a team id to its "
        "changed keys, `order` lists the team ids when they changed. A null `base` carries "
        "the whole board in `board`; any other `base` you do not hold means: `watch` again",
    ),
    (
        "/stage",
        "stage",
        "the stage view, whole, on connect and whenever it changed: `{sessionId, title, "
        "joinCode, phase, mode, round: {index, id, name}, roundCount, clock: {deadline, "
        "paused, remaining}, teamSize: {min, max}, teams: [{id, name, members}], learners, "
        "submitted, inject: {inject, title, sender, channel, at, teams} | null, scoring: "
        "[{round, name, scored, teams, published}] | null, leaderboard | null, debrief: "
        "{quarters, kpis: [{id, name, unit, direction, target, nothing, expert, teams: "
        "[{team, name, values}]}], roi: [{team, name, trueRoi, reportedRoi, isolationKind}], "
        "expertRoi, causes: [{id, label, foundBy: [{team, name}]}]} | null}`. Public data "
        "only: `scoring` in the scoring mode, `leaderboard` in the leaderboard mode, `debrief` "
        "in the debrief mode (after the rounds). The clock is absolute: count down from "
        "`deadline` with a clock synchronised through `GET /clock`",
    ),
)


def _type(field: fields.Field) -> str:
    if isinstance(field, fields.Nested):
        nested = field.nested if isinstance(field.nested, type) else type(field.nested)
        return "{" + ", ".join(_field_names(nested)) + "}"
    if isinstance(field, fields.List):
        return f"list of {_type(field.inner)}"
    if isinstance(field, fields.Dict):
        return f"object of {_type(field.value_field) if field.value_field else 'any'}"
    names = {
        fields.String: "string",
        fields.Integer: "integer",
        fields.Float: "number",
        fields.Boolean: "boolean",
    }
    for kind, name in names.items():
        if isinstance(field, kind):
            return name
    return type(field).__name__.lower()


def _field_names(schema: type[Schema]) -> list[str]:
    return [f.data_key or name for name, f in schema._declared_fields.items()]


def _rules(field: fields.Field) -> str:
    parts = []
    for validator in field.validators:
        if isinstance(validator, validate.Length):
            parts.append(f"length {validator.min or 0}..{validator.max}")
        elif isinstance(validator, validate.Range):
            parts.append(f"{validator.min}..{validator.max}")
        elif isinstance(validator, validate.OneOf):
            parts.append("one of " + ", ".join(map(str, validator.choices)))
        elif isinstance(validator, validate.Regexp):
            parts.append(f"matches `{validator.regex.pattern}`")
    if field.allow_none:
        parts.append("may be null")
    description = field.metadata.get("description")
    if description:
        parts.append(description)
    return "; ".join(parts)


def _route_section(route: Route, namespace: str) -> list[str]:
    schema: Any = route.schema
    lines = [f"#### `{route.event}`", "", f"{route.summary[0].upper()}{route.summary[1:]}.", ""]
    if route.command:
        lines += [f"Engine command: `{route.command}`.", ""]
    lines += ["| field | type | required | rules |", "|---|---|---|---|"]
    for name, field in schema._declared_fields.items():
        key = field.data_key or name
        required = "yes" if field.required else "no"
        lines.append(f"| `{key}` | {_type(field)} | {required} | {_rules(field)} |")
    extra = ACK_FIELDS.get(route.event)
    lines += ["", "Ack: `{ok: true}`" + (f" with {extra}." if extra else "."), ""]
    return lines


def render() -> str:
    """Return the whole protocol document."""
    out = [
        "# Practicum Socket.IO protocol",
        "",
        "<!-- Generated by `python -m practicum.server.protocol_doc`; a test keeps it in step "
        "with the schemas. Do not edit by hand. -->",
        "",
        "Practicum speaks Socket.IO 5 (engine.io 4) over websocket or long-polling. Learners use "
        "the `/play` namespace, facilitators `/facilitate`. Payload keys are camelCase JSON.",
        "",
        "## Playing a session from another client",
        "",
        '1. Facilitator: `POST /api/login {"user", "password"}` (without `user`: the first '
        "admin, `admin`) answers `{token, loginId, user, role, expiresAt}`; the token names "
        "that login, which expires (`PRACTICUM_LOGIN_HOURS`) and ends with `POST /api/logout`, "
        "a password change or the account's removal (docs/accounts.md). Failed sign-ins are "
        "limited per address and per account name (`auth/rate_limited`, HTTP 429). "
        '`POST /api/sessions {"scenarioId"}` with `Authorization: Bearer <token>` answers '
        "`{sessionId, joinCode}` and makes the account the session's owner; "
        '`POST /api/sessions/<id>/shares {"user", "role"}` shares it (role `facilitator`, '
        "`assessor` or `observer`). `GET /api/scenarios` lists scenario ids, `GET /api/sessions` "
        "the sessions the account may see.",
        "2. Facilitator socket: connect to `/facilitate` with `auth: {token}`, emit `watch "
        "{sessionId}`; the ack carries the board and the public scenario; `board` events follow.",
        "3. Learner socket: connect to `/play` (no auth), emit `join_session {actionId, code, "
        "name}`; the ack carries `token`, `sessionId`, `learnerId`, `view`, `scenario`. Keep the "
        "token: reconnect with `auth: {token}` (or emit `hello {token}`) to resume the same seat.",
        "4. Learner: `create_team {name}` or `join_team {team}` or `auto_assign {}`.",
        "5. Facilitator: `start_session {sessionId}` opens round 1. Learners act (`run_diagnostic`,"
        " `declare_cause`, ...) and `submit_round`; the facilitator `advance`s, "
        "`score_round`s, `publish_scores` and finally reaches the debrief (advance after the last"
        " round) and `end_session`.",
        "",
        "## Acks",
        "",
        "Every client event is answered through the Socket.IO acknowledgement callback: "
        "`{ok: true, ...result}` or `{ok: false, code, message}`. `message` is for people; "
        "`code` is stable and for programs.",
        "",
        "Every state-changing event carries `actionId`, generated by the client (8-64 characters "
        "of `[A-Za-z0-9_-]`). Resending an `actionId` the server has already accepted changes "
        "nothing and answers the first ack again - so a client that lost an ack simply retries.",
        "",
        "Limits: a payload over 16 KB of JSON is refused with `payload/too_large` (the connection"
        " stays up); a packet over 64 KB is dropped by the transport, which closes the "
        "connection. Each connection may send 10 events a second on average (bursts of 40).",
        "",
        "## Client -> server: learners (`/play`)",
        "",
    ]
    for route in LEARNER_ROUTES:
        out += _route_section(route, "/play")
    out += [
        "## Client -> server: facilitators (`/facilitate`)",
        "",
        "Connect with the browser's signed-in session cookie or `auth: {token}` from "
        "`/api/login`; anything else is refused, and the server disconnects the socket as soon "
        "as its login is revoked or expires. Every action names its `sessionId`; the account's "
        "role in that session decides what it may send (`watch`: any role, `score_round`: "
        "assessor and up, everything else: facilitator, owner or admin; see docs/accounts.md), "
        "and its events name the account as `by_account`.",
        "",
    ]
    for route in FACILITATOR_ROUTES:
        out += _route_section(route, "/facilitate")
    out += [
        "## Client -> server: the stage (`/stage`)",
        "",
        "The room's projector. Connect with `auth: {token}`, a stage token from the console "
        "(`GET /facilitator/sessions/<id>/stage-link` answers `{url, expiresIn}`; the token is "
        "the last part of the URL). Tokens are signed, name one session and expire after 30 "
        "minutes; a bad or expired one is refused with `auth/bad_stage_link`. No facilitator "
        "sign-in is needed: the namespace only ever sends the `stage` event, built from "
        "public data. What it shows is the facilitator's choice (`stage_show` on "
        "`/facilitate`).",
        "",
    ]
    for route in STAGE_ROUTES:
        out += _route_section(route, "/stage")
    out += ["## Server -> client events", "", "| namespace | event | payload |", "|---|---|---|"]
    out += [f"| `{ns}` | `{name}` | {text} |" for ns, name, text in SERVER_EVENTS]
    out += [
        "",
        "## Error codes",
        "",
        "### Transport and identity",
        "",
        "| code | meaning |",
        "|---|---|",
    ]
    out += [f"| `{code}` | {text} |" for code, text in SERVER_ERRORS.items()]
    out += ["", "### Game rules (engine)", "", "| code | message template |", "|---|---|"]
    out += [f"| `{code}` | {text} |" for code, text in ENGINE_ERRORS.items()]
    out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(render(), end="")
