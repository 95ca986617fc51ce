"""Quantiles of latency samples, the one definition the set and perf checkers and the
reports share."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeVar

Sample = TypeVar("Sample", int, float)

QUANTILES: tuple[tuple[str, float], ...] = (("p50", 0.5), ("p90", 0.9), ("p99", 0.99))


def quantile(sorted_samples: Sequence[Sample], q: float) -> Sample:
    """The nearest-rank ``q`` quantile (0 < q <= 1) of non-empty ascending
    ``sorted_samples``: the smallest sample with at least ``q`` of the samples at or
    below it."""
    if not sorted_samples:
        raise ValueError("quantile of no samples")
    rank = max(1, math.ceil(q * len(sorted_samples)))
    return sorted_samples[rank - 1]


def summary_ms(samples_ns: Sequence[int]) -> dict[str, float | int]:
    """``count``, ``p50``, ``p90``, ``p99`` and ``max`` of nanosecond samples, in
    milliseconds (3 decimals); just ``count`` 0 when there are none."""
    if not samples_ns:
        return {"count": 0}
    ordered = sorted(samples_ns)
    out: dict[str, float | int] = {"count": len(ordered)}
    for name, q in QUANTILES:
        out[name] = round(quantile(ordered, q) / 1e6, 3)
    out["max"] = round(ordered[-1] / 1e6, 3)
    return out
