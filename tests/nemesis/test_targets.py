"""Process-fault targets come from the live roles (pure choice, hypothesis)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nemesis.errors import FaultFailed
from nemesis.grudge import majority, minority_size
from nemesis.targets import choose_targets
from tests.nemesis.strategies import clusters

seeds = st.integers(0, 2**32 - 1)


@given(clusters(min_nodes=1), st.sampled_from(["one", "minority", "majority", "all"]), seeds)
def test_counted_targets(cluster, target, seed):
    nodes, topology = cluster
    chosen = choose_targets(target, nodes, topology, random.Random(seed))
    expected = {
        "one": 1,
        "minority": max(1, minority_size(len(nodes))),
        "majority": majority(len(nodes)),
        "all": len(nodes),
    }[target]
    assert len(chosen) == min(expected, len(nodes)) and set(chosen) <= set(nodes)
    assert chosen == choose_targets(target, list(reversed(nodes)), topology, random.Random(seed))


@given(clusters(), seeds)
def test_role_targets_follow_the_topology(cluster, seed):
    nodes, topology = cluster
    rng = random.Random(seed)
    assert choose_targets("primaries", nodes, topology, rng) == sorted(topology.primaries)
    if topology.replicas:
        assert choose_targets("replicas", nodes, topology, rng) == sorted(topology.replicas)
    else:
        with pytest.raises(FaultFailed, match="none among the live nodes"):
            choose_targets("replicas", nodes, topology, rng)


def test_roles_unknown():
    with pytest.raises(FaultFailed, match="roles unknown"):
        choose_targets("primaries", ["a", "b"], None, random.Random(1))
