"""The bench report: a Markdown table, the raw JSON and a PNG plot of latency against learners."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

# Issue 15's targets (one process, eventlet, SQLite, 2 cores, generators beside it): the new
# action mix at 2,000 learners, RSS per learner, saturation against the reference, and a
# session under way (--chat-backlog) at 1,000 learners. Restart is the earlier issue's.
TARGET_LEARNERS = 2000
ACK_P99_MS = 100.0
TEAMMATE_P99_MS = 100.0
RSS_PER_LEARNER_KB = 100.0
SATURATION_RATIO = 0.75
UNDER_WAY_LEARNERS = 1000
RESTART_SECONDS = 3.0


def _steps(results: dict[str, Any], target: str, mode: str) -> list[dict[str, Any]]:
    """Return a target's steps in one mode, in the run's main async mode (targets use those)."""
    main = results.get("settings", {}).get("async_mode", "eventlet")
    return sorted(
        (
            s
            for s in results["steps"]
            if s["target"] == target and s["mode"] == mode and s.get("asyncMode", main) == main
        ),
        key=lambda s: s["learners"],
    )


def saturation_ratio(results: dict[str, Any]) -> float | None:
    """Return Practicum's saturation throughput over the reference's, if both ran."""
    practicum = _steps(results, "practicum", "saturate")
    reference = _steps(results, "reference", "saturate")
    if not practicum or not reference or not reference[0]["throughputPerSecond"]:
        return None
    return practicum[0]["throughputPerSecond"] / reference[0]["throughputPerSecond"]


def _backlog(settings: dict[str, Any]) -> str:
    count = settings.get("chat_backlog") or 0
    return f", {count} chat messages per team posted before the window" if count else ""


def _name(step: dict[str, Any]) -> str:
    return step.get("label", step["target"])


def _lat(summary: dict[str, Any]) -> str:
    return (
        f"{summary['p50']:.0f} / {summary['p95']:.0f} / {summary['p99']:.0f} / {summary['max']:.0f}"
    )


def ladder_table(results: dict[str, Any]) -> list[str]:
    """Return the Markdown rows of the paced ladder (both targets)."""
    lines = [
        "| server | learners | sessions | actions/s (offered) | ack ms p50/p95/p99/max "
        "| teammate ms p50/p95/p99/max | board ms p50/p99 | errors | engine rejections "
        "| lost updates | server CPU % | RSS MB (idle → connected) | RSS/learner KB "
        "| connect s |",
        "|---|---:|---:|---:|---|---|---|---:|---:|---:|---:|---|---:|---:|",
    ]
    for step in sorted(
        (s for s in results["steps"] if s["mode"] == "paced"),
        key=lambda s: (s["learners"], _name(s)),
    ):
        server = step["server"]
        lines.append(
            f"| {_name(step)} | {step['joined']}/{step['learners']} | {step['sessions']} "
            f"| {step['throughputPerSecond']} ({step['offeredPerSecond']}) | {_lat(step['ack'])} "
            f"| {_lat(step['teammate'])} "
            f"| {step['board']['p50']:.0f} / {step['board']['p99']:.0f} | {step['errors']} "
            f"| {step['rejections']} | {step['lostUpdates']} | {server['cpuPercent']} "
            f"| {server['rssIdleMB']} → {max(server['rssConnectedMB'], server['rssEndMB'])} "
            f"| {server['rssPerLearnerKB']} | {step['connectSeconds']} |"
        )
    return lines


def saturation_table(results: dict[str, Any]) -> list[str]:
    """Return the Markdown rows of the closed-loop saturation runs."""
    lines = [
        "| server | learners | acked actions/s | ack ms p50/p99 | teammate ms p99 | errors "
        "| lost | server CPU % | generators CPU % | other CPU % |",
        "|---|---:|---:|---|---:|---:|---:|---:|---|---:|",
    ]
    for step in (s for s in results["steps"] if s["mode"] == "saturate"):
        lines.append(
            f"| {_name(step)} | {step['joined']} | {step['throughputPerSecond']} "
            f"| {step['ack']['p50']:.0f} / {step['ack']['p99']:.0f} "
            f"| {step['teammate']['p99']:.0f} | {step['errors']} | {step['lostUpdates']} "
            f"| {step['server']['cpuPercent']} "
            f"| {' + '.join(str(c) for c in step['generatorCpuPercent'])} "
            f"| {step['otherCpuPercent']} |"
        )
    return lines


def text_table(results: dict[str, Any]) -> list[str]:
    """Return the Markdown rows of the shared-text edits: latencies by kind and the end check."""
    lines = [
        "| server | mode | learners | edits sent / acked / resent | edit ack ms p50/p99 "
        "| edit teammate ms p50/p99 | other actions ack p99 | fields checked | diverged copies "
        "| stale views | markers missing / expected |",
        "|---|---|---:|---|---|---|---:|---:|---:|---:|---|",
    ]
    for step in results["steps"]:
        counts, by_kind = step.get("counts", {}), step.get("ackByKind", {})
        edits = step.get("kinds", {}).get("edit_text", 0)
        if not edits:
            continue
        ack = by_kind.get("edit_text", {"p50": 0, "p99": 0})
        team = step.get("teammateByKind", {}).get("edit_text", {"p50": 0, "p99": 0})
        others = max((v["p99"] for k, v in by_kind.items() if k != "edit_text"), default=0)
        lines.append(
            f"| {_name(step)} | {step['mode']} | {step['joined']} "
            f"| {edits} / {counts.get('text_acked', 0)} / {counts.get('text_resent', 0)} "
            f"| {ack['p50']:.0f} / {ack['p99']:.0f} | {team['p50']:.0f} / {team['p99']:.0f} "
            f"| {others:.0f} | {counts.get('text_fields_checked', 0)} "
            f"| {counts.get('text_diverged', 0)} | {counts.get('text_view_stale', 0)} "
            f"| {counts.get('text_markers_missing', 0)} / "
            f"{counts.get('text_markers_expected', 0)} |"
        )
    return lines


def session_memory_table(results: dict[str, Any]) -> list[str]:
    """Return the Markdown rows of what one session holds in memory, per Practicum step."""
    lines = [
        "| server | mode | learners | events per session | state KB | team views and board KB "
        "| CRDT documents KB (RSS) | total KB |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for step in results["steps"]:
        memory = step.get("server", {}).get("sessionMemory")
        if not memory or "error" in memory:
            continue
        lines.append(
            f"| {_name(step)} | {step['mode']} | {step['learners']} | {memory['events']:.0f} "
            f"| {memory['stateKB']:.0f} | {memory['viewsKB']:.0f} | {memory['crdtKB']:.0f} "
            f"| {memory['totalKB']:.0f} |"
        )
    return lines


def cluster_table(results: dict[str, Any]) -> list[str]:
    """Return the Markdown rows of the steps through HAProxy: where a cluster's CPU goes."""
    lines = [
        "| cluster | mode | learners | acked actions/s | ack ms p50/p99 | teammate ms p99 "
        "| errors | lost | Practicum CPU % (each process) | HAProxy % | Redis % | PostgreSQL % "
        "| Practicum CPU ms/action | all CPU ms/action |",
        "|---|---|---:|---:|---|---:|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for step in (s for s in results["steps"] if s["target"] == "cluster"):
        server, parts = step["server"], step["server"].get("partsCpuPercent", {})
        acked = max(1.0, step["throughputPerSecond"])
        every = server["cpuPercent"] + sum(parts.values())
        lines.append(
            f"| {_name(step)} | {step['mode']} | {step['joined']} | {step['throughputPerSecond']} "
            f"| {step['ack']['p50']:.0f} / {step['ack']['p99']:.0f} "
            f"| {step['teammate']['p99']:.0f} | {step['errors']} | {step['lostUpdates']} "
            f"| {server['cpuPercent']} "
            f"({' + '.join(str(c) for c in server.get('appCpuPercent', []))}) "
            f"| {parts.get('haproxy', 0)} | {parts.get('redis', '-')} | {parts.get('postgres', 0)} "
            f"| {server['cpuPercent'] * 10 / acked:.2f} | {every * 10 / acked:.2f} |"
        )
    return lines


def target_checks(results: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    """Return (target, measured, met) for each of the issue's targets that was measured."""
    checks: list[tuple[str, str, bool | None]] = []
    at_target = [
        s for s in _steps(results, "practicum", "paced") if s["learners"] == TARGET_LEARNERS
    ]
    if at_target:
        step = at_target[0]
        checks.append(
            (
                f"{TARGET_LEARNERS} learners: ack p99 <= {ACK_P99_MS:.0f} ms",
                f"{step['ack']['p99']} ms",
                step["ack"]["p99"] <= ACK_P99_MS,
            )
        )
        checks.append(
            (
                f"{TARGET_LEARNERS} learners: teammate update p99 <= {TEAMMATE_P99_MS:.0f} ms",
                f"{step['teammate']['p99']} ms",
                step["teammate"]["p99"] <= TEAMMATE_P99_MS,
            )
        )
        faults = step["errors"] + step["rejections"] + step["unacked"]
        checks.append(
            (
                f"{TARGET_LEARNERS} learners: zero errors, zero lost updates",
                f"{faults} errors/rejections/unacked, {step['lostUpdates']} lost",
                faults == 0 and step["lostUpdates"] == 0,
            )
        )
        checks.append(
            (
                f"RSS <= {RSS_PER_LEARNER_KB:.0f} KB per learner above idle",
                f"{step['server']['rssPerLearnerKB']} KB",
                step["server"]["rssPerLearnerKB"] <= RSS_PER_LEARNER_KB,
            )
        )
    backlog = results.get("settings", {}).get("chat_backlog") or 0
    under_way = [
        s for s in _steps(results, "practicum", "paced") if s["learners"] == UNDER_WAY_LEARNERS
    ]
    if backlog and under_way:
        step = under_way[0]
        checks.append(
            (
                f"{UNDER_WAY_LEARNERS} learners, a session under way ({backlog} chat messages "
                f"per team, long drafts): ack p99 <= {ACK_P99_MS:.0f} ms",
                f"{step['ack']['p99']} ms",
                step["ack"]["p99"] <= ACK_P99_MS,
            )
        )
    ratio = saturation_ratio(results)
    if ratio is not None:
        checks.append(
            (
                f"saturation throughput >= {SATURATION_RATIO:.0%} of the reference",
                f"{ratio:.0%}",
                ratio >= SATURATION_RATIO,
            )
        )
    restart = results.get("restart")
    if restart:
        checks.append(
            (
                f"restart with {restart['sessions']} sessions, {restart['events']} events "
                f"serves within {RESTART_SECONDS:.0f} s (a facilitator's watch answered)",
                f"{restart['watchSeconds']} s",
                # Sessions load in the background after the server listens, so /healthz alone
                # would not show that a session can be used: the watch of one must be answered.
                max(restart["serveSeconds"], restart["watchSeconds"]) <= RESTART_SECONDS,
            )
        )
    return checks


def markdown(results: dict[str, Any]) -> str:
    """Return the whole report as Markdown."""
    settings = results["settings"]
    lines = [
        f"# Practicum load bench, {results['startedAt']}",
        "",
        f"Async mode {settings['async_mode']}, sessions of {settings['session_size']}, teams of "
        f"four, one action every {settings['interval']} s per learner, {settings['duration']} s "
        f"measured after {settings['warmup']} s warm-up, {settings['generators']} swarm "
        f"processes"
        f"{_backlog(settings)}. "
        f"Took {results['elapsedSeconds']} s.",
        "",
        "## Targets",
        "",
        "| target | measured | met |",
        "|---|---|---|",
    ]
    for name, measured, met in target_checks(results):
        lines.append(f"| {name} | {measured} | {'yes' if met else 'NO'} |")
    lines += ["", "## Ladder (paced, open loop)", "", *ladder_table(results)]
    texts = text_table(results)
    if len(texts) > 2:
        lines += ["", "## Shared text edits", "", *texts]
    memory = session_memory_table(results)
    if len(memory) > 2:
        lines += [
            "",
            "## Memory per session",
            "",
            "What one session holds in the server, measured after the step by loading a few "
            "sessions of its log again (`bench/session_memory.py`; medians).",
            "",
            *memory,
        ]
    if any(s["mode"] == "saturate" for s in results["steps"]):
        ratio = saturation_ratio(results)
        lines += ["", "## Saturation (closed loop)", "", *saturation_table(results)]
        if ratio is not None:
            lines += ["", f"Practicum / reference throughput: **{ratio:.0%}**."]
    if any(s["target"] == "cluster" for s in results["steps"]):
        lines += ["", "## Through HAProxy: one and two processes", "", *cluster_table(results)]
    history = results.get("history")
    if history:
        empty, full = history["empty"], history["history"]
        lines += [
            "",
            "## History",
            "",
            f"{history['ended']} ended and {history['idle']} idle sessions "
            f"({history['events']} events, {history['databaseMB']} MB) against an empty log, "
            f"medians: /healthz after {full['serveSeconds']} s (empty {empty['serveSeconds']} s), "
            f"warm after {full['warmSeconds']} s (empty {empty['warmSeconds']} s), RSS "
            f"{full['rssMB']} MB (empty {empty['rssMB']} MB), session list in "
            f"{full['listSeconds'] * 1000:.0f} ms; sessions in memory after start-up and after "
            f"listing: {full['loadedAtWarm']} and {full['loadedAfterList']}.",
        ]
    restart = results.get("restart")
    if restart:
        lines += [
            "",
            "## Restart",
            "",
            f"{restart['sessions']} sessions, {restart['events']} events in the log: /healthz "
            f"answered {restart['serveSeconds']} s after the process started (empty database: "
            f"{restart['emptyStartSeconds']} s); a facilitator's watch of a rebuilt session "
            f"answered {restart['watchSeconds']} s after start; every session was in memory "
            f"after {restart.get('warmSeconds', '?')} s.",
        ]
    for failure in results["failures"]:
        lines += ["", f"**Step failed: {failure['step']}**: `{failure['error'][:300]}`"]
    return "\n".join(lines) + "\n"


def plot(results: dict[str, Any], path: Path) -> bool:
    """Draw latency percentiles and RSS against learners; return False without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    figure, (latency, memory) = plt.subplots(1, 2, figsize=(12, 4.5))
    styles = {"practicum": "-", "reference": "--"}
    for target, style in styles.items():
        steps = _steps(results, target, "paced")
        if not steps:
            continue
        learners = [s["learners"] for s in steps]
        for metric, colour in (("ack", "tab:blue"), ("teammate", "tab:orange")):
            for pct, marker in (("p50", "o"), ("p99", "^")):
                latency.plot(
                    learners,
                    [max(0.1, s[metric][pct]) for s in steps],
                    linestyle=style,
                    marker=marker,
                    color=colour,
                    label=f"{target} {metric} {pct}",
                )
        memory.plot(
            learners,
            [max(s["server"]["rssConnectedMB"], s["server"]["rssEndMB"]) for s in steps],
            linestyle=style,
            marker="o",
            label=f"{target} RSS",
        )
    latency.axhline(ACK_P99_MS, color="grey", linewidth=0.8, linestyle=":")
    latency.set_yscale("log")
    latency.set_xlabel("concurrent learners")
    latency.set_ylabel("latency (ms, log scale)")
    latency.set_title("Ack and teammate-update latency")
    latency.legend(fontsize=7)
    memory.set_xlabel("concurrent learners")
    memory.set_ylabel("server RSS (MB)")
    memory.set_title("Server memory")
    memory.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return True


def write_report(results: dict[str, Any], out: Path) -> dict[str, Path]:
    """Write results-<time>.json, .md and .png under `out`; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"results-{time.strftime('%Y%m%d-%H%M%S')}"
    paths = {"json": stem.with_suffix(".json"), "markdown": stem.with_suffix(".md")}
    paths["json"].write_text(json.dumps(results, indent=1))
    paths["markdown"].write_text(markdown(results))
    if plot(results, stem.with_suffix(".png")):
        paths["plot"] = stem.with_suffix(".png")
    return paths
