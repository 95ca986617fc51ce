"""Performance figures of a run: latency quantiles per operation kind, throughput over
time and availability in healthy and faulted windows. Pure; exact over every operation
(only the scatter points drawn are downsampled, see :mod:`reports.sampling`)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from base.op import OpType
from checkers.faults import FaultIndex, FaultWindow
from checkers.history.pairing import Attempt
from checkers.quantiles import quantile
from reports.history import latency_ns

QUANTILES = (0.5, 0.95, 0.99, 1.0)
"""The report's quantile levels (``checkers.quantiles.quantile`` computes them)."""

WRITE_FS = frozenset({"add", "write"})
"""Operation kinds the banner counts as writes: the unconditional writes our workloads
record (set and counter ``add``, register ``write``; ``harness/workloads``)."""

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


def latency_table(operations: Sequence[Attempt]) -> list[LatencyRow]:
    by_f: dict[str, list[Attempt]] = {}
    for op in operations:
        by_f.setdefault(op.f, []).append(op)
    rows: list[LatencyRow] = []
    for f in sorted(by_f):
        ops = by_f[f]
        lat = sorted(
            n for op in ops if op.outcome is OpType.OK and (n := latency_ns(op)) is not None
        )
        rows.append(
            LatencyRow(
                f=f,
                ok=sum(op.outcome is OpType.OK for op in ops),
                fail=sum(op.outcome is OpType.FAIL for op in ops),
                info=sum(op.outcome is OpType.INFO for op in ops),
                quantiles_ms=tuple(quantile(lat, q) / 1e6 for q in QUANTILES) if lat else (),
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
    operations: Sequence[Attempt], width_ms: int
) -> dict[str, dict[str, list[tuple[float, float]]]]:
    """f -> quantile label -> [(bucket middle ms, latency ms)] over the ok operations,
    bucketed by completion time (Jepsen's latency-quantiles plot)."""
    grouped: dict[str, dict[int, list[int]]] = {}
    for op in operations:
        done = op.complete_ns
        if op.outcome is not OpType.OK or done is None:
            continue
        bucket = int(done / 1e6 // width_ms)
        grouped.setdefault(op.f, {}).setdefault(bucket, []).append(done - op.invoke_ns)
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


def throughput(operations: Sequence[Attempt], end_ns: int, width_ms: int) -> dict[str, list[float]]:
    """Completions per second, per outcome (ok / fail / info), per bucket of
    ``width_ms``. Operations that never completed are counted at the end of the run."""
    n = max(1, math.ceil(end_ns / 1e6 / width_ms))
    counts = {t: [0] * n for t in ("ok", "fail", "info")}
    for op in operations:
        at = op.complete_ns if op.complete_ns is not None else end_ns
        bucket = min(n - 1, int(at / 1e6 // width_ms))
        counts[op.outcome.value][bucket] += 1
    per_s = 1000.0 / width_ms
    return {t: [round(c * per_s, 2) for c in series] for t, series in counts.items()}


def availability(
    operations: Sequence[Attempt], faults: Sequence[FaultWindow], end_ns: int
) -> list[Availability]:
    """Outcomes of operations invoked while no fault was possibly active versus while at
    least one was (by invocation time, as the perf checker splits them)."""
    index = FaultIndex(faults)
    faulted_ns = index.covered_ns()
    tallies = {"healthy": [0, 0, 0], "faulted": [0, 0, 0]}
    slot = {OpType.OK: 0, OpType.FAIL: 1, OpType.INFO: 2}
    for op in operations:
        window = "faulted" if index.covers(op.invoke_ns) else "healthy"
        if op.outcome in slot:
            tallies[window][slot[op.outcome]] += 1
    seconds = {"healthy": max(0, end_ns - faulted_ns) / 1e9, "faulted": faulted_ns / 1e9}
    return [Availability(w, t[0], t[1], t[2], round(seconds[w], 3)) for w, t in tallies.items()]


@dataclass(frozen=True, slots=True)
class Outage:
    """Stretches of the run in which no operation succeeded although some were tried:
    gaps between successive ``ok`` completions longer than ``threshold_s``."""

    threshold_s: float
    total_s: float
    longest_s: float
    count: int


def outages(
    operations: Sequence[Attempt],
    end_ns: int,
    threshold_s: float = 1.0,
    workload_s: float | None = None,
) -> Outage:
    """The gaps between ``ok`` completions (and from the first invocation, and to the
    last completion) longer than ``threshold_s``; a gap counts in full. With
    ``workload_s`` (the run's ``--time-limit``) only operations invoked within that long
    of the first count: the quiet recovery after the workload and the final reads are
    not an outage."""
    if workload_s is not None and operations:
        start = min(op.invoke_ns for op in operations)
        cut = start + int(workload_s * 1e9)
        operations = [op for op in operations if op.invoke_ns <= cut]
    if not operations:
        return Outage(threshold_s, 0.0, 0.0, 0)
    oks = sorted(done for op in operations if op.outcome is OpType.OK and (done := op.complete_ns))
    first = min(op.invoke_ns for op in operations)
    last = max((op.complete_ns or op.invoke_ns for op in operations), default=end_ns)
    marks = [first, *oks, last]
    gaps = [(b - a) / 1e9 for a, b in itertools.pairwise(marks)]
    long = [g for g in gaps if g > threshold_s]
    return Outage(threshold_s, round(sum(long), 3), round(max(long, default=0.0), 3), len(long))


def acknowledged_writes(operations: Sequence[Attempt]) -> int:
    """The ``ok`` operations of a :data:`WRITE_FS` kind."""
    return sum(1 for op in operations if op.outcome is OpType.OK and op.f in WRITE_FS)
