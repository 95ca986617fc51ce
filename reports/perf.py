"""Performance figures of a run: latency quantiles per operation kind, throughput over
time and availability in healthy and faulted windows. Pure; exact over every operation
(only the scatter points drawn are downsampled, see :mod:`reports.sampling`)."""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from base.op import OpType
from reports.history import FaultPeriod, Operation

QUANTILES = (0.5, 0.95, 0.99, 1.0)

_NICE_MS = (1, 2, 5, 10, 20, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 15000, 30000, 60000)


@dataclass(frozen=True, slots=True)
class LatencyRow:
    """Quantiles (ms) of the ok operations of one kind, plus its outcome counts."""

    f: str
    ok: int
    fail: int
    info: int
    quantiles_ms: tuple[float, ...]  # one per QUANTILES; empty when no ok operation


@dataclass(frozen=True, slots=True)
class Availability:
    """Outcomes of the operations invoked in one kind of window."""

    window: str  # "healthy" or "faulted"
    ok: int
    fail: int
    info: int
    seconds: float

    @property
    def total(self) -> int:
        return self.ok + self.fail + self.info

    @property
    def share_ok(self) -> float | None:
        return None if self.total == 0 else self.ok / self.total


def quantile(sorted_values: Sequence[float], q: float) -> float:
    """The nearest-rank quantile of a non-empty sorted sequence."""
    rank = max(0, min(len(sorted_values) - 1, math.ceil(q * len(sorted_values)) - 1))
    return sorted_values[rank]


def latency_table(operations: Sequence[Operation]) -> list[LatencyRow]:
    by_f: dict[str, list[Operation]] = {}
    for op in operations:
        by_f.setdefault(op.f, []).append(op)
    rows: list[LatencyRow] = []
    for f in sorted(by_f):
        ops = by_f[f]
        lat = sorted(
            op.latency_ns / 1e6 for op in ops if op.type is OpType.OK and op.latency_ns is not None
        )
        rows.append(
            LatencyRow(
                f=f,
                ok=sum(op.type is OpType.OK for op in ops),
                fail=sum(op.type is OpType.FAIL for op in ops),
                info=sum(op.type is OpType.INFO for op in ops),
                quantiles_ms=tuple(quantile(lat, q) for q in QUANTILES) if lat else (),
            )
        )
    return rows


def bucket_ms(end_ns: int, buckets: int = 100) -> int:
    """A round bucket width giving about ``buckets`` buckets over the run."""
    wanted = end_ns / 1e6 / buckets
    for nice in _NICE_MS:
        if nice >= wanted:
            return nice
    return math.ceil(wanted / 60000) * 60000


def quantiles_over_time(
    operations: Sequence[Operation], width_ms: int
) -> dict[str, dict[str, list[tuple[float, float]]]]:
    """f -> quantile label -> [(bucket middle ms, latency ms)] over the ok operations,
    bucketed by completion time (Jepsen's latency-quantiles plot)."""
    grouped: dict[str, dict[int, list[float]]] = {}
    for op in operations:
        if op.type is not OpType.OK or op.end_ns is None:
            continue
        bucket = int(op.end_ns / 1e6 // width_ms)
        grouped.setdefault(op.f, {}).setdefault(bucket, []).append(op.latency_ns or 0)
    out: dict[str, dict[str, list[tuple[float, float]]]] = {}
    for f, buckets in sorted(grouped.items()):
        lines: dict[str, list[tuple[float, float]]] = {_qlabel(q): [] for q in QUANTILES}
        for bucket in sorted(buckets):
            lat = sorted(buckets[bucket])
            middle = (bucket + 0.5) * width_ms
            for q in QUANTILES:
                lines[_qlabel(q)].append((middle, round(quantile(lat, q) / 1e6, 3)))
        out[f] = lines
    return out


def _qlabel(q: float) -> str:
    return "max" if q == 1.0 else f"p{round(q * 100):g}"


def quantile_labels() -> list[str]:
    return [_qlabel(q) for q in QUANTILES]


def throughput(
    operations: Sequence[Operation], end_ns: int, width_ms: int
) -> dict[str, list[float]]:
    """Completions per second, per outcome (ok / fail / info), per bucket of
    ``width_ms``. Operations that never completed are counted at the end of the run."""
    n = max(1, math.ceil(end_ns / 1e6 / width_ms))
    counts = {t: [0] * n for t in ("ok", "fail", "info")}
    for op in operations:
        at = op.end_ns if op.end_ns is not None else end_ns
        bucket = min(n - 1, int(at / 1e6 // width_ms))
        counts[op.type.value][bucket] += 1
    per_s = 1000.0 / width_ms
    return {t: [round(c * per_s, 2) for c in series] for t, series in counts.items()}


def availability(
    operations: Sequence[Operation], faults: Sequence[FaultPeriod], end_ns: int
) -> list[Availability]:
    """Outcomes of operations invoked while no fault was active versus while at least one
    was (by invocation time)."""
    spans = _merge([(p.start_ns, p.end_ns) for p in faults])
    starts = [s for s, _ in spans]
    faulted_ns = sum(e - s for s, e in spans)
    tallies = {"healthy": [0, 0, 0], "faulted": [0, 0, 0]}
    slot = {OpType.OK: 0, OpType.FAIL: 1, OpType.INFO: 2}
    for op in operations:
        i = bisect.bisect_right(starts, op.start_ns) - 1
        window = "faulted" if i >= 0 and op.start_ns <= spans[i][1] else "healthy"
        if op.type in slot:
            tallies[window][slot[op.type]] += 1
    seconds = {"healthy": max(0, end_ns - faulted_ns) / 1e9, "faulted": faulted_ns / 1e9}
    return [Availability(w, t[0], t[1], t[2], round(seconds[w], 3)) for w, t in tallies.items()]


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


@dataclass(frozen=True, slots=True)
class Outage:
    """Stretches of the run in which no operation succeeded although some were tried:
    gaps between successive ``ok`` completions longer than ``threshold_s``."""

    threshold_s: float
    total_s: float
    longest_s: float
    count: int


def outages(operations: Sequence[Operation], end_ns: int, threshold_s: float = 1.0) -> Outage:
    """The gaps between ``ok`` completions (and from the first invocation, and to the
    last completion) longer than ``threshold_s``; a gap counts in full."""
    if not operations:
        return Outage(threshold_s, 0.0, 0.0, 0)
    oks = sorted(op.end_ns for op in operations if op.type is OpType.OK and op.end_ns)
    first = min(op.start_ns for op in operations)
    last = max((op.end_ns or op.start_ns for op in operations), default=end_ns)
    marks = [first, *oks, last]
    gaps = [(b - a) / 1e9 for a, b in itertools.pairwise(marks)]
    long = [g for g in gaps if g > threshold_s]
    return Outage(threshold_s, round(sum(long), 3), round(max(long, default=0.0), 3), len(long))


def acknowledged_writes(operations: Sequence[Operation], write_fs: frozenset[str]) -> int:
    return sum(1 for op in operations if op.type is OpType.OK and op.f in write_fs)
