"""`make bench`: the load ladder, the saturation runs against Practicum and the reference, the
restart check, and the report (Markdown, JSON and a PNG plot under bench/results/).

    .venv/bin/python -m bench.run                      # the defaults: under 10 minutes on 2 cores
    .venv/bin/python -m bench.run --ladder 1000 --no-reference --no-restart
    .venv/bin/python -m bench.run --quick              # a one-minute smoke run
    .venv/bin/python -m bench.run --cluster            # through HAProxy: 1 vs 2 processes
    .venv/bin/python -m bench.run --also-async-mode gevent   # eventlet and gevent, one run
    .venv/bin/python -m bench.run --history 5000,5000 --ladder "" --no-saturation
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.history import run_history
from bench.mix import Playbook, playbook
from bench.report import write_report
from bench.restart import run_restart
from bench.step import StepConfig, run_step
from practicum.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]
# The closed-loop saturation runs send as fast as acks come back, far above the production
# per-connection limit (10 a second): both servers get the same raised limit.
SATURATION_ENV = {"PRACTICUM_RATE_PER_SECOND": "100000", "PRACTICUM_RATE_BURST": "100000"}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(prog="bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--ladder", default="250,500,1000,2000", help="learner counts")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between actions")
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds per step")
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--generators", type=int, default=2, help="swarm processes")
    parser.add_argument("--session-size", type=int, default=40)
    parser.add_argument(
        "--chat-backlog",
        type=int,
        default=0,
        help="chat messages each team posts before the window (a session well under way)",
    )
    parser.add_argument("--saturation-learners", type=int, default=200)
    parser.add_argument("--saturation-duration", type=float, default=15.0)
    parser.add_argument(
        "--no-reference", action="store_true", help="skip the bare python-socketio runs"
    )
    parser.add_argument(
        "--no-reference-ladder",
        action="store_true",
        help="run the reference only for saturation, not at every ladder step",
    )
    parser.add_argument("--no-saturation", action="store_true")
    parser.add_argument("--no-restart", action="store_true")
    parser.add_argument("--restart-sessions", type=int, default=25)
    parser.add_argument("--restart-events", type=int, default=100_000)
    parser.add_argument(
        "--cluster",
        action="store_true",
        help="run the ladder and saturation through HAProxy against one and two processes "
        "(PostgreSQL, Redis), and one process without Redis for the queue's CPU cost",
    )
    parser.add_argument(
        "--cluster-ladder", default="500,1000", help="learner counts through the proxy"
    )
    parser.add_argument(
        "--history",
        default="",
        help="ENDED,IDLE: start-up and idle RSS with that many past sessions against none",
    )
    parser.add_argument("--async-mode", default="eventlet", choices=("eventlet", "gevent"))
    parser.add_argument(
        "--also-async-mode",
        default="",
        choices=("", "eventlet", "gevent"),
        help="run Practicum's ladder and saturation in this async mode too, in the same run",
    )
    parser.add_argument(
        "--profile", type=Path, default=None, help="py-spy each Practicum step into this folder"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument(
        "--quick", action="store_true", help="a small smoke run: 80 learners, short windows"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.ladder = "80"
        args.duration, args.warmup = 5.0, 2.0
        args.saturation_learners, args.saturation_duration = 40, 5.0
        args.restart_sessions, args.restart_events = 5, 5_000
        args.cluster_ladder = "80"
    return args


def plan_cluster_steps(args: argparse.Namespace, base: StepConfig) -> list[StepConfig]:
    """Return the steps through HAProxy: one and two processes; one without Redis."""
    cluster = replace(base, target="cluster")
    ladder = [int(n) for n in str(args.cluster_ladder).split(",") if n.strip()]
    steps = []
    for learners in ladder:
        for processes in (1, 2):
            steps.append(replace(cluster, learners=learners, processes=processes))
    if ladder:
        # The queue's cost per action: the same load on one process with and without Redis.
        steps.append(replace(cluster, learners=ladder[0], processes=1, redis=False))
    if not args.no_saturation:
        for processes in (1, 2):
            steps.append(
                replace(
                    cluster,
                    mode="saturate",
                    learners=args.saturation_learners,
                    warmup=min(args.warmup, 3.0),
                    duration=args.saturation_duration,
                    server_env=SATURATION_ENV,
                    processes=processes,
                )
            )
    return steps


def plan_steps(args: argparse.Namespace) -> list[StepConfig]:
    """Return the steps to run, in order."""
    base = StepConfig(
        target="practicum",
        learners=0,
        session_size=args.session_size,
        interval=args.interval,
        warmup=args.warmup,
        duration=args.duration,
        generators=args.generators,
        async_mode=args.async_mode,
        chat_backlog=args.chat_backlog,
    )
    if args.cluster:
        return plan_cluster_steps(args, base)
    steps = []
    ladder = [int(n) for n in str(args.ladder).split(",") if n.strip()]
    targets = ["practicum"]
    if not args.no_reference and not args.no_reference_ladder:
        targets.append("reference")
    for learners in ladder:
        for target in targets:
            steps.append(replace(base, target=target, learners=learners))
    if args.also_async_mode and args.also_async_mode != args.async_mode:
        # The same Practicum steps in the other async mode, right after (the reference stays
        # in the first mode: it is the transport's ceiling, not what is compared here).
        other = replace(base, async_mode=args.also_async_mode)
        steps += [replace(other, learners=learners) for learners in ladder]
    if not args.no_saturation:
        saturate = replace(
            base,
            mode="saturate",
            learners=args.saturation_learners,
            warmup=min(args.warmup, 3.0),
            duration=args.saturation_duration,
            server_env=SATURATION_ENV,
        )
        steps.append(replace(saturate, target="practicum"))
        if args.also_async_mode and args.also_async_mode != args.async_mode:
            steps.append(replace(saturate, target="practicum", async_mode=args.also_async_mode))
        if not args.no_reference:
            steps.append(replace(saturate, target="reference"))
    return steps


def _profile_path(args: argparse.Namespace, config: StepConfig) -> Path | None:
    if args.profile is None or config.target != "practicum":
        return None
    args.profile.mkdir(parents=True, exist_ok=True)
    return args.profile / f"practicum-{config.mode}-{config.learners}.raw"


def main(argv: list[str] | None = None) -> int:
    """Run the bench and write the report; exit 1 if any step failed to run."""
    args = parse_args(argv)
    # SIGTERM unwinds like Ctrl-C, so every step's `finally` stops its server and swarms.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    harbor: Playbook = playbook(load_scenario(ROOT / "scenarios" / "harbor.json"))
    results: dict[str, Any] = {
        "startedAt": time.strftime("%Y-%m-%d %H:%M:%S"),
        "settings": {
            key: (str(value) if isinstance(value, Path) else value)
            for key, value in vars(args).items()
        },
        "steps": [],
        "failures": [],
    }
    for config in plan_steps(args):
        config = replace(config, profile=_profile_path(args, config))
        label = f"{config.label} {config.mode} {config.learners}"
        print(f"step: {label}", flush=True)
        try:
            step = run_step(config, harbor)
        except Exception as exc:  # noqa: BLE001 - one broken step must not lose the others
            print(f"  failed: {exc}", flush=True)
            results["failures"].append({"step": label, "error": str(exc)[:2000]})
            continue
        print(
            f"  ack p99 {step['ack']['p99']} ms, teammate p99 {step['teammate']['p99']} ms, "
            f"{step['throughputPerSecond']}/s, errors {step['errors']}, "
            f"lost {step['lostUpdates']}, server CPU {step['server']['cpuPercent']}%",
            flush=True,
        )
        texts = step["counts"]
        if step["kinds"].get("edit_text"):
            print(
                f"  shared text: {step['kinds']['edit_text']} edits, "
                f"{texts.get('text_acked', 0)} acked, "
                f"{texts.get('text_resent', 0)} resent, "
                f"edit ack p99 {step['ackByKind'].get('edit_text', {}).get('p99')} ms, "
                f"teammate p99 {step['teammateByKind'].get('edit_text', {}).get('p99')} ms; "
                f"{texts.get('text_fields_checked', 0)} fields checked, "
                f"{texts.get('text_diverged', 0)} diverged copies, "
                f"{texts.get('text_markers_missing', 0)} of "
                f"{texts.get('text_markers_expected', 0)} markers missing",
                flush=True,
            )
        results["steps"].append(step)
    if args.history:
        ended, idle = (int(n) for n in args.history.split(","))
        print(f"history: {ended} ended and {idle} idle sessions against none", flush=True)
        try:
            results["history"] = run_history(ended, idle)
            print(
                f"  warm after {results['history']['history']['warmSeconds']} s "
                f"(empty {results['history']['empty']['warmSeconds']} s)",
                flush=True,
            )
        except Exception as exc:  # noqa: BLE001
            print(f"  failed: {exc}", flush=True)
            results["failures"].append({"step": "history", "error": str(exc)[:2000]})
    if not args.no_restart and not args.cluster:
        print(
            f"restart: {args.restart_sessions} sessions, {args.restart_events} events", flush=True
        )
        try:
            results["restart"] = run_restart(args.restart_sessions, args.restart_events)
            print(f"  serving again after {results['restart']['serveSeconds']} s", flush=True)
        except Exception as exc:  # noqa: BLE001
            print(f"  failed: {exc}", flush=True)
            results["failures"].append({"step": "restart", "error": str(exc)[:2000]})
    results["elapsedSeconds"] = round(time.monotonic() - started, 1)
    paths = write_report(results, args.out)
    print(paths["markdown"].read_text())
    print(f"wrote {', '.join(str(p) for p in paths.values())}")
    return 1 if results["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
