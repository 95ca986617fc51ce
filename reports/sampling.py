"""Downsampling for the drawn views of large histories, always with a note saying what
was left out (never a silent truncation). Figures and tables stay exact."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from base.op import OpType
from checkers.history.pairing import Attempt

TIMELINE_LIMIT = 150_000
"""Most operation bars drawn in the timeline and points in the latency scatter."""


@dataclass(frozen=True, slots=True)
class Sample:
    operations: tuple[Attempt, ...]
    total: int
    note: str | None  # None when nothing was left out


def downsample(operations: Sequence[Attempt], limit: int = TIMELINE_LIMIT) -> Sample:
    """At most ``limit`` operations, in their original order: every ``info`` operation
    (the indeterminate ones, usually rare and always interesting; at most half the
    budget), then evenly spaced ok / fail operations, which keeps their proportions (so
    the drawing's colours still tell the truth)."""
    total = len(operations)
    if total <= limit:
        return Sample(tuple(operations), total, None)
    info = [i for i, op in enumerate(operations) if op.outcome is OpType.INFO]
    kept_info = info if len(info) <= limit // 2 else _spaced(info, limit // 2)
    rest = [i for i, op in enumerate(operations) if op.outcome is not OpType.INFO]
    room = limit - len(kept_info)
    keep = set(kept_info) | set(_spaced(rest, room))
    info_text = (
        f"all {len(info):,} info operations"
        if len(kept_info) == len(info)
        else f"{len(kept_info):,} of {len(info):,} info operations, evenly spaced"
    )
    what = f"{info_text}, and about 1 in {_ratio(len(rest), room)} of the other operations"
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
