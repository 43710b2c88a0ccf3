"""What one session holds in a Practicum server's memory, measured by loading its log again.

A step's server is gone when the step ends, but its event log is still on disk. This loads a
few of its sessions the way the server holds them, and measures what stays allocated:

- the folded state, measured with tracemalloc;
- a team view per team, with its memo, and the board with its memo, measured with tracemalloc;
- each edited field's CRDT document, which the server keeps merged and ready. It lives in Yrs's
  (Rust's) heap, which tracemalloc cannot see, so the process's RSS measures it.

It runs in a process of its own, so that tracing slows and counts nothing else:

    .venv/bin/python -m bench.session_memory PATH/TO/practicum.db [--sample 3]
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
KB = 1024


def _traced() -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def _warm_up_crdt() -> None:
    """Build and drop one document, so that Yrs's first allocations are not counted."""
    from practicum.engine.shared_text import SharedText

    SharedText().replace("warm up")


def measure_session(store: Any, scenario: Any, session_id: str) -> dict[str, Any]:
    """Load one session from ``store`` as a server holds it; return what each part keeps."""
    from practicum import engine
    from practicum.server.service import _to_events
    from practicum.server.viewsync import BoardSync, TeamSync

    process = psutil.Process()
    tracemalloc.start()
    try:
        before = _traced()
        facts = store.load_facts(session_id)
        events = len(facts)
        state = engine.replay(scenario, _to_events(facts))
        now = max((fact[3].get("at") or 0.0 for fact in facts), default=0.0)
        del facts  # the server keeps the state, not the rows it was folded from
        after_state = _traced()
        teams, boards, memo = TeamSync(), BoardSync(), {}
        for team_id in state.teams:
            teams.update(scenario, state, session_id, team_id, lambda _patch: None)
        board = engine.facilitator_view(scenario, state, now, memo=memo)
        boards.update(session_id, board, lambda _patch: None)
        del board
        after_views = _traced()
        _warm_up_crdt()
        rss = process.memory_info().rss
        for team in state.teams.values():
            for text in team.docs.values():
                text.document()  # built once and kept inside the text, as the server keeps it
        crdt = max(0, process.memory_info().rss - rss) + _traced() - after_views
    finally:
        tracemalloc.stop()
    return {
        "sessionId": session_id,
        "events": events,
        "stateKB": round((after_state - before) / KB, 1),
        "viewsKB": round((after_views - after_state) / KB, 1),
        "crdtKB": round(crdt / KB, 1),
    }


def measure(database: Path, sample: int = 3) -> dict[str, Any]:
    """Measure up to ``sample`` sessions of a SQLite log; return each and their medians."""
    from practicum.scenario.loader import load_scenario
    from practicum.server.store import EventStore

    store = EventStore(f"sqlite:///{database}")
    try:
        rows = sorted(store.sessions(), key=lambda row: row.id)[:sample]
        scenarios: dict[str, Any] = {}
        sessions = []
        for row in rows:
            if row.scenario_id not in scenarios:
                path = ROOT / "scenarios" / f"{row.scenario_id}.json"
                scenarios[row.scenario_id] = load_scenario(path)
            sessions.append(measure_session(store, scenarios[row.scenario_id], row.id))
    finally:
        store.dispose()
    summary: dict[str, Any] = {"sessions": sessions}
    for key in ("events", "stateKB", "viewsKB", "crdtKB"):
        summary[key] = statistics.median(s[key] for s in sessions) if sessions else 0
    summary["totalKB"] = round(summary["stateKB"] + summary["viewsKB"] + summary["crdtKB"], 1)
    return summary


def measure_in_subprocess(
    database: Path, sample: int = 3, timeout: float = 300.0
) -> dict[str, Any]:
    """Run `measure` in a fresh process; return its result, or ``{"error": message}``."""
    command = [sys.executable, "-m", "bench.session_memory", str(database), "--sample", str(sample)]
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
        if done.returncode == 0:
            return json.loads(done.stdout)
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    except (subprocess.TimeoutExpired, json.JSONDecodeError) as exc:  # a report, not a crash
        return {"error": str(exc)}


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments, measure, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path, help="a Practicum SQLite event log")
    parser.add_argument("--sample", type=int, default=3, help="how many sessions to load")
    options = parser.parse_args(argv)
    print(json.dumps(measure(options.database, options.sample)))


if __name__ == "__main__":
    main()
