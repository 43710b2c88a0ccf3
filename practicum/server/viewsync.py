"""Views sent as patches: a room is sent only the parts of its view that changed.

Every accepted action used to re-send the acting team's whole view (about 30 KB once a team has
chatted for a while) to every member, and every board the whole session; encoding and sending
those copies was most of the server's work per action (bench/README.md). Instead each room gets
a full view once, when a client (re)connects, and then patches:

- A **team patch** is ``{teamId, version, base, set, chat, chatCount, activity,
  activityCount}``. ``set`` holds the top-level keys of the team view that changed since the
  view whose version is ``base``; ``chat`` holds the new chat messages and ``activity`` the new
  activity-feed entries, each with its index ``n``. A client applies a patch whose ``base`` is
  the version it holds and then holds ``version``; a patch with ``base`` null replaces the view.
  Any other patch means it missed one: it says ``hello`` again for a full view. ``fields``
  (when present) holds, for the keys in ``FIELD_KEYS`` (the shared texts and who edited each),
  only the entries that changed: the client merges them into the held dict, so an edit of one
  long text does not resend every text of the team. ``textUpdates`` (when present) lists the
  merged Yjs updates of the shared texts, ``{field, update, by}``, for the browsers' copies:
  they merge them whatever the version (merging is order-free and idempotent).
- A **board patch** is ``{sessionId, version, base, set, teams, order}`` for a session's
  facilitators: changed top-level keys, each changed team's changed keys, and the team order
  when it changed; a null ``base`` carries the whole board in ``board``. A console that holds
  another version sends ``watch`` again.

Chat and the activity feed only grow, so they travel as appended entries rather than new lists.
The client rule is the same for both: drop the held entries whose ``n`` is at least the first
new entry's ``n``, append the new ones, keep the newest ``CHAT_IN_VIEW`` messages and
``ACTIVITY_IN_VIEW`` activity entries, and take ``chatCount`` / ``activityCount`` from the patch.
`apply_team_patch` and `apply_board_patch` are the client's rules in Python (the browser code
mirrors them); the tests and the load bench use them to check what clients end up holding.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from practicum import engine
from practicum.engine.activity import ACTIVITY_IN_VIEW, entries
from practicum.engine.views import (
    CHAT_IN_VIEW,
    chat_messages,
    same_inputs,
    team_view_after_text_edit,
    team_view_inputs,
)

# Keys of a team view that are not versioned: chat and activity travel as appended entries.
CHAT_KEYS = ("chat", "chatCount")
APPENDED_KEYS = (*CHAT_KEYS, "activity", "activityCount")

# Dict-valued keys of a team view patched entry by entry: a keystroke burst in one field
# changes one entry of each, and every field may hold a long text.
FIELD_KEYS = ("texts", "textMeta")

Emit = Callable[[dict[str, Any]], None]


def changed(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """Return the entries of ``new`` that ``old`` lacks or holds with another value."""
    # Parts reused from a memo are the very same objects: `is` spares comparing them deeply.
    missing = object()
    return {
        key: value
        for key, value in new.items()
        if (held := old.get(key, missing)) is not value and (held is missing or held != value)
    }


def field_parts(old: Mapping[str, Any], parts: dict[str, Any]) -> dict[str, Any]:
    """Move the ``FIELD_KEYS`` out of ``parts`` as their changed entries; return those.

    A key some entry of which went away stays whole in ``parts`` (a merge cannot remove).
    """
    fields = {}
    for key in FIELD_KEYS:
        before, after = old.get(key), parts.get(key)
        if isinstance(before, dict) and isinstance(after, dict) and before.keys() <= after.keys():
            fields[key] = changed(before, parts.pop(key))
    return fields


class Versions:
    """Version labels unique to this process, so a label from before a restart never matches."""

    def __init__(self) -> None:
        self._epoch = secrets.token_hex(4)
        self._counter = itertools.count(1)

    def next(self) -> str:
        """Return a new version label."""
        return f"{self._epoch}.{next(self._counter)}"


@dataclass
class _Sent:
    version: str
    view: dict[str, Any]
    chat_count: int = 0
    activity_count: int = 0
    inputs: tuple[Any, ...] | None = None  # what a team view was built from
    memo: dict[str, Any] = field(default_factory=dict)  # a team view's reusable parts


class TeamSync:
    """The last team view each team room was sent, and the patches that follow it."""

    def __init__(self, versions: Versions | None = None) -> None:
        self._versions = versions or Versions()
        self._sent: dict[tuple[str, str], _Sent] = {}
        # Patches of one room must reach its sockets in the order their versions chain; the
        # lock spans building, recording and emitting (uncontended under eventlet).
        self._lock = threading.Lock()

    def update(
        self,
        scenario: Any,
        state: Any,
        session_id: str,
        team_id: str,
        emit: Emit,
        text_updates: list[dict[str, Any]] | None = None,
    ) -> None:
        """Emit the patch that brings the team room to the state's view (nothing if unchanged).

        ``text_updates`` (merged shared-text edits) travel in the patch, which is then sent
        even if the view did not change: a browser's copy needs every update, even one that
        changed no character, or the later ones would wait for it.
        """
        with self._lock:
            self._update(scenario, state, session_id, team_id, emit, text_updates)

    def snapshot(
        self, scenario: Any, state: Any, session_id: str, team_id: str, emit: Emit
    ) -> dict[str, Any]:
        """Return the team's full view with its ``version``, first patching the room if behind."""
        with self._lock:
            sent = self._update(scenario, state, session_id, team_id, emit)
            team = state.teams[team_id]
            return {
                **sent.view,
                "chat": chat_messages(team, CHAT_IN_VIEW),
                "chatCount": len(team.chat),
                "activity": entries(team.activity, ACTIVITY_IN_VIEW),
                "activityCount": len(team.activity),
                "version": sent.version,
            }

    def forget_session(self, session_id: str) -> None:
        """Drop every team view kept for a session (it left memory)."""
        with self._lock:
            for key in [k for k in self._sent if k[0] == session_id]:
                del self._sent[key]

    def forget(self, session_id: str, team_id: str) -> None:
        """Drop a team that no longer exists."""
        with self._lock:
            self._sent.pop((session_id, team_id), None)

    def _update(
        self,
        scenario: Any,
        state: Any,
        session_id: str,
        team_id: str,
        emit: Emit,
        text_updates: list[dict[str, Any]] | None = None,
    ) -> _Sent:
        key = (session_id, team_id)
        team = state.teams[team_id]
        count = len(team.chat)
        activity_count = len(team.activity)
        sent = self._sent.get(key)
        inputs = team_view_inputs(state, team)
        if sent is not None and same_inputs(sent.inputs, inputs):
            # Only the chat changed (nearly half of all actions): no view to build or compare.
            view = sent.view
        elif sent is not None and (
            edited := team_view_after_text_edit(
                scenario, state, team_id, sent.inputs, inputs, sent.view
            )
        ):
            view = edited  # only texts changed: the parts that read them are rebuilt
        else:
            memo = sent.memo if sent is not None else {}
            view = engine.team_view(
                scenario, state, team_id, chat_limit=0, activity_limit=0, memo=memo
            )
            for name in APPENDED_KEYS:
                view.pop(name, None)
        if sent is None:
            sent = _Sent(self._versions.next(), view, count, activity_count, inputs, memo)
            self._sent[key] = sent
            # Nobody in this process holds a version of this team yet; a member still in the
            # room from before gets the whole view.
            emit(
                {
                    "teamId": team_id,
                    "version": sent.version,
                    "base": None,
                    "set": view,
                    "chat": chat_messages(team, CHAT_IN_VIEW),
                    "chatCount": count,
                    "activity": entries(team.activity, ACTIVITY_IN_VIEW),
                    "activityCount": activity_count,
                    **({"textUpdates": text_updates} if text_updates else {}),
                }
            )
            return sent
        parts = changed(sent.view, view) if view is not sent.view else {}
        if (
            not parts
            and not text_updates
            and count == sent.chat_count
            and activity_count == sent.activity_count
        ):
            sent.inputs = inputs
            return sent
        fields = field_parts(sent.view, parts)
        fresh = min(count - sent.chat_count, CHAT_IN_VIEW)
        done = min(activity_count - sent.activity_count, ACTIVITY_IN_VIEW)
        patch = {
            "teamId": team_id,
            "version": self._versions.next(),
            "base": sent.version,
            "set": parts,
            "chat": chat_messages(team, fresh) if fresh > 0 else [],
            "chatCount": count,
            "activity": entries(team.activity, done) if done > 0 else [],
            "activityCount": activity_count,
        }
        if fields:
            patch["fields"] = fields
        if text_updates:
            patch["textUpdates"] = text_updates
        sent = _Sent(patch["version"], view, count, activity_count, inputs, sent.memo)
        self._sent[key] = sent
        emit(patch)
        return sent


