"""History: does a server with many past sessions in its log start and idle like one with none?

A log is written with `ended` sessions that were played and closed and `idle` sessions that were
played and left live but unused for longer than the idle limit (each played by the real engine:
40 learners join and form teams, round 1 starts, the bench mix runs until the session holds its
share of events). A server is then started on an empty log and on the full one, `starts` times
each, alternating; each start is timed until /healthz answers and until it reports `warm`, its
RSS read once warm, and the session list fetched over the API. The server's /healthz says how
many sessions it holds in memory: after a start on history it must be none.

    .venv/bin/python -m bench.history --ended 1000 --idle 1000 --starts 3
    .venv/bin/python -m bench.history --ended 5000 --idle 5000
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import insert

from bench.procs import Server
from bench.restart import SessionLog, play_session
from practicum import engine
from practicum.scenario.loader import load_scenario
from practicum.server.store import EventStore, SessionRow, actions_table, events_table

ROOT = Path(__file__).resolve().parents[1]
DAY = 86_400.0
TEMPLATES = 8  # played sessions; the others are copies of these under their own ids and codes
EVENTS_PER_SESSION = 120


def _renamed(
    rows: list[dict[str, Any]], old: tuple[str, str], new: tuple[str, str]
) -> list[dict[str, Any]]:
    """Return a template's rows under another session id and join code."""
    (old_id, old_code), (new_id, new_code) = old, new
    return [
        {
            **row,
            "session_id": new_id,
            **(
                {"data": row["data"].replace(old_id, new_id).replace(old_code, new_code)}
                if "data" in row
                else {}
            ),
        }
        for row in rows
    ]


def _templates(scenario: Any, now: float) -> list[tuple[SessionLog, SessionLog]]:
    """Play `TEMPLATES` sessions twice each: paused and left, and ended by the facilitator."""
    facilitator = engine.Actor(engine.FACILITATOR)
    pairs = []
    for number in range(TEMPLATES):
        live = play_session(scenario, number, EVENTS_PER_SESSION, now)
        # Left with the clock paused: a running clock would have to fire, so it would load.
        if not live.command("pause", facilitator, {}, f"pause-{number}"):
            raise RuntimeError("the template session could not be paused")
        ended = play_session(scenario, number, EVENTS_PER_SESSION, now)
        if not ended.command("end_session", facilitator, {}, f"end-{number}"):
            raise RuntimeError("the template session could not be ended")
        pairs.append((live, ended))
    return pairs


def write_history(url: str, ended: int, idle: int, now: float) -> dict[str, int]:
    """Write `ended` closed and `idle` idle live sessions into the log at `url`; count them."""
    scenario = load_scenario(ROOT / "scenarios" / "harbor.json")
    pairs = _templates(scenario, now - 30 * DAY)
    store = EventStore(url)
    events = 0
    try:
        for number in range(ended + idle):
            closed = number < ended
            log = pairs[number % TEMPLATES][1 if closed else 0]
            new = (f"s_hist{number:06d}", f"H{number:06d}")
            old = (log.session_id, log.code)
            first = [
                (e.type, e.team, e.data)
                for e in engine.new_session(scenario, new[0], new[1], now - 30 * DAY)
            ]
            learners = sum(1 for r in log.rows if r["type"] == "learner_joined")
            teams = sum(1 for r in log.rows if r["type"] == "team_created")
            store.create_session(
                SessionRow(
                    new[0],
                    scenario.id,
                    new[1],
                    now - 30 * DAY,
                    "closed" if closed else "live",
                    phase="closed" if closed else "round",
                    teams=teams,
                    learners=learners,
                    updated_at=now - 20 * DAY,
                ),
                first,
            )
            with store.engine.begin() as conn:
                conn.execute(insert(events_table), _renamed(log.rows, old, new))
                conn.execute(insert(actions_table), _renamed(log.actions, old, new))
            events += len(first) + len(log.rows)
    finally:
        store.dispose()
    return {"ended": ended, "idle": idle, "events": events}


