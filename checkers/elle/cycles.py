"""Cycle anomalies: find dependency cycles and name them (Adya / Elle).

- **G0**: a cycle of ww edges only (write cycle).
- **G1c**: ww and wr edges, at least one wr (circular information flow).
- **G-single**: exactly one rw edge (read skew).
- **G2-item**: more than one rw edge (write skew on items).

A cycle that needs a process or real-time edge gets the suffix ``-process`` or
``-realtime`` (only searched for when those edges are in the graph).

Search: Tarjan's SCCs of the subgraph allowed for the anomaly, then in each component
one shortest cycle by BFS: through a chosen wr / rw / order edge ``a -> b``, the
shortest path ``b -> a`` over the allowed edges. One cycle is reported per component
and anomaly; ``cycle_counts`` counts the components.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from checkers.elle.graph import (
    KIND_NAMES,
    PROCESS,
    REALTIME,
    RW,
    WR,
    WW,
    DepGraph,
    shortest_path,
    strongly_connected,
)
from checkers.elle.txn import Txn

ORDER = PROCESS | REALTIME
_MAX_TRIES = 200
"""rw edges tried per component when looking for a G-single cycle."""


_BASE = {1: "G-single", 2: "G2-item"}


@dataclass(frozen=True, slots=True)
class Cycle:
    """``nodes[i] -> nodes[i+1]`` (wrapping around) has kind ``kinds[i]``."""

    nodes: tuple[int, ...]
    kinds: tuple[int, ...]

    @property
    def name(self) -> str:
        rw = sum(1 for k in self.kinds if k == RW)
        base = _BASE[min(rw, 2)] if rw else ("G1c" if WR in self.kinds else "G0")
        if REALTIME in self.kinds:
            return base + "-realtime"
        if PROCESS in self.kinds:
            return base + "-process"
        return base


def _close(g: DepGraph, a: int, first: int, path: list[int], mask: int) -> Cycle:
    """The cycle ``a -(first)-> b -> ... -> a`` where ``path`` runs ``b .. a``."""
    nodes = (a, *path[:-1])
    kinds = [first] + [g.label(path[i], path[i + 1], mask) for i in range(len(path) - 1)]
    return Cycle(nodes, tuple(kinds))


def _through(g: DepGraph, comp: set[int], edge_kind: int, mask: int, tries: int) -> Cycle | None:
    """A shortest cycle that starts with an ``edge_kind`` edge of ``comp`` and returns
    over ``mask`` edges."""
    tried = 0
    for a in comp:
        for b, kinds in g.out[a].items():
            if not kinds & edge_kind or b not in comp:
                continue
            path = shortest_path(g, b, a, mask, comp)
            if path is not None:
                return _close(g, a, g.label(a, b, edge_kind), path, mask)
            tried += 1
            if tried >= tries:
                return None
    return None


def find_cycles(g: DepGraph, *, with_order: bool = False) -> list[Cycle]:
    """One cycle per (component, anomaly) over the anomaly passes described above."""
    found = _pass(g, WW, WW) + _pass(g, WW | WR, WR) + _rw_pass(g, WW | WR)
    if with_order:
        ordered = _pass(g, WW | WR | ORDER, ORDER) + _rw_pass(g, WW | WR | ORDER)
        found.extend(c for c in ordered if PROCESS in c.kinds or REALTIME in c.kinds)
    return found


def _pass(g: DepGraph, mask: int, through: int) -> list[Cycle]:
    out: list[Cycle] = []
    for comp in strongly_connected(g, mask):
        cycle = _through(g, set(comp), through, mask, _MAX_TRIES)
        if cycle is not None:
            out.append(cycle)
    return out


def _rw_pass(g: DepGraph, nonrw: int) -> list[Cycle]:
    out: list[Cycle] = []
    for comp in strongly_connected(g, nonrw | RW):
        members = set(comp)
        cycle = _through(g, members, RW, nonrw, _MAX_TRIES)
        if cycle is None:
            cycle = _through(g, members, RW, nonrw | RW, 1)
        if cycle is not None and RW in cycle.kinds:
            out.append(cycle)
    return out


def explain(g: DepGraph, txns: Sequence[Txn], cycle: Cycle) -> dict[str, Any]:
    """The cycle as data: its transactions and, for each edge, its kind, key and
    elements, with one sentence a person can check against the history."""
    steps: list[dict[str, Any]] = []
    n = len(cycle.nodes)
    for i, (a, kind) in enumerate(zip(cycle.nodes, cycle.kinds, strict=True)):
        b = cycle.nodes[(i + 1) % n]
        ta, tb = txns[a].index, txns[b].index
        step: dict[str, Any] = {"type": KIND_NAMES[kind], "from": ta, "to": tb}
        why = g.why.get((a, b, kind))
        if why is not None:
            step.update({"key": why.key, "value": why.value, "value'": why.next_value})
        step["explanation"] = _sentence(kind, ta, tb, step)
        steps.append(step)
    return {
        "type": cycle.name,
        "cycle": [txns[v].to_json() for v in (*cycle.nodes, cycle.nodes[0])],
        "steps": steps,
    }


def _sentence(kind: int, a: int, b: int, s: dict[str, Any]) -> str:
    k, v, v2 = s.get("key"), s.get("value"), s.get("value'")
    if kind == WW:
        return f"T{a} appended {v!r} to {k!r}; T{b} appended the next element, {v2!r}"
    if kind == WR:
        return f"T{b} read {k!r} ending in {v!r}, which T{a} appended"
    if kind == RW:
        seen = "it empty" if v is None else f"it up to {v!r}"
        return f"T{a} read {k!r} and saw {seen}; T{b} appended the next element, {v2!r}"
    if kind == PROCESS:
        return f"T{a} and then T{b} ran on the same process"
    return f"T{a} completed before T{b} was invoked"
