"""One bench step: a fresh server, a swarm of N learners, a measured window, a summary."""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import requests

from bench.cluster_target import ClusterServer
from bench.mix import DEFAULT_WEIGHTS, Playbook
from bench.procs import Generator, Server
from bench.session_memory import measure_in_subprocess
from bench.stats import summarise

MB = 1024 * 1024


@dataclass(frozen=True)
class StepConfig:
    """What one step runs."""

    target: str  # "practicum", "reference", or "cluster" (Practicum behind HAProxy)
    learners: int
    mode: str = "paced"  # "paced" or "saturate"
    session_size: int = 40
    team_size: int = 4
    interval: float = 5.0
    warmup: float = 5.0
    duration: float = 30.0
    drain: float = 10.0
    generators: int = 2
    async_mode: str = "eventlet"
    connect_concurrency: int = 32
    chat_backlog: int = 0
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    server_env: dict[str, str] = field(default_factory=dict)
    profile: Path | None = None
    seed: int = 1
    processes: int = 1  # a cluster's Practicum processes
    redis: bool = True  # a cluster's message queue (without it: one process only)

    @property
    def label(self) -> str:
        """Say what the step runs against, in a word or three."""
        mode = "" if self.async_mode == "eventlet" else f" {self.async_mode}"
        if self.target != "cluster":
            return self.target + mode
        return f"cluster {self.processes}p" + ("" if self.redis else " no-redis") + mode


def session_sizes(learners: int, session_size: int) -> list[int]:
    """Split learners into sessions of `session_size` (the last one may be smaller)."""
    full, rest = divmod(learners, session_size)
    return [session_size] * full + ([rest] if rest else [])


def _merge(parts: list[dict[str, Any]]) -> dict[str, Any]:
    samples = ("ackMs", "teamMs", "boardMs", "joinMs")
    merged: dict[str, Any] = {key: [] for key in samples}
    totals: dict[str, dict[str, int]] = {"counts": {}, "kinds": {}, "rejections": {}, "errors": {}}
    sums = ("learners", "joined", "lostUpdates", "lostDeliveries", "lostBoardUpdates")
    merged["ackTimes"] = []
    merged["ackByKind"], merged["teamByKind"] = {}, {}
    for part in parts:
        merged["ackTimes"].extend(part.get("ackTimes", []))
        for key in ("ackByKind", "teamByKind"):
            for kind, values in part.get(key, {}).items():
                merged[key].setdefault(kind, []).extend(values)
        for key in samples:
            merged[key].extend(part[key])
        for key, total in totals.items():
            for name, value in part[key].items():
                total[name] = total.get(name, 0) + value
        for key in sums:
            merged[key] = merged.get(key, 0) + part[key]
        merged["unresolvedUnacked"] = merged.get("unresolvedUnacked", 0) + part["unresolvedUnacked"]
    merged.update(totals)
    merged["connectSeconds"] = max((p["connectSeconds"] for p in parts), default=0.0)
    merged["window"] = max((p["window"] for p in parts), default=0.0)
    return merged


