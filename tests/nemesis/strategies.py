"""Hypothesis strategies for the nemesis tests."""

from __future__ import annotations

from hypothesis import strategies as st

from base.db import Topology


@st.composite
def clusters(
    draw: st.DrawFn, min_nodes: int = 2, max_nodes: int = 12
) -> tuple[list[str], Topology]:
    """Node names in a shuffled (non start-up) order and a topology over them."""
    n = draw(st.integers(min_nodes, max_nodes))
    names = [f"n{i}" for i in range(1, n + 1)]
    order = draw(st.permutations(names))
    n_primaries = draw(st.integers(1, n))
    primaries = tuple(order[:n_primaries])
    replicas_of: dict[str, list[str]] = {p: [] for p in primaries}
    for i, r in enumerate(order[n_primaries:]):
        replicas_of[primaries[i % n_primaries]].append(r)
    topology = Topology(
        primaries=primaries,
        replicas_of={p: tuple(rs) for p, rs in replicas_of.items()},
        node_ids={n: f"id-{n}" for n in names},
    )
    return list(draw(st.permutations(names))), topology
