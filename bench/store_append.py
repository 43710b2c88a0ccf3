"""Micro-benchmark of the event store's hot path: µs per `EventStore.append`.

Every accepted action is one append: the action row and its events in one transaction,
committed before the ack. This times N appends the way the server makes them (a chat-sized
event with an action id and its ack, spread over a few sessions) on a fresh SQLite file with
the production pragmas, and prints wall and CPU µs per append as JSON.

    .venv/bin/python -m bench.store_append                # 5,000 appends, NORMAL
    .venv/bin/python -m bench.store_append --eventlet     # monkey-patched, as the server runs
    .venv/bin/python -m bench.store_append --synchronous FULL --appends 2000
    .venv/bin/python -m bench.store_append --postgres --eventlet   # PostgreSQL 15 on loopback
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _payload(number: int) -> tuple[str, str | None, dict[str, Any]]:
    text = "I think the FCR drop started after the knowledge base migration"
    return (
        "chat_posted",
        "t_1",
        {"learner_id": f"l_{number % 40}", "name": "Learner", "text": text, "at": 1.0e9},
    )


def run(
    appends: int, sessions: int, synchronous: str, repeats: int, postgres: Any = None
) -> dict[str, Any]:
    """Time `appends` appends over `sessions` sessions; return the best of `repeats` runs.

    With `postgres` (a started `tests.services.Postgres`), each run uses a fresh schema on it.
    """
    from practicum.server.store import EventStore, SessionRow

    best_wall = best_cpu = float("inf")
    for _ in range(repeats):
        workdir = Path(tempfile.mkdtemp(prefix="practicum-bench-store-"))
        url = postgres.new_database() if postgres else f"sqlite:///{workdir / 'events.db'}"
        store = EventStore(url, synchronous)
        try:
            seqs: dict[str, int] = {}
            for number in range(sessions):
                session_id = f"s_bench{number:03d}"
                row = SessionRow(session_id, "harbor", f"B{number:05d}", 0.0, "live")
                seqs[session_id] = store.create_session(row, [("session_created", None, {})])
            ids = list(seqs)
            # Warm the pool and the statement cache, as a running server has.
            store.append(ids[0], seqs[ids[0]], [_payload(0)], 1.0, "warm-up", {"ok": True})
            seqs[ids[0]] += 1
            wall, cpu = time.perf_counter(), time.process_time()
            for number in range(appends):
                session_id = ids[number % sessions]
                seqs[session_id] = store.append(
                    session_id,
                    seqs[session_id],
                    [_payload(number)],
                    1.0e9 + number,
                    f"act-{number:08d}",
                    {"ok": True, "messageId": f"m{number}"},
                )
            best_wall = min(best_wall, time.perf_counter() - wall)
            best_cpu = min(best_cpu, time.process_time() - cpu)
        finally:
            store.dispose()
            shutil.rmtree(workdir, ignore_errors=True)
    return {
        "database": "postgresql" if postgres else "sqlite",
        "appends": appends,
        "sessions": sessions,
        "synchronous": synchronous,
        "wallMicrosPerAppend": round(best_wall / appends * 1e6, 1),
        "cpuMicrosPerAppend": round(best_cpu / appends * 1e6, 1),
    }


def main(argv: list[str] | None = None) -> None:
    """Parse the options, run, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=5000)
    parser.add_argument("--sessions", type=int, default=25)
    parser.add_argument("--synchronous", default="NORMAL")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--eventlet", action="store_true", help="monkey-patch first")
    parser.add_argument("--postgres", action="store_true", help="on a PostgreSQL it starts")
    options = parser.parse_args(argv)
    if options.eventlet:
        import warnings

        warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
        import eventlet

        eventlet.monkey_patch()
    postgres = None
    if options.postgres:
        from tests.services import Postgres

        postgres = Postgres()
        postgres.start()
    try:
        result = run(
            options.appends, options.sessions, options.synchronous, options.repeats, postgres
        )
    finally:
        if postgres is not None:
            postgres.stop()
    result["eventlet"] = options.eventlet
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