def run_step(config: StepConfig, playbook: Playbook, log: Any = print) -> dict[str, Any]:
    """Run one step and return its summary (raw samples are summarised, not kept)."""
    workdir = Path(tempfile.mkdtemp(prefix=f"practicum-bench-{config.target}-"))
    server: Server | ClusterServer
    if config.target == "cluster":
        server = ClusterServer(
            workdir, config.processes, config.redis, config.async_mode, env=config.server_env
        )
    else:
        server = Server(
            config.target,
            workdir,
            config.async_mode,
            env=config.server_env,
            profile=config.profile,
        )
    parts_start: dict[str, float] = {}
    parts_cpu: dict[str, float] = {}
    apps_start: list[float] = []
    apps_cpu: list[float] = []
    generators: list[Generator] = []
    session_memory: dict[str, Any] | None = None
    try:
        start_seconds = server.start()
        token = server.token()
        sizes = session_sizes(config.learners, config.session_size)
        sessions = []
        for size in sizes:
            created = server.create_session(token)
            sessions.append({**created, "learners": size})
        time.sleep(0.5)  # let the server settle before the idle reading
        rss_idle = server.rss()
        count = max(1, min(config.generators, len(sessions)))
        for number in range(count):
            plan = {
                "url": server.url,
                "target": "practicum" if config.target == "cluster" else config.target,
                "route_by_session": config.target == "cluster",
                "token": token,
                "sessions": sessions[number::count],
                "team_size": config.team_size,
                "interval": config.interval,
                "warmup": config.warmup,
                "duration": config.duration,
                "drain": config.drain,
                "mode": config.mode,
                "weights": config.weights,
                "playbook": playbook.to_dict(),
                "connect_concurrency": config.connect_concurrency,
                "chat_backlog": config.chat_backlog,
                # Connecting is bounded; a chat backlog adds its own bound (>= 200 messages/s).
                "connect_timeout": 180 + config.chat_backlog * config.learners / 4 / 200,
                "seed": config.seed * 100 + number,
                "prefix": f"g{number}",
            }
            generators.append(Generator(plan, workdir, number))
        ready = [json.loads(g.wait_line("READY", 600)) for g in generators]
        joined = sum(r["joined"] for r in ready)
        log(
            f"  {config.target} {config.mode} {config.learners}: {joined} joined in "
            f"{max(r['connectSeconds'] for r in ready):.1f} s"
        )
        time.sleep(1.0)
        rss_connected = server.rss()
        probe = LagProbe(server.url)
        go_at = time.monotonic()
        for generator in generators:
            generator.go()
        window_start = go_at + config.warmup
        window_end = window_start + config.duration
        rss_peak = rss_connected
        cpu_start = gen_start = None
        while time.monotonic() < window_end:
            if cpu_start is None and time.monotonic() >= window_start:
                cpu_start = server.cpu_seconds()
                gen_start = [g.cpu_seconds() for g in generators]
                busy_start = _busy_seconds()
                waits_start = server.waits()
                if isinstance(server, ClusterServer):
                    parts_start = server.parts_cpu_seconds()
                    apps_start = server.app_cpu_seconds()
                measured_from = time.monotonic()
            rss_peak = max(rss_peak, server.rss())
            time.sleep(0.25)
        if cpu_start is None:  # a zero-length window
            cpu_start, gen_start, measured_from = server.cpu_seconds(), [0.0], time.monotonic()
            busy_start = _busy_seconds()
            waits_start = server.waits()
        elapsed = max(1e-6, time.monotonic() - measured_from)
        server_cpu = (server.cpu_seconds() - cpu_start) / elapsed * 100
        if isinstance(server, ClusterServer) and parts_start:
            parts_cpu = {
                name: round((seconds - parts_start.get(name, 0.0)) / elapsed * 100, 1)
                for name, seconds in server.parts_cpu_seconds().items()
            }
            apps_cpu = [
                round((seconds - before) / elapsed * 100, 1)
                for seconds, before in zip(server.app_cpu_seconds(), apps_start, strict=False)
            ]
        gen_cpu = [
            (g.cpu_seconds() - s) / elapsed * 100
            for g, s in zip(generators, gen_start, strict=False)
        ]
        probe_ms = probe.stop()
        machine_cpu = (_busy_seconds() - busy_start) / elapsed * 100
        waits_end = server.waits()
        rss_end = server.rss()
        parts = [g.results(config.drain + config.warmup + 120) for g in generators]
    finally:
        for generator in generators:
            generator.kill()
        server.stop()
        database = workdir / "practicum.db"
        if config.target == "practicum" and database.exists():
            # What a session holds in memory, from the log the step left (issue 15).
            session_memory = measure_in_subprocess(database)
        shutil.rmtree(workdir, ignore_errors=True)
    merged = _merge(parts)
    return summarise_step(
        config,
        merged,
        {
            "startSeconds": round(start_seconds, 2),
            "cpuPercent": round(server_cpu, 1),
            "cpuMsPerAction": round(server_cpu * 10 * elapsed / max(1, len(merged["ackMs"])), 2),
            "healthzMs": summarise(probe_ms),
            "preemptedPerSecond": round((waits_end[0] - waits_start[0]) / elapsed, 1),
            "diskWaitPercent": round((waits_end[1] - waits_start[1]) / elapsed * 100, 1),
            "rssIdleMB": round(rss_idle / MB, 1),
            "rssConnectedMB": round(rss_connected / MB, 1),
            "rssEndMB": round(rss_end / MB, 1),
            "rssPeakMB": round(rss_peak / MB, 1),
            "rssPerLearnerKB": round(
                (max(rss_connected, rss_end) - rss_idle) / 1024 / max(1, joined), 1
            ),
            **({"sessionMemory": session_memory} if session_memory is not None else {}),
            # A cluster: each Practicum process's CPU, and the proxy's, Redis's and
            # PostgreSQL's (percent of one core over the window).
            **({"appCpuPercent": apps_cpu, "partsCpuPercent": parts_cpu} if apps_cpu else {}),
        },
        [round(c, 1) for c in gen_cpu],
        len(sizes),
        round(max(0.0, machine_cpu - server_cpu - sum(gen_cpu)), 1),
    )


