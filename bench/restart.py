"""The restart check: a log of N sessions and M events, then how soon a new process serves again.

The log is written the way the server writes it (one `sessions` row per session, every event
with its seq, one `actions` row per accepted action), from commands the real engine decided:
40 learners join each session, form teams of four, the facilitator starts round 1, and the
learners play the bench mix (chat, drafts, diagnostics, evidence marks) until the session has its
share of the events. The server is then started on that database and timed until /healthz
answers, until a facilitator's `watch` of one session is answered with its board, and until
/healthz reports `warm` (every live session rebuilt: the server listens first and rebuilds in
the background; a session asked for sooner is loaded on first use).

    .venv/bin/python -m bench.restart --restarts 3
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import requests
import socketio
from sqlalchemy import insert

from bench.mix import DEFAULT_WEIGHTS, TeamLedger, build_action, choose, playbook
from bench.procs import Server
from practicum import engine
from practicum.scenario.loader import load_scenario
from practicum.server.store import EventStore, SessionRow, actions_table, events_table

ROOT = Path(__file__).resolve().parents[1]
LEARNERS_PER_SESSION = 40
TEAM_SIZE = 4


def _dumps(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


class SessionLog:
    """One session played through the engine, its events and actions kept as table rows."""

    def __init__(self, scenario: Any, session_id: str, code: str, now: float) -> None:
        self.scenario = scenario
        self.session_id = session_id
        self.code = code
        self.now = now
        self.events = engine.new_session(scenario, session_id, code, now)
        self.state = engine.replay(scenario, self.events)
        self.first = len(self.events)
        self.rows: list[dict[str, Any]] = []
        self.actions: list[dict[str, Any]] = []

    def command(self, type_: str, actor: Any, data: dict[str, Any], action_id: str) -> bool:
        """Decide and fold one command; keep its rows; say whether it was accepted."""
        decision = engine.decide(
            self.scenario, self.state, engine.Command(type_, actor, data), self.now
        )
        if isinstance(decision, engine.Rejected):
            return False
        for event in decision.events:
            self.state = engine.evolve(self.scenario, self.state, event)
            self.events.append(event)
            self.rows.append(
                {
                    "session_id": self.session_id,
                    "seq": len(self.events),
                    "type": event.type,
                    "team": event.team,
                    "data": _dumps(event.data),
                    "at": self.now,
                    "action_id": action_id,
                }
            )
        self.actions.append(
            {
                "session_id": self.session_id,
                "action_id": action_id,
                "seq": len(self.events),
                "result": _dumps({"ok": True, **decision.result}),
            }
        )
        return True


def play_session(scenario: Any, number: int, events_wanted: int, now: float) -> SessionLog:
    """Return a session played until it holds about `events_wanted` events."""
    rng = random.Random(number)
    log = SessionLog(scenario, f"s_restart{number:03d}", f"R{number:05d}", now)
    facilitator = engine.Actor(engine.FACILITATOR)
    book = playbook(scenario)
    counter = 0

    def next_id() -> str:
        nonlocal counter
        counter += 1
        return f"restart-{number}-{counter:07d}"

    learners = [f"l_{number}_{i}" for i in range(LEARNERS_PER_SESSION)]
    teams: list[tuple[str, list[str], TeamLedger]] = []
    for index, learner in enumerate(learners):
        actor = engine.Actor(engine.LEARNER, learner)
        log.command("join_session", actor, {"learner_id": learner, "name": f"L{index}"}, next_id())
        if index % TEAM_SIZE == 0:
            team_id = f"t_{number}_{index // TEAM_SIZE}"
            log.command(
                "create_team", actor, {"team_id": team_id, "name": f"Team {index}"}, next_id()
            )
            teams.append((team_id, [learner], TeamLedger(list(book.diagnostics), book.causes)))
        else:
            team_id, members, _ = teams[-1]
            log.command("join_team", actor, {"team": team_id}, next_id())
            members.append(learner)
    log.command("start_session", facilitator, {}, next_id())
    while len(log.events) < events_wanted:
        team_id, members, ledger = rng.choice(teams)
        learner = rng.choice(members)
        kind = choose(rng, DEFAULT_WEIGHTS, ledger)
        marker = f"{'c' if kind == 'chat' else 'w'}-r{number}x{counter}"
        payload = build_action(kind, rng, ledger, book, marker)
        accepted = log.command(kind, engine.Actor(engine.LEARNER, learner), payload, next_id())
        if accepted and kind == "run_diagnostic":
            ledger.holds(payload["diagnostic"], rng)
    return log


def write_log(url: str, scenario: Any, sessions: int, events: int, now: float) -> int:
    """Write `sessions` played sessions holding `events` events in all; return the count."""
    store = EventStore(url)
    written = 0
    try:
        for number in range(sessions):
            share = events // sessions + (1 if number < events % sessions else 0)
            log = play_session(scenario, number, share, now)
            first = [(e.type, e.team, e.data) for e in log.events[: log.first]]
            store.create_session(
                SessionRow(log.session_id, scenario.id, log.code, now, "live"), first
            )
            with store.engine.begin() as conn:
                for start in range(0, len(log.rows), 5000):
                    conn.execute(insert(events_table), log.rows[start : start + 5000])
                conn.execute(insert(actions_table), log.actions)
            written += len(log.events)
    finally:
        store.dispose()
    return written


def _watch_seconds(server: Server, session_id: str, started: float) -> float:
    """Connect a facilitator, watch a session, return the seconds since `started`."""
    client = socketio.Client(reconnection=False)
    try:
        client.connect(
            server.url,
            namespaces=["/facilitate"],
            auth={"token": server.token()},
            transports=["websocket"],
            wait_timeout=10,
        )
        ack = client.call("watch", {"sessionId": session_id}, namespace="/facilitate", timeout=10)
        if not ack.get("ok"):
            raise RuntimeError(f"watch failed: {ack}")
        return time.monotonic() - started
    finally:
        client.disconnect()


def _warm_seconds(server: Server, started: float, timeout: float = 30.0) -> float:
    """Poll /healthz until every live session is rebuilt; return the seconds since `started`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if requests.get(f"{server.url}/healthz", timeout=5).json().get("warm"):
            return time.monotonic() - started
        time.sleep(0.02)
    raise RuntimeError(f"sessions not rebuilt within {timeout} s")


