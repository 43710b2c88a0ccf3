"""Update markers: how the swarm recognises its own actions in the views the server sends back.

Chat messages and draft texts carry a unique marker at their end (``... [#g0-1f]``); a diagnostic
or an evidence mark is recognised by what it adds to the team's state; a shared-text edit by its
Yjs update, which Practicum relays in a team patch's ``textUpdates`` and the reference in its
``team`` relay.
The same keys work for Practicum's team views and for the reference server's relays, so one
matcher serves both.
"""

from __future__ import annotations

from typing import Any

OPEN = "[#"
CLOSE = "]"


def tag(text: str, marker: str) -> str:
    """Return text with the marker appended."""
    return f"{text} {OPEN}{marker}{CLOSE}"


def marker_of(text: Any) -> str | None:
    """Return the marker a text ends with, or None."""
    if not isinstance(text, str) or not text.endswith(CLOSE):
        return None
    start = text.rfind(OPEN)
    if start < 0:
        return None
    return text[start + len(OPEN) : -len(CLOSE)] or None


def diagnostic_key(diagnostic: str) -> str:
    """Return the key of a diagnostic run."""
    return f"d:{diagnostic}"


def evidence_key(diagnostic: str, cause: str, stance: int) -> str:
    """Return the key of an evidence mark."""
    return f"e:{diagnostic}:{cause}:{stance}"


def action_key(event: str, payload: dict[str, Any]) -> str | None:
    """Return the key by which an action's effect is recognised in a later view."""
    if event in ("chat", "write_text"):
        return marker_of(payload.get("text"))
    if event == "edit_text":
        # A shared-text edit is known by its update, which the server relays as it came.
        update = payload.get("update")
        return f"x:{update}" if isinstance(update, str) and update else None
    if event == "run_diagnostic":
        return diagnostic_key(payload["diagnostic"])
    if event == "mark_evidence":
        return evidence_key(payload["diagnostic"], payload["cause"], payload["stance"])
    return None


def is_exact(key: str) -> bool:
    """Say whether a key stays visible once applied (chat, runs, marks; not overwritable texts)."""
    return key.startswith(("d:", "e:", "c-"))


def view_keys(view: dict[str, Any], chat_seen: int) -> tuple[list[str], int]:
    """Return the keys a team view (or a reference relay) shows and the new chat watermark.

    Only chat messages past ``chat_seen`` (the ``chatCount`` of the previous view this reader
    processed) are scanned, so a long chat costs nothing once read.
    """
    if "relay" in view:
        key = action_key(view["relay"], view.get("data") or {})
        return ([key] if key else []), chat_seen
    keys: list[str] = []
    count = int(view.get("chatCount", 0))
    fresh = count - chat_seen
    chat = view.get("chat") or []
    if fresh > 0:
        for message in chat[max(0, len(chat) - fresh) :]:
            marker = marker_of(message.get("text"))
            if marker:
                keys.append(marker)
    for text in (view.get("texts") or {}).values():
        marker = marker_of(text)
        if marker:
            keys.append(marker)
    for run in view.get("diagnostics") or ():
        keys.append(diagnostic_key(run["diagnostic"]))
    for mark in view.get("evidence") or ():
        keys.append(evidence_key(mark["diagnostic"], mark["cause"], mark["stance"]))
    return keys, max(count, chat_seen)
