"""Learners' personal data: erase one learner on request, purge old sessions, export one learner.

The event log is the record, so erasing means rewriting the stored events themselves (and
evicting the session from memory so it is rebuilt from what remains); the rewrite is recorded by
a ``data_erased`` event. What stays: the session's shape, scores, choices and anonymised events.
What goes (docs/privacy.md):

- **one learner, on request**: their display name (everywhere it was copied: joins, chat lines,
  findings, text edits) becomes "Erased learner", and their chat messages are removed. The texts
  the team wrote together stay: they are the team's work, no longer attributed to anyone.
- **a whole ended session past the retention period**: every learner's name becomes a
  pseudonym ("Learner 3f2a"), team names become "Team N", chat messages and every free text
  (shared texts and their CRDT history, inject responses, submitted texts) are emptied.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from practicum.xapi.outbox import forget_join_identities

ERASED_NAME = "Erased learner"
ERASED_CHAT = "(erased on request)"
DAY = 86_400.0


def pseudonym(learner_id: str) -> str:
    """Return a stable, meaningless name for a learner id."""
    return "Learner " + hashlib.blake2b(learner_id.encode(), digest_size=2).hexdigest()


def _renamed(data: dict[str, Any], key: str, name: str) -> dict[str, Any]:
    return {**data, key: name} if key in data else data


def erase_learner_rewrite(learner_id: str) -> Callable[[str, dict[str, Any]], dict[str, Any]]:
    """Return the rewrite of one event's data that erases one learner's personal data."""

    def rewrite(type_: str, data: dict[str, Any]) -> dict[str, Any]:
        if type_ == "learner_joined" and data.get("learner_id") == learner_id:
            # The LMS identity (docs/xapi.md) goes with the name: later statements are pseudonymous.
            return {**{k: v for k, v in data.items() if k != "lms"}, "name": ERASED_NAME}
        if type_ == "chat_posted" and data.get("learner_id") == learner_id:
            return {**data, "name": ERASED_NAME, "text": ERASED_CHAT}
        if type_ == "diagnostic_run" and data.get("learner_id") == learner_id:
            return {**data, "learner_name": ERASED_NAME}
        if type_ == "text_edited" and data.get("by") == learner_id:
            return _renamed(data, "name", ERASED_NAME)
        return data

    return rewrite


def purge_rewrite(type_: str, data: dict[str, Any]) -> dict[str, Any]:
    """Rewrite one event of an expired session: pseudonyms, no chat, no free text."""
    if type_ == "learner_joined":
        kept = {k: v for k, v in data.items() if k != "lms"}
        return {**kept, "name": pseudonym(data.get("learner_id", ""))}
    if type_ == "team_created":
        return {**data, "name": "Team " + hashlib.blake2b(
            str(data.get("team_id", "")).encode(), digest_size=2).hexdigest()}
    if type_ == "chat_posted":
        return {**data, "name": pseudonym(data.get("learner_id", "")), "text": ""}
    if type_ == "diagnostic_run":
        return {**data, "learner_name": pseudonym(data.get("learner_id") or "")}
    if type_ == "text_edited":
        # The CRDT update holds the typed characters: it goes with the text.
        return {**data, "update": "", "text": "", "name": pseudonym(data.get("by") or "")}
    if type_ in ("text_written", "inject_responded"):
        return {**data, "text": ""}
    if type_ == "round_submitted":
        snapshot = {
            key: ("" if isinstance(value, str) else value)
            for key, value in (data.get("snapshot") or {}).items()
        }
        plan = dict(data.get("plan") or {})
        if "texts" in plan:
            plan["texts"] = {key: "" for key in plan["texts"]}
        return {**data, "snapshot": snapshot, "plan": plan}
    return data


def erase_learner(app_ext: dict[str, Any], session_id: str, learner_id: str) -> int:
    """Erase one learner's personal data from a session's log; return the events rewritten."""
    service = app_ext["practicum"]
    _scenario, state = service.snapshot(session_id)
    if learner_id not in state.learners:
        raise LookupError(learner_id)
    changed = service.rewrite_log(
        session_id,
        erase_learner_rewrite(learner_id),
        {"learner": learner_id, "scope": "learner"},
    )
    # The LMS identity an LTI launch kept on the join's answer goes too (docs/xapi.md), and
    # xAPI statements not yet sent lose it.
    forget_join_identities(service.store, session_id, learner_id)
    if service.outbox is not None:
        service.outbox.erased(session_id, learner_id)
    return changed


def purge_expired(app_ext: dict[str, Any], days: float, now: float) -> list[str]:
    """Purge every ended session older than `days`; return their ids."""
    service = app_ext["practicum"]
    purged = []
    for row in service.store.sessions(status="closed"):
        if row.created_at <= now - days * DAY:
            service.rewrite_log(row.id, purge_rewrite, {"learner": None, "scope": "session"})
            forget_join_identities(service.store, row.id, None)
            if service.outbox is not None:
                service.outbox.erased(row.id, None)
            service.store.set_status(row.id, "purged")
            purged.append(row.id)
    return purged


def learner_export(app_ext: dict[str, Any], session_id: str, learner_id: str) -> dict[str, Any]:
    """Return everything a session holds about one learner, as JSON-able data."""
    service = app_ext["practicum"]
    _scenario, state = service.snapshot(session_id)
    learner = state.learners.get(learner_id)
    if learner is None:
        raise LookupError(learner_id)
    events = service.stored_events(session_id)
    mine = [
        e for e in events
        if learner_id in (
            e["data"].get("learner_id"), e["data"].get("by"), e["data"].get("learner")
        )
    ]
    chats = [
        {"at": e["data"]["at"], "text": e["data"]["text"]}
        for e in mine if e["type"] == "chat_posted"
    ]
    teams = [
        {"at": e["data"].get("at"), "team": e["data"].get("team"), "by": e["data"].get("by")}
        for e in mine if e["type"] == "learner_assigned"
    ]
    edited = sorted({e["data"]["field"] for e in mine if e["type"] == "text_edited"})
    team = state.teams.get(learner.team or "")
    return {
        "sessionId": session_id,
        "learnerId": learner.id,
        "name": learner.name,
        "joinedAt": learner.joined_at,
        "team": None if team is None else {"id": team.id, "name": team.name},
        "teamHistory": teams,
        "chat": chats,
        "textsEdited": {key: (team.texts.get(key, "") if team else "") for key in edited},
        "actions": [
            {"seq": e["seq"], "type": e["type"], "at": e["at"]}
            for e in mine
            if e["type"] not in ("chat_posted",)
        ],
    }
