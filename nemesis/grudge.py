"""Partitions as data: a *grudge* maps a node to the nodes whose packets it drops.

Pure functions, after Jepsen's ``jepsen.nemesis`` vocabulary. Every kind takes the live
node names, the live roles (a :class:`base.db.Topology` read from CLUSTER NODES, or
None when no node answered) and a seeded ``random.Random``; none depends on start-up
order. A grudge drops in both directions unless said otherwise (``complete_grudge``).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Final

from base.db import Topology

Grudge = Mapping[str, frozenset[str]]
"""node -> the nodes whose packets it drops. Nodes that drop nothing may be absent."""


class GrudgeError(ValueError):
    """The partition kind cannot be built for these nodes (too few nodes, no primaries)."""


def complete_grudge(components: Iterable[Iterable[str]]) -> dict[str, frozenset[str]]:
    """Every node drops every node outside its own component (a symmetric cut)."""
    parts = [frozenset(c) for c in components]
    everyone = frozenset().union(*parts)
    return {n: everyone - part for part in parts for n in part}


def bridge_grudge(
    left: Iterable[str], bridge: str, right: Iterable[str]
) -> dict[str, frozenset[str]]:
    """Two sides that drop each other, and one bridge node that both sides still see."""
    lhs, rhs = frozenset(left), frozenset(right)
    grudge = complete_grudge([lhs, rhs])
    grudge[bridge] = frozenset()
    return grudge


def healed(nodes: Iterable[str]) -> dict[str, frozenset[str]]:
    """The empty grudge: nobody drops anybody."""
    return {n: frozenset() for n in nodes}


def is_cut(grudge: Grudge, a: str, b: str) -> bool:
    """True if traffic between ``a`` and ``b`` is dropped in either direction (with input
    drops, either side dropping the other breaks a TCP connection both ways)."""
    return b in grudge.get(a, frozenset()) or a in grudge.get(b, frozenset())


def grudge_to_json(grudge: Grudge) -> dict[str, list[str]]:
    """``{node: [sorted nodes]}`` for the nodes that drop something (a nemesis op value)."""
    return {n: sorted(peers) for n, peers in sorted(grudge.items()) if peers}


def grudge_from_json(data: Mapping[str, Sequence[str]]) -> dict[str, frozenset[str]]:
    return {str(n): frozenset(str(p) for p in peers) for n, peers in data.items()}


def majority(n: int) -> int:
    """The smallest majority of ``n`` nodes."""
    return n // 2 + 1


def minority_size(n: int) -> int:
    """The largest strict minority of ``n`` nodes (2 of 5, 2 of 6)."""
    return (n - 1) // 2


def _shuffled(nodes: Iterable[str], rng: random.Random) -> list[str]:
    out = sorted(nodes)  # sort first so the outcome depends on the seed only
    rng.shuffle(out)
    return out


def _need(nodes: Sequence[str], n: int, kind: str) -> None:
    if len(nodes) < n:
        raise GrudgeError(f"{kind}: needs at least {n} nodes, have {len(nodes)}")


def partition_one(nodes: Sequence[str], topology: Topology | None, rng: random.Random) -> Grudge:
    """Isolate one random node from all others."""
    _need(nodes, 2, "partition-one")
    node = _shuffled(nodes, rng)[0]
    return complete_grudge([[node], [n for n in nodes if n != node]])


def partition_minority(
    nodes: Sequence[str], topology: Topology | None, rng: random.Random
) -> Grudge:
    """Cut a largest strict minority that holds at least one primary from the majority.

    This is the lost-write scenario of the Redis Cluster docs: clients keep writing to the
    primary on the minority side until it notices, while the majority promotes one of its
    replicas. To make that promotion possible the minority is filled, where there is a
    choice, with nodes that are neither replicas of the chosen primary nor primaries (so
    the majority keeps a majority of primaries to vote, and a replica to promote).
    """
    _need(nodes, 3, "partition-minority")
    live = set(nodes)
    primaries = [p for p in (topology.primaries if topology else ()) if p in live]
    if not primaries:
        raise GrudgeError("partition-minority: no live primary known (CLUSTER NODES unavailable?)")
    size = minority_size(len(nodes))
    primary = _shuffled(primaries, rng)[0]
    own = set(topology.replicas_of.get(primary, ())) if topology else set()
    others = [n for n in nodes if n != primary]
    plain = [n for n in others if n not in own and n not in primaries]
    other_primaries = [n for n in others if n in primaries]
    own_replicas = [n for n in others if n in own]
    pool = _shuffled(plain, rng) + _shuffled(other_primaries, rng) + _shuffled(own_replicas, rng)
    # Keep primaries on the minority side a minority of the primaries when possible.
    minority = [primary]
    for n in pool:
        if len(minority) == size:
            break
        minority.append(n)
    return complete_grudge([minority, [n for n in nodes if n not in minority]])


def partition_minority_third(
    nodes: Sequence[str], topology: Topology | None, rng: random.Random
) -> Grudge:
    """Cut a random third of the nodes (at least one) from the rest."""
    _need(nodes, 2, "partition-minority-third")
    order = _shuffled(nodes, rng)
    size = max(1, len(nodes) // 3)
    return complete_grudge([order[:size], order[size:]])


def partition_halves(nodes: Sequence[str], topology: Topology | None, rng: random.Random) -> Grudge:
    """Split into two halves by role: primaries and their replicas are dealt alternately to
    each side (by name order), so each side gets about half of each role. Deterministic."""
    _need(nodes, 2, "partition-halves")
    live = set(nodes)
    ordered: list[str] = []
    if topology is not None:
        for p in sorted(topology.primaries):
            if p in live:
                ordered.append(p)
        for p in sorted(topology.primaries):
            ordered.extend(r for r in sorted(topology.replicas_of.get(p, ())) if r in live)
    ordered.extend(n for n in sorted(nodes) if n not in ordered)
    left = ordered[0::2]
    right = ordered[1::2]
    return complete_grudge([left, right])


def partition_random_halves(
    nodes: Sequence[str], topology: Topology | None, rng: random.Random
) -> Grudge:
    """Split a random shuffle of the nodes into two halves (sizes differ by at most one)."""
    _need(nodes, 2, "partition-random-halves")
    order = _shuffled(nodes, rng)
    half = len(order) // 2
    return complete_grudge([order[:half], order[half:]])


def ring_views(order: Sequence[str]) -> dict[str, frozenset[str]]:
    """Each node's view on a ring: itself and the nodes within ring distance ``k``, the
    smallest ``k`` whose window (2k+1 nodes) is a majority. Symmetric by construction."""
    n = len(order)
    k = majority(n) // 2  # ceil((majority - 1) / 2)
    views: dict[str, frozenset[str]] = {}
    for i, node in enumerate(order):
        views[node] = frozenset(order[(i + d) % n] for d in range(-k, k + 1))
    return views


def partition_majorities_ring(
    nodes: Sequence[str], topology: Topology | None, rng: random.Random
) -> Grudge:
    """Every node sees a majority (its ring neighbourhood), and no two nodes see the same
    set: there is no stable majority to agree in. Needs 4 nodes or more."""
    _need(nodes, 4, "partition-majorities-ring")
    views = ring_views(_shuffled(nodes, rng))
    everyone = frozenset(nodes)
    return {n: everyone - view for n, view in views.items()}


def partition_primaries(
    nodes: Sequence[str], topology: Topology | None, rng: random.Random
) -> Grudge:
    """Cut every live primary from every other primary; replicas keep seeing everyone."""
    live = set(nodes)
    primaries = [p for p in (topology.primaries if topology else ()) if p in live]
    if len(primaries) < 2:
        raise GrudgeError(f"partition-primaries: needs 2 live primaries, know {primaries}")
    group = frozenset(primaries)
    return {p: group - {p} for p in primaries}


def partition_bridge(nodes: Sequence[str], topology: Topology | None, rng: random.Random) -> Grudge:
    """Two halves cut from each other, plus one bridge node that sees both."""
    _need(nodes, 3, "partition-bridge")
    order = _shuffled(nodes, rng)
    bridge, rest = order[0], order[1:]
    half = len(rest) // 2
    return bridge_grudge(rest[:half], bridge, rest[half:])


GrudgeKind = Callable[[Sequence[str], Topology | None, random.Random], Grudge]

PARTITIONS: Final[Mapping[str, GrudgeKind]] = {
    "partition-one": partition_one,
    "partition-minority": partition_minority,
    "partition-minority-third": partition_minority_third,
    "partition-halves": partition_halves,
    "partition-random-halves": partition_random_halves,
    "partition-majorities-ring": partition_majorities_ring,
    "partition-primaries": partition_primaries,
    "partition-bridge": partition_bridge,
}
"""Fault name -> grudge builder."""