def _busy_seconds() -> float:
    """Return the machine's busy CPU seconds so far (all cores, everything running)."""
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def summarise_step(
    config: StepConfig,
    merged: dict[str, Any],
    server: dict[str, Any],
    generator_cpu: list[float],
    sessions: int,
    other_cpu: float = 0.0,
) -> dict[str, Any]:
    """Return the step's summary: latencies, throughput, errors, memory and CPU."""
    window = merged["window"] or config.duration
    acked = len(merged["ackMs"])
    errors = sum(merged["errors"].values())
    offered = config.learners / config.interval if config.mode == "paced" else None
    return {
        "target": config.target,
        "label": config.label,
        "asyncMode": config.async_mode,
        "processes": config.processes if config.target == "cluster" else 1,
        "redis": config.redis if config.target == "cluster" else False,
        "mode": config.mode,
        "learners": config.learners,
        "joined": merged["joined"],
        "sessions": sessions,
        "interval": config.interval,
        "offeredPerSecond": None if offered is None else round(offered, 1),
        "throughputPerSecond": round(acked / window, 1),
        "ack": summarise(merged["ackMs"]),
        "teammate": summarise(merged["teamMs"]),
        "board": summarise(merged["boardMs"]),
        "join": summarise(merged["joinMs"]),
        "timeline": timeline(merged["ackTimes"]),
        "connectSeconds": merged["connectSeconds"],
        "errors": errors,
        "errorCodes": merged["errors"],
        "rejections": sum(merged["rejections"].values()),
        "rejectionCodes": merged["rejections"],
        "lostUpdates": merged["lostUpdates"],
        "lostDeliveries": merged["lostDeliveries"],
        "lostBoardUpdates": merged["lostBoardUpdates"],
        "unacked": merged["unresolvedUnacked"],
        "counts": merged["counts"],
        "kinds": merged["kinds"],
        # Latencies by action kind (a typing burst's edits apart from chat and the rest).
        "ackByKind": {k: summarise(v) for k, v in sorted(merged["ackByKind"].items())},
        "teammateByKind": {k: summarise(v) for k, v in sorted(merged["teamByKind"].items())},
        "server": server,
        "generatorCpuPercent": generator_cpu,
        "generators": len(generator_cpu),
        # CPU used by everything else on the machine meanwhile (other work shares the cores).
        "otherCpuPercent": other_cpu,
        "window": round(window, 2),
    }


def timeline(ack_times: list[tuple[float, float]], bucket: float = 1.0) -> list[dict[str, Any]]:
    """Return acks per bucket of the window with their p50 and max latency (ms)."""
    buckets: dict[int, list[float]] = {}
    for offset, latency in ack_times:
        buckets.setdefault(int(offset // bucket), []).append(latency)
    rows = []
    for index in sorted(buckets):
        summary = summarise(buckets[index])
        rows.append(
            {
                "t": index * bucket,
                "acks": summary["count"],
                "p50": summary["p50"],
                "max": summary["max"],
            }
        )
    return rows


class LagProbe:
    """Ask the server for /healthz every 0.2 s during the window: how responsive its loop is."""

    def __init__(self, url: str, every: float = 0.2) -> None:
        self.url = url
        self.every = every
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        with requests.Session() as http:
            while not self._stop.wait(self.every):
                started = time.monotonic()
                try:
                    http.get(f"{self.url}/healthz", timeout=10)
                except requests.RequestException:
                    continue
                self.samples.append((time.monotonic() - started) * 1000)

    def stop(self) -> list[float]:
        """Stop probing; return the response times (ms)."""
        self._stop.set()
        self._thread.join(timeout=15)
        return self.samples
