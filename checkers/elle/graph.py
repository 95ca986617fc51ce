"""A dependency graph between transactions with labelled edges, its strongly connected
components (Tarjan, iterative) and shortest paths inside a component (BFS).

Edge kinds are bits, so one pair of transactions can be related several ways at once.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Hashable
from dataclasses import dataclass

WW = 1
"""Write-write: the source appended the element just before the target's in a key."""
WR = 2
"""Write-read: the target read a list ending in the source's element."""
RW = 4
"""Read-write (anti-dependency): the source read a version the target then appended to."""
PROCESS = 8
"""Process order: the same process ran the source, then the target."""
REALTIME = 16
"""Real-time order: the source completed before the target was invoked."""

KIND_NAMES: dict[int, str] = {
    WW: "ww",
    WR: "wr",
    RW: "rw",
    PROCESS: "process",
    REALTIME: "realtime",
}
_PRIORITY = (WW, WR, RW, PROCESS, REALTIME)


@dataclass(frozen=True, slots=True)
class Why:
    """What justifies an edge: the key, the element the source wrote or read up to
    (None for an empty read), and the element the target appended (for ww / rw)."""

    key: Hashable
    value: Hashable
    next_value: Hashable = None


class DepGraph:
    """Nodes are transaction ids ``0..n-1``; ``out[a][b]`` is the set of edge kinds."""

    def __init__(self, n: int) -> None:
        self.out: list[dict[int, int]] = [{} for _ in range(n)]
        self.why: dict[tuple[int, int, int], Why] = {}

    def add(self, a: int, b: int, kind: int, why: Why | None = None) -> None:
        if a == b:
            return
        kinds = self.out[a].get(b, 0)
        if kinds & kind:
            return
        self.out[a][b] = kinds | kind
        if why is not None:
            self.why[(a, b, kind)] = why

    def successors(self, a: int, mask: int) -> list[int]:
        return [b for b, kinds in self.out[a].items() if kinds & mask]

    def label(self, a: int, b: int, mask: int) -> int:
        """The most telling kind of edge ``a -> b`` among ``mask`` (ww, wr, rw, process,
        realtime in that order), 0 if none."""
        kinds = self.out[a].get(b, 0) & mask
        for k in _PRIORITY:
            if kinds & k:
                return k
        return 0

    def edge_count(self) -> int:
        return sum(len(o) for o in self.out)


def strongly_connected(g: DepGraph, mask: int) -> list[list[int]]:
    """Components of more than one node of the subgraph of ``mask`` edges (Tarjan's
    algorithm with an explicit stack, so deep graphs do not hit the recursion limit)."""
    n = len(g.out)
    index = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    stack: list[int] = []
    found: list[list[int]] = []
    counter = 0
    for root in range(n):
        if index[root] != -1 or not g.out[root]:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        work = [(root, iter(g.successors(root, mask)))]
        while work:
            v, it = work[-1]
            descended = False
            for w in it:
                if index[w] == -1:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = True
                    work.append((w, iter(g.successors(w, mask))))
                    descended = True
                    break
                if on_stack[w] and index[w] < low[v]:
                    low[v] = index[w]
            if descended:
                continue
            work.pop()
            if work:
                u = work[-1][0]
                low[u] = min(low[u], low[v])
            if low[v] == index[v]:
                component: list[int] = []
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    component.append(w)
                    if w == v:
                        break
                if len(component) > 1:
                    found.append(component)
    return found


def shortest_path(
    g: DepGraph, src: int, dst: int, mask: int, within: Collection[int]
) -> list[int] | None:
    """The nodes of a shortest ``src -> ... -> dst`` path over ``mask`` edges staying
    inside ``within`` (``[src]`` when they are equal), or None."""
    if src == dst:
        return [src]
    parent: dict[int, int] = {src: src}
    queue = deque([src])
    while queue:
        v = queue.popleft()
        for w, kinds in g.out[v].items():
            if not kinds & mask or w in parent or w not in within:
                continue
            parent[w] = v
            if w == dst:
                path = [w]
                while path[-1] != src:
                    path.append(parent[path[-1]])
                path.reverse()
                return path
            queue.append(w)
    return None
