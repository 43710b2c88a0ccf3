"""Summarise a py-spy raw profile (collapsed stacks): where the server's time goes.

``python -m bench.profile PROFILE.raw [--top 30] [--under FUNCTION]`` prints the functions with
the most inclusive and self time, as shares of all samples (or of the samples that pass through
FUNCTION).
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path


def read_stacks(path: Path) -> list[tuple[list[str], int]]:
    """Return (frames from root to leaf, sample count) for each line of a raw profile."""
    stacks = []
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        stacks.append((stack.split(";"), int(count)))
    return stacks


def short(frame: str) -> str:
    """Return a frame as `function (file:line)` with the file's directories dropped."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")")
    file, _, _line = where.rpartition(":")
    parts = file.split("/")
    return f"{name} ({'/'.join(parts[-2:])})"


def summarise_profile(
    stacks: list[tuple[list[str], int]], under: str | None = None
) -> tuple[int, Counter[str], Counter[str]]:
    """Return total samples, inclusive and self counts per function (lines merged)."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for frames, count in stacks:
        names = [short(f) for f in frames]
        if under is not None:
            hits = [i for i, n in enumerate(names) if n.startswith(under + " ")]
            if not hits:
                continue
            names = names[hits[0] :]
        total += count
        for name in set(names):
            inclusive[name] += count
        own[names[-1]] += count
    return total, inclusive, own


# Where a sample's time goes: the first rule any frame of the stack matches (checked in order).
CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("start-up (imports, app factory)", ("<module> (wsgi.py)",)),
    ("facilitator boards (build + encode)", ("Broadcaster._send_board",)),
    (
        "joining and connecting",
        (
            "on_join_session",
            "on_play_connect",
            "on_facilitate_connect",
            "on_watch",
            "_handle_connect (socketio",
            "on_disconnect",
        ),
    ),
    ("event store (SQLAlchemy + SQLite)", ("EventStore.",)),
    ("engine decide + evolve", ("Practicum.apply",)),
    ("team view build", ("team_view (engine", "learner_view (engine", "public_view (engine")),
    ("JSON encode of emits and acks", ("Packet.encode",)),
    ("payload validation (marshmallow)", ("load (server/messages.py)",)),
    ("emit fan-out to sockets", ("Manager.emit",)),
    ("presence and rooms", ("_follow_membership", "Presence.", "presence_changed")),
    ("size check and rate limit", ("guarded.<locals>.wrapper",)),
    ("Flask request context per event", ("RequestContext", "AppContext")),
    ("Socket.IO dispatch", ("_handle_event_internal", "_trigger_event", "_handle_eio_message")),
    ("websocket I/O, pings, event loop", ("eventlet", "engineio", "greenio", "hubs/")),
)


def categorise(stacks: list[tuple[list[str], int]]) -> tuple[int, Counter[str]]:
    """Return total samples and samples per category of CATEGORIES (else "other")."""
    totals: Counter[str] = Counter()
    total = 0
    for frames, count in stacks:
        names = [short(f) for f in frames]
        total += count
        for category, markers in CATEGORIES:
            if any(marker in name for name in names for marker in markers):
                totals[category] += count
                break
        else:
            totals["other"] += count
    return total, totals


def report(path: Path, top: int = 30, under: str | None = None) -> str:
    """Return the text summary of a profile."""
    total, inclusive, own = summarise_profile(read_stacks(path), under)
    lines = [f"{total} samples" + (f" under {under}" if under else "")]
    if under is None:
        all_samples, categories = categorise(read_stacks(path))
        lines.append("by category:")
        for name, count in categories.most_common():
            lines.append(f"  {100 * count / max(1, all_samples):5.1f}%  {name}")
    lines.append("inclusive:")
    for name, count in inclusive.most_common(top):
        lines.append(f"  {100 * count / max(1, total):5.1f}%  {name}")
    lines.append("self:")
    for name, count in own.most_common(top):
        lines.append(f"  {100 * count / max(1, total):5.1f}%  {name}")
    return "\n".join(lines)


def main() -> None:
    """Print a profile summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--under", default=None, help="only stacks through this function")
    args = parser.parse_args()
    print(report(args.profile, args.top, args.under))


if __name__ == "__main__":
    main()
