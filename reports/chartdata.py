"""The data the report's script draws (timeline, latency, throughput, resources), as one
compact JSON-able dict: columnar arrays, times in milliseconds since the test start.

The operations (drawn by the timeline and the latency scatter alike) are encoded for
size: invocation times as deltas and durations, both in units of :data:`UNIT_NS`,
``-1`` as the duration of an operation that never completed. Pure."""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import Any

from base.op import OpType
from checkers.faults import FaultWindow
from checkers.history.pairing import Attempt
from reports.history import describe_value, error_of, fault_label, result_of
from reports.perf import bucket_ms, quantile_labels, quantiles_over_time, throughput
from reports.rundata import ResourceSample, RunData
from reports.sampling import TIMELINE_LIMIT, downsample

TYPE_CODE = {OpType.OK: 0, OpType.FAIL: 1, OpType.INFO: 2, OpType.INVOKE: 2}
UNIT_NS = 10_000
"""Time resolution of the encoded operations: 10 µs."""


def _ms(ns: int) -> float:
    return round(ns / 1e6, 2)


def chart_data(run: RunData, limit: int = TIMELINE_LIMIT) -> dict[str, Any]:
    width = bucket_ms(run.end_ns)
    return {
        "end": _ms(run.end_ns),
        "faults": [_fault(p) for p in run.faults],
        "ops": operations(run.operations, run.end_ns, limit),
        "quantiles": {
            "labels": quantile_labels(),
            "bucket_ms": width,
            "by_f": quantiles_over_time(run.operations, width),
        },
        "throughput": {"bucket_ms": width, "series": throughput(run.operations, run.end_ns, width)},
        "resources": resources(run.resources),
    }


def _fault(p: FaultWindow) -> dict[str, Any]:
    return {
        "kind": p.name,
        "label": fault_label(p),
        "start": _ms(p.start_ns),
        "end": _ms(p.end_ns),
        "open": p.open_ended,
    }


def worker_lanes(operations: Sequence[Attempt], end_ns: int) -> tuple[dict[Any, int], list[str]]:
    """Assign processes to lanes so that a worker's successive processes (Jepsen gives a
    worker a fresh process id after an ``info``) share one lane: greedy interval
    colouring of each process's span, in order of first invocation. Returns
    process -> lane and each lane's label (its processes)."""
    spans: dict[Any, list[int]] = {}
    for op in operations:
        end = op.complete_ns if op.complete_ns is not None else end_ns
        span = spans.setdefault(op.process, [op.invoke_ns, end])
        span[0] = min(span[0], op.invoke_ns)
        span[1] = max(span[1], end)
    free: list[tuple[int, int]] = []  # (end of the lane's last span, lane), a heap
    lane_of: dict[Any, int] = {}
    members: list[list[str]] = []
    order = sorted(spans, key=lambda p: (spans[p][0], _process_order(p)))
    for process in order:
        start, end = spans[process]
        if free and free[0][0] < start:
            _, lane = heapq.heappop(free)
        else:
            lane = len(members)
            members.append([])
        lane_of[process] = lane
        members[lane].append(str(process))
        heapq.heappush(free, (end, lane))
    labels = [",".join(m) if len(m) <= 3 else f"{m[0]},{m[1]}…(+{len(m) - 2})" for m in members]
    return lane_of, labels


def operations(ops_all: Sequence[Attempt], end_ns: int, limit: int) -> dict[str, Any]:
    """Every operation (or a noted sample beyond ``limit``) with its worker lane (see
    :func:`worker_lanes`), outcome, kind, process and a short label."""
    sample = downsample(ops_all, limit)
    lane, lanes = worker_lanes(ops_all, end_ns)
    ops = sorted(sample.operations, key=lambda op: op.invoke_ns)
    fs = sorted({op.f for op in ops_all})
    f_code = {f: i for i, f in enumerate(fs)}
    starts = [op.invoke_ns // UNIT_NS for op in ops]
    return {
        "unit_ms": UNIT_NS / 1e6,
        "lanes": lanes,
        "fs": fs,
        "start": [b - a for a, b in zip([0, *starts], starts, strict=False)],
        "dur": [
            -1 if (done := op.complete_ns) is None else max(0, done // UNIT_NS - starts[i])
            for i, op in enumerate(ops)
        ],
        "lane": [lane[op.process] for op in ops],
        "type": [TYPE_CODE[op.outcome] for op in ops],
        "f": [f_code[op.f] for op in ops],
        "proc": [op.process for op in ops],
        "label": [_label(op) for op in ops],
        "total": sample.total,
        "note": sample.note,
    }


def _process_order(p: Any) -> tuple[int, int | str]:
    return (0, p) if isinstance(p, int) else (1, str(p))


def _label(op: Attempt) -> str:
    """Key, value, result, error and node (the process and f are encoded apart)."""
    key = f"{op.key} " if op.key is not None else ""
    asked = op.invoke.value
    text = f"{key}{describe_value(asked, 24)}".strip()
    result = result_of(op)
    if result is not None and result != asked:
        text += f" → {describe_value(result, 24)}"
    error = error_of(op)
    if error:
        text += f" ({error[:40]})"
    if op.node:
        text += f" @{op.node}"
    return text


def resources(samples: Sequence[ResourceSample]) -> dict[str, Any]:
    nodes: dict[str, dict[str, list[float | None]]] = {}
    for s in sorted(samples, key=lambda s: (s.node, s.time_ns)):
        series = nodes.setdefault(s.node, {"t": [], "cpu": [], "rss": []})
        series["t"].append(_ms(s.time_ns))
        series["cpu"].append(s.cpu)
        series["rss"].append(None if s.rss is None else round(s.rss / 2**20, 2))
    return {"nodes": nodes}