class BoardSync:
    """The last board each session's facilitators were sent, and the patches that follow it."""

    def __init__(self, versions: Versions | None = None) -> None:
        self._versions = versions or Versions()
        self._sent: dict[str, _Sent] = {}
        self._lock = threading.Lock()

    def update(self, session_id: str, board: dict[str, Any], emit: Emit) -> None:
        """Emit the patch that brings the session's board room to ``board``."""
        with self._lock:
            self._update(session_id, board, emit)

    def snapshot(self, session_id: str, board: dict[str, Any], emit: Emit) -> dict[str, Any]:
        """Return ``board`` with its ``version``, first patching the room if it was behind."""
        with self._lock:
            sent = self._update(session_id, board, emit)
            return {**board, "version": sent.version}

    def forget_session(self, session_id: str) -> None:
        """Drop the board kept for a session (it left memory)."""
        with self._lock:
            self._sent.pop(session_id, None)

    def _update(self, session_id: str, board: dict[str, Any], emit: Emit) -> _Sent:
        teams = {team["id"]: team for team in board["teams"]}
        rest = {key: value for key, value in board.items() if key != "teams"}
        record = {"rest": rest, "teams": teams, "order": list(teams)}
        sent = self._sent.get(session_id)
        if sent is None:
            sent = _Sent(self._versions.next(), record)
            self._sent[session_id] = sent
            emit({"sessionId": session_id, "version": sent.version, "base": None, "board": board})
            return sent
        before = sent.view
        parts = changed(before["rest"], rest)
        team_parts = {}
        for team_id, body in teams.items():
            old = before["teams"].get(team_id)
            diff = body if old is None else changed(old, body)
            if diff:
                team_parts[team_id] = diff
        reordered = record["order"] != before["order"]
        if not parts and not team_parts and not reordered:
            return sent
        patch: dict[str, Any] = {
            "sessionId": session_id,
            "version": self._versions.next(),
            "base": sent.version,
            "set": parts,
            "teams": team_parts,
        }
        if reordered:
            patch["order"] = record["order"]
        sent = _Sent(patch["version"], record)
        self._sent[session_id] = sent
        emit(patch)
        return sent


