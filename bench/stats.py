"""Latency summaries: percentiles over raw samples (milliseconds)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

PERCENTILES = (50, 95, 99)


def percentile(ordered: Sequence[float], pct: float) -> float:
    """Return the nearest-rank percentile of ascending samples (0 for none)."""
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return float(ordered[min(rank, len(ordered)) - 1])


def summarise(samples: Sequence[float]) -> dict[str, Any]:
    """Return count, p50, p95, p99 and max of samples, rounded to 0.1 ms."""
    ordered = sorted(samples)
    summary: dict[str, Any] = {"count": len(ordered)}
    for pct in PERCENTILES:
        summary[f"p{pct}"] = round(percentile(ordered, pct), 1)
    summary["max"] = round(float(ordered[-1]), 1) if ordered else 0.0
    return summary