def _warm(server: Server, timeout: float = 60.0) -> tuple[float, dict[str, Any]]:
    """Poll /healthz until warm; return the monotonic time it was and its answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        health = requests.get(f"{server.url}/healthz", timeout=5).json()
        if health.get("warm"):
            return time.monotonic(), health
        time.sleep(0.02)
    raise RuntimeError(f"not warm within {timeout} s")


def _one_start(workdir: Path) -> dict[str, Any]:
    """Start a server on `workdir`'s log; time it, read its memory and its session list."""
    server = Server("practicum", workdir)
    try:
        started = time.monotonic()
        serve = server.start()
        warm_at, health = _warm(server)
        time.sleep(0.5)  # let start-up garbage be collected before reading memory
        rss = server.rss()
        token = server.token()
        asked = time.monotonic()
        reply = requests.get(
            f"{server.url}/api/sessions", headers={"Authorization": f"Bearer {token}"}, timeout=60
        )
        reply.raise_for_status()
        list_seconds = time.monotonic() - asked
        after = requests.get(f"{server.url}/healthz", timeout=5).json()
        return {
            "serveSeconds": serve,
            "warmSeconds": warm_at - started,
            "rssMB": rss / 1024 / 1024,
            "loadedAtWarm": health.get("loaded"),
            "listed": len(reply.json()["sessions"]),
            "listSeconds": list_seconds,
            "loadedAfterList": after.get("loaded"),
        }
    finally:
        server.stop()


def _median(runs: list[dict[str, Any]], key: str, digits: int = 2) -> float:
    return round(statistics.median(run[key] for run in runs), digits)


def run_history(ended: int = 1000, idle: int = 1000, starts: int = 3) -> dict[str, Any]:
    """Build an empty log and a history log; start servers on each alternately; compare."""
    workdir = Path(tempfile.mkdtemp(prefix="practicum-bench-history-"))
    try:
        empty_dir, full_dir = workdir / "empty", workdir / "full"
        empty_dir.mkdir()
        full_dir.mkdir()
        EventStore(f"sqlite:///{empty_dir / 'practicum.db'}").dispose()
        built = time.monotonic()
        written = write_history(f"sqlite:///{full_dir / 'practicum.db'}", ended, idle, time.time())
        build_seconds = time.monotonic() - built
        runs: dict[str, list[dict[str, Any]]] = {"empty": [], "history": []}
        for _ in range(starts):
            runs["empty"].append(_one_start(empty_dir))
            runs["history"].append(_one_start(full_dir))
        size_mb = (full_dir / "practicum.db").stat().st_size / 1024 / 1024
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    result: dict[str, Any] = {**written, "buildSeconds": round(build_seconds, 1)}
    result["databaseMB"] = round(size_mb, 1)
    for name, group in runs.items():
        result[name] = {
            "serveSeconds": _median(group, "serveSeconds"),
            "warmSeconds": _median(group, "warmSeconds"),
            "rssMB": _median(group, "rssMB", 1),
            "listSeconds": _median(group, "listSeconds", 3),
            "listed": group[0]["listed"],
            "loadedAtWarm": max(run["loadedAtWarm"] for run in group),
            "loadedAfterList": max(run["loadedAfterList"] for run in group),
            "runs": group,
        }
    empty, history = result["empty"], result["history"]
    result["warmRatio"] = round(history["warmSeconds"] / max(1e-6, empty["warmSeconds"]), 2)
    result["rssRatio"] = round(history["rssMB"] / max(1e-6, empty["rssMB"]), 3)
    return result


def main(argv: list[str] | None = None) -> None:
    """Parse the options, run, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ended", type=int, default=1000)
    parser.add_argument("--idle", type=int, default=1000)
    parser.add_argument("--starts", type=int, default=3, help="starts on each log (medians)")
    options = parser.parse_args(argv)
    result = run_history(options.ended, options.idle, options.starts)
    for name in ("empty", "history"):
        for run in result[name]["runs"]:
            for key, value in run.items():
                if isinstance(value, float):
                    run[key] = round(value, 3)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
