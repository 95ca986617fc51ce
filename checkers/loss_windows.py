"""Loss windows: when, relative to each fault, the lost writes were acknowledged.

Redis Cluster's documented way to lose writes under a partition: the primary cut off in
the minority keeps acknowledging writes for about ``cluster-node-timeout`` after the cut,
until it notices it lost the majority; the majority promotes a replica, and every write the
old primary took meanwhile is lost. So the question a reader has is "how long after the
fault began were the lost writes acknowledged, and by which node?", and the answer should
sit close to the node timeout.

Each lost write is assigned to one fault period:

- the period whose window contains its acknowledgement time (the latest-starting one if
  several overlap);
- else the first period that starts after the acknowledgement (a write acknowledged just
  before a crash is lost by the crash that follows): its offset is then negative;
- else none (lost with no fault after it: a bug worth a separate look).

Offsets are the acknowledgement time (:attr:`LostWrite.ack_ns`, the add's completion)
minus the fault's start, in seconds. The lost writes are set-full's own
(:class:`checkers.results.setfull.LostWrite`, as lost.jsonl holds them). Pure: no I/O, no
clocks.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from checkers.faults import FaultWindow
from checkers.quantiles import quantile
from checkers.results.setfull import LostWrite

NO_FAULT = "none"
"""The fault name of lost writes that no fault period explains."""


@dataclass(frozen=True, slots=True)
class LossWindow:
    """The lost writes of one fault period, by acknowledgement time after its start."""

    fault: str
    fault_start_ns: int | None
    fault_end_ns: int | None
    count: int
    first_s: float
    last_s: float
    p50_s: float
    nodes: tuple[tuple[str, int], ...]
    """``(node, lost writes it acknowledged)``, most first."""
    cut_off: bool = False
    """A partition, and every node that acknowledged these writes was on the side cut
    off from at least half the cluster (its grudge, :func:`cut_off_nodes`)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "fault": self.fault,
            "fault_start": self.fault_start_ns,
            "fault_end": self.fault_end_ns,
            "count": self.count,
            "first_s": self.first_s,
            "last_s": self.last_s,
            "p50_s": self.p50_s,
            "nodes": dict(self.nodes),
            "cut_off": self.cut_off,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LossWindow:
        nodes = data.get("nodes", {})
        return cls(
            fault=str(data["fault"]),
            fault_start_ns=data.get("fault_start"),
            fault_end_ns=data.get("fault_end"),
            count=int(data["count"]),
            first_s=float(data["first_s"]),
            last_s=float(data["last_s"]),
            p50_s=float(data["p50_s"]),
            nodes=tuple((str(n), int(c)) for n, c in nodes.items()),
            cut_off=bool(data.get("cut_off", False)),
        )

    def describe(self, node_timeout_ms: int | None = None) -> str:
        """One sentence: ``1,797 writes acknowledged by n1 between +0.03 s and +2.04 s
        after partition began; node timeout 2.00 s``."""
        who = _nodes_text(self.nodes)
        writes = "write" if self.count == 1 else "writes"
        if self.fault == NO_FAULT:
            text = f"{self.count:,} {writes} acknowledged by {who} with no fault after them"
        elif self.cut_off:
            pronoun = "it was" if len(self.nodes) == 1 else "they were"
            text = (
                f"{self.count:,} {writes} acknowledged by {who} between "
                f"{self.first_s:+.2f} s and {self.last_s:+.2f} s after {pronoun} cut off"
            )
        else:
            text = (
                f"{self.count:,} {writes} acknowledged by {who} between "
                f"{self.first_s:+.2f} s and {self.last_s:+.2f} s after {self.fault} began"
            )
        if node_timeout_ms is not None:
            text += f"; node timeout {node_timeout_ms / 1000:.2f} s"
        return text


def _nodes_text(nodes: Sequence[tuple[str, int]]) -> str:
    names = [n for n, _ in nodes]
    if not names:
        return "an unrecorded node"
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def assign(lost: LostWrite, windows: Sequence[FaultWindow], starts: Sequence[int]) -> int | None:
    """The index in ``windows`` (sorted by start; ``starts`` their starts) of the period
    ``lost`` belongs to, or None."""
    upto = bisect_right(starts, lost.ack_ns)
    for i in range(upto - 1, -1, -1):
        if windows[i].start_ns <= lost.ack_ns <= windows[i].end_ns:
            return i
    return upto if upto < len(windows) else None


