"""The edges of the dependency graph, inferred from version orders (Adya's ww, wr, rw)
and, optionally, from process and real-time order.

For a key with version order ``v1 .. vn`` and ``w(v)`` the transaction that appended
``v``:

- ww: ``w(vi) -> w(vi+1)``;
- wr: ``w(vm) -> R`` when ``R``'s external read of the key ends at ``vm``;
- rw: ``R -> w(vm+1)`` when that read (a prefix of the order) stops before ``vm+1``;
  an empty read is followed by ``w(v1)``. No rw edge leads back to the writer of the
  read's last element: that read saw an intermediate state (G1b, reported apart).

Real-time edges are kept to a transitive reduction (a transaction links only from the
*frontier* of those completed before it began), which preserves reachability.
"""

from __future__ import annotations

from collections.abc import Sequence

from base.op import Process
from checkers.elle.graph import PROCESS, REALTIME, RW, WR, WW, DepGraph, Why
from checkers.elle.observations import Observations
from checkers.elle.txn import Txn


def dependency_graph(
    txns: Sequence[Txn], obs: Observations, *, realtime: bool = False, process: bool = False
) -> DepGraph:
    g = DepGraph(len(txns))
    for key, order in obs.orders.items():
        prev: tuple[int, object] | None = None
        for e in order:
            w = obs.writer.get((key, e))
            if w is None:
                continue
            if prev is not None:
                g.add(prev[0], w, WW, Why(key, prev[1], e))
            prev = (w, e)
    for tid, reads in obs.ext_reads.items():
        for key, v in reads.items():
            if v:
                w = obs.writer.get((key, v[-1]))
                if w is not None:
                    g.add(w, tid, WR, Why(key, v[-1]))
            order = obs.orders.get(key, ())
            if obs.compatible.get((tid, key), False) and len(v) < len(order):
                nxt = order[len(v)]
                w = obs.writer.get((key, nxt))
                # A read ending inside one transaction's appends is G1b, reported as such.
                if w is not None and not (v and obs.writer.get((key, v[-1])) == w):
                    g.add(tid, w, RW, Why(key, v[-1] if v else None, nxt))
    if process:
        _process_edges(g, txns)
    if realtime:
        _realtime_edges(g, txns)
    return g


def _process_edges(g: DepGraph, txns: Sequence[Txn]) -> None:
    last: dict[Process, Txn] = {}
    for t in sorted(txns, key=lambda t: t.attempt.invoke_pos):
        if t.aborted:
            continue
        prev = last.get(t.attempt.process)
        if prev is not None and prev.committed:
            g.add(prev.id, t.id, PROCESS)
        last[t.attempt.process] = t


def _realtime_edges(g: DepGraph, txns: Sequence[Txn]) -> None:
    events: list[tuple[int, int, int]] = []
    for t in txns:
        if t.aborted:
            continue
        events.append((t.attempt.invoke_pos, 1, t.id))
        if t.committed:
            events.append((t.attempt.complete_pos, 0, t.id))
    events.sort()
    frontier: set[int] = set()
    preds: dict[int, tuple[int, ...]] = {}
    for _, is_invoke, tid in events:
        if is_invoke:
            preds[tid] = tuple(frontier)
            for p in preds[tid]:
                g.add(p, tid, REALTIME)
        else:
            frontier.difference_update(preds.get(tid, ()))
            frontier.add(tid)
