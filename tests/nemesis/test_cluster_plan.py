"""Pure choices of the cluster faults."""

from __future__ import annotations

import random

import pytest

from base.db import Topology
from nemesis.cluster import choose_reshard_pair, choose_slots
from nemesis.errors import FaultFailed


def test_choose_slots_prefers_slots_with_keys(seed):
    rng = random.Random(seed)
    owned = list(range(100, 200))
    assert choose_slots(owned, {150, 7, 199}, 2, rng) == [150, 199]
    picked = choose_slots(owned, {150}, 5, rng)
    assert len(picked) == 5 and 150 in picked and set(picked) <= set(owned)
    assert choose_slots(owned, set(), 500, rng) == owned


def test_reshard_pair_needs_two_primaries_with_ids(seed):
    rng = random.Random(seed)
    topology = Topology(
        primaries=("a", "b"),
        slots_of={"a": ((0, 16383),)},
        node_ids={"a": "id-a", "b": "id-b"},
    )
    assert choose_reshard_pair(topology, ["a", "b"], rng) == ("a", "b")
    with pytest.raises(FaultFailed, match="needs 2 live primaries"):
        choose_reshard_pair(topology, ["a"], rng)