def placed(
    lost: Sequence[LostWrite], windows: Sequence[FaultWindow]
) -> list[tuple[LostWrite, FaultWindow | None]]:
    """Each lost write with the fault period it belongs to (None if no fault explains it)."""
    ordered = sorted(windows, key=lambda w: w.start_ns)
    starts = [w.start_ns for w in ordered]
    out: list[tuple[LostWrite, FaultWindow | None]] = []
    for write in lost:
        index = assign(write, ordered, starts)
        out.append((write, None if index is None else ordered[index]))
    return out


def offset_s(write: LostWrite, window: FaultWindow) -> float:
    """Seconds from the fault's start to the write's acknowledgement."""
    return (write.ack_ns - window.start_ns) / 1e9


def loss_windows(lost: Sequence[LostWrite], windows: Sequence[FaultWindow]) -> list[LossWindow]:
    """One :class:`LossWindow` per fault period that lost writes (in time order), then
    one for the writes no fault explains. (Periods are told apart by position: a
    window's values, such as a grudge, need not be hashable.)"""
    ordered = sorted(windows, key=lambda w: w.start_ns)
    starts = [w.start_ns for w in ordered]
    groups: dict[int | None, list[LostWrite]] = {}
    for write in lost:
        groups.setdefault(assign(write, ordered, starts), []).append(write)
    out = [_window(ordered[i], groups[i]) for i in sorted(i for i in groups if i is not None)]
    if None in groups:
        out.append(_window(None, groups[None]))
    return out


def cut_off_nodes(window: FaultWindow) -> frozenset[str]:
    """The nodes a partition's grudge (its completion's value: node -> the nodes whose
    traffic it drops) cuts off from at least half the cluster: the minority side, or
    the isolated node. Empty for another fault or another value."""
    grudge = window.done
    if window.name != "partition" or not isinstance(grudge, Mapping) or not grudge:
        return frozenset()
    nodes = set(grudge)
    for dropped in grudge.values():
        if isinstance(dropped, list | tuple):
            nodes.update(str(n) for n in dropped)
    return frozenset(
        str(n)
        for n, dropped in grudge.items()
        if isinstance(dropped, list | tuple) and 2 * len(dropped) >= len(nodes)
    )


def _window(window: FaultWindow | None, writes: Sequence[LostWrite]) -> LossWindow:
    base = window.start_ns if window is not None else min(w.ack_ns for w in writes)
    offsets = sorted(w.ack_ns - base for w in writes)
    nodes = Counter(w.node or "?" for w in writes)
    cut = frozenset() if window is None else cut_off_nodes(window)
    return LossWindow(
        fault=window.name if window is not None else NO_FAULT,
        fault_start_ns=window.start_ns if window is not None else None,
        fault_end_ns=window.end_ns if window is not None else None,
        count=len(writes),
        first_s=round(offsets[0] / 1e9, 3),
        last_s=round(offsets[-1] / 1e9, 3),
        p50_s=round(quantile(offsets, 0.5) / 1e9, 3),
        nodes=tuple(sorted(nodes.items(), key=lambda kv: (-kv[1], kv[0]))),
        cut_off=bool(cut) and set(nodes) <= cut,
    )


def histogram(
    lost: Sequence[LostWrite], windows: Sequence[FaultWindow], bin_s: float = 0.25
) -> list[tuple[float, int]]:
    """Lost writes counted by acknowledgement time since their fault began, in bins of
    ``bin_s`` seconds: ``(bin start s, count)`` ascending, empty bins included between
    the first and last. Writes no fault explains are left out."""
    counts: Counter[int] = Counter()
    for write, window in placed(lost, windows):
        if window is not None:
            counts[int(offset_s(write, window) // bin_s)] += 1
    if not counts:
        return []
    lo, hi = min(counts), max(counts)
    return [(round(b * bin_s, 6), counts.get(b, 0)) for b in range(lo, hi + 1)]
