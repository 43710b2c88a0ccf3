"""A cluster behind HAProxy as a bench target, measured like one server process.

`run_step` drives it through the proxy's URL; the swarm adds `?session=<id>` to every socket's
URL so HAProxy routes a session to one process (docs/deploying.md). Memory and CPU are summed
over the Practicum processes, and the proxy's, Redis's and PostgreSQL's CPU are kept apart so
the report can show where a cluster's cost goes.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any

import psutil

from bench.cluster import Cluster
from bench.procs import PASSWORD, api_create_session, api_token

# What `practicum_env` lifts for a single bench server, for every process of the cluster.
BENCH_ENV = {
    "PRACTICUM_FACILITATOR_PASSWORD": PASSWORD,
    "PRACTICUM_JOIN_ATTEMPTS_PER_MINUTE": "1000000",
    "PRACTICUM_MAX_CONNECTIONS_PER_ADDRESS": "1000000",
}


def _cpu(process: psutil.Process) -> float:
    with contextlib.suppress(psutil.Error):
        times = process.cpu_times()
        return times.user + times.system
    return 0.0


class ClusterServer:
    """PostgreSQL, Redis (or not), `processes` Practicum processes and HAProxy on loopback."""

    def __init__(
        self,
        workdir: Path,
        processes: int,
        redis: bool = True,
        async_mode: str = "eventlet",
        env: dict[str, str] | None = None,
    ) -> None:
        self.cluster = Cluster(
            processes=processes,
            redis=redis,
            base=workdir / "cluster",
            env={**BENCH_ENV, "PRACTICUM_ASYNC_MODE": async_mode, **(env or {})},
        )
        self.url = ""
        self.apps: list[psutil.Process] = []
        self.others: dict[str, list[psutil.Process]] = {}

    def start(self) -> float:
        """Start everything; return the seconds until the proxy answered."""
        started = time.monotonic()
        self.cluster.start()
        self.url = self.cluster.url
        self.apps = [psutil.Process(app.process.pid) for app in self.cluster.apps]  # type: ignore[union-attr]
        proxy = self.cluster.proxy
        self.others = {"haproxy": [psutil.Process(proxy.process.pid)]}  # type: ignore[union-attr]
        if self.cluster.redis is not None:
            self.others["redis"] = [psutil.Process(self.cluster.redis.process.pid)]  # type: ignore[union-attr]
        postmaster = int(
            (self.cluster.postgres.data / "postmaster.pid").read_text().split()[0]  # type: ignore[attr-defined]
        )
        self.others["postgres"] = [psutil.Process(postmaster)]
        return time.monotonic() - started

    def stop(self) -> None:
        """Stop everything."""
        self.cluster.stop()

    def rss(self) -> int:
        """Return the Practicum processes' resident memory, summed, in bytes."""
        return sum(p.memory_info().rss for p in self.apps)

    def cpu_seconds(self) -> float:
        """Return the Practicum processes' CPU time so far, summed."""
        return sum(_cpu(p) for p in self.apps)

    def parts_cpu_seconds(self) -> dict[str, float]:
        """Return the CPU time so far of the proxy, Redis and PostgreSQL (with its backends)."""
        parts = {}
        for name, processes in self.others.items():
            total = 0.0
            for process in processes:
                total += _cpu(process)
                with contextlib.suppress(psutil.Error):
                    total += sum(_cpu(child) for child in process.children(recursive=True))
            parts[name] = total
        return parts

    def app_cpu_seconds(self) -> list[float]:
        """Return each Practicum process's CPU time so far."""
        return [_cpu(p) for p in self.apps]

    def waits(self) -> tuple[int, float]:
        """Return involuntary context switches and disk-wait seconds, summed."""
        switches = sum(p.num_ctx_switches().involuntary for p in self.apps)
        iowait = sum(getattr(p.cpu_times(), "iowait", 0.0) for p in self.apps)
        return switches, iowait

    def token(self) -> str:
        """Sign in through the proxy."""
        return api_token(self.url)

    def create_session(self, token: str, scenario_id: str = "harbor") -> dict[str, Any]:
        """Create a session through the proxy."""
        return api_create_session(self.url, token, scenario_id)
