"""Properties of the pure grudge model (hypothesis)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from base.db import Topology
from nemesis.grudge import (
    PARTITIONS,
    Grudge,
    GrudgeError,
    grudge_from_json,
    grudge_to_json,
    healed,
    is_cut,
    majority,
    minority_size,
)
from tests.nemesis.strategies import clusters


def components(nodes: list[str], grudge: Grudge) -> set[frozenset[str]]:
    """The set of views (node plus the nodes it does not drop)."""
    return {frozenset(n2 for n2 in nodes if n2 not in grudge.get(n, frozenset())) for n in nodes}


def assert_symmetric(grudge: Grudge) -> None:
    for a, peers in grudge.items():
        assert a not in peers, f"{a} drops itself"
        for b in peers:
            assert a in grudge.get(b, frozenset()), f"{a} drops {b} but not the reverse"


seeds = st.integers(0, 2**32 - 1)


@given(clusters(min_nodes=3), seeds)
def test_minority_is_a_minority_holding_a_primary(cluster, seed):
    nodes, topology = cluster
    grudge = PARTITIONS["partition-minority"](nodes, topology, random.Random(seed))
    assert_symmetric(grudge)
    parts = components(nodes, grudge)
    assert len(parts) == 2
    small, large = sorted(parts, key=len)
    assert len(small) == minority_size(len(nodes)) and 2 * len(small) < len(nodes)
    assert small | large == set(nodes) and not small & large
    assert set(topology.primaries) & small, "the minority holds no primary"


@given(seeds)
def test_minority_of_three_primaries_keeps_the_majority_able_to_fail_over(seed):
    topology = Topology(
        primaries=("c", "a", "e"), replicas_of={"c": ("f",), "a": ("b",), "e": ("d",)}
    )
    nodes = ["a", "b", "c", "d", "e", "f"]
    grudge = PARTITIONS["partition-minority"](nodes, topology, random.Random(seed))
    small = min(components(nodes, grudge), key=len)
    cut_primaries = [p for p in topology.primaries if p in small]
    assert len(cut_primaries) == 1
    (primary,) = cut_primaries
    assert not set(topology.replicas_of[primary]) & small, "its replica must stay with the majority"


@given(clusters(min_nodes=4), seeds)
def test_majorities_ring_every_view_a_distinct_majority(cluster, seed):
    nodes, _ = cluster
    grudge = PARTITIONS["partition-majorities-ring"](nodes, None, random.Random(seed))
    assert_symmetric(grudge)
    views = {n: frozenset(m for m in nodes if m not in grudge[n]) for n in nodes}
    for node, view in views.items():
        assert node in view
        assert len(view) >= majority(len(nodes))
    assert len(set(views.values())) == len(nodes), "two nodes share a view"


@pytest.mark.parametrize("kind", ["partition-halves", "partition-random-halves"])
@given(cluster=clusters(), seed=seeds)
def test_halves_split_evenly(kind, cluster, seed):
    nodes, topology = cluster
    grudge = PARTITIONS[kind](nodes, topology, random.Random(seed))
    assert_symmetric(grudge)
    a, b = sorted(components(nodes, grudge), key=len)
    assert len(b) - len(a) <= 1 and a | b == set(nodes) and not a & b


@given(clusters(), seeds)
def test_halves_split_each_role_evenly(cluster, seed):
    nodes, topology = cluster
    grudge = PARTITIONS["partition-halves"](nodes, topology, random.Random(seed))
    a, b = components(nodes, grudge)
    pa, pb = len(a & set(topology.primaries)), len(b & set(topology.primaries))
    assert abs(pa - pb) <= 1


@given(clusters(), seeds)
def test_one_isolates_exactly_one(cluster, seed):
    nodes, _ = cluster
    grudge = PARTITIONS["partition-one"](nodes, None, random.Random(seed))
    assert_symmetric(grudge)
    assert sorted(map(len, components(nodes, grudge))) == [1, len(nodes) - 1]


@given(clusters(), seeds)
def test_minority_third(cluster, seed):
    nodes, _ = cluster
    grudge = PARTITIONS["partition-minority-third"](nodes, None, random.Random(seed))
    assert_symmetric(grudge)
    small = min(components(nodes, grudge), key=len)
    assert len(small) == max(1, len(nodes) // 3)


@given(clusters(), seeds)
def test_primaries_cut_from_each_other_only(cluster, seed):
    nodes, topology = cluster
    if len(topology.primaries) < 2:
        with pytest.raises(GrudgeError):
            PARTITIONS["partition-primaries"](nodes, topology, random.Random(seed))
        return
    grudge = PARTITIONS["partition-primaries"](nodes, topology, random.Random(seed))
    assert_symmetric(grudge)
    for n in nodes:
        expected = set(topology.primaries) - {n} if n in topology.primaries else set()
        assert set(grudge.get(n, frozenset())) == expected


@given(clusters(min_nodes=3), seeds)
def test_bridge_sees_both_sides(cluster, seed):
    nodes, _ = cluster
    grudge = PARTITIONS["partition-bridge"](nodes, None, random.Random(seed))
    assert_symmetric(grudge)
    bridges = [n for n in nodes if not grudge.get(n)]
    assert len(bridges) == 1
    sides = components([n for n in nodes if n != bridges[0]], grudge)
    a, b = sorted((s - set(bridges) for s in sides), key=len)
    assert len(b) - len(a) <= 1 and len(a) >= 1
    assert all(is_cut(grudge, x, y) for x in a for y in b)


@settings(max_examples=50)
@given(st.sampled_from(sorted(PARTITIONS)), clusters(min_nodes=4), seeds)
def test_every_kind_is_deterministic_symmetric_and_heals(kind, cluster, seed):
    nodes, topology = cluster
    build = PARTITIONS[kind]
    try:
        first = build(nodes, topology, random.Random(seed))
    except GrudgeError:
        return  # e.g. a single primary for partition-primaries
    assert first == build(list(reversed(nodes)), topology, random.Random(seed))
    assert_symmetric(first)
    assert any(first.values()), f"{kind} cut nothing"
    assert grudge_from_json(grudge_to_json(first)) == {n: p for n, p in first.items() if p}
    heal = healed(nodes)
    assert all(not peers for peers in heal.values())
    assert not any(is_cut(heal, a, b) for a in nodes for b in nodes)


def test_too_few_nodes_is_a_clear_error():
    with pytest.raises(GrudgeError, match="at least 4 nodes"):
        PARTITIONS["partition-majorities-ring"](["a", "b", "c"], None, random.Random(1))
    with pytest.raises(GrudgeError, match="no live primary"):
        PARTITIONS["partition-minority"](["a", "b", "c"], None, random.Random(1))