# --- the client's rules --------------------------------------------------------------------------


class PatchGap(Exception):
    """A patch does not follow the version held: the client must ask for a full view."""


def apply_team_patch(view: dict[str, Any] | None, patch: dict[str, Any]) -> dict[str, Any]:
    """Return the team view after a patch (as a client merges it); raise PatchGap if it skips."""
    if patch["base"] is None:
        merged = dict(patch["set"])
        held: dict[str, Any] = {}
    else:
        if view is None or view.get("version") != patch["base"]:
            raise PatchGap(patch["base"])
        merged = {**view, **patch["set"]}
        held = view
        for key, entries_ in (patch.get("fields") or {}).items():
            merged[key] = {**(view.get(key) or {}), **entries_}
    for key, limit in (("chat", CHAT_IN_VIEW), ("activity", ACTIVITY_IN_VIEW)):
        merged[key] = _appended(held.get(key) or [], patch.get(key) or [], limit)
        merged[key + "Count"] = patch.get(key + "Count", len(merged[key]))
    merged["version"] = patch["version"]
    return merged


def _appended(
    held: list[dict[str, Any]], fresh: list[dict[str, Any]], limit: int
) -> list[dict[str, Any]]:
    """Return held entries with the fresh ones appended by index ``n``, the newest ``limit``."""
    items = list(held)
    if fresh:
        first = fresh[0]["n"]
        items = [m for m in items if m["n"] < first] + list(fresh)
    return items[-limit:]


def apply_board_patch(board: dict[str, Any] | None, patch: dict[str, Any]) -> dict[str, Any]:
    """Return the board after a patch (as a console merges it); raise PatchGap if it skips."""
    if patch["base"] is None:
        return {**patch["board"], "version": patch["version"]}
    if board is None or board.get("version") != patch["base"]:
        raise PatchGap(patch["base"])
    merged = {**board, **patch["set"]}
    teams = {team["id"]: team for team in board["teams"]}
    for team_id, part in patch.get("teams", {}).items():
        teams[team_id] = {**teams.get(team_id, {}), **part}
    order = patch.get("order") or [team["id"] for team in board["teams"]]
    merged["teams"] = [teams[team_id] for team_id in order if team_id in teams]
    merged["version"] = patch["version"]
    return merged
