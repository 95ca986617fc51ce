"""Downsampling for the drawn views of large histories, always with a note saying what
was left out (never a silent truncation). Figures and tables stay exact."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from checkers.op import OpType
from reports.history import Operation

TIMELINE_LIMIT = 30_000
"""Most operation bars drawn in the timeline and points in the latency scatter."""


@dataclass(frozen=True, slots=True)
class Sample:
    operations: tuple[Operation, ...]
    total: int
    note: str | None  # None when nothing was left out


def downsample(operations: Sequence[Operation], limit: int = TIMELINE_LIMIT) -> Sample:
    """At most ``limit`` operations, in their original order: every fail / info operation
    first (they are the interesting ones), then evenly spaced ok operations to fill."""
    total = len(operations)
    if total <= limit:
        return Sample(tuple(operations), total, None)
    unusual = [i for i, op in enumerate(operations) if op.type is not OpType.OK]
    if len(unusual) >= limit:
        keep = set(_spaced(unusual, limit))
        what = f"every {_ratio(len(unusual), limit)} fail/info operation; no ok operations"
    else:
        ok = [i for i, op in enumerate(operations) if op.type is OpType.OK]
        room = limit - len(unusual)
        keep = set(unusual) | set(_spaced(ok, room))
        what = (
            f"all {len(unusual):,} fail/info operations and about 1 in "
            f"{_ratio(len(ok), room)} of the {len(ok):,} ok operations"
        )
    chosen = tuple(op for i, op in enumerate(operations) if i in keep)
    note = (
        f"Downsampled for drawing: {len(chosen):,} of {total:,} operations shown ({what}). "
        "Counts, quantiles, throughput and availability use every operation."
    )
    return Sample(chosen, total, note)


def _spaced(indices: Sequence[int], count: int) -> list[int]:
    if count <= 0:
        return []
    step = len(indices) / count
    return [indices[int(k * step)] for k in range(count)]


def _ratio(have: int, room: int) -> str:
    return f"{have / max(1, room):.1f}".rstrip("0").rstrip(".")