def run_restart(sessions: int = 25, events: int = 100_000, restarts: int = 1) -> dict[str, Any]:
    """Build the log, start a server on it `restarts` times, and time how soon it serves.

    With more than one restart the timings are medians (the lists are kept too): on a shared
    2-core machine one start can be a few tenths of a second off.
    """
    scenario = load_scenario(ROOT / "scenarios" / "harbor.json")
    workdir = Path(tempfile.mkdtemp(prefix="practicum-bench-restart-"))
    serves: list[float] = []
    watches: list[float] = []
    warms: list[float] = []
    try:
        empty = Server("practicum", workdir / "empty")
        (workdir / "empty").mkdir()
        try:
            empty_seconds = empty.start()
        finally:
            empty.stop()
        full_dir = workdir / "full"
        full_dir.mkdir()
        built = time.monotonic()
        written = write_log(
            f"sqlite:///{full_dir / 'practicum.db'}", scenario, sessions, events, time.time()
        )
        build_seconds = time.monotonic() - built
        for _ in range(restarts):
            server = Server("practicum", full_dir)
            try:
                started = time.monotonic()
                serves.append(server.start())
                watches.append(_watch_seconds(server, "s_restart000", started))
                warms.append(_warm_seconds(server, started))
                rss_mb = server.rss() / 1024 / 1024
            finally:
                server.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    result: dict[str, Any] = {
        "sessions": sessions,
        "events": written,
        "buildSeconds": round(build_seconds, 1),
        "emptyStartSeconds": round(empty_seconds, 2),
        "serveSeconds": round(statistics.median(serves), 2),
        "watchSeconds": round(statistics.median(watches), 2),
        "warmSeconds": round(statistics.median(warms), 2),
        "rssMB": round(rss_mb, 1),
    }
    if restarts > 1:
        result["serveSecondsAll"] = [round(s, 2) for s in serves]
        result["watchSecondsAll"] = [round(s, 2) for s in watches]
        result["warmSecondsAll"] = [round(s, 2) for s in warms]
    return result


def main(argv: list[str] | None = None) -> None:
    """Parse the options, run, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=25)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--restarts", type=int, default=1, help="starts on the same log")
    options = parser.parse_args(argv)
    print(json.dumps(run_restart(options.sessions, options.events, options.restarts), indent=1))


if __name__ == "__main__":
    main()
