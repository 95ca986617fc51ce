"""A real per-test host network (namespaces, bridge, veths) with a unique prefix."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from base.db import NodeHost, Topology
from harness.netns import HostNetwork, create_in_pool, find_leftovers
from nemesis import cleanup_leftovers

NODES = ("n1", "n2", "n3", "n4", "n5")
TOPOLOGY = Topology(
    primaries=("n4", "n2", "n5"),
    replicas_of={"n4": ("n1",), "n2": ("n3",), "n5": ()},
    slots_of={"n4": ((0, 5460),), "n2": ((5461, 10922),), "n5": ((10923, 16383),)},
)
"""Roles deliberately unlike start-up order."""


def needs_root() -> None:
    if os.geteuid() != 0:
        pytest.fail("network namespace tests need root")


@pytest.fixture
def network() -> Iterator[HostNetwork]:
    """Five namespaces on a bridge; afterwards nothing with the prefix may remain."""
    needs_root()
    prefix = f"sbt{os.urandom(3).hex()}"
    net = create_in_pool(prefix, NODES, "10.78.0.0/16")
    try:
        yield net
    finally:
        left_tables = cleanup_leftovers(prefix)
        net.destroy()
        left = find_leftovers(prefix)
        assert left_tables == [], f"nft tables left behind: {left_tables}"
        assert left.empty, f"left behind: {left}"


@pytest.fixture
def hosts(network: HostNetwork) -> list[NodeHost]:
    return [NodeHost(a.name, a.ip, 7000, 17000, a.netns) for a in network.addresses]
