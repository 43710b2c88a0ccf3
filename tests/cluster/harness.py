"""A cluster for tests: two processes behind HAProxy, a first round that times out at once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.cluster import Cluster, missing_programs
from tests.services import unavailable

ROOT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 3.0


@contextmanager
def running_cluster(base: Path) -> Iterator[Cluster]:
    """Start a cluster under `base` (skip locally, fail in CI without the packages)."""
    missing = missing_programs()
    if missing:
        unavailable(f"a cluster needs {' '.join(missing)} (apt-get install -y ...)")
    try:
        import psycopg  # noqa: F401
        import redis  # noqa: F401
    except ImportError as exc:
        unavailable(f"a cluster needs the psycopg and redis clients: {exc}")
    scenarios = base / "scenarios"
    scenarios.mkdir(parents=True)
    harbor = json.loads((ROOT / "scenarios" / "harbor.json").read_text())
    harbor["rounds"][0]["minutes"] = 0  # the round times out at its first tick
    (scenarios / "harbor.json").write_text(json.dumps(harbor))
    cluster = Cluster(
        processes=2,
        lease_seconds=LEASE_SECONDS,
        env={
            "PRACTICUM_SCENARIO_DIR": str(scenarios),
            "PRACTICUM_JOIN_ATTEMPTS_PER_MINUTE": "1000",
            "PRACTICUM_BOARD_INTERVAL": "0.2",
        },
        base=base / "cluster",
    )
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


def owner_of(cluster: Cluster, session_id: str) -> str:
    """Return the name of the process that holds the session's lease."""
    import psycopg
    import requests

    dsn = cluster.database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT owner FROM session_owners WHERE session_id = %s", (session_id,)
        ).fetchone()
    assert row is not None, "nobody owns the session"
    owners = {
        requests.get(f"{app.url}/healthz", timeout=5).json()["owner"]: app
        for app in cluster.apps
        if app.alive
    }
    return owners[row[0]].name
