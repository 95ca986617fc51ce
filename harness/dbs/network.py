"""Where the nodes live on the network: the host's loopback, or one Linux network
namespace per node (:mod:`harness.netns`), which is what makes partitions possible."""

from __future__ import annotations

import socket
from collections.abc import Sequence
from typing import Protocol

from base.db import NodeHost
from harness.netns import HostNetwork, create_in_pool

NETNS_PORT = 6379
"""Every node listens on this port inside its own namespace (bus port + 10000)."""
SUBNET_POOL = "10.77.0.0/16"
"""Where a run's /24 comes from when ``--subnet`` is not given."""


class Network(Protocol):
    """Addresses for the nodes, and the argv wrapper that runs a node in its place."""

    kind: str
    partitions_possible: bool

    def create(self, names: Sequence[str]) -> list[NodeHost]:
        """Make the network and return one host per name. Raises after undoing on failure."""
        ...

    def wrap(self, name: str, argv: Sequence[str]) -> list[str]:
        """The argv that runs ``argv`` as node ``name``."""
        ...

    def destroy(self) -> None:
        """Remove what :meth:`create` made; idempotent."""
        ...

    def namespaces(self) -> list[str]:
        """Namespace names this network created (for state.json / cleanup)."""
        ...


class LoopbackNetwork:
    """Every node on 127.0.0.1 with its own free port (bus port = port + 10000).
    No partitions are possible: there is nothing between the nodes to cut."""

    kind = "loopback"
    partitions_possible = False

    def create(self, names: Sequence[str]) -> list[NodeHost]:
        hosts: list[NodeHost] = []
        taken: set[int] = set()
        for name in names:
            port = free_port_pair(taken)
            taken.update((port, port + 10000))
            hosts.append(NodeHost(name=name, ip="127.0.0.1", port=port, bus_port=port + 10000))
        return hosts

    def wrap(self, name: str, argv: Sequence[str]) -> list[str]:
        return list(argv)

    def destroy(self) -> None:
        return None

    def namespaces(self) -> list[str]:
        return []


class NamespaceNetwork:
    """One namespace per node behind a bridge (:class:`harness.netns.HostNetwork`)."""

    kind = "netns"
    partitions_possible = True

    def __init__(self, prefix: str, subnet: str | None) -> None:
        self.prefix = prefix
        self._subnet = subnet
        self._network: HostNetwork | None = None

    def create(self, names: Sequence[str]) -> list[NodeHost]:
        if self._subnet:
            network = HostNetwork(self.prefix, names, self._subnet)
            addresses = network.create()
        else:  # picked and claimed under one host-wide lock: concurrent runs never collide
            network = create_in_pool(self.prefix, names, SUBNET_POOL)
            addresses = list(network.addresses)
        self._network = network
        return [
            NodeHost(
                name=a.name, ip=a.ip, port=NETNS_PORT, bus_port=NETNS_PORT + 10000, netns=a.netns
            )
            for a in addresses
        ]

    def wrap(self, name: str, argv: Sequence[str]) -> list[str]:
        assert self._network is not None, "create() first"
        return self._network.exec_argv(name, argv)

    def destroy(self) -> None:
        if self._network is not None:
            self._network.destroy()

    def namespaces(self) -> list[str]:
        if self._network is not None:
            return [a.netns for a in self._network.addresses]
        return []


def free_port_pair(taken: set[int]) -> int:
    """A port on 127.0.0.1 that is free now, with port + 10000 free too."""
    for _ in range(500):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port: int = s.getsockname()[1]
        if port in taken or port + 10000 in taken or port + 10000 > 65535:
            continue
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", port + 10000))
        except OSError:
            continue
        return port
    raise RuntimeError("no free port pair (port, port + 10000) found on 127.0.0.1")
